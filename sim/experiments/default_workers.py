"""How many local processes a batch gets when ``--workers`` is not given.

Starting a pool of worker processes costs about 1-2 s before the first replication runs (a
fresh interpreter that imports the model, then one fork per worker, then the results sent back);
a replication costs about 0.3-0.5 microseconds per offender-day (offenders on the register x
simulated days; docs/performance.md). With p cores the pool saves time only once the serial
work W satisfies W / p + start-up < W, i.e. W > 2 x start-up on 2 cores: about 2-4 s of
work, 5-9 million offender-days. So the default is serial below
:data:`OFFENDER_DAYS_FOR_PROCESSES` (10 million offender-days, e.g. 21 or more replications
of the Avon & Somerset baseline, or one of the national scenario) and every core above it
(never more processes than tasks). Measured on a shared 2-core machine: 10 baseline
replications took 1.9-2.6 s serial against 3.9-5.1 s on 2 processes; 40 took 9.1 s serial
against 6.7 s.

The choice only changes where replications run: results are identical whatever the number of
workers (tests/test_parallel.py). Light on purpose (no numeric imports), as the command line
reads it before any work starts.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.scenario import Scenario

__all__ = [
    "OFFENDER_DAYS_FOR_PROCESSES",
    "default_workers",
    "offender_days",
    "starting_size",
    "workers_for",
]

OFFENDER_DAYS_FOR_PROCESSES = 10_000_000
DAYS_PER_YEAR = 365.25


def offender_days(scenario: Scenario) -> float:
    """Offender-days one replication of ``scenario`` simulates, estimated from the file alone:
    the register's starting size plus half the registrations over the horizon (they arrive
    throughout), times the horizon in days, summed over areas."""
    total = 0.0
    for _area, part in scenario.area_scenarios():
        population = part.population
        start = starting_size(part)
        years = part.horizon_days / DAYS_PER_YEAR
        arriving = population.registrations.highest_per_year(part.start_date, part.horizon_days)
        total += (start + arriving * years / 2) * part.horizon_days
    return total


def starting_size(scenario: Scenario) -> int:
    """Offenders on the register on day 0 (read from the caseload file when there is one)."""
    population = scenario.population
    if population.initial is not None:
        return population.initial.size
    from sim.scenario.caseload_file import read_caseload

    assert population.initial_caseload is not None  # the scenario rules ask for one of the two
    rows = read_caseload(
        population.initial_caseload, scenario.start_date, scenario.visits.interval_days.as_tuple()
    )
    return len(rows)


def default_workers(work_offender_days: float, tasks: int, cores: int | None = None) -> int:
    """Local processes for a batch of ``work_offender_days`` in ``tasks`` independent tasks:
    1 (serial, in this process) unless the work repays starting a pool, then every core, but
    never more processes than tasks."""
    cores = cores if cores is not None else (os.cpu_count() or 1)
    if work_offender_days < OFFENDER_DAYS_FOR_PROCESSES:
        return 1
    return max(1, min(cores, tasks))


def workers_for(
    given: int | None, tasks: int, scenario: Scenario | None, runs: float | None = None
) -> int:
    """``--workers`` as given (at most one process per task), or the default for ``runs``
    replications of scenarios like ``scenario`` (``runs`` defaults to ``tasks``; a study that
    evaluates in rounds, such as calibrate or plan, runs more than it submits at once). With no
    scenario to estimate from, every core, as before."""
    tasks = max(tasks, 1)
    if given is not None:
        return min(given, tasks)
    if scenario is None:
        return min(os.cpu_count() or 1, tasks)
    work = offender_days(scenario) * (runs if runs is not None else tasks)
    return default_workers(work, tasks)
