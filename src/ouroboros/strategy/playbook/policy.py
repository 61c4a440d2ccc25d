"""The ``playbook`` decision policy: plan before the open, match scenarios at every step."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Protocol

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


class PlaybookPolicy:
    name = "playbook"

    def __init__(
        self,
        planner: Planner | None = None,
        on_playbook: Callable[[Playbook], None] | None = None,
        features: FeatureConfig | None = None,
    ) -> None:
        self.planner: Planner = planner or QuantPlanner()
        self.on_playbook = on_playbook
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
        try:
            if t < 1:
                raise ValueError("no history before the first session")
            playbook = self.planner.plan(market, session_date, now, panel.symbols, view, held)
        except StopError:
            raise  # a configuration fault (e.g. a replay cache miss) stops the run
        except Exception as exc:
            playbook = defensive_playbook(market, session_date, now, held, f"planner failed: {exc}")
        self._compiled[market] = CompiledPlaybook(playbook, panel.symbols)
        self.playbooks.append(playbook)
        if self.on_playbook is not None:
            self.on_playbook(playbook)

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
