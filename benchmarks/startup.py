"""How long the commands a user types first take, as wall time of the whole command.

    python benchmarks/startup.py [--repeat 5] [--results DIR]

Times ``run_sim.py --help``, ``run_sim.py validate scenarios/avon_somerset_2023.yaml`` and
``run_sim.py report DIR`` (rebuilding report.html from a finished run), each in a fresh
interpreter ``--repeat`` times, and prints the median wall time (and its CPU time) against the
targets of issue 15: under 1 s, under 1 s and under 3 s on an idle 2-core machine. Without
``--results`` it first runs the README's main command (the baseline, 10 replications) into a
temporary folder to have a run to report on; that run is timed too but has no target.

The load average is printed: on a shared machine wall time grows with the load while CPU time
does not, so a busy machine's wall times overstate what an idle one gives (docs/performance.md).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BASELINE = "scenarios/avon_somerset_2023.yaml"


def timed(arguments: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of ``python run_sim.py ARGUMENTS``, the child's CPU included."""
    before = os.times()
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "run_sim.py", *arguments],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    after = os.times()
    if done.returncode != 0:
        raise SystemExit(f"run_sim.py {' '.join(arguments)} failed:\n{done.stderr}")
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return wall, cpu


def median_of(arguments: list[str], repeat: int) -> tuple[float, float]:
    """Median wall and median CPU seconds over ``repeat`` runs."""
    runs = [timed(arguments) for _ in range(repeat)]
    return statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each command (median)")
    parser.add_argument("--results", type=Path, help="a finished run folder to rebuild")
    options = parser.parse_args()

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'command':<58} {'median wall':>11} {'CPU':>6}  target")
    with tempfile.TemporaryDirectory(prefix="startup-bench-") as scratch:
        results = options.results
        if results is None:
            results = Path(scratch) / "baseline"
            wall, cpu = timed(["run", BASELINE, "--out", str(results), "--quiet", "--no-cache"])
            print(
                f"{'run ' + BASELINE + ' (10 replications, once)':<58} {wall:>10.2f}s {cpu:>5.2f}s"
            )
        cases = [
            (["--help"], 1.0),
            (["validate", BASELINE], 1.0),
            (["report", str(results)], 3.0),
        ]
        failed = 0
        for arguments, target in cases:
            wall, cpu = median_of(arguments, options.repeat)
            verdict = "ok" if wall < target else "OVER"
            failed += wall >= target
            shown = " ".join(a if a != str(results) else "RESULTS_DIR" for a in arguments)
            print(f"{shown:<58} {wall:>10.2f}s {cpu:>5.2f}s  < {target:g} s {verdict}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if failed:
        print(
            f"{failed} over target; if the load average is above the core count "
            f"({os.cpu_count()}), compare the CPU column instead."
        )


if __name__ == "__main__":
    main()
