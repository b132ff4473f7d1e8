"""A whole `run`: replications -> tables -> figure -> results folder.

The command line calls this; tests can too. Nothing is written until every replication has
finished and every table is built, so a failed or interrupted run leaves no partial results.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from sim.analysis.metrics import total_only
from sim.analysis.metrics import trajectories as to_trajectories
from sim.analysis.summary import summarise
from sim.calibration.figures import mark_observations
from sim.calibration.writing import write_calibration
from sim.experiments.batch import BatchStats, evaluate
from sim.experiments.executors import Executor
from sim.experiments.precision import replicate_to_precision
from sim.experiments.store import ReplicationStore
from sim.io.files import REPO_DIR, atomic_write, git_commit, package_versions, write_json
from sim.io.folder import (
    CALIBRATION_FILES,
    DERIVED_FILES,
    RUN_FILES,
    TOOL,
    begin_rewrite,
    file_sha256,
)
from sim.scenario import Scenario
from sim.studies.backlog_figure import backlog_figure

__all__ = ["RunResult", "execute", "execute_to_precision", "write_results"]



@dataclass(frozen=True)
class RunResult:
    scenario: Scenario
    replications: int
    trajectories: pd.DataFrame
    summary: pd.DataFrame
    seconds: float
    started_at: str
    from_store: int = 0  # replications found in the store (resumed), not recomputed
    executor: str = "serial"
    precision: dict | None = None  # what --precision concluded, for the manifest


def execute(
    scenario: Scenario,
    replications: int,
    on_done: Callable[[int], None] | None = None,
    executor: Executor | None = None,
    store: ReplicationStore | None = None,
) -> RunResult:
    """Run the replications and build the tables (no files written)."""
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    clock = time.perf_counter()
    stats = BatchStats()
    records = evaluate([scenario], replications, executor, store, on_done, stats)[0].records
    return _result(scenario, records, started_at, clock, stats.from_store, executor)


def execute_to_precision(
    scenario: Scenario,
    precision: float,
    outcome: str,
    max_replications: int,
    on_done: Callable[[int], None] | None = None,
    executor: Executor | None = None,
    store: ReplicationStore | None = None,
    batch_size: int = 1,
) -> RunResult:
    """Add replications until the outcome's CI is within ``precision`` (Hoad et al. 2010)."""
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    clock = time.perf_counter()
    stats = BatchStats()
    reached = replicate_to_precision(
        scenario,
        precision,
        outcome,
        executor,
        store,
        max_replications,
        batch_size,
        on_done=on_done,
        stats=stats,
    )
    summary = {
        "outcome": reached.outcome,
        "target_relative_half_width": precision,
        "replications_needed": reached.needed,
        "replications_kept": len(reached.records),
        "relative_half_width": reached.achieved,
        "converged": reached.needed is not None,
        "method": "Hoad, Robinson and Davies (2010), look-ahead kLimit=5",
    }
    result = _result(scenario, reached.records, started_at, clock, stats.from_store, executor)
    return RunResult(**{**result.__dict__, "precision": summary})


def _result(scenario, records, started_at, clock, from_store, executor) -> RunResult:
    frame = to_trajectories(records, scenario.start_date)
    return RunResult(
        scenario=scenario.model_copy(update={"replications": len(records)}),
        replications=len(records),
        trajectories=frame,
        summary=summarise(frame),
        seconds=time.perf_counter() - clock,
        started_at=started_at,
        from_store=from_store,
        executor=executor.description if executor is not None else "serial",
    )


def write_results(result: RunResult, out_dir: Path, command: list[str]) -> list[Path]:
    """Write trajectories.csv, summary.csv, backlog.png and manifest.json (last) to out_dir.

    A scenario with observations also gets calibration.csv and calibration.png.
    The old manifest goes first, so until the new one is written the folder reads as
    incomplete, and the new one lists every file's SHA-256 (output_folder.py).
    """
    paths = {name: out_dir / name for name in RUN_FILES}
    begin_rewrite(out_dir, "manifest.json", RUN_FILES, derived=DERIVED_FILES + CALIBRATION_FILES)
    atomic_write(
        paths["trajectories.csv"], lambda tmp: result.trajectories.to_csv(tmp, index=False)
    )
    atomic_write(
        paths["summary.csv"],
        lambda tmp: result.summary.to_csv(tmp, index=False, float_format="%.4f"),
    )
    figure = backlog_figure(
        total_only(result.trajectories), result.scenario.description or result.scenario.name
    )
    mark_observations(figure, result.scenario.observations)
    try:
        atomic_write(paths["backlog.png"], lambda tmp: figure.savefig(tmp, dpi=120, format="png"))
    finally:
        import matplotlib.pyplot as plt

        plt.close(figure)
    if result.scenario.observations:
        paths.update(write_calibration(result.scenario, result.trajectories, out_dir))
    write_json(
        paths["manifest.json"],
        {
            "tool": TOOL,
            "scenario": result.scenario.model_dump(mode="json", by_alias=True),
            "seed": result.scenario.seed,
            "replications": result.replications,
            "command": command,
            "started_at": result.started_at,
            "run_seconds": round(result.seconds, 3),
            "executor": result.executor,
            "replications_from_store": result.from_store,
            **({"precision": result.precision} if result.precision else {}),
            "versions": package_versions(),
            "git_commit": git_commit(REPO_DIR),
            "files": sorted(p.name for p in paths.values()),
            "file_sha256": {
                name: file_sha256(path) for name, path in paths.items() if name != "manifest.json"
            },
        },
    )
    return list(paths.values())
