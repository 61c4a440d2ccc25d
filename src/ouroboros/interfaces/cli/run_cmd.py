"""``ouroboros run``: placeholder replaced by the engine work."""

from __future__ import annotations

import typer


def run(json_output: bool = typer.Option(False, "--json", help="machine-readable summary")) -> None:
    """Run the main job (offline replay paper trading on the default settings)."""
    raise typer.Exit(code=2)
