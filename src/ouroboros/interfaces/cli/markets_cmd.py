"""``ouroboros markets``: placeholder replaced by the markets work."""

from __future__ import annotations

import typer


def markets(
    json_output: bool = typer.Option(False, "--json", help="machine-readable output"),
) -> None:
    """List every market with open/closed status and the next open and close."""
    raise typer.Exit(code=2)
