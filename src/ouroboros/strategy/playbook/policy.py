"""The ``playbook`` decision policy: plan before the open, match scenarios at every step."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Protocol

import numpy as np

from ouroboros.analysis import FeatureConfig, compute_features
from ouroboros.data.panel import FloatMatrix, Panel
from ouroboros.domain.playbook import Playbook
from ouroboros.errors import StopError
from ouroboros.strategy.base import Decisions, FloatRow, StepView
from ouroboros.strategy.playbook.quant_planner import QuantPlanner, defensive_playbook
from ouroboros.strategy.playbook.scenario_engine import CompiledPlaybook


class Planner(Protocol):
    name: str

    def plan(
        self,
        market: str,
        session_date: date,
        now: datetime,
        symbols: Sequence[str],
        view: StepView,
        held: Sequence[str],
    ) -> Playbook: ...


log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PlannerFailure:
    """A planner that raised: the session falls back to a defensive playbook, and this is
    what the audit trail gets (``planner.failed``)."""

    market: str
    session_date: date
    at: datetime
    planner: str
    error: str
    traceback: str
    count: int
    """Failures of this policy so far, this one included."""

    def payload(self) -> dict[str, Any]:
        return {
            "market": self.market,
            "session_date": self.session_date.isoformat(),
            "planner": self.planner,
            "error": self.error,
            "traceback": self.traceback,
            "count": self.count,
        }


class PlaybookPolicy:
    name = "playbook"

    def __init__(
        self,
        planner: Planner | None = None,
        on_playbook: Callable[[Playbook], None] | None = None,
        features: FeatureConfig | None = None,
        on_planner_failure: Callable[[PlannerFailure], None] | None = None,
    ) -> None:
        self.planner: Planner = planner or QuantPlanner()
        self.on_playbook = on_playbook
        self.on_planner_failure = on_planner_failure
        self.planner_failures = 0
        """Planner exceptions so far (each logged with its traceback and reported)."""
        self.feature_config = features or FeatureConfig()
        self._panels: dict[str, Panel] = {}
        self._compiled: dict[str, CompiledPlaybook] = {}
        self.playbooks: list[Playbook] = []

    def prepare(self, market: str, panel: Panel) -> Mapping[str, FloatMatrix]:
        self._panels[market] = panel
        return dict(compute_features(panel, self.feature_config))

    def before_session(
        self, market: str, t: int, features: Mapping[str, FloatMatrix], position_qty: FloatRow
    ) -> None:
        panel = self._panels[market]
        label = panel.index[t]
        session_date = label.date()
        now = datetime.combine(session_date, time(0, 0), tzinfo=UTC)
        held = [s for s, q in zip(panel.symbols, position_qty, strict=True) if q > 0]
        view = StepView(t - 1, features, panel.close, position_qty)
        if t < 1:
            reason = "planner failed: no history before the first session"
            playbook = defensive_playbook(market, session_date, now, held, reason)
        else:
            try:
                playbook = self.planner.plan(market, session_date, now, panel.symbols, view, held)
            except StopError:
                raise  # a configuration fault (e.g. a replay cache miss) stops the run
            except Exception as exc:
                self._failed(market, session_date, now, exc)
                reason = f"planner failed: {exc}"
                playbook = defensive_playbook(market, session_date, now, held, reason)
        self._compiled[market] = CompiledPlaybook(playbook, panel.symbols)
        self.playbooks.append(playbook)
        if self.on_playbook is not None:
            self.on_playbook(playbook)

    def _failed(self, market: str, session_date: date, now: datetime, exc: Exception) -> None:
        self.planner_failures += 1
        name = getattr(self.planner, "name", type(self.planner).__name__)
        log.exception("planner %s failed for %s on %s", name, market, session_date)
        failure = PlannerFailure(
            market,
            session_date,
            now,
            str(name),
            f"{type(exc).__name__}: {exc}",
            "".join(traceback.format_exception(exc)),
            self.planner_failures,
        )
        if self.on_planner_failure is not None:
            self.on_planner_failure(failure)

    def decide(self, market: str, view: StepView) -> Decisions:
        compiled = self._compiled.get(market)
        n = view.n_symbols
        if compiled is None:
            return Decisions.none(n)
        match = compiled.evaluate(view)
        held = view.position_qty > 0
        buy = (match.buy >= 0) & ~held
        sell = (match.sell >= 0) & held
        confidence = np.zeros(n)
        stop = np.full(n, np.nan)
        take = np.full(n, np.nan)
        atr = view.at("atr_14")
        close = view.close
        for j in np.flatnonzero(buy):
            scenario = compiled.scenarios[match.buy[j]][1]
            confidence[j] = scenario.confidence
            if scenario.stop_atr is not None:
                stop[j] = close[j] - scenario.stop_atr * atr[j]
            if scenario.take_profit_atr is not None:
                take[j] = close[j] + scenario.take_profit_atr * atr[j]
        for j in np.flatnonzero(sell):
            confidence[j] = compiled.scenarios[match.sell[j]][1].confidence
        return Decisions(buy, sell, confidence, stop, take)
