"""Column lists of KIS real-time data frames, read from the official samples' data (kisspec).

A data frame is ``<enc>|<tr_id>|<count>|<payload>`` with ``^``-separated fields; a frame may
carry ``count`` records back to back, so a list one name short reads every record shifted and
cuts multi-record frames in the wrong place. The lists live in ``ouroboros/kisspec/data/
realtime.json`` (source path and commit there); the sandbox builds its frames from the same
data without importing this module.
"""

from __future__ import annotations

from ouroboros import kisspec

H0STCNT0 = list(kisspec.columns("H0STCNT0"))
H0STASP0 = list(kisspec.columns("H0STASP0"))
H0STCNI0 = list(kisspec.columns("H0STCNI0"))
HDFSCNT0 = list(kisspec.columns("HDFSCNT0"))  # RSYM (e.g. DNASAAPL) first: 26 on the wire
H0GSCNI0 = list(kisspec.columns("H0GSCNI0"))

COLUMNS: dict[str, list[str]] = {
    "H0STCNT0": H0STCNT0,
    "H0STASP0": H0STASP0,
    "H0STCNI0": H0STCNI0,
    "H0STCNI9": list(kisspec.columns("H0STCNI9")),
    "HDFSCNT0": HDFSCNT0,
    "H0GSCNI0": H0GSCNI0,
    "H0GSCNI9": list(kisspec.columns("H0GSCNI9")),
}
ENCRYPTED = frozenset({"H0STCNI0", "H0STCNI9", "H0GSCNI0", "H0GSCNI9"})
NOTICE_TR_IDS = ENCRYPTED
OVERSEAS_NOTICE_TR_IDS = frozenset({"H0GSCNI0", "H0GSCNI9"})
