"""``ouroboros data ...``: placeholder replaced by the market-data work."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Market data: list, import, validate and generate bars.", no_args_is_help=True
)
