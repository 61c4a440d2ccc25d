"""The ``ouroboros`` command line (Typer + Rich)."""
