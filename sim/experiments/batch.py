"""Run replications of one or many scenarios, anywhere, resumably: the experiments' engine.

Replication ``r`` of a scenario is ``single_run(scenario, r)``: nothing is shared between
replications, so the order they run in (or the process or machine they run on) cannot change a
result. A scenario with areas is run one area at a time (``run_area``), so even one
replication of it keeps every worker busy; its record is the same as ``single_run``'s.
Everything else builds on two calls:

- ``evaluate(scenarios, replications, executor, store)`` -> one :class:`Evaluation` per
  scenario with its daily records in replication order (for trajectories and plots);
- ``evaluate_outcomes(...)`` -> one frame per scenario of per-replication outcomes
  (``sim.analysis.outcomes``), reducing each record as it arrives, for studies of many runs.

All scenarios given together run as one batch (so every worker stays busy), with the same
replication indices, hence the same seeds when the scenarios share a seed: common random
numbers. ``executor`` is serial, local processes or Dask (``sim.experiments.executors``);
``store`` keeps each finished replication on disk so an interrupted batch resumes
(``sim.experiments.store``).
``on_done(n)`` is told each time ``n`` more pieces of work are finished (for a progress bar):
a piece is one area of a replication, or a whole replication of a scenario without areas;
:func:`work_units` counts them for a batch.

Example (what the staffing planner and the calibration do)::

    with make_executor(workers=4) as executor:
        scenarios = [base.with_changes({"staffing.offender_managers": n}) for n in (20, 30)]
        tables = evaluate_outcomes(scenarios, 20, executor)
        backlog = [t["overdue_visits_end"].mean() for t in tables]
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.outcomes import outcomes_frame, record_outcomes
from sim.experiments.executors import Executor, Interrupted, SerialExecutor, describe
from sim.experiments.parameter_sample import scenario_for_replication
from sim.experiments.store import ReplicationStore
from sim.model.replication import area_names, combine_areas, run_area
from sim.records import AreaRun, DailyRecord
from sim.scenario import Scenario

__all__ = [
    "BatchStats",
    "Engine",
    "Evaluation",
    "OnDone",
    "Ran",
    "evaluate",
    "evaluate_outcomes",
    "run_replications",
    "run_tasks",
    "work_units",
]

OnDone = Callable[[int], None]


@dataclass(frozen=True)
class Ran:
    """How a study's replications ran: when it started (UTC), how long it took, how many
    replications came from the store (resumed) and where the others ran."""

    started_at: str
    seconds: float
    from_store: int
    executor: str

    def manifest(self) -> dict[str, Any]:
        """The keys a study's manifest records about how it ran."""
        return {
            "replications_from_store": self.from_store,
            "executor": self.executor,
            "started_at": self.started_at,
            "run_seconds": round(self.seconds, 3),
        }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class BatchStats:
    """How a batch was served: from the store, or computed now; and since when."""

    from_store: int = 0
    computed: int = 0
    started_at: str = field(default_factory=_now)
    started: float = field(default_factory=time.perf_counter)

    def ran(self, executor: Executor | None) -> Ran:
        """How the batches counted here ran, timed from this object's creation."""
        seconds = time.perf_counter() - self.started
        return Ran(self.started_at, seconds, self.from_store, describe(executor))


@dataclass(frozen=True)
class Engine:
    """Where a study's replications run, where finished ones are kept, who hears of progress.

    The three things every study passes on to :func:`evaluate`, set once by the caller (the
    command line's session): the executor (None: serial, here), the replication store (None:
    nothing kept, no resuming) and ``on_done(n)`` (a progress bar).
    """

    executor: Executor | None = None
    store: ReplicationStore | None = None
    on_done: OnDone | None = None

    @property
    def description(self) -> str:
        """Where the replications ran, for manifests: ``serial``, ``4 local processes``..."""
        return describe(self.executor)

    @property
    def parallelism(self) -> int:
        """How many replications run at once (a batch this size keeps every worker busy)."""
        return self.executor.parallelism if self.executor is not None else 1


@dataclass(frozen=True)
class Evaluation:
    """The replications of one scenario, in replication order."""

    scenario: Scenario
    records: list[DailyRecord] = field(repr=False)


def pieces_per_replication(scenario: Scenario) -> int:
    """The pieces of work one replication of ``scenario`` is given to the executor as: one per
    area, or one (the whole replication) without areas."""
    return len(area_names(scenario))


def work_units(scenarios: Sequence[Scenario], replications: int) -> int:
    """The pieces of work ``replications`` replications of each scenario make (what
    ``on_done`` counts, and the most a batch can keep busy): areas x replications."""
    return replications * sum(pieces_per_replication(scenario) for scenario in scenarios)


def _area_load(scenario: Scenario, area: str | None) -> float:
    """A rough size of one area's work (offenders at the start plus those registered over the
    horizon), to hand the largest areas out first: the last pieces of a batch are then small
    ones, so no worker is left alone with a large area at the end (longest job first)."""
    if area is None:
        return 0.0
    for candidate in scenario.areas:
        if candidate.name == area:
            population = candidate.population
            initial = population.initial.size if population.initial is not None else 0
            return initial + population.registrations.per_year * scenario.horizon_days / 365
    return 0.0


def run_tasks(
    tasks: Sequence[tuple[Scenario, int]],
    executor: Executor | None = None,
    store: ReplicationStore | None = None,
    on_done: OnDone | None = None,
    stats: BatchStats | None = None,
) -> Iterator[tuple[int, DailyRecord]]:
    """Yield ``(task index, record)`` for every (scenario, replication) task, in any order.

    Stored replications come first; the others run on ``executor`` one area at a time and are
    stored the moment their last area ends, before they are yielded. ``on_done`` hears of
    each area (see :func:`work_units`).
    """
    executor = executor or SerialExecutor()
    stats = stats if stats is not None else BatchStats()
    # a scenario with a parameter sample runs replication r with its own set (and store key)
    tasks = [(scenario_for_replication(scenario, r), r) for scenario, r in tasks]
    missing: list[int] = []
    stored_pieces = 0
    for index, (scenario, replication) in enumerate(tasks):
        record = store.load(scenario, replication) if store is not None else None
        if record is None:
            missing.append(index)
            continue
        stats.from_store += 1
        stored_pieces += pieces_per_replication(scenario)
        yield index, record
    if on_done is not None and stored_pieces:
        on_done(stored_pieces)
    try:
        for index, record in _run_by_area(tasks, missing, executor, on_done):
            if store is not None:
                store.save(tasks[index][0], record)
            stats.computed += 1
            yield index, record
    except Interrupted as interrupted:  # Ctrl-C: keep what had ended before stopping
        if store is not None:
            for index, record in interrupted.finished:
                store.save(tasks[index][0], record)
        raise KeyboardInterrupt from None


def _run_by_area(
    tasks: Sequence[tuple[Scenario, int]],
    indices: list[int],
    executor: Executor,
    on_done: OnDone | None = None,
) -> Iterator[tuple[int, DailyRecord]]:
    """Run the tasks at ``indices`` one area at a time; yield each replication once complete.

    Areas are independent (own staff, own random streams), so giving the executor one area per
    piece lets even a single replication of a scenario with areas use every worker; the
    record is the same as ``single_run``'s, whatever order the areas ran in. Replications go
    in order (so they finish, and are stored, one after another), and within each the largest
    areas first (:func:`_area_load`).
    """
    pieces = [
        (index, slot, area)
        for index in indices
        for slot, area in enumerate(area_names(tasks[index][0]))
    ]
    loads = {piece: _area_load(tasks[piece[0]][0], piece[2]) for piece in pieces}
    pieces.sort(key=lambda piece: (piece[0], -loads[piece]))
    runs: dict[int, list[AreaRun | None]] = {
        index: [None] * len(area_names(tasks[index][0])) for index in indices
    }
    arguments = [(*tasks[index], area) for index, _slot, area in pieces]

    def finish(position: int, run: AreaRun) -> tuple[int, DailyRecord] | None:
        index, slot, _area = pieces[position]
        parts = runs[index]
        parts[slot] = run
        finished = [part for part in parts if part is not None]
        if len(finished) < len(parts):
            return None
        del runs[index]
        return index, combine_areas(tasks[index][1], finished)

    try:
        for position, run in executor.map_unordered(run_area, arguments):
            if on_done is not None:
                on_done(1)
            done = finish(position, run)
            if done is not None:
                yield done
    except Interrupted as interrupted:  # hand on the whole replications among what had ended
        complete = [finish(position, run) for position, run in interrupted.finished]
        raise Interrupted([done for done in complete if done is not None]) from None


def _tasks(
    scenarios: Sequence[Scenario], replications: int | Sequence[int]
) -> list[tuple[Scenario, int]]:
    indices = range(replications) if isinstance(replications, int) else list(replications)
    return [(scenario, int(r)) for scenario in scenarios for r in indices]


def evaluate(
    scenarios: Sequence[Scenario],
    replications: int | Sequence[int],
    executor: Executor | None = None,
    store: ReplicationStore | None = None,
    on_done: OnDone | None = None,
    stats: BatchStats | None = None,
) -> list[Evaluation]:
    """Run ``replications`` (a count, or the indices) of every scenario; records in order."""
    tasks = _tasks(scenarios, replications)
    records: dict[int, DailyRecord] = {}
    for index, record in run_tasks(tasks, executor, store, on_done, stats):
        records[index] = record
    per = len(tasks) // len(scenarios) if scenarios else 0
    return [
        Evaluation(
            scenario,
            sorted(
                (records[j] for j in range(i * per, (i + 1) * per)),
                key=lambda rec: rec.replication,
            ),
        )
        for i, scenario in enumerate(scenarios)
    ]


def evaluate_outcomes(
    scenarios: Sequence[Scenario],
    replications: int | Sequence[int],
    executor: Executor | None = None,
    store: ReplicationStore | None = None,
    on_done: OnDone | None = None,
    stats: BatchStats | None = None,
) -> list[pd.DataFrame]:
    """Like :func:`evaluate`, but each scenario's result is its outcomes frame (by replication).

    Each record is reduced to its outcomes as soon as it arrives and then dropped.
    """
    tasks = _tasks(scenarios, replications)
    rows: list[list[tuple[int, np.ndarray]]] = [[] for _ in scenarios]
    per = len(tasks) // len(scenarios) if scenarios else 0
    for index, record in run_tasks(tasks, executor, store, on_done, stats):
        rows[index // per].append((record.replication, record_outcomes(record)))
    return [outcomes_frame(scenario_rows) for scenario_rows in rows]


def run_replications(
    scenario: Scenario,
    replications: int,
    on_done: Callable[[int], None] | None = None,
    executor: Executor | None = None,
    store: ReplicationStore | None = None,
) -> list[DailyRecord]:
    """Replications 0..n-1 of one scenario, in order (``on_done(r)`` after each, for progress)."""
    tasks = _tasks([scenario], replications)
    records: dict[int, DailyRecord] = {}
    for index, record in run_tasks(tasks, executor, store):
        records[index] = record
        if on_done is not None:
            on_done(record.replication)
    return [records[index] for index in range(len(tasks))]
