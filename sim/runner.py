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

from .analysis import summarise
from .config import Scenario
from .experiment import run_replications
from .io import atomic_write, git_commit, package_versions, write_json
from .metrics import total_only
from .metrics import trajectories as to_trajectories
from .plots import backlog_figure

__all__ = ["RunResult", "execute", "write_results"]

REPO_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class RunResult:
    scenario: Scenario
    replications: int
    trajectories: pd.DataFrame
    summary: pd.DataFrame
    seconds: float
    started_at: str


def execute(
    scenario: Scenario, replications: int, on_done: Callable[[int], None] | None = None
) -> RunResult:
    """Run the replications and build the tables (no files written)."""
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    clock = time.perf_counter()
    records = run_replications(scenario, replications, on_done)
    frame = to_trajectories(records, scenario.start_date)
    return RunResult(
        scenario=scenario,
        replications=replications,
        trajectories=frame,
        summary=summarise(frame),
        seconds=time.perf_counter() - clock,
        started_at=started_at,
    )


def write_results(result: RunResult, out_dir: Path, command: list[str]) -> list[Path]:
    """Write trajectories.csv, summary.csv, backlog.png and manifest.json (last) to out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        name: out_dir / name
        for name in ("trajectories.csv", "summary.csv", "backlog.png", "manifest.json")
    }
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
    try:
        atomic_write(paths["backlog.png"], lambda tmp: figure.savefig(tmp, dpi=120, format="png"))
    finally:
        import matplotlib.pyplot as plt

        plt.close(figure)
    write_json(
        paths["manifest.json"],
        {
            "tool": "offender-visit-sim",
            "scenario": result.scenario.model_dump(mode="json", by_alias=True),
            "seed": result.scenario.seed,
            "replications": result.replications,
            "command": command,
            "started_at": result.started_at,
            "run_seconds": round(result.seconds, 3),
            "versions": package_versions(),
            "git_commit": git_commit(REPO_DIR),
            "files": sorted(p.name for p in paths.values()),
        },
    )
    return list(paths.values())
