"""``ouroboros alpaca-sandbox`` (the local Alpaca in the foreground) and the Alpaca branch of
``ouroboros data import alpaca:AAPL,MSFT --start ... --end ...``."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import typer

from ouroboros.brokers.alpaca import load_alpaca_settings
from ouroboros.brokers.alpaca.market_data import AlpacaMarketData
from ouroboros.data import BarStore
from ouroboros.data.alpaca_bars import AlpacaBarSource
from ouroboros.data.market_data import MarketDataService
from ouroboros.data.market_map import market_venue
from ouroboros.errors import ConfigError, DataError
from ouroboros.interfaces.cli.output import console, emit_json
from ouroboros.sandbox.alpaca import AlpacaSandbox, SandboxConfig

PREFIX = "alpaca:"


def alpaca_sandbox(
    port: int = typer.Option(29480, "--port", help="port to listen on (127.0.0.1)"),
    seed: int = typer.Option(7, "--seed", help="seed of the price walk and the bar history"),
    start: str = typer.Option(
        "2026-01-05T15:00:00+00:00", "--start", help="the sandbox clock's start (ISO, with offset)"
    ),
    rate_limit: int = typer.Option(200, "--rate-limit", help="requests/min before a 429 (0 off)"),
    tick: float = typer.Option(
        1.0, "--tick", help="wall seconds between price steps (0: move prices only on request)"
    ),
    step_seconds: float = typer.Option(60.0, "--step-seconds", help="sandbox clock per step"),
) -> None:
    """Run a local Alpaca (trading + data REST, trade_updates and market-data streams)."""
    try:
        begin = dt.datetime.fromisoformat(start)
    except ValueError:
        raise typer.BadParameter(f"--start must be ISO 8601, was {start!r}") from None
    if begin.tzinfo is None:
        raise typer.BadParameter(f"--start needs a UTC offset, was {start!r}")
    config = SandboxConfig(
        seed=seed,
        start=begin,
        rate_limit_per_minute=rate_limit,
        auto_step_interval=tick,
        step_seconds=step_seconds,
    )
    sandbox = AlpacaSandbox(config, port=port)
    typer.echo(f"Alpaca sandbox on {sandbox.base_url} (alpaca-py: url_override={sandbox.base_url})")
    typer.echo("Point Ouroboros at it with:")
    for line in sandbox.exports():
        typer.echo(f"  {line}")
    typer.echo(
        "Controls: POST /_sandbox/{price,liquidity,step,clock,fault,partial,reject,drop}, "
        "GET /_sandbox/state"
    )
    sandbox.serve_forever()


def is_alpaca_spec(text: str) -> bool:
    return text.startswith(PREFIX)


def parse_date(text: str | None, name: str) -> dt.date:
    if not text:
        raise DataError(f"data import alpaca:... needs {name} (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DataError(f"{name} must be YYYY-MM-DD, was {text!r}") from None


async def _import(
    symbols: list[str], market: str | None, interval: str, start: dt.date, end: dt.date
) -> tuple[Any, list[str]]:
    settings = load_alpaca_settings()
    data = AlpacaMarketData.from_settings(settings)
    try:
        if market is not None:
            venue = market_venue(market)
            ids = [s if "." in s else f"{s}.{venue.value}" for s in symbols]
        else:
            ids = [str(await data.instrument(s)) for s in symbols]
        service = MarketDataService([AlpacaBarSource(data)])
        return await service.bars(ids, interval, start, end), ids
    finally:
        await data.close()


def import_alpaca(
    spec: str,
    *,
    start: str | None,
    end: str | None,
    market: str | None,
    interval: str,
    store: Path,
    json_output: bool,
) -> dict[str, Any]:
    """Fetch, validate and store Alpaca bars; raises DataError/ConfigError with one line."""
    symbols = [s.strip() for s in spec.removeprefix(PREFIX).split(",") if s.strip()]
    if not symbols:
        raise DataError(f"no symbols in {spec!r} (alpaca:AAPL,MSFT)")
    first, last = parse_date(start, "--start"), parse_date(end, "--end")
    if last < first:
        raise DataError(f"--end {last} is before --start {first}")
    try:
        result, ids = asyncio.run(_import(symbols, market, interval, first, last))
    except ConfigError as exc:
        raise DataError(str(exc)) from None
    written = BarStore(store).write(result.frame, interval)
    summary = {
        "ok": True,
        "source": result.source,
        "symbols": ids,
        "imported": len(written),
        "rows": len(result.frame),
        "interval": interval,
        "store": str(store),
        "warnings": len(result.report.warnings),
    }
    if json_output:
        emit_json(summary)
    else:
        console.print(
            f"imported {len(written)} symbol(s), {len(result.frame)} {interval} bars from Alpaca "
            f"into {store} ({len(result.report.warnings)} warning(s))"
        )
    return summary
