#!/usr/bin/env bash
# Run the benchmarks with the repo venv: every bench/bench_*.py in turn, or only the files given.
#   bash bench/run.sh                              # all of them
#   bash bench/run.sh bench/bench_indicators.py    # one (extra files may follow)
# Exits non-zero if any benchmark failed; the others still run.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="$root/.venv/bin/python"
if [[ ! -x "$python" ]]; then
    echo "bench/run.sh: no venv at $python (run: bash scripts/test.sh once to create it)" >&2
    exit 2
fi

if [[ $# -gt 0 ]]; then
    files=("$@")
else
    shopt -s nullglob
    files=(bench/bench_*.py)
fi
if [[ ${#files[@]} -eq 0 ]]; then
    echo "bench/run.sh: no bench/bench_*.py found" >&2
    exit 2
fi

failed=()
for file in "${files[@]}"; do
    echo "=== $file ($(date -u +%H:%M:%SZ), load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a))"
    start=$(date +%s)
    "$python" "$file"
    rc=$?
    status="ok"
    if [[ $rc -ne 0 ]]; then
        failed+=("$file")
        status="FAILED (exit $rc)"
    fi
    echo "--- $file: $status, $(( $(date +%s) - start )) s"
    echo
done

if [[ ${#failed[@]} -gt 0 ]]; then
    echo "bench/run.sh: failed: ${failed[*]}" >&2
    exit 1
fi
