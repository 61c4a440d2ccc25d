"""``ouroboros data ...``: list, import, validate and generate market data.

Every reporting command takes ``--json`` and then prints one JSON document on stdout and
nothing else. Exit codes: 0 success, 2 bad data or usage (validation errors, unreadable or
empty input; nothing is imported then), 1 any other failure.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from ouroboros.data import (
    BUNDLED,
    DEFAULT_STORE_ROOT,
    BarStore,
    SyntheticSpec,
    ValidationConfig,
    ValidationReport,
    generate,
    load_bundled,
    load_source,
    market_calendar,
    write_synthetic,
)
from ouroboros.errors import DataError
from ouroboros.interfaces.cli import alpaca_cmd
from ouroboros.interfaces.cli.boundary import BoundaryGroup
from ouroboros.interfaces.cli.errors import CliFailure, ExitCode, Verdict
from ouroboros.interfaces.cli.output import console, emit_json

app = typer.Typer(
    help="Market data: list, import, validate and generate bars.",
    no_args_is_help=True,
    rich_markup_mode=None,
    cls=BoundaryGroup,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="print only JSON on stdout")]
StoreOpt = Annotated[
    Path, typer.Option("--store", help="bar store root directory", show_default=True)
]
MarketOpt = Annotated[
    str | None,
    typer.Option("--market", help="market of bare symbols, e.g. KR, US_NASDAQ (sets venue/tz)"),
]


def _fail(message: str, json_output: bool, **extra: Any) -> CliFailure:
    """Bad data is bad input (exit 2): with ``--json`` the one object carries what was found."""
    failure = Verdict(ExitCode.BAD_INPUT, message)
    if json_output and extra:
        emit_json(extra, failure)
    return CliFailure(message, ExitCode.BAD_INPUT)


@app.command("list")
def list_data(
    store: StoreOpt = DEFAULT_STORE_ROOT,
    json_output: JsonOpt = False,
) -> None:
    """List the bundled datasets and what is in the bar store (symbols, rows, date ranges)."""
    frame = load_bundled("all")
    bundled = []
    for name, ds in sorted(BUNDLED.items()):
        ts = frame.loc[frame["symbol"] == ds.instrument_id, "ts"]
        bundled.append(
            {
                "source": f"bundled:{name}",
                "instrument": ds.instrument_id,
                "name": ds.company,
                "rows": len(ts),
                "first": ts.min().date(),
                "last": ts.max().date(),
            }
        )
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for e in BarStore(store).entries():
        key = (e.interval, e.symbol.rpartition(".")[2])
        g = groups.setdefault(
            key,
            {
                "interval": key[0],
                "venue": key[1],
                "symbols": 0,
                "rows": 0,
                "first": e.first,
                "last": e.last,
            },
        )
        g["symbols"] += 1
        g["rows"] += e.rows
        g["first"], g["last"] = min(g["first"], e.first), max(g["last"], e.last)
    stored = [
        {**g, "first": _label(g["first"], g["interval"]), "last": _label(g["last"], g["interval"])}
        for _, g in sorted(groups.items())
    ]
    if json_output:
        emit_json({"bundled": bundled, "store": {"root": store, "groups": stored}})
        return
    table = Table(title="Bundled datasets (raw daily OHLCV, bokeh_sampledata, public domain)")
    for col in ("source", "instrument", "name", "rows", "first", "last"):
        table.add_column(col)
    for row in bundled:
        table.add_row(
            *(str(row[c]) for c in ("source", "instrument", "name", "rows", "first", "last"))
        )
    console.print(table)
    if not stored:
        console.print(f"Bar store {store}: empty")
        return
    st = Table(title=f"Bar store {store}")
    for col in ("interval", "venue", "symbols", "rows", "first", "last"):
        st.add_column(col)
    for g in stored:
        st.add_row(*(str(g[c]) for c in ("interval", "venue", "symbols", "rows", "first", "last")))
    console.print(st)


@app.command("import")
def import_data(
    path: Annotated[Path, typer.Argument(help="CSV/Parquet file or directory, or alpaca:SYM,...")],
    symbol: Annotated[
        str | None, typer.Option("--symbol", help="symbol for a file without a symbol column")
    ] = None,
    market: MarketOpt = None,
    store: StoreOpt = DEFAULT_STORE_ROOT,
    json_output: JsonOpt = False,
    start: Annotated[str | None, typer.Option("--start", help="alpaca: first day")] = None,
    end: Annotated[str | None, typer.Option("--end", help="alpaca: last day")] = None,
    interval: Annotated[str, typer.Option("--interval", help="alpaca: bar interval")] = "1d",
) -> None:
    """Validate bar files (or Alpaca bars) and write them to the store; exit 1 on any error."""
    if alpaca_cmd.is_alpaca_spec(str(path)):
        try:
            alpaca_cmd.import_alpaca(
                str(path),
                start=start,
                end=end,
                market=market,
                interval=interval,
                store=store,
                json_output=json_output,
            )
        except DataError as exc:
            raise _fail(str(exc), json_output) from None
        return
    try:
        loaded = load_source(str(path), market=market, symbol=symbol, strict=False)
    except DataError as exc:
        raise _fail(str(exc), json_output) from None
    report = loaded.report or ValidationReport()
    if not report.ok:
        message = f"import refused: {len(report.errors)} error(s) in {path}; nothing was written"
        if not json_output:
            _print_report(report, limit=20)
        raise _fail(message, json_output, imported=0, report=report.to_dict())
    try:
        written = BarStore(store).write(loaded.frame, loaded.interval)
    except DataError as exc:
        raise _fail(str(exc), json_output) from None
    summary = {
        "ok": True,
        "imported": len(written),
        "rows": len(loaded.frame),
        "interval": loaded.interval,
        "store": store,
        "files": [str(p) for p in written],
        "warnings": len(report.warnings),
        "report": report.to_dict(),
    }
    if json_output:
        emit_json(summary)
        return
    _print_report(report, limit=20, quiet_if_clean=True)
    console.print(
        f"imported {len(written)} symbol(s), {len(loaded.frame)} {loaded.interval} bars "
        f"into {store} ({len(report.warnings)} warning(s))"
    )


@app.command("validate")
def validate_data(
    source: Annotated[str, typer.Argument(help="bundled:NAME, synthetic:..., store:DIR or PATH")],
    market: MarketOpt = None,
    symbol: Annotated[
        str | None, typer.Option("--symbol", help="symbol for a file without a symbol column")
    ] = None,
    max_move: Annotated[
        float, typer.Option("--max-move", help="flag close-to-close moves above this fraction")
    ] = 0.5,
    stale_bars: Annotated[
        int, typer.Option("--stale-bars", help="flag this many flat zero-volume bars in a row")
    ] = 5,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD: data must reach this date")
    ] = None,
    max_age: Annotated[
        int, typer.Option("--max-age", help="sessions the last bar may lag --as-of")
    ] = 3,
    json_output: JsonOpt = False,
) -> None:
    """Check bars for bad prices, time order, calendar gaps, big moves and stale data.

    Exit code 2 when there is any error; every problem names its file, row and rule."""
    try:
        config = ValidationConfig(
            max_move=max_move,
            stale_bars=stale_bars,
            as_of=date.fromisoformat(as_of) if as_of else None,
            max_age_sessions=max_age,
        )
    except ValueError as exc:
        raise _fail(str(exc), json_output) from None
    try:
        loaded = load_source(
            source, market=market, symbol=symbol, validate_data=True, strict=False, config=config
        )
    except DataError as exc:
        raise _fail(str(exc), json_output) from None
    report = loaded.report or ValidationReport()
    payload = {"source": source, **report.to_dict()}
    payload["valid"] = payload.pop("ok")
    if report.ok:
        if json_output:
            emit_json(payload)
        else:
            _print_report(report, limit=50)
        return
    message = f"{source}: {len(report.errors)} validation error(s)"
    if not json_output:
        _print_report(report, limit=50)
    raise _fail(message, json_output, **payload)


@app.command("generate")
def generate_data(
    out: Annotated[Path, typer.Option("--out", help="output directory")],
    markets: Annotated[
        str, typer.Option("--markets", help="comma-separated market codes")
    ] = "US_NASDAQ",
    symbols: Annotated[int, typer.Option("--symbols", help="symbols per market")] = 20,
    days: Annotated[int, typer.Option("--days", help="sessions per market")] = 252,
    seed: Annotated[int, typer.Option("--seed", help="random seed (same seed, same bytes)")] = 0,
    interval: Annotated[str, typer.Option("--interval", help="1d or 1m")] = "1d",
    start: Annotated[
        str | None, typer.Option("--start", help="first session on/after YYYY-MM-DD")
    ] = None,
    patterns: Annotated[
        int | None, typer.Option("--patterns", help="planted events per market (0: none)")
    ] = None,
    json_output: JsonOpt = False,
) -> None:
    """Generate a deterministic synthetic market on real calendars: Parquet + manifest.json."""
    try:
        spec = SyntheticSpec(
            markets=tuple(m.strip().upper() for m in markets.split(",") if m.strip()),
            symbols=symbols,
            days=days,
            seed=seed,
            interval=interval,
            start=date.fromisoformat(start) if start else None,
            patterns=patterns,
        )
        began = time.perf_counter()
        data = generate(spec, market_calendar)
        generated = time.perf_counter() - began
        files = write_synthetic(data, out)
    except (ValueError, DataError) as exc:
        raise _fail(str(exc), json_output) from None
    bars = sum(m.panel.shape[0] * m.panel.shape[1] for m in data.markets.values())
    per_market = {
        code: {
            "symbols": len(m.panel.symbols),
            "bars": m.panel.shape[0] * m.panel.shape[1],
            "first": m.sessions[0].date,
            "last": m.sessions[-1].date,
        }
        for code, m in data.markets.items()
    }
    summary = {
        "ok": True,
        "source": spec.describe(),
        "out": out,
        "files": [str(f) for f in files],
        "markets": per_market,
        "bars": bars,
        "patterns": len(data.patterns),
        "elapsed_s": round(generated, 3),
    }
    if json_output:
        emit_json(summary)
        return
    table = Table(title=f"Synthetic data in {out} ({spec.describe()})")
    for col in ("market", "symbols", "bars", "first", "last"):
        table.add_column(col)
    for code, m in per_market.items():
        table.add_row(code, *(str(m[c]) for c in ("symbols", "bars", "first", "last")))
    console.print(table)
    console.print(
        f"{bars} bars, {len(data.patterns)} planted pattern(s) in manifest.json; "
        f"generated in {generated:.2f} s"
    )


def _label(stamp: pd.Timestamp, interval: str) -> str:
    """Daily labels are dates; intraday labels are UTC instants."""
    return stamp.date().isoformat() if interval == "1d" else stamp.isoformat()


def _print_report(report: ValidationReport, *, limit: int, quiet_if_clean: bool = False) -> None:
    if quiet_if_clean and not report.issues:
        return
    for issue in report.issues[:limit]:
        colour = "red" if issue.severity.value == "error" else "yellow"
        console.print(f"[{colour}]{escape(str(issue))}[/{colour}]", highlight=False, soft_wrap=True)
    if len(report.issues) > limit:
        console.print(f"... {len(report.issues) - limit} more issue(s) (use --json for all)")
    counts = ", ".join(f"{k}={v}" for k, v in report.counts().items())
    verdict = "[green]OK[/green]" if report.ok else "[red]FAILED[/red]"
    console.print(f"{verdict} {report.summary()}" + (f" ({counts})" if counts else ""))
    if report.calendar_note:
        console.print(f"[yellow]note:[/yellow] {escape(report.calendar_note)}", highlight=False)
