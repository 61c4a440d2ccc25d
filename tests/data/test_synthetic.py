"""The synthetic generator: determinism, ticks, lots, calendars, levels and statistics."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ouroboros.data import SyntheticSpec, generate, market_calendar, write_synthetic
from ouroboros.data.synthetic import MARKET_ORDER, PROFILES, SyntheticData
from ouroboros.domain import DEFAULT_BUY_LOT, Instrument, tick_table_for
from tests.data.stubs import StubCalendar

ALL_MARKETS = MARKET_ORDER
STUB = StubCalendar()


@cache
def _real(days: int, interval: str, symbols: int) -> SyntheticData:
    spec = SyntheticSpec(
        markets=ALL_MARKETS, symbols=symbols, days=days, seed=11, interval=interval
    )
    return generate(spec, market_calendar)


@cache
def _big() -> SyntheticData:
    """One market, enough symbols and days for the statistics (stub calendar: fast)."""
    spec = SyntheticSpec(markets=("US_NYSE",), symbols=110, days=1500, seed=5, patterns=0)
    return generate(spec, lambda _: STUB)


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    spec = SyntheticSpec(markets=("KR", "US_NASDAQ"), symbols=6, days=60, seed=42)
    write_synthetic(generate(spec, lambda _: STUB), tmp_path / "a")
    write_synthetic(generate(spec, lambda _: STUB), tmp_path / "b")
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == ["KR_1d.parquet", "US_NASDAQ_1d.parquet", "manifest.json"]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    other = SyntheticSpec(markets=("KR", "US_NASDAQ"), symbols=6, days=60, seed=43)
    write_synthetic(generate(other, lambda _: STUB), tmp_path / "c")
    assert (tmp_path / "c" / "KR_1d.parquet").read_bytes() != (
        tmp_path / "a" / "KR_1d.parquet"
    ).read_bytes()


def test_a_market_does_not_depend_on_the_other_markets_asked_for() -> None:
    alone = generate(SyntheticSpec(markets=("JP",), symbols=3, days=20, seed=1), lambda _: STUB)
    both = generate(SyntheticSpec(markets=("KR", "JP"), symbols=3, days=20, seed=1), lambda _: STUB)
    assert np.array_equal(alone.markets["JP"].panel.close, both.markets["JP"].panel.close)


def test_daily_bars_sit_on_real_sessions_and_valid_ticks_and_lots() -> None:
    data = _real(25, "1d", 4)
    assert list(data.markets) == list(ALL_MARKETS)
    for code, m in data.markets.items():
        panel = m.panel
        calendar = market_calendar(code)
        first, last = panel.index[0].date(), panel.index[-1].date()
        sessions = [pd.Timestamp(s.date, tz="UTC") for s in calendar.sessions(first, last)]
        assert list(panel.index) == sessions, code
        _assert_on_grid(m.universe.instruments, panel)
        lot = DEFAULT_BUY_LOT[m.universe.profile.venue]
        assert np.all(panel.volume % lot == 0), code
        assert np.all(panel.volume >= lot), code


def test_minute_bars_lie_inside_session_minutes() -> None:
    data = _real(2, "1m", 2)
    for code, m in data.markets.items():
        calendar = market_calendar(code)
        minutes = np.concatenate([calendar.session_minutes(s) for s in m.sessions])
        stamps = m.panel.index.tz_convert(None).as_unit("ns").to_numpy()
        assert np.array_equal(stamps, minutes.astype("datetime64[ns]")), code
        _assert_on_grid(m.universe.instruments, m.panel)
        assert np.all(m.panel.low <= np.minimum(m.panel.open, m.panel.close))


def _assert_on_grid(instruments: tuple[Instrument, ...], panel: object) -> None:
    from ouroboros.data import Panel

    assert isinstance(panel, Panel)
    by_id = {str(i.id): i for i in instruments}
    dates = [t.date() for t in panel.index]
    for j, sym in enumerate(panel.symbols):
        venue = by_id[sym].venue
        for field in ("open", "high", "low", "close"):
            col = getattr(panel, field)[:, j]
            for day, price in zip(dates, col, strict=True):
                assert tick_table_for(venue, day).is_valid(Decimal(repr(float(price)))), (
                    sym,
                    field,
                    day,
                    price,
                )
    assert np.all(panel.low <= np.minimum(panel.open, panel.close))
    assert np.all(panel.high >= np.maximum(panel.open, panel.close))


def test_price_levels_look_like_each_market() -> None:
    data = generate(SyntheticSpec(markets=ALL_MARKETS, symbols=40, days=5, seed=3), lambda _: STUB)
    for code, m in data.markets.items():
        lo, hi = PROFILES[code].price_range
        median = float(np.median(m.panel.close[0]))
        assert lo <= median <= hi, (code, median)
    kr = float(np.median(data.markets["KR"].panel.close[0]))
    us = float(np.median(data.markets["US_NYSE"].panel.close[0]))
    assert kr > 100 * us  # KRW tens of thousands vs USD tens-hundreds


def test_symbols_sectors_and_names_are_plausible_and_marked_synthetic() -> None:
    data = generate(SyntheticSpec(markets=ALL_MARKETS, symbols=12, days=3), lambda _: STUB)
    ids = [str(i.id) for i in data.instruments]
    for expected in ("990001.KRX", "SYN001.NASDAQ", "0001.TSE", "ZAA.HOSE", "609001.SSE"):
        assert expected in ids
    assert "99001.HKEX" in ids
    assert all(i.name.startswith("Synthetic ") and i.sector for i in data.instruments)
    assert len({i.sector for i in data.markets["KR"].universe.instruments}) == 11


def test_fat_tails_and_volatility_clustering() -> None:
    r = np.diff(np.log(_big().markets["US_NYSE"].panel.close), axis=0)
    z = (r - r.mean(axis=0)) / r.std(axis=0)
    kurtosis = (z**4).mean(axis=0)
    assert np.median(kurtosis) > 3.0
    sq = z**2 - 1
    acf1 = (sq[1:] * sq[:-1]).mean(axis=0) / (sq**2).mean(axis=0)
    assert np.median(acf1) > 0.02
    assert (acf1 > 0).mean() > 0.8


def test_sector_correlation_is_higher_within_than_across_sectors() -> None:
    m = _big().markets["US_NYSE"]
    r = np.diff(np.log(m.panel.close), axis=0)
    sector = {str(i.id): i.sector for i in m.universe.instruments}
    labels = np.array([sector[s] for s in m.panel.symbols])
    corr = np.corrcoef(r.T)
    same = labels[:, None] == labels[None, :]
    off = ~np.eye(len(labels), dtype=bool)
    within, across = corr[same & off].mean(), corr[~same].mean()
    assert within > across + 0.05
    assert across > 0.05  # the market factor


def test_volume_surges_with_large_moves() -> None:
    p = _big().markets["US_NYSE"].panel
    r = np.abs(np.diff(np.log(p.close), axis=0))
    v = np.log(p.volume[1:])
    big = r > np.quantile(r, 0.95, axis=0)
    assert (v[big].mean() - v[~big].mean()) > 0.3


def test_planted_patterns_are_in_the_data_and_the_manifest(tmp_path: Path) -> None:
    spec = SyntheticSpec(markets=("US_NASDAQ",), symbols=8, days=300, seed=9, patterns=6)
    data = generate(spec, lambda _: STUB)
    assert len(data.patterns) == 6
    panel = data.markets["US_NASDAQ"].panel
    for p in data.patterns:
        j = panel.symbols.index(p.symbol)
        t0 = p.bar_index
        assert panel.index[t0].date().isoformat() == p.start
        prior = panel.close[t0 - p.lookback : t0, j]
        assert panel.close[t0, j] > prior.max()
        usual = np.median(panel.volume[t0 - p.lookback : t0, j])
        assert panel.volume[t0, j] > 2 * usual
    write_synthetic(data, tmp_path)
    import json

    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["synthetic"] is True
    assert [p["start"] for p in manifest["patterns"]] == [p.start for p in data.patterns]
    assert manifest["markets"][0]["rows"] == 8 * 300


def test_asking_for_more_sessions_than_the_calendar_has_is_a_clear_error() -> None:
    from ouroboros.errors import DataError

    with pytest.raises(DataError, match=r"VN_HSX: the calendar has only \d+ sessions"):
        generate(SyntheticSpec(markets=("VN_HSX",), symbols=1, days=5000), market_calendar)
