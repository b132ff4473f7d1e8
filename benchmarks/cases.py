"""The benchmark cases, and the measurement of one case in its own process.

Run as a script (``python benchmarks/cases.py CASE``) it measures one case and prints
one JSON line: wall and CPU seconds per replication, SimPy events, peak resident memory. The
driver (``run.py``) starts a fresh interpreter per case so that one case's memory and warm
caches never flatter or burden another.

Cases:

* ``baseline``: Avon & Somerset, one replication (336 days, about 1,450 offenders).
* ``baseline_parallel``: the same, 20 replications with 2 worker processes.
* ``national``: England and Wales, one replication of the scenario file (5 years).
* ``national_parallel``: the same with 2 worker processes, which share out its 43 areas.
* ``scale_<n>``: the baseline resized to ``n`` offenders (registrations, starting backlog and
  offender managers in proportion) for one year: time against size should be linear.
* ``baseline_personal``: the baseline with personal caseloads and absences on (``PERSONAL``:
  leave in weekly blocks, sickness spells, court and training days, cover after 10 working
  days), the issue 13 target of at most 0.3 s CPU per replication-year.
* ``personal_<n>``: ``scale_<n>`` with the same ``PERSONAL`` overrides, for the scaling
  exponent with personal caseloads.

``--floor MODEL_JSON`` (the line printed for the case) measures the bare-SimPy floor
(``floor.py``) for the same number of processes (offenders) and staff tasks (visit attempts and
assessments) as that model run, split into as many separate environments as it has areas.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

__all__ = ["CASES", "Case", "measure"]

BASELINE = "scenarios/avon_somerset_2023.yaml"
NATIONAL = "scenarios/england_wales_2024.yaml"
BASELINE_SIZE = 1400
SCALE_SIZES = (1_000, 4_000, 16_000, 64_000)
WARM_BELOW_SECONDS = 10.0
WARM_RUNS = 3


@dataclass(frozen=True)
class Case:
    """One thing to time: a scenario file with overrides, replications and workers."""

    name: str
    scenario: str
    overrides: tuple[str, ...] = ()
    replications: int = 1
    workers: int = 1
    offenders: int | None = None  # the size a scaling case asks for


# Personal caseloads with absences, as a force might set them (issue 13's speed target).
PERSONAL = (
    "staffing.caseloads=personal",
    "staffing.absences={annual_leave: {workdays_per_year: 25, block_workdays: 5, "
    "month_weights: [1, 1, 1, 1, 1, 1, 2, 2, 1, 1, 1, 2]}, sickness: {spells_per_year: 2, "
    "spell_workdays: {dist: exponential, mean: 4}}, court_training_workdays_per_year: 8, "
    "cover_after_workdays: 10}",
)


def _scaled(size: int) -> tuple[str, ...]:
    """Overrides that resize the baseline to ``size`` starting offenders, for one year."""
    factor = size / BASELINE_SIZE
    return (
        "horizon_days=365",
        f"population.initial.size={size}",
        f"population.initial.overdue_visits.count={round(217 * factor)}",
        f"population.initial.overdue_assessments.count={round(151 * factor)}",
        f"population.registrations.per_year={260 * factor:.3f}",
        f"staffing.offender_managers={max(1, round(27 * factor))}",
    )


CASES: dict[str, Case] = {
    case.name: case
    for case in (
        Case("baseline", BASELINE),
        Case("baseline_parallel", BASELINE, replications=20, workers=2),
        Case("national", NATIONAL),
        Case("national_parallel", NATIONAL, workers=2),
        *(Case(f"scale_{n}", BASELINE, _scaled(n), offenders=n) for n in SCALE_SIZES),
        Case("baseline_personal", BASELINE, PERSONAL),
        *(Case(f"personal_{n}", BASELINE, _scaled(n) + PERSONAL, offenders=n) for n in SCALE_SIZES),
    )
}


def _peak_rss_mb() -> float:
    """Peak resident memory of this process or any finished child (Linux reports KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def _load(case: Case):
    from sim.scenario.file import load_scenario

    return load_scenario(REPO / case.scenario, list(case.overrides))


def _totals(table, column: str) -> float:
    from sim.records import DAILY_COLUMNS

    return float(table[:, DAILY_COLUMNS.index(column)].sum())


def _column(table, column: str):
    from sim.records import DAILY_COLUMNS

    return table[:, DAILY_COLUMNS.index(column)]


def _serial(case: Case) -> dict:
    from sim.model.replication import single_run

    scenario = _load(case)
    base_rss = _peak_rss_mb()
    record, first, runs = _time_runs(lambda: single_run(scenario, 0))
    table = record.table
    population = _column(table, "population")
    return {
        "case": case.name,
        "replications": 1,
        "workers": 1,
        "days": scenario.horizon_days,
        "offenders_start": int(population[0]),
        "offenders_mean": float(population.mean()),
        "offender_managers": int(_column(table, "offender_managers")[0]),
        "areas": max(1, len(scenario.areas)),
        "visit_attempts": int(_totals(table, "visit_attempts")),
        "assessments": int(_totals(table, "assessments_completed")),
        "officer_hours_used": _totals(table, "officer_hours_used"),
        "events": record.simpy_events,
        "first_seconds": first[0],
        "seconds_per_replication": min(wall for wall, _cpu in runs),
        "cpu_seconds_per_replication": min(cpu for _wall, cpu in runs),
        "base_rss_mb": base_rss,
        "peak_rss_mb": _peak_rss_mb(),
    }


def _time_runs(run):
    """(result, (wall, cpu) of the first run, [(wall, cpu)] of the runs to report).

    The first run in a fresh process also pays for warming up (memory from the system, caches,
    lazy imports). A run shorter than WARM_BELOW_SECONDS is therefore repeated WARM_RUNS times
    and those repeats are reported (the steady cost of a replication within a batch); a longer
    one is reported as it is.
    """
    clock, cpu = time.perf_counter(), time.process_time()
    result = run()
    first = (time.perf_counter() - clock, time.process_time() - cpu)
    if first[0] >= WARM_BELOW_SECONDS:
        return result, first, [first]
    runs = []
    for _ in range(WARM_RUNS):
        clock, cpu = time.perf_counter(), time.process_time()
        run()
        runs.append((time.perf_counter() - clock, time.process_time() - cpu))
    return result, first, runs


def _parallel(case: Case) -> dict:
    from sim.experiments.batch import run_replications
    from sim.experiments.executors import make_executor

    scenario = _load(case)
    base_rss = _peak_rss_mb()
    clock = time.perf_counter()
    with make_executor(workers=case.workers) as executor:
        records = run_replications(scenario, case.replications, executor=executor)
    seconds = time.perf_counter() - clock
    return {
        "case": case.name,
        "replications": case.replications,
        "workers": case.workers,
        "days": scenario.horizon_days,
        "events": sum(record.simpy_events for record in records),
        "seconds_per_replication": seconds / case.replications,
        "wall_seconds": seconds,
        "base_rss_mb": base_rss,
        "peak_rss_mb": _peak_rss_mb(),  # the largest worker's, once the pool has closed
    }


def measure(case: Case) -> dict:
    """Time one case in this process (call it in a fresh interpreter)."""
    if not (REPO / case.scenario).exists():
        return {"case": case.name, "pending": f"{case.scenario} does not exist yet"}
    return _serial(case) if case.workers == 1 else _parallel(case)


def measure_floor(model: dict) -> dict:
    """The bare-SimPy floor for the processes and tasks of a measured model run."""
    from floor import run_floor

    tasks = model["visit_attempts"] + model["assessments"]
    base_rss = _peak_rss_mb()
    result, first, runs = _time_runs(
        lambda: run_floor(
            n_processes=round(model["offenders_mean"]),
            n_tasks=tasks,
            horizon_days=model["days"],
            n_officers=model["offender_managers"],
            task_hours=model["officer_hours_used"] / max(tasks, 1),
            n_areas=model.get("areas", 1),
        )
    )
    return {
        "case": model["case"],
        "tasks": tasks,
        "events": result.events,
        "first_seconds": first[0],
        "seconds": min(wall for wall, _cpu in runs),
        "cpu_seconds": min(cpu for _wall, cpu in runs),
        "base_rss_mb": base_rss,
        "peak_rss_mb": _peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Measure one benchmark case (used by run.py).")
    parser.add_argument("case", choices=sorted(CASES))
    parser.add_argument(
        "--floor", metavar="MODEL_JSON", help="measure the floor for this model result instead"
    )
    args = parser.parse_args()
    if args.floor:
        print(json.dumps(measure_floor(json.loads(args.floor))))
    else:
        print(json.dumps(measure(CASES[args.case])))


if __name__ == "__main__":
    main()
