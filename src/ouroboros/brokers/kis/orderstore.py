"""The adapter's durable memory: client order id → KIS order numbers, and what was booked.

KIS has no client order id field, so this store is what makes submission idempotent across
restarts: an intent is committed (``pending``) *before* the order is sent, the ODNO is written
when KIS answers, and a ``pending`` intent is looked up in the broker's daily order list before
anything is resent. It also remembers, per trade date and KIS order number, the cumulative
quantity and amount already reported as fills, so fill ids stay stable and nothing is booked
twice. KIS order numbers restart every day, so both the order-number index and the fill ledger
are keyed by the trade date (the Korean date of the order) as well as the ODNO.

The rows live in the main database (``broker_intents``, ``broker_fill_ledger``,
``broker_ledger_fills``; :class:`~ouroboros.store.BrokerIntentRepository`), one committed
transaction per write. Everything is loaded and checked when the store opens: a record that
cannot be read, or two intents claiming one order number, refuses the start
(:class:`OrderStoreCorrupt`) rather than forgetting an order that may be live at the broker.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ouroboros.brokers.kis._time import KST, Now
from ouroboros.errors import StopError
from ouroboros.store import BrokerIntentRepository
from ouroboros.store.repositories import IntentRow, LedgerEntry, LedgerFill
from ouroboros.store.session import Bind

STATES = ("pending", "acked", "rejected")


def trade_date(ts: datetime) -> date:
    """The KIS trade date of a moment: its date in Korea (order numbers restart daily)."""
    return ts.astimezone(KST).date()


class OrderStoreCorrupt(StopError):
    """A stored intent or ledger row cannot be read: refusing to start (an order it describes
    may be live at the broker, and forgetting it could send a duplicate)."""


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
    trade_date: date | None = None  # the Korean date of ``created`` (set by the store)
    state: str = "pending"  # pending | acked | rejected
    odnos: list[str] = field(default_factory=list)  # original first, then each modification
    cancel_odnos: list[str] = field(default_factory=list)
    org_no: str = ""
    reason: str = ""
    limit_price: str | None = None
    terminal_reported: str = ""  # the terminal status already turned into an event
    last_sent: str = ""  # ISO UTC of the last send attempt (a resend waits for it to settle)

    @property
    def day(self) -> date:
        return self.trade_date or trade_date(datetime.fromisoformat(self.created))

    def detail(self) -> dict[str, Any]:
        """The JSON the database keeps (the trade date and state have columns of their own)."""
        out = asdict(self)
        del out["trade_date"]
        return out


_RECORD_FIELDS = {f.name for f in fields(OrderRecord)} - {"trade_date"}
_REQUIRED = {"client_order_id", "instrument", "side", "order_type", "quantity", "sent_price"}


@dataclass(slots=True)
class Booked:
    """Fills already reported for one KIS order number on one trade date."""

    quantity: Decimal = Decimal(0)
    amount: Decimal = Decimal(0)
    fills: list[LedgerFill] = field(default_factory=list)


class OrderStore:
    """One account's intents and fill ledger, loaded once, written through on every change."""

    def __init__(self, database: Bind, account: str, now: Now) -> None:
        self._repo = BrokerIntentRepository(database, account)
        self._now = now
        self._orders: dict[str, OrderRecord] = {}
        self._booked: dict[tuple[date, str], Booked] = {}
        self._by_odno: dict[tuple[date, str], str] = {}
        self._load()

    def __repr__(self) -> str:
        return f"OrderStore({self._repo.account}, {len(self._orders)} orders)"

    @property
    def account(self) -> str:
        return self._repo.account

    def _load(self) -> None:
        try:
            intents = self._repo.intents()
            ledger = self._repo.ledger()
        except (ValueError, TypeError, InvalidOperation) as exc:
            raise OrderStoreCorrupt(
                f"KIS order store for {self.account}: a stored row cannot be read ({exc}); "
                "refusing to start - repair or remove it (docs/kis.md, 'Order store')"
            ) from exc
        for row in intents:
            record = _parse(self.account, row)
            self._orders[record.client_order_id] = record
        for entry in ledger:
            self._booked[(entry.trade_date, entry.venue_order_id)] = Booked(
                entry.cum_quantity, entry.cum_amount, list(entry.fills)
            )
        self._reindex()

    def _reindex(self) -> None:
        self._by_odno = {}
        for record in self._orders.values():
            self._index(record)

    def _claims(self, record: OrderRecord) -> list[tuple[date, str]]:
        """The (trade date, ODNO) keys of ``record``; raises if another intent holds one."""
        keys = [(record.day, odno) for odno in (*record.odnos, *record.cancel_odnos)]
        for key in keys:
            other = self._by_odno.get(key, record.client_order_id)
            if other != record.client_order_id:
                raise OrderStoreCorrupt(
                    f"KIS order store for {self.account}: order number {key[1]} of {key[0]} "
                    f"is claimed by both {other} and {record.client_order_id}"
                )
        return keys

    def _index(self, record: OrderRecord) -> None:
        for key in self._claims(record):
            self._by_odno[key] = record.client_order_id

    def get(self, client_order_id: str) -> OrderRecord | None:
        return self._orders.get(client_order_id)

    def put(self, record: OrderRecord) -> None:
        """Write ``record`` through to the database (committed when this returns)."""
        if record.trade_date is None:
            record.trade_date = record.day
        self._claims(record)  # before the write: the database never holds a double claim
        self._repo.put_intent(
            record.client_order_id, record.day, record.state, record.detail(), self._now()
        )
        self._orders[record.client_order_id] = record
        self._index(record)

    def records(self) -> list[OrderRecord]:
        return list(self._orders.values())

    def owner(self, odno: str, day: date) -> str | None:
        """The client order id whose chain holds KIS order number ``odno`` of ``day``."""
        return self._by_odno.get((day, odno))

    def owner_at(self, odno: str, ts: datetime) -> str | None:
        return self.owner(odno, trade_date(ts))

    def booked(self, day: date, odno: str) -> Booked:
        """What was booked for ``odno`` on ``day`` (a copy; empty when nothing was)."""
        found = self._booked.get((day, odno))
        if found is None:
            return Booked()
        return Booked(found.quantity, found.amount, list(found.fills))

    def book(
        self, day: date, odno: str, quantity: Decimal, amount: Decimal, fill: LedgerFill
    ) -> None:
        """Advance ``odno``'s ledger to the cumulative ``quantity`` and ``amount`` and keep the
        fill that step made, in one committed transaction."""
        self._repo.book(LedgerEntry(day, odno, quantity, amount), fill, self._now())
        entry = self._booked.setdefault((day, odno), Booked())
        entry.quantity, entry.amount = quantity, amount
        entry.fills.append(fill)

    def all_fills(self) -> list[LedgerFill]:
        return [f for booked in self._booked.values() for f in booked.fills]


def _number(name: str, text: object) -> None:
    try:
        Decimal(str(text))
    except InvalidOperation:
        raise ValueError(f"{name} is not a number, was {text!r}") from None
    if not isinstance(text, str):
        raise ValueError(f"{name} must be text, was {text!r}")


def _parse(account: str, row: IntentRow) -> OrderRecord:
    """One stored intent as a record, or :class:`OrderStoreCorrupt` naming what is wrong."""
    raw = dict(row.record)
    where = f"KIS order store for {account}: intent {row.client_order_id!r}"
    problem = ""
    unknown = sorted(set(raw) - _RECORD_FIELDS)
    missing = sorted(_REQUIRED - set(raw))
    if unknown:
        problem = f"unknown fields {unknown}"
    elif missing:
        problem = f"missing fields {missing}"
    elif raw["client_order_id"] != row.client_order_id:
        problem = f"its record names {raw['client_order_id']!r}"
    elif row.state not in STATES or raw.get("state", row.state) != row.state:
        problem = f"state {row.state!r} (record says {raw.get('state')!r})"
    if not problem:
        try:
            record = OrderRecord(**raw, trade_date=row.trade_date)
            for name in ("quantity", "sent_price"):
                _number(name, getattr(record, name))
            datetime.fromisoformat(record.created)
            if not all(isinstance(o, str) for o in (*record.odnos, *record.cancel_odnos)):
                raise ValueError("order numbers must be text")
            if record.state == "acked" and not record.odnos:
                raise ValueError("acknowledged without an order number")
            return record
        except (TypeError, ValueError, InvalidOperation) as exc:
            problem = str(exc) or type(exc).__name__
    raise OrderStoreCorrupt(
        f"{where} cannot be read: {problem}; refusing to start - the order it describes may be "
        "live at KIS (repair or remove the row, see docs/kis.md, 'Order store')"
    )


__all__ = ["Booked", "OrderRecord", "OrderStore", "OrderStoreCorrupt", "trade_date"]
