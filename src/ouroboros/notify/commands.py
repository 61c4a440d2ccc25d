"""The chat commands (seed 000's nine plus freqtrade's favourites), answered through the
service layer so the chat shows the same facts as the API and the dashboard."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from ouroboros.services import DEFAULT_ACCOUNT, Actor, OperatorActions, PageQuery, ReadService

HELP = """Ouroboros commands
/status — run, trading switch and breaker per account
/positions — open positions
/balance — cash and equity per account
/trades — the last closed trades
/profit — realised P&L per currency
/daily — realised P&L per day and currency
/report — the latest run in a few lines
/scenarios — the latest session's playbooks and scenarios
/review — the latest decisions and their reasons
/breaker — circuit breaker state
/dashboard — the dashboard's address
/stop [account] — stop trading (kill switch)
/resume [account] — resume trading"""


class OperatorCommands:
    def __init__(
        self,
        reads: ReadService,
        actions: OperatorActions,
        *,
        who: str,
        dashboard_url: str = "http://127.0.0.1:8080/",
        channel: str = "telegram",
    ) -> None:
        self._reads = reads
        self._actions = actions
        self._actor = Actor(channel, who)
        self._dashboard = dashboard_url
        self._table: dict[str, Callable[[Sequence[str]], str]] = {
            "help": lambda _a: HELP,
            "start": lambda _a: HELP,
            "status": self._status,
            "positions": self._positions,
            "balance": self._balance,
            "trades": self._trades,
            "profit": self._profit,
            "daily": self._daily,
            "report": self._report,
            "scenarios": self._scenarios,
            "review": self._review,
            "breaker": self._breaker,
            "dashboard": lambda _a: f"Dashboard: {self._dashboard}",
            "stop": lambda a: self._switch(a, enabled=False),
            "resume": lambda a: self._switch(a, enabled=True),
        }

    @property
    def commands(self) -> list[str]:
        return sorted(self._table)

    async def handle(self, command: str, args: Sequence[str]) -> str:
        handler = self._table.get(command)
        if handler is None:
            return f"unknown command /{command}; /help lists them"
        try:
            return handler(args)
        except ValueError as exc:
            return f"/{command}: {exc}"

    def handler(self) -> Callable[[str, Sequence[str]], Awaitable[str]]:
        return self.handle

    # -- views ------------------------------------------------------------------------------
    def _status(self, _args: Sequence[str]) -> str:
        status = self._reads.status()
        run = status["latest_run"]
        lines = [f"Run {run['run_id']} ({run['mode']}, {run['status']})" if run else "No run yet"]
        for acc in status["accounts"]:
            breaker = (acc["breaker"] or {}).get("status", "not stored")
            switch = "ON" if acc["trading_enabled"] else "OFF"
            lines.append(f"{acc['account']}: trading {switch}, breaker {breaker}")
        counts = status["counts"]
        lines.append(
            f"orders {counts['orders']} · fills {counts['fills']} · trades {counts['trades']}"
        )
        if status["last_event"]:
            lines.append(
                f"last event {status['last_event']['type']} at {status['last_event']['ts']}"
            )
        return "\n".join(lines)

    def _positions(self, _args: Sequence[str]) -> str:
        rows = self._reads.positions()
        if not rows:
            return "No open positions"
        return "\n".join(
            f"{p['instrument_id']}: {p['quantity']} (cost {p['cost_basis']} {p['currency']})"
            for p in rows
        )

    def _balance(self, _args: Sequence[str]) -> str:
        accounts = self._reads.portfolio()["accounts"]
        if not accounts:
            return "No snapshot yet"
        lines = []
        for acc in accounts:
            cash = ", ".join(f"{v} {c}" for c, v in sorted(acc["cash"].items()))
            lines.append(f"{acc['account']}: equity {acc['equity']} {acc['base_currency']}; {cash}")
        return "\n".join(lines)

    def _latest_trades(self, limit: int = 1000) -> list[dict[str, Any]]:
        run = self._reads.latest_run()
        q = PageQuery(limit=limit, run_id=run["run_id"] if run else None)
        return self._reads.trades(q).items

    def _trades(self, _args: Sequence[str]) -> str:
        rows = self._latest_trades()[-10:]
        if not rows:
            return "No closed trades"
        return "\n".join(
            f"{t['exit_at'][:16]} {t['instrument_id']} {t['side']} {t['quantity']} "
            f"P&L {t['pnl']} {t['currency']}"
            for t in rows
        )

    def _profit(self, _args: Sequence[str]) -> str:
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for t in self._latest_trades():
            totals[t["currency"]] += Decimal(t["pnl"])
        if not totals:
            return "No realised P&L yet"
        return "Realised P&L: " + ", ".join(f"{v} {c}" for c, v in sorted(totals.items()))

    def _daily(self, _args: Sequence[str]) -> str:
        days: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        for t in self._latest_trades():
            days[(t["exit_at"][:10], t["currency"])] += Decimal(t["pnl"])
        if not days:
            return "No realised P&L yet"
        return "\n".join(f"{d} {c}: {v}" for (d, c), v in sorted(days.items())[-14:])

    def _report(self, args: Sequence[str]) -> str:
        run = self._reads.latest_run()
        if run is None:
            return "No run yet"
        return f"{self._status(args)}\n{self._profit(args)}\n{self._balance(args)}"

    def _scenarios(self, _args: Sequence[str]) -> str:
        latest = self._reads.events(PageQuery(limit=1), event_type="playbook.created")
        if not latest.total:
            return "No playbook recorded"
        last = self._reads.events(
            PageQuery(limit=1, offset=latest.total - 1), event_type="playbook.created"
        ).items[0]
        day = date.fromisoformat(last["payload"]["session_date"])
        lines = [f"Playbooks for {day.isoformat()}"]
        for book in self._reads.playbooks(day):
            body = book.get("payload") or book.get("body") or {}
            stocks = body.get("stocks", [])
            lines.append(f"{body.get('market', '?')}: {len(stocks)} stock(s)")
            for stock in stocks[:5]:
                names = ", ".join(s["name"] for s in stock.get("scenarios", []))
                lines.append(f"  {stock['symbol']}: {names}")
        return "\n".join(lines)

    def _review(self, _args: Sequence[str]) -> str:
        page = self._reads.decisions(PageQuery(limit=1))
        if not page.total:
            return "No decisions recorded"
        start = max(page.total - 5, 0)
        rows = self._reads.decisions(PageQuery(limit=5, offset=start)).items
        return "\n".join(
            f"{d['ts'][:16]} {d['symbol']} {d['action']} ({float(d['confidence']):.0%}): "
            f"{d['rationale']}"
            for d in rows
        )

    def _breaker(self, args: Sequence[str]) -> str:
        account = args[0] if args else DEFAULT_ACCOUNT
        safety = self._reads.safety(account)
        breaker = safety["breaker"]
        if breaker is None:
            switch = "ON" if safety["trading_enabled"] else "OFF"
            return f"{account}: no breaker state stored; trading {switch}"
        return f"{account}: breaker {breaker.get('status')} — {breaker.get('reason', '')}"

    def _switch(self, args: Sequence[str], *, enabled: bool) -> str:
        account = args[0] if args else DEFAULT_ACCOUNT
        self._actions.set_trading(
            account,
            enabled=enabled,
            by=self._actor,
            reason=f"{self._actor.channel} command",
            trace_id=None,
        )
        return f"{account}: trading {'resumed' if enabled else 'stopped'}"
