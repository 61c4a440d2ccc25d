"""``MarketCode``: the ten markets Ouroboros trades, as one closed vocabulary.

A market is narrower than a country (three US boards, two Chinese and two Vietnamese exchanges)
because brokers route, quote and settle per exchange; settings (``ENABLED_MARKETS``), playbooks
and logs all key on these codes.
"""

from __future__ import annotations

from enum import StrEnum


class MarketCode(StrEnum):
    """A market's stable code; the value equals the name so it round-trips through config."""

    KR = "KR"
    US_NASDAQ = "US_NASDAQ"
    US_NYSE = "US_NYSE"
    US_AMEX = "US_AMEX"
    JP = "JP"
    HK = "HK"
    CN_SHA = "CN_SHA"
    CN_SZA = "CN_SZA"
    VN_HNX = "VN_HNX"
    VN_HSX = "VN_HSX"

    @classmethod
    def parse(cls, code: MarketCode | str) -> MarketCode:
        """Accept a ``MarketCode`` or its text in any case (``"us_nyse"``, ``" KR "``)."""
        if isinstance(code, MarketCode):
            return code
        try:
            return cls(code.strip().upper())
        except ValueError:
            known = ", ".join(m.value for m in cls)
            raise ValueError(f"unknown market, was {code!r} (known: {known})") from None
