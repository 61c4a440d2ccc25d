#!/usr/bin/env bash
# Set up (if needed) and run the whole suite: lint, types, tests (PostgreSQL tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/ensure-postgres.sh
bash scripts/ensure-browser.sh
export OUROBOROS_REQUIRE_POSTGRES="${OUROBOROS_REQUIRE_POSTGRES:-1}"
echo "== ruff"; .venv/bin/ruff check src tests bench
echo "== ruff format"; .venv/bin/ruff format --check src tests bench
echo "== mypy"; .venv/bin/mypy
echo "== pytest"; .venv/bin/pytest "$@"
