"""The live FX source: the broker's rate where it reports one, else a configured rate.

Every rate the source takes in is an :class:`FxObservation` (pair, rate, ``as_of``, origin)
recorded through an :class:`FxRecordSink` (the store keeps them with their timestamps):

* ``BROKER`` - a rate the broker reported (KIS overseas balances carry one), stamped with the
  broker's time; ``observe`` takes it whenever a response carries one.
* ``CONFIGURED`` - ``FX_RATES``, the operator's rates for pairs the broker does not report;
  each ``refresh`` (the ``fx_refresh`` job, every ``FX_UPDATE_INTERVAL_MINUTES``) re-stamps
  them, so they age like any other rate when the refresh stops.
* ``FALLBACK`` - ``FX_FALLBACK_RATES`` (seed 001: USD/KRW 1450), used only to *value* holdings
  when nothing better is known; never fresh.

A rate is fresh when it is a broker or configured rate at most ``FX_MAX_AGE_MINUTES`` old. A
broker rate wins over a configured one while fresh. ``entry_problem`` says why a new
cross-currency entry must wait (stale, fallback only, missing); ``for_entry(now, currency,
base)`` is an ``FxRateSource`` that raises ``MissingFxRate`` instead of answering for the order's
own pair with such a rate, so a risk manager given it denies cross-currency entries
(``FX_RATE``) while home-currency entries and exits, which need no fresh rate, still go out.
The source itself (``rate``) answers with the best rate known, for valuation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from ouroboros.agent.events import EventSink, FxRateStale
from ouroboros.agent.settings import AgentSettings
from ouroboros.domain import Currency, MissingFxRate
from ouroboros.markets.timeutil import EPOCH, require_aware

FxPair = tuple[Currency, Currency]


class FxOrigin(StrEnum):
    BROKER = "broker"
    CONFIGURED = "configured"
    FALLBACK = "fallback"


@dataclass(frozen=True, slots=True)
class FxObservation:
    """One unit of ``base`` costs ``rate`` units of ``quote``, as of ``as_of``."""

    base: Currency
    quote: Currency
    rate: Decimal
    as_of: dt.datetime
    origin: FxOrigin

    def __post_init__(self) -> None:
        if self.base is self.quote:
            raise ValueError(f"FX pair needs two currencies, was {self.base.value} twice")
        if not self.rate.is_finite() or self.rate <= 0:
            raise ValueError(f"FX rate {self.pair_name} must be positive, was {self.rate}")
        require_aware(self.as_of, "FX rate time")

    @property
    def pair_name(self) -> str:
        return f"{self.base.value}/{self.quote.value}"


class FxRecordSink(Protocol):
    """Where FX observations are kept (the store's rate table)."""

    def record(self, observation: FxObservation) -> None: ...


class MemoryFxRecords:
    def __init__(self) -> None:
        self.observations: list[FxObservation] = []

    def record(self, observation: FxObservation) -> None:
        self.observations.append(observation)


class LiveFxSource:
    """Best-known rates per pair, with their age; see the module text for the rules."""

    def __init__(
        self,
        *,
        configured: Mapping[FxPair, Decimal],
        fallback: Mapping[FxPair, Decimal],
        max_age: dt.timedelta,
        records: FxRecordSink,
        events: EventSink | None = None,
    ) -> None:
        if max_age <= dt.timedelta(0):
            raise ValueError(f"invalid FX max age, was {max_age}")
        self._configured = dict(configured)
        # A fallback rate has no time of its own: it is stamped at the epoch, never fresh.
        self._fallback = {
            (b, q): FxObservation(b, q, r, EPOCH, FxOrigin.FALLBACK)
            for (b, q), r in fallback.items()
        }
        self._max_age = max_age
        self._records = records
        self._events = events
        self._broker: dict[FxPair, FxObservation] = {}
        self._stamped: dict[FxPair, FxObservation] = {}
        self._stale_reported: set[FxPair] = set()

    @classmethod
    def from_settings(
        cls, settings: AgentSettings, records: FxRecordSink, events: EventSink | None = None
    ) -> LiveFxSource:
        return cls(
            configured=settings.fx_rates,
            fallback=settings.fx_fallback_rates,
            max_age=dt.timedelta(minutes=settings.fx_max_age_minutes),
            records=records,
            events=events,
        )

    # -- taking rates in ----------------------------------------------------------------------

    def observe(self, base: Currency, quote: Currency, rate: Decimal, as_of: dt.datetime) -> None:
        """A rate the broker reported (stored; an older one than we hold is ignored)."""
        obs = FxObservation(base, quote, rate, require_aware(as_of), FxOrigin.BROKER)
        held = self._broker.get((base, quote))
        if held is not None and held.as_of > obs.as_of:
            return
        self._broker[(base, quote)] = obs
        self._stale_reported.discard((base, quote))
        self._records.record(obs)

    def refresh(self, now: dt.datetime) -> list[FxObservation]:
        """The ``fx_refresh`` job: re-stamp the configured rates at ``now`` and record them."""
        now = require_aware(now)
        stamped = [
            FxObservation(b, q, r, now, FxOrigin.CONFIGURED)
            for (b, q), r in self._configured.items()
        ]
        for obs in stamped:
            self._stamped[(obs.base, obs.quote)] = obs
            self._stale_reported.discard((obs.base, obs.quote))
            self._records.record(obs)
        return stamped

    # -- answering ----------------------------------------------------------------------------

    def fresh(self, base: Currency, quote: Currency, now: dt.datetime) -> FxObservation | None:
        """The rate to trade on: a fresh broker rate, else a fresh configured one (or None)."""
        now = require_aware(now)
        for held in (
            self._oriented(self._broker, base, quote),
            self._oriented(self._stamped, base, quote),
        ):
            if held is not None and now - held.as_of <= self._max_age:
                return held
        return None

    def best(self, base: Currency, quote: Currency) -> FxObservation | None:
        """The rate to value with: the newest broker or configured rate, else the fallback."""
        held = [
            o
            for o in (
                self._oriented(self._broker, base, quote),
                self._oriented(self._stamped, base, quote),
            )
            if o is not None
        ]
        if held:
            return max(held, key=lambda o: (o.as_of, o.origin is FxOrigin.BROKER))
        return self._oriented(self._fallback, base, quote)

    def rate(self, base: Currency, quote: Currency) -> Decimal:
        """``FxRateSource``: the best rate known, fresh or not (for valuation)."""
        if base is quote:
            return Decimal(1)
        obs = self.best(base, quote)
        if obs is None:
            raise MissingFxRate(f"no FX rate for {base.value}/{quote.value}")
        return obs.rate

    def entry_problem(self, base: Currency, quote: Currency, now: dt.datetime) -> str | None:
        """Why a new entry converting ``base`` to ``quote`` must wait; None when it need not."""
        if base is quote or self.fresh(base, quote, now) is not None:
            return None
        best = self.best(base, quote)
        pair = f"{base.value}/{quote.value}"
        if best is None:
            problem = f"no FX rate for {pair}"
        elif best.origin is FxOrigin.FALLBACK:
            problem = f"only the fallback FX rate for {pair} is known"
        else:
            problem = (
                f"FX rate {pair} is stale: {best.origin.value} rate as of "
                f"{best.as_of.isoformat()}, older than {self._max_age}"
            )
        self._report_stale(base, quote, now, problem, best)
        return problem

    def for_entry(self, now: dt.datetime, currency: Currency, base: Currency) -> EntryFx:
        """The ``FxRateSource`` for evaluating an entry in ``currency`` on a ``base`` account.

        The order's own pair must be fresh (else ``MissingFxRate``, so the risk manager denies
        with ``FX_RATE``); other pairs (valuing holdings) answer with the best rate known. A
        home-currency entry therefore never waits for a foreign rate.
        """
        strict = (
            frozenset() if currency is base else frozenset({(currency, base), (base, currency)})
        )
        return EntryFx(self, require_aware(now), strict)

    # -- internals ----------------------------------------------------------------------------

    @staticmethod
    def _oriented(
        table: Mapping[FxPair, FxObservation], base: Currency, quote: Currency
    ) -> FxObservation | None:
        direct = table.get((base, quote))
        if direct is not None:
            return direct
        inverse = table.get((quote, base))
        if inverse is None:
            return None
        return FxObservation(base, quote, 1 / inverse.rate, inverse.as_of, inverse.origin)

    def _report_stale(
        self,
        base: Currency,
        quote: Currency,
        now: dt.datetime,
        problem: str,
        best: FxObservation | None,
    ) -> None:
        if self._events is None or (base, quote) in self._stale_reported:
            return
        self._stale_reported.add((base, quote))
        as_of = None if best is None or best.origin is FxOrigin.FALLBACK else best.as_of
        self._events.emit(
            FxRateStale(
                require_aware(now),
                f"{problem}: new cross-currency entries wait",
                f"{base.value}/{quote.value}",
                as_of,
            )
        )


@dataclass(frozen=True, slots=True)
class EntryFx:
    """Fresh rates for the ``strict`` pairs (else ``MissingFxRate``), the best rate otherwise."""

    source: LiveFxSource
    now: dt.datetime
    strict: frozenset[FxPair]

    def rate(self, base: Currency, quote: Currency) -> Decimal:
        if base is quote:
            return Decimal(1)
        if (base, quote) not in self.strict:
            return self.source.rate(base, quote)
        problem = self.source.entry_problem(base, quote, self.now)
        if problem is not None:
            raise MissingFxRate(problem)
        fresh = self.source.fresh(base, quote, self.now)
        if fresh is None:  # entry_problem found it fresh a moment ago
            raise MissingFxRate(f"no fresh FX rate for {base.value}/{quote.value}")
        return fresh.rate
