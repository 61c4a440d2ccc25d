"""Start-up time of the ``ouroboros`` command line: ``--help``, ``markets`` and a bad option.

Each command runs as a fresh subprocess (``python -m ouroboros``, honouring PYTHONPATH) and
the best of ``--repeat`` wall times is printed, after one untimed warm-up run (which also
fills the calendar cache). Targets (issue 10, item 7): ``--help`` under 0.5 s and
``markets`` under 1 s warm. Not a test: the figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

COMMANDS: dict[str, list[str]] = {
    "--help": ["--help"],
    "markets": ["markets"],
    "bad option": ["backtest", "--no-such-option"],
    "version": ["version"],
}


def best_of(args: list[str], repeat: int) -> float:
    cmd = [sys.executable, "-m", "ouroboros", *args]
    subprocess.run(cmd, capture_output=True, check=False, env=os.environ.copy())
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False, env=os.environ.copy())
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for name, argv in COMMANDS.items():
        print(f"{name:<12} best of {args.repeat}: {best_of(argv, args.repeat):.3f} s")


if __name__ == "__main__":
    main()
