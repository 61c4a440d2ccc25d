"""The adapter's durable memory: client order id → KIS order numbers, and what was booked.

KIS has no client order id field, so this file is what makes submission idempotent across
restarts: an intent is written (``pending``) *before* the order is sent, the ODNO is written
when KIS answers, and a ``pending`` intent is looked up in the broker's daily order list before
anything is resent. It also remembers, per KIS order number, the cumulative quantity and amount
already reported as fills, so fill ids stay stable and nothing is booked twice.

One JSON file per account and environment, rewritten atomically (temp file + ``os.replace``).
The main database will own this later; the format is small on purpose.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(slots=True)
class OrderRecord:
    client_order_id: str
    instrument: str
    side: str
    order_type: str
    quantity: str
    sent_price: str  # ORD_UNPR / OVRS_ORD_UNPR as sent ("0" for a domestic market order)
    ord_dvsn: str
    created: str  # ISO UTC
    state: str = "pending"  # pending | acked | rejected
    odnos: list[str] = field(default_factory=list)  # original first, then each modification
    cancel_odnos: list[str] = field(default_factory=list)
    org_no: str = ""
    reason: str = ""
    limit_price: str | None = None
    terminal_reported: str = ""  # the terminal status already turned into an event
    last_sent: str = ""  # ISO UTC of the last send attempt (a resend waits for it to settle)


@dataclass(slots=True)
class Booked:
    """Fills already reported for one KIS order number."""

    quantity: str = "0"
    amount: str = "0"
    fills: list[dict[str, str]] = field(default_factory=list)


class OrderStore:
    def __init__(self, directory: Path, account: str, environment: str) -> None:
        self.path = directory / f"orders_{environment}_{account.replace('-', '')}.json"
        self._orders: dict[str, OrderRecord] = {}
        self._booked: dict[str, Booked] = {}
        self._by_odno: dict[str, str] = {}
        self._load()

    def __repr__(self) -> str:
        return f"OrderStore({self.path}, {len(self._orders)} orders)"

    def _load(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        for cid, raw in data.get("orders", {}).items():
            self._orders[cid] = OrderRecord(**raw)
        for odno, raw in data.get("booked", {}).items():
            self._booked[odno] = Booked(**raw)
        self._reindex()

    def _reindex(self) -> None:
        self._by_odno = {}
        for cid, rec in self._orders.items():
            for odno in (*rec.odnos, *rec.cancel_odnos):
                self._by_odno[odno] = cid

    def flush(self) -> None:
        data: dict[str, Any] = {
            "orders": {cid: asdict(r) for cid, r in self._orders.items()},
            "booked": {odno: asdict(b) for odno, b in self._booked.items()},
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".orders-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, ensure_ascii=False)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def get(self, client_order_id: str) -> OrderRecord | None:
        return self._orders.get(client_order_id)

    def put(self, record: OrderRecord) -> None:
        self._orders[record.client_order_id] = record
        self._reindex()
        self.flush()

    def records(self) -> list[OrderRecord]:
        return list(self._orders.values())

    def owner(self, odno: str) -> str | None:
        return self._by_odno.get(odno)

    def booked(self, odno: str) -> Booked:
        return self._booked.setdefault(odno, Booked())

    def save_booked(self, odno: str, booked: Booked) -> None:
        self._booked[odno] = booked
        self.flush()

    def all_booked(self) -> dict[str, Booked]:
        return dict(self._booked)
