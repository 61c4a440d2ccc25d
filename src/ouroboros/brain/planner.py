"""The LLM playbook planner: one call per market per day, behind the quant planner's port.

``plan`` builds the point-in-time prompt, asks the model (or the cassette), validates the answer
into a :class:`Playbook` (one retry with the validation errors), and applies seed 000's failure
policy, each fallback an event and a note on the playbook:

* timeout (``PLANNER_TIMEOUT_SECONDS``) → the defensive playbook (exits only);
* an API error or an invalid answer after the retry → yesterday's LLM playbook for the market
  if it was written for the previous planned session, else the defensive playbook;
* budget exhausted (``LLM_DAILY_BUDGET_USD``, ``LLM_MAX_CALLS_PER_DAY``) or the provider
  unreachable (connection failure, 502/503/504/529 after the retries) → the quant planner,
  labelled ``quant (llm fallback: …)``.

A replay cache miss is not a fallback: it stops the run. Every call (answer or error) is
recorded through :class:`CallRecorder`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from ouroboros.brain.cache import CacheMode, Cassette, cache_key
from ouroboros.brain.cost import Budget, PriceTable
from ouroboros.brain.errors import (
    LLMBudgetExhausted,
    LLMError,
    LLMServerError,
    LLMTimeout,
    LLMUnavailable,
    rebuild,
)
from ouroboros.brain.prompt import (
    AccountView,
    ContextMemory,
    PlanningInput,
    Prompt,
    RecentPlaybook,
    build_prompt,
    retry_prompt,
)
from ouroboros.brain.providers import (
    Attempts,
    LLMRequest,
    LLMResponse,
    Provider,
    complete_with_retries,
)
from ouroboros.brain.settings import LLMSettings, ProviderName, Role
from ouroboros.brain.validate import AnswerError, Validated, extract_json, validate_answer
from ouroboros.domain.llm_call import CacheUse, LLMCall
from ouroboros.domain.playbook import Playbook, StockPlan
from ouroboros.errors import InvariantError
from ouroboros.strategy.base import StepView
from ouroboros.strategy.playbook.policy import Planner
from ouroboros.strategy.playbook.quant_planner import defensive_playbook, exit_scenarios

_DOWN_STATUS = frozenset({502, 503, 504, 529})


class CallRecorder(Protocol):
    """Where calls go (the store's ``LlmCallRepository``, or a list in tests)."""

    def record(self, call: LLMCall) -> None: ...


@dataclass(frozen=True, slots=True)
class FallbackEvent:
    market: str
    session_date: date
    at: datetime
    kind: str
    """``defensive``, ``yesterday`` or ``quant``."""
    cause: str
    """``timeout``, ``error``, ``invalid``, ``budget`` or ``unavailable``."""
    reason: str

    def payload(self) -> dict[str, str]:
        return {
            "market": self.market,
            "session_date": self.session_date.isoformat(),
            "fallback": self.kind,
            "cause": self.cause,
            "reason": self.reason,
        }


@dataclass
class _Turn:
    """One question to the model (first or retry) and what came of it."""

    prompt: Prompt
    attempt: int
    response: LLMResponse | None = None
    cache: CacheUse = CacheUse.LIVE
    retries: int = 0
    latency_ms: int = 0
    cost: Decimal = Decimal(0)


@dataclass
class LLMPlanner:
    """The ``Planner`` port over an LLM. ``provider`` may be None only in replay mode."""

    provider: Provider | None
    provider_name: ProviderName
    model: str
    settings: LLMSettings
    fallback: Planner
    features: Sequence[str]
    min_confidence: float = 0.8
    prices: PriceTable = field(default_factory=PriceTable)
    budget: Budget = field(default_factory=Budget)
    cache_mode: CacheMode = CacheMode.OFF
    cassette: Cassette | None = None
    recorder: CallRecorder | None = None
    on_fallback: Callable[[FallbackEvent], None] | None = None
    account: Callable[[str, datetime], AccountView | None] | None = None
    memory: ContextMemory | None = None
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    fallbacks: list[FallbackEvent] = field(default_factory=list)
    server: object | None = None
    """A local model server this planner uses (kept alive with it)."""
    name: str = "llm"
    _good: dict[str, Playbook] = field(default_factory=dict)
    _last_session: dict[str, date] = field(default_factory=dict)
    _recent: dict[str, list[Playbook]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.cache_mode is not CacheMode.OFF and self.cassette is None:
            raise ValueError("a cassette is needed with --llm-cache record or replay")
        if self.provider is None and self.cache_mode is not CacheMode.REPLAY:
            raise ValueError("a provider is needed unless answers are replayed")

    def remember_yesterday(self, playbook: Playbook, previous_session: date) -> None:
        """Seed the failure policy with a stored playbook (a new process: ``ouroboros plan``):
        it is reused on an error only if it is the LLM's and was written for
        ``previous_session``, the market's session before the one being planned."""
        self._last_session[playbook.market] = previous_session
        if playbook.planner.startswith("llm:") and not playbook.planner.endswith("(yesterday)"):
            self._good[playbook.market] = playbook
            self._remember(playbook)

    @property
    def label(self) -> str:
        return f"llm:{self.model}"

    def plan(
        self,
        market: str,
        session_date: date,
        now: datetime,
        symbols: Sequence[str],
        view: StepView,
        held: Sequence[str],
    ) -> Playbook:
        previous = self._last_session.get(market)
        self._last_session[market] = session_date
        prompt = build_prompt(
            PlanningInput(
                market,
                session_date,
                now,
                symbols,
                view,
                held,
                self.features,
                self.min_confidence,
                self.account(market, now) if self.account else None,
                self._recent_of(market),
                self.memory.layers(market, now) if self.memory else (),
            ),
            self.settings.max_prompt_tokens,
            self.settings.max_candidates,
        )
        try:
            playbook = self._ask(prompt, market, session_date, now, held)
        except LLMBudgetExhausted as exc:
            return self._quant(market, session_date, now, symbols, view, held, "budget", exc)
        except LLMTimeout as exc:
            return self._fall(market, session_date, now, held, "timeout", exc, previous=None)
        except (LLMUnavailable, LLMServerError) as exc:
            if isinstance(exc, LLMUnavailable) or exc.status in _DOWN_STATUS:
                return self._quant(
                    market, session_date, now, symbols, view, held, "unavailable", exc
                )
            return self._fall(market, session_date, now, held, "error", exc, previous)
        except LLMError as exc:
            return self._fall(market, session_date, now, held, "error", exc, previous)
        except AnswerError as exc:
            return self._fall(market, session_date, now, held, "invalid", exc, previous)
        self._good[market] = playbook
        self._remember(playbook)
        return playbook

    # -- asking -----------------------------------------------------------------------------

    def _ask(
        self, prompt: Prompt, market: str, day: date, now: datetime, held: Sequence[str]
    ) -> Playbook:
        turn = _Turn(prompt, 1)
        while True:
            self._call(turn, market, day, now)
            if turn.response is None:
                raise InvariantError("a recorded turn without a response reached the parser")
            try:
                checked = validate_answer(
                    extract_json(turn.response.text),
                    prompt.symbols,
                    prompt.features,
                    self.min_confidence,
                )
            except AnswerError as exc:
                last = turn.attempt == 2
                self._record(turn, market, day, now, "failed" if last else "retry", str(exc))
                if last:
                    raise
                turn = _Turn(retry_prompt(prompt, [str(exc)]), 2)
                continue
            if checked.rejected and turn.attempt == 1:
                self._record(turn, market, day, now, "retry", None, checked)
                reasons = [str(i) for i in checked.issues if i.kind == "rejected"]
                turn = _Turn(retry_prompt(prompt, reasons), 2)
                continue
            playbook = self._playbook(checked, market, day, now, held, turn)
            self._record(turn, market, day, now, "accepted", None, checked, playbook)
            return playbook

    def _call(self, turn: _Turn, market: str, day: date, now: datetime) -> None:
        """Fill ``turn`` with an answer from the cassette or the provider; raise its error."""
        self.budget.check(day)
        key = cache_key(
            self.provider_name, self.model, turn.prompt.hash, self.settings.fingerprint()
        )
        started = self.monotonic()
        if self.cache_mode is CacheMode.REPLAY:
            if self.cassette is None:
                raise InvariantError("the replay cache was asked without a cassette")
            entry = self.cassette.require(key, f"{market} {day.isoformat()} try {turn.attempt}")
            turn.cache, turn.retries = CacheUse.REPLAYED, int(entry.get("retries", 0))
            error = entry.get("error")
            if error is not None:
                exc = rebuild(error["kind"], error["message"], error.get("status"))
                self._record(turn, market, day, now, "failed", str(exc))
                raise exc
            answer = entry["response"]
            turn.response = LLMResponse(
                answer["text"], int(answer["input_tokens"]), int(answer["output_tokens"])
            )
        else:
            if self.provider is None:
                raise InvariantError("a live call was asked of a planner without a provider")
            attempts = Attempts()
            request = LLMRequest(
                turn.prompt.system,
                turn.prompt.user,
                turn.prompt.schema,
                self.model,
                self.settings.max_output_tokens,
                self.settings.temperature,
                self.settings.seed,
            )
            if self.cache_mode is CacheMode.RECORD:
                turn.cache = CacheUse.RECORDED
            try:
                turn.response = complete_with_retries(
                    self.provider, request, self.settings, attempts, self.monotonic, self.sleep
                )
            except LLMError as exc:
                turn.retries = attempts.retries
                turn.latency_ms = int((self.monotonic() - started) * 1000)
                self._store(key, turn, exc)
                self._record(turn, market, day, now, "failed", str(exc))
                raise
            turn.retries = attempts.retries
            self._store(key, turn, None)
        turn.latency_ms = int((self.monotonic() - started) * 1000)
        response = turn.response
        turn.cost = self.prices.cost(
            self.provider_name, self.model, response.input_tokens, response.output_tokens
        )
        self.budget.add(
            day,
            response.input_tokens,
            response.output_tokens,
            turn.cost,
            billed=turn.cache is not CacheUse.REPLAYED,
        )

    def _store(self, key: str, turn: _Turn, error: LLMError | None) -> None:
        if self.cache_mode is not CacheMode.RECORD or self.cassette is None:
            return
        body: dict[str, Any] = {
            "provider": str(self.provider_name),
            "model": self.model,
            "prompt_hash": turn.prompt.hash,
            "settings": self.settings.fingerprint(),
            "prompt": turn.prompt.text,
            "retries": turn.retries,
            "response": None,
            "error": None,
        }
        if error is not None:
            status = error.status if isinstance(error, LLMServerError) else None
            body["error"] = {"kind": error.kind, "message": str(error), "status": status}
        elif turn.response is not None:
            r = turn.response
            body["response"] = {
                "text": r.text,
                "input_tokens": r.input_tokens,
                "output_tokens": r.output_tokens,
            }
        self.cassette.put(key, body)

    # -- results ----------------------------------------------------------------------------

    def _playbook(
        self,
        checked: Validated,
        market: str,
        day: date,
        now: datetime,
        held: Sequence[str],
        turn: _Turn,
    ) -> Playbook:
        planned = {s.symbol for s in checked.stocks}
        kept = [StockPlan(s, exit_scenarios()) for s in held if s not in planned]
        notes = [f"llm_call={_call_id(market, day, turn)}"]
        if checked.notes:
            notes.append(checked.notes)
        if kept:
            notes.append(
                f"standard exits kept for unplanned holdings: {', '.join(s.symbol for s in kept)}"
            )
        notes.extend(str(i) for i in checked.issues)
        return Playbook(market, day, self.label, now, (*checked.stocks, *kept), notes=tuple(notes))

    def _record(
        self,
        turn: _Turn,
        market: str,
        day: date,
        now: datetime,
        outcome: str,
        error: str | None,
        checked: Validated | None = None,
        playbook: Playbook | None = None,
    ) -> None:
        if self.recorder is None:
            return
        response = turn.response
        parsed = None
        if checked is not None:
            parsed = {
                "stocks": len(checked.stocks),
                "scenarios": sum(len(s.scenarios) for s in checked.stocks),
                "issues": [dataclasses.asdict(i) for i in checked.issues],
            }
        cycle = f"plan-{market}-{day.isoformat()}"
        self.recorder.record(
            LLMCall(
                call_id=_call_id(market, day, turn),
                provider=str(self.provider_name),
                model=self.model,
                role=Role.PLANNER.value,
                market=market,
                session_date=day,
                created_at=now,
                prompt_text=turn.prompt.text,
                prompt_hash=turn.prompt.hash,
                response_text=response.text if response else None,
                error=error,
                input_tokens=response.input_tokens if response else 0,
                output_tokens=response.output_tokens if response else 0,
                cost_usd=turn.cost,
                billed_usd=Decimal(0) if turn.cache is CacheUse.REPLAYED else turn.cost,
                latency_ms=turn.latency_ms,
                retries=turn.retries,
                attempt=turn.attempt,
                cache=turn.cache,
                outcome=outcome,
                cycle_id=cycle,
                trace_id=hashlib.sha256(f"{cycle}|{self.model}".encode()).hexdigest()[:32],
                parsed=parsed,
                playbook=playbook.to_dict() if playbook else None,
            )
        )

    # -- fallbacks --------------------------------------------------------------------------

    def _event(
        self, market: str, day: date, now: datetime, kind: str, cause: str, reason: str
    ) -> str:
        event = FallbackEvent(market, day, now, kind, cause, reason)
        self.fallbacks.append(event)
        if self.on_fallback is not None:
            self.on_fallback(event)
        return f"llm fallback ({cause} → {kind}): {reason}"

    def _fall(
        self,
        market: str,
        day: date,
        now: datetime,
        held: Sequence[str],
        cause: str,
        exc: Exception,
        previous: date | None,
    ) -> Playbook:
        good = self._good.get(market)
        if previous is not None and good is not None and good.session_date == previous:
            note = self._event(market, day, now, "yesterday", cause, str(exc))
            reused = f"reusing the playbook of {good.session_date.isoformat()}"
            return Playbook(
                market,
                day,
                f"{good.planner} (yesterday)",
                now,
                good.stocks,
                notes=(note, reused),
            )
        note = self._event(market, day, now, "defensive", cause, str(exc))
        return defensive_playbook(market, day, now, held, note)

    def _quant(
        self,
        market: str,
        day: date,
        now: datetime,
        symbols: Sequence[str],
        view: StepView,
        held: Sequence[str],
        cause: str,
        exc: Exception,
    ) -> Playbook:
        note = self._event(market, day, now, "quant", cause, str(exc))
        planned = self.fallback.plan(market, day, now, symbols, view, held)
        return dataclasses.replace(
            planned,
            planner=f"{planned.planner} (llm fallback: {cause})",
            notes=(*planned.notes, note),
        )

    def _remember(self, playbook: Playbook) -> None:
        recent = self._recent.setdefault(playbook.market, [])
        recent.append(playbook)
        del recent[:-3]

    def _recent_of(self, market: str) -> tuple[RecentPlaybook, ...]:
        return tuple(
            RecentPlaybook(
                p.session_date,
                p.planner,
                sum(len(s.scenarios) for s in p.stocks),
                tuple(s.symbol for s in p.stocks),
            )
            for p in self._recent.get(market, [])
        )

    def usage(self) -> dict[str, Any]:
        """Calls, tokens and cost of this planner's run, and its fallbacks by kind."""
        total = self.budget.totals()
        kinds: dict[str, int] = {}
        for event in self.fallbacks:
            kinds[f"{event.cause}->{event.kind}"] = kinds.get(f"{event.cause}->{event.kind}", 0) + 1
        return {
            "model": self.model,
            "provider": str(self.provider_name),
            "cache": str(self.cache_mode),
            "calls": total.calls,
            "input_tokens": total.input_tokens,
            "output_tokens": total.output_tokens,
            "cost_usd": str(total.cost_usd),
            "billed_usd": str(total.billed_usd),
            "fallbacks": kinds,
        }


def _call_id(market: str, day: date, turn: _Turn) -> str:
    return f"llm-{market}-{day.isoformat()}-{turn.attempt}-{turn.prompt.hash[:12]}"
