"""Built calendars cached on disk, so a command does not rebuild every calendar on each call.

Building a calendar (exchange-calendars, pandas, our holiday files) takes about a second per
calendar; loading its :class:`ScheduleTable` arrays from an ``.npz`` file takes milliseconds and
needs neither pandas nor exchange-calendars. A cache file is named by a fingerprint of
everything that shapes the table - the exchange-calendars version, every holiday file's bytes
and the source of the modules that build and assemble tables - so a library upgrade, an edited
holiday file or changed build code is never answered from a stale file.

The cache is an optimisation only: a folder that cannot be read or written, or a damaged file,
falls back to building (and the next successful build rewrites it). The folder is
``$OUROBOROS_CACHE_DIR/calendars``, else ``$XDG_CACHE_HOME/ouroboros/calendars``, else
``~/.cache/ouroboros/calendars``; ``OUROBOROS_CACHE_DIR=off`` disables it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ouroboros.markets.schedule import ScheduleTable, assemble

if TYPE_CHECKING:
    from ouroboros.markets.sources import CalendarData, CalendarId

CACHE_ENV = "OUROBOROS_CACHE_DIR"
FORMAT = "1"
_BUILD_MODULES = ("sources.py", "adjustments.py", "schedule.py", "cache.py")
_ARRAYS = ("days", "opens", "break_starts", "break_ends", "closes", "early_closes", "late_opens")


def cache_dir() -> Path | None:
    """Where built calendars are kept (None: caching is off)."""
    chosen = os.environ.get(CACHE_ENV, "").strip()
    if chosen.lower() in ("off", "0", "none"):
        return None
    if chosen:
        return Path(chosen).expanduser() / "calendars"
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "ouroboros" / "calendars"


def _library_version() -> str:
    try:
        return metadata.version("exchange-calendars")
    except metadata.PackageNotFoundError:
        return "none"


def fingerprint() -> str:
    """A digest of everything a built table depends on (library, holiday files, build code)."""
    digest = hashlib.sha256(f"format {FORMAT}; exchange-calendars {_library_version()}".encode())
    package = resources.files("ouroboros.markets")
    for name in _BUILD_MODULES:
        digest.update(name.encode() + b"\0" + package.joinpath(name).read_bytes())
    holidays = package.joinpath("holidays")
    for entry in sorted(holidays.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".csv"):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return digest.hexdigest()[:24]


def _path(folder: Path, cid: CalendarId, key: str) -> Path:
    return folder / f"{cid.value}-{key}.npz"


def load(cid: CalendarId, key: str, folder: Path) -> CalendarData | None:
    """The cached calendar, or None when there is none (or it cannot be read)."""
    from ouroboros.markets.sources import CalendarData

    path = _path(folder, cid, key)
    try:
        with np.load(path, allow_pickle=False) as stored:
            meta = json.loads(str(stored["meta"]))
            arrays = [stored[name] for name in _ARRAYS]
    except (OSError, ValueError, KeyError):
        return None
    table = assemble(
        dt.date.fromisoformat(meta["first_day"]), dt.date.fromisoformat(meta["last_day"]), *arrays
    )
    return CalendarData(
        cid, meta["tz"], table, dt.date.fromisoformat(meta["authoritative_until"]), meta["source"]
    )


def save(data: CalendarData, key: str, folder: Path) -> None:
    """Write the calendar atomically (a temporary file renamed); failures are ignored."""
    table: ScheduleTable = data.table
    meta = {
        "tz": data.tz,
        "source": data.source,
        "authoritative_until": data.authoritative_until.isoformat(),
        "first_day": table.first_day.isoformat(),
        "last_day": table.last_day.isoformat(),
    }
    arrays: dict[str, Any] = {
        "days": table.days,
        "opens": table.opens,
        "break_starts": table.break_starts,
        "break_ends": table.break_ends,
        "closes": table.closes,
        "early_closes": table.early_closes,
        "late_opens": table.late_opens,
    }
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".npz.tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as out:
            np.savez(out, meta=np.asarray(json.dumps(meta)), **arrays)
        os.replace(tmp, _path(folder, data.calendar_id, key))
    except OSError:
        Path(tmp).unlink(missing_ok=True)


def cached(cid: CalendarId, build: Callable[[], CalendarData]) -> CalendarData:
    """``build()``'s calendar, from the disk cache when a file with the current fingerprint
    exists, else built and stored for the next process."""
    folder = cache_dir()
    if folder is None:
        return build()
    key = fingerprint()
    found = load(cid, key, folder)
    if found is not None:
        return found
    data = build()
    save(data, key, folder)
    return data
