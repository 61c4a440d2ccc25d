"""Deterministic, atomic file writes.

*Atomic*: bytes go to a temporary file in the target's directory, are fsynced, and the temp
file is renamed over the target (``os.replace`` is atomic on POSIX and Windows), so a crash
leaves either the old file or the new one, never half of one.

*Deterministic*: Parquet tables are built column by column with an explicit schema and no
pandas metadata (which would embed versions and index details), with fixed compression and
row-group size, so the same frame gives the same bytes (tested).
"""

from __future__ import annotations

import contextlib
import io
import os
import uuid
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ouroboros.data.frame import BAR_FIELDS

_ROW_GROUP = 1_000_000
BAR_SCHEMA = pa.schema(
    [("ts", pa.timestamp("ns", tz="UTC")), ("symbol", pa.string())]
    + [(name, pa.float64()) for name in BAR_FIELDS]
)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old or the new file, never a torn one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    """Persist the rename itself (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def table_bytes(table: pa.Table) -> bytes:
    """Serialise a table to Parquet bytes with fixed settings (zstd level 1, 1M-row groups)."""
    sink = io.BytesIO()
    pq.write_table(
        table,
        sink,
        compression="zstd",
        compression_level=1,
        row_group_size=_ROW_GROUP,
        use_dictionary=["symbol"],
        write_statistics=True,
    )
    return sink.getvalue()


def bar_table(columns: Mapping[str, object], metadata: Mapping[str, str] | None = None) -> pa.Table:
    """A table with the bar schema (``symbol`` may be absent) and our key/value metadata."""
    fields = [f for f in BAR_SCHEMA if f.name in columns]
    schema = pa.schema(
        fields, metadata={k.encode(): v.encode() for k, v in (metadata or {}).items()}
    )
    return pa.table({f.name: columns[f.name] for f in fields}, schema=schema)


def write_table_atomic(path: Path, table: pa.Table) -> None:
    write_bytes_atomic(path, table_bytes(table))
