"""Typed identifiers. Plain strings would let a client order id slip where a symbol belongs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum


class Venue(Enum):
    """The exchanges Ouroboros trades. Values are the suffixes used in ``InstrumentId``."""

    KRX = "KRX"
    NASDAQ = "NASDAQ"
    NYSE = "NYSE"
    AMEX = "AMEX"
    TSE = "TSE"
    HKEX = "HKEX"
    SSE = "SSE"
    SZSE = "SZSE"
    HNX = "HNX"
    HOSE = "HOSE"

    @classmethod
    def parse(cls, code: str) -> Venue:
        try:
            return cls(code.strip().upper())
        except ValueError:
            known = ", ".join(v.value for v in cls)
            raise ValueError(f"unknown venue, was {code!r} (known: {known})") from None


_SYMBOL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-/]{0,31}$")


@dataclass(frozen=True, slots=True, eq=False)
class InstrumentId:
    """``SYMBOL.VENUE``, e.g. ``005930.KRX`` or ``AAPL.NASDAQ``.

    The venue is split off at the *last* dot, so symbols with dots (``BRK.B.NYSE``) survive.
    """

    symbol: str
    venue: Venue
    _key: str = field(default="", init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not _SYMBOL.match(self.symbol):
            raise ValueError(f"invalid symbol, was {self.symbol!r}")
        # Ids key every hot dictionary of the engine: hash and compare one cached string.
        object.__setattr__(self, "_key", f"{self.symbol}.{self.venue.value}")

    def __hash__(self) -> int:
        return hash(self._key)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, InstrumentId):
            return NotImplemented
        return self._key == other._key

    def __lt__(self, other: InstrumentId) -> bool:
        return self._key < other._key

    @classmethod
    def parse(cls, text: str) -> InstrumentId:
        symbol, dot, venue = text.strip().rpartition(".")
        if not dot or not symbol:
            raise ValueError(f"instrument id must look like SYMBOL.VENUE, was {text!r}")
        return cls(symbol, Venue.parse(venue))

    def __str__(self) -> str:
        return self._key


_CLIENT_ORDER_ID = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")


@dataclass(frozen=True, slots=True, order=True)
class ClientOrderId:
    """Our own order id, generated and persisted before a broker ever sees the order."""

    value: str

    def __post_init__(self) -> None:
        if not _CLIENT_ORDER_ID.match(self.value):
            raise ValueError(f"invalid client order id, was {self.value!r}")

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True, order=True)
class VenueOrderId:
    """The broker's id for an order (KIS ``ODNO``); known only after the broker accepts it."""

    value: str

    def __post_init__(self) -> None:
        if not self.value:
            raise ValueError("venue order id must not be empty")

    def __str__(self) -> str:
        return self.value
