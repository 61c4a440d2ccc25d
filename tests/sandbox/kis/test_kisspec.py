"""The official field sets kept as data: every entry says where it came from."""

from __future__ import annotations

import re

import pytest

from ouroboros import kisspec


def test_every_endpoint_names_its_official_source() -> None:
    assert re.fullmatch(r"[0-9a-f]{40}", kisspec.source_commit())
    for ep in kisspec.endpoints():
        assert re.fullmatch(r"examples_llm/[a-z_]+/[a-z_]+/chk_[a-z_]+\.py", ep.source), ep.name
        assert ep.path.startswith(("/uapi/", "/oauth2/")), ep.name
        fields = ep.fields()
        assert fields, ep.name
        for o in ep.outputs:
            assert o.kind in ("object", "array"), ep.name
            assert len(set(o.fields)) == len(o.fields), f"{ep.name} {o.name} repeats a name"


def test_frame_layouts_and_counts() -> None:
    counts = {t: len(kisspec.columns(t)) for t in kisspec.frame_ids()}
    assert counts == {
        "H0STCNT0": 46,
        "H0STASP0": 59,
        "H0STCNI0": 26,
        "HDFSCNT0": 26,
        "HDFSASP0": 17,
        "H0GSCNI0": 25,
        "H0STCNI9": 26,
        "H0GSCNI9": 25,
    }
    assert kisspec.columns("HDFSCNT0")[:6] == ("RSYM", "SYMB", "ZDIV", "TYMD", "XYMD", "XHMS")


def test_unknown_names_are_refused_by_name() -> None:
    with pytest.raises(KeyError, match="domestic/nope"):
        kisspec.endpoint("domestic/nope")
    with pytest.raises(KeyError, match="H0XXXXX0"):
        kisspec.columns("H0XXXXX0")


def test_markets_table() -> None:
    by_venue = {m.venue: m for m in kisspec.markets()}
    assert by_venue["NASDAQ"].sell == ("TTTT1006U", "VTTT1001U")  # the US virtual sell exception
    assert by_venue["NASDAQ"].notice_price_decimals == 4
    assert {m.tz for m in by_venue.values()} >= {"Asia/Seoul", "America/New_York"}
