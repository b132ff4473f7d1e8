"""End-to-end benchmark cases: a whole ``run`` command, as a user types it, in a fresh process.

Run as a script (``python benchmarks/end_to_end.py CASE [--set key=value ...]``) it measures
one case and prints one JSON line. The command (``run SCENARIO --no-report --no-cache``, so
every replication is simulated and every table and file is written) runs in this process
through the command line's own entry point, with timers wrapped around the steps of
``sim.studies.run``:

* ``seconds``: wall time from the start of this process (imports included) to the command's
  end: what a user waits for;
* ``simulation_seconds`` / ``simulation_cpu``: wall and CPU time of the replications
  (``evaluate``); the CPU time only when they run here (one worker), since worker processes'
  time is not this process's;
* ``area_cpu``: with one worker, each area's CPU time in the order the areas are handed out;
  from it ``predicted_efficiency_2``, the parallel efficiency two workers taking the next area
  as each becomes free would reach (the sum over twice the finishing time), which does not
  depend on what else the machine is doing;
* ``tables_cpu`` (building trajectories, summary and the inspectorate's measures) and
  ``writing_cpu`` (CSV, Parquet, workbook, figure, manifest);
* ``peak_rss_mb``: this process's peak resident memory (worker processes hold one area each);
* with several workers, ``worker_cpu``: the CPU time of each process this one started
  (the worker processes, and the fork server), read as the replications end, before the pool
  closes. The busiest worker's CPU time is how long the replications would take on an
  otherwise idle machine; ``idle_estimate_seconds`` adds this process's own CPU time
  (start-up, tables and files) and the fork server's, as if none of it overlapped the
  workers (so it errs long, and leaves out waiting for the disk). ``cpu_efficiency`` is the
  one-worker simulation CPU (given with ``--serial-cpu``) over twice the busiest worker's:
  what a shared machine cannot distort.

Cases: ``national_e2e`` (England and Wales, one 5-year replication, 1 worker),
``national_e2e_parallel`` (the same, 2 workers), ``avon_100_parallel`` (the Avon & Somerset
baseline, 100 replications of one year, 2 workers).
"""

from __future__ import annotations

_STARTED = __import__("time").perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

__all__ = ["E2E_CASES", "EndToEnd", "measure_end_to_end", "predicted_efficiency"]


@dataclass(frozen=True)
class EndToEnd:
    """One ``run`` command to time: scenario, replications, workers, ``--set`` overrides."""

    name: str
    scenario: str
    replications: int
    workers: int
    overrides: tuple[str, ...] = ()


E2E_CASES: dict[str, EndToEnd] = {
    case.name: case
    for case in (
        EndToEnd("national_e2e", "scenarios/england_wales_2024.yaml", 1, 1),
        EndToEnd("national_e2e_parallel", "scenarios/england_wales_2024.yaml", 1, 2),
        EndToEnd(
            "avon_100_parallel", "scenarios/avon_somerset_2023.yaml", 100, 2, ("horizon_days=365",)
        ),
    )
}


def predicted_efficiency(piece_seconds: list[float], workers: int = 2) -> float:
    """Parallel efficiency of ``workers`` taking the pieces in this order, each taking the
    next as it becomes free (as a process pool does): total work / (workers x finishing time)."""
    free = [0.0] * workers
    for seconds in piece_seconds:
        first = free.index(min(free))
        free[first] += seconds
    return sum(piece_seconds) / (workers * max(free)) if piece_seconds else 1.0


class _Timers:
    """Wall and CPU time spent in named functions of a module (wrapped in place)."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.pieces: list[float] = []
        self.children: dict[int, float] = {}

    def read_children(self) -> None:
        """CPU time (user + system) of every process this one started, still running."""
        import psutil

        for child in psutil.Process().children(recursive=True):
            try:
                times = child.cpu_times()
            except psutil.Error:
                continue
            self.children[child.pid] = times.user + times.system

    def wrap(self, module: Any, name: str, key: str) -> None:
        original = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.wall[key] = self.wall.get(key, 0.0) + time.perf_counter() - wall
                self.cpu[key] = self.cpu.get(key, 0.0) + time.process_time() - cpu
                if key == "simulation":
                    self.read_children()  # the workers are idle now, the pool still open

        setattr(module, name, timed)

    def wrap_pieces(self, module: Any, name: str) -> None:
        """Each call's CPU time, in call order (the areas, when they run in this process)."""
        original: Callable[..., Any] = getattr(module, name)

        def timed(*args: Any) -> Any:
            cpu = time.process_time()
            result = original(*args)
            self.pieces.append(time.process_time() - cpu)
            return result

        setattr(module, name, timed)


def measure_end_to_end(case: EndToEnd, extra: list[str], serial_cpu: float | None = None) -> dict:
    """Run the case's command here and return its timings (see the module docstring)."""
    from typer.testing import CliRunner

    import sim.experiments.batch as batch
    import sim.studies.run as run_module
    from run_sim import app

    timers = _Timers()
    timers.wrap(run_module, "evaluate", "simulation")
    timers.wrap(run_module, "_result", "tables")
    timers.wrap(run_module, "write_results", "writing")
    if case.workers == 1:
        timers.wrap_pieces(batch, "run_area")
    overrides = [item for pair in (*case.overrides, *extra) for item in ("--set", pair)]
    with tempfile.TemporaryDirectory() as folder:
        args = [
            "run",
            str(REPO / case.scenario),
            "--replications",
            str(case.replications),
            "--seed",
            "1",
            "--workers",
            str(case.workers),
            "--out",
            str(Path(folder) / "out"),
            "--no-report",
            "--no-cache",
            "--quiet",
            *overrides,
        ]
        result = CliRunner().invoke(app, args)
        if result.exit_code != 0:
            raise SystemExit(f"{case.name} failed:\n{result.output}")
        sizes = {p.name: p.stat().st_size for p in (Path(folder) / "out").iterdir()}
    seconds = time.perf_counter() - _STARTED
    measured: dict[str, Any] = {
        "case": case.name,
        "replications": case.replications,
        "workers": case.workers,
        "overrides": [*case.overrides, *extra],
        "seconds": seconds,
        "cpu_seconds": time.process_time(),
        "simulation_seconds": timers.wall.get("simulation", 0.0),
        "tables_cpu": timers.cpu.get("tables", 0.0),
        "writing_cpu": timers.cpu.get("writing", 0.0),
        "writing_seconds": timers.wall.get("writing", 0.0),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "file_mb": {name: round(size / 1e6, 2) for name, size in sorted(sizes.items())},
    }
    if case.workers == 1:
        measured["simulation_cpu"] = timers.cpu.get("simulation", 0.0)
        measured["area_cpu"] = timers.pieces
        measured["predicted_efficiency_2"] = predicted_efficiency(timers.pieces, 2)
    else:
        children = sorted(timers.children.values(), reverse=True)
        measured["worker_cpu"] = children
        busiest = children[0] if children else float("nan")
        others = sum(children[case.workers :])  # the fork server, which imports the model
        measured["idle_estimate_seconds"] = measured["cpu_seconds"] + others + busiest
        if serial_cpu is not None:
            measured["cpu_efficiency"] = serial_cpu / (case.workers * busiest)
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description="Measure one end-to-end case (used by run.py).")
    parser.add_argument("case", choices=sorted(E2E_CASES))
    parser.add_argument("--set", dest="extra", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument(
        "--serial-cpu", type=float, help="the one-worker simulation CPU s, for cpu_efficiency"
    )
    args = parser.parse_args()
    print(json.dumps(measure_end_to_end(E2E_CASES[args.case], args.extra, args.serial_cpu)))


if __name__ == "__main__":
    main()
