"""The disk cache of built calendars: same tables as a fresh build, a new file whenever what
shapes a table changes, and a damaged or unwritable cache only costs a rebuild."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ouroboros.markets import cache
from ouroboros.markets.sources import _RECIPES, CalendarData, CalendarId


def _same(a: CalendarData, b: CalendarData) -> None:
    assert (a.calendar_id, a.tz, a.source, a.authoritative_until) == (
        b.calendar_id,
        b.tz,
        b.source,
        b.authoritative_until,
    )
    assert (a.table.first_day, a.table.last_day) == (b.table.first_day, b.table.last_day)
    for name in ("days", "opens", "break_starts", "break_ends", "closes", "open_events"):
        assert np.array_equal(getattr(a.table, name), getattr(b.table, name)), name
    assert np.array_equal(a.table.early_closes, b.table.early_closes)
    assert np.array_equal(a.table.late_opens, b.table.late_opens)


@pytest.mark.parametrize("cid", [CalendarId.XKRX, CalendarId.XSHG, CalendarId.VN])
def test_a_cached_calendar_is_the_built_one(cid: CalendarId, tmp_path: Path) -> None:
    built = _RECIPES[cid]()
    cache.save(built, "k", tmp_path)
    loaded = cache.load(cid, "k", tmp_path)
    assert loaded is not None
    _same(loaded, built)


def test_the_key_follows_library_holiday_files_and_code(monkeypatch: pytest.MonkeyPatch) -> None:
    key = cache.fingerprint()
    assert cache.fingerprint() == key
    monkeypatch.setattr(cache, "_library_version", lambda: "99.0")
    assert cache.fingerprint() != key
    monkeypatch.setattr(cache, "FORMAT", "2")
    assert cache.fingerprint() != key


def test_cached_builds_once_then_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    builds: list[int] = []

    def build() -> CalendarData:
        builds.append(1)
        return _RECIPES[CalendarId.VN]()

    first = cache.cached(CalendarId.VN, build)
    second = cache.cached(CalendarId.VN, build)
    assert len(builds) == 1
    _same(first, second)


def test_a_damaged_file_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    key = cache.fingerprint()
    folder = tmp_path / "calendars"
    folder.mkdir()
    (folder / f"VN-{key}.npz").write_bytes(b"not an npz file")
    data = cache.cached(CalendarId.VN, _RECIPES[CalendarId.VN])
    assert len(data.table) > 0
    assert cache.load(CalendarId.VN, key, folder) is not None  # rewritten


def test_an_unwritable_cache_still_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv(cache.CACHE_ENV, str(blocker))
    assert len(cache.cached(CalendarId.VN, _RECIPES[CalendarId.VN]).table) > 0
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    assert cache.cache_dir() is None
