"""The bare-SimPy floor: the same number of staff tasks with no model logic at all.

One SimPy process per offender, each doing its share of the tasks: wait, request an officer
from a ``simpy.Resource``, hold it for the task, release it, wait again. That is four SimPy
events per task (the wait, the request, the task's timeout, the release), about what any
SimPy model of the same work must pay, whatever its logic. The model's cost divided by this
floor's cost says how much the model's own logic (due dates, queues by priority, hours,
random draws, counters) adds on top of SimPy.

Times are deterministic (evenly spread waits, one fixed task length) so the floor spends
nothing on random numbers either, and it runs with the same garbage-collector thresholds as
the model (``sim.model.replication.rare_cycle_collection``), so that setting flatters neither side.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass

import simpy

from sim.model.replication import rare_cycle_collection

__all__ = ["FloorResult", "run_floor"]


@dataclass(frozen=True)
class FloorResult:
    seconds: float
    cpu_seconds: float
    events: int


def _offender(
    env: simpy.Environment,
    staff: simpy.Resource,
    first_wait: float,
    gap_days: float,
    n_tasks: int,
    task_days: float,
):
    yield env.timeout(first_wait)
    for _ in range(n_tasks):
        with staff.request() as request:
            yield request
            yield env.timeout(task_days)
        yield env.timeout(gap_days)


def run_floor(
    n_processes: int,
    n_tasks: int,
    horizon_days: int,
    n_officers: int,
    task_hours: float,
    n_areas: int = 1,
) -> FloorResult:
    """Simulate ``n_tasks`` tasks shared by ``n_processes`` processes over the horizon.

    With ``n_areas`` > 1 the processes, tasks and officers are split evenly into that many
    separate environments run one after another, as the model runs a scenario's areas.
    """
    clock, cpu = time.perf_counter(), time.process_time()
    events = 0
    for area in range(n_areas):
        events += _run_area(
            _share(n_processes, n_areas, area),
            _share(n_tasks, n_areas, area),
            horizon_days,
            _share(n_officers, n_areas, area),
            task_hours,
        )
    return FloorResult(
        seconds=time.perf_counter() - clock,
        cpu_seconds=time.process_time() - cpu,
        events=events,
    )


def _share(total: int, parts: int, index: int) -> int:
    base, extra = divmod(total, parts)
    return base + (1 if index < extra else 0)


def _run_area(
    n_processes: int, n_tasks: int, horizon_days: int, n_officers: int, task_hours: float
) -> int:
    env = simpy.Environment()
    staff = simpy.Resource(env, capacity=max(1, n_officers))
    n_processes = max(1, min(n_processes, n_tasks))
    task_days = task_hours / 24
    with rare_cycle_collection():
        for index in range(n_processes):
            tasks = _share(n_tasks, n_processes, index)
            gap_days = horizon_days / max(tasks, 1)
            first_wait = gap_days * index / n_processes  # spread the starts over one gap
            env.process(_offender(env, staff, first_wait, gap_days, tasks, task_days))
        env.run()
        events = next(env._eid)  # SimPy numbers every scheduled event; this is the count
        del env, staff
        gc.collect()  # as the model frees each finished area
    return events
