"""Alembic migrations, shipped inside the package and located through it, not the CWD."""
