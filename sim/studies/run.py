"""A whole `run`: replications -> tables -> figure -> results folder.

The command line calls :func:`run_study`; tests can call its steps (``execute``,
``execute_to_precision``, ``write_results``) too. Nothing is written until every replication has
finished and every table is built, so a failed or interrupted run leaves no partial results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.inspectorate import measures_summary
from sim.analysis.managers import manager_table
from sim.analysis.metrics import total_only
from sim.analysis.metrics import trajectories as to_trajectories
from sim.analysis.summary import summarise
from sim.calibration.figures import mark_observations
from sim.calibration.writing import write_calibration
from sim.experiments.batch import BatchStats, Engine, OnDone, Ran, evaluate
from sim.experiments.executors import Executor
from sim.experiments.precision import replicate_to_precision
from sim.experiments.store import ReplicationStore
from sim.io.files import atomic_write, write_figure, write_manifest, write_table
from sim.io.folder import (
    BACKTEST_FILES,
    CALIBRATION_FILES,
    DERIVED_FILES,
    MANAGER_FILES,
    RUN_FILES,
    SAMPLE_FILES,
    begin_rewrite,
)
from sim.records import DailyRecord
from sim.scenario import Scenario
from sim.studies.backlog_figure import backlog_figure
from sim.studies.workbook import write_workbook
from sim.titles import run_title

__all__ = [
    "Precision",
    "RunResult",
    "execute",
    "execute_to_precision",
    "run_study",
    "write_results",
]


@dataclass(frozen=True)
class RunResult:
    """The replications of one scenario as tables, and how they were run."""

    scenario: Scenario
    replications: int
    trajectories: pd.DataFrame
    summary: pd.DataFrame
    ran: Ran  # when, how long, how many resumed from the store, where
    precision: dict[str, Any] | None = None  # what --precision concluded, for the manifest
    managers: pd.DataFrame | None = None  # personal caseloads: managers.csv


@dataclass(frozen=True)
class Precision:
    """Run to a precision instead of a fixed count (``run --precision``)."""

    relative_half_width: float  # the 95% CI half-width wanted, as a share of the mean
    outcome: str = "overdue_visits_end"
    max_replications: int = 1000


def run_study(
    scenario: Scenario,
    *,
    target: Path,
    command: Sequence[str],
    engine: Engine,
    precision: Precision | None = None,
) -> RunResult:
    """A whole `run`: the replications (``scenario.replications``, or to ``precision``), then
    the results folder ``target`` (:func:`write_results`). Nothing is written before every
    replication has finished."""
    executor, store, on_done = engine.executor, engine.store, engine.on_done
    if precision is None:
        result = execute(
            scenario, scenario.replications, executor=executor, store=store, on_done=on_done
        )
    else:
        result = execute_to_precision(
            scenario,
            precision,
            executor=executor,
            store=store,
            on_done=on_done,
            batch_size=engine.parallelism,
        )
    write_results(result, target, command)
    return result


def execute(
    scenario: Scenario,
    replications: int,
    *,
    executor: Executor | None = None,
    store: ReplicationStore | None = None,
    on_done: OnDone | None = None,
) -> RunResult:
    """Run the replications and build the tables (no files written)."""
    stats = BatchStats()
    records = evaluate([scenario], replications, executor, store, on_done, stats)[0].records
    return _result(scenario, records, stats, executor)


def execute_to_precision(
    scenario: Scenario,
    precision: Precision,
    *,
    executor: Executor | None = None,
    store: ReplicationStore | None = None,
    on_done: OnDone | None = None,
    batch_size: int = 1,
) -> RunResult:
    """Add replications until the outcome's CI is within the precision (Hoad et al. 2010)."""
    stats = BatchStats()
    reached = replicate_to_precision(
        scenario,
        precision.relative_half_width,
        precision.outcome,
        executor=executor,
        store=store,
        max_replications=precision.max_replications,
        batch_size=batch_size,
        on_done=on_done,
        stats=stats,
    )
    summary = {
        "outcome": reached.outcome,
        "target_relative_half_width": precision.relative_half_width,
        "replications_needed": reached.needed,
        "replications_kept": len(reached.records),
        "relative_half_width": reached.achieved,
        "converged": reached.needed is not None,
        "method": "Hoad, Robinson and Davies (2010), look-ahead kLimit=5",
    }
    return replace(_result(scenario, reached.records, stats, executor), precision=summary)


def _result(
    scenario: Scenario, records: list[DailyRecord], stats: BatchStats, executor: Executor | None
) -> RunResult:
    frame = to_trajectories(records, scenario.start_date)
    # the daily metrics, then the inspectorate's measures derived from them
    summary = pd.concat([summarise(frame), measures_summary(frame)], ignore_index=True)
    return RunResult(
        scenario=scenario.model_copy(update={"replications": len(records)}),
        replications=len(records),
        trajectories=frame,
        summary=summary,
        ran=stats.ran(executor),
        managers=manager_table(records),
    )


def write_results(result: RunResult, out_dir: Path, command: Sequence[str]) -> list[Path]:
    """Write trajectories.csv and summary.csv (each with its Parquet twin), backlog.png,
    summary.xlsx, manifest.json (last).

    A scenario with observations also gets calibration.csv and calibration.png, and one with
    personal caseloads managers.csv.
    The old manifest goes first, so until the new one is written the folder reads as
    incomplete, and the new one lists every file's SHA-256 (output_folder.py).
    """
    paths = {name: out_dir / name for name in RUN_FILES}
    begin_rewrite(
        out_dir,
        "manifest.json",
        RUN_FILES,
        derived=DERIVED_FILES + CALIBRATION_FILES + MANAGER_FILES + SAMPLE_FILES + BACKTEST_FILES,
    )
    write_table(paths["trajectories.csv"], result.trajectories)
    write_table(paths["summary.csv"], result.summary, float_format="%.4f")
    title = run_title(result.scenario, command)
    figure = backlog_figure(total_only(result.trajectories), title)
    mark_observations(figure, result.scenario.observations)
    write_figure(paths["backlog.png"], figure, dpi=120)
    write_workbook(
        paths["summary.xlsx"],
        title=title,
        start=result.scenario.start_date,
        trajectories=result.trajectories,
        summary=result.summary,
    )
    if result.scenario.observations:
        paths.update(write_calibration(result.scenario, result.trajectories, out_dir, title))
    managers = result.managers
    if managers is not None:
        paths["managers.csv"] = out_dir / "managers.csv"
        atomic_write(paths["managers.csv"], lambda tmp: managers.to_csv(tmp, index=False))
    if result.scenario.parameter_sample is not None:
        from sim.studies.fan import write_fan  # only with a parameter sample

        paths.update(write_fan(result.scenario, result.trajectories, out_dir, title))
    precision: dict[str, Any] = {"precision": result.precision} if result.precision else {}
    write_manifest(
        out_dir,
        command,
        paths.values(),
        scenario=result.scenario.model_dump(mode="json", by_alias=True),
        seed=result.scenario.seed,
        replications=result.replications,
        **result.ran.manifest(),
        **precision,
    )
    return list(paths.values())
