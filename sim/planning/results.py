"""The planner's results as a table, a figure and a manifest in a results folder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from sim.io.files import atomic_write, write_figure, write_manifest
from sim.io.folder import STUDY_FILES, begin_rewrite
from sim.planning.levers import Lever
from sim.planning.planner import Option, Planner, SearchResult
from sim.planning.targets import Goal

__all__ = ["GrowthPlan", "plan_table", "write_plan"]


@dataclass
class GrowthPlan:
    """The plan under one demand growth rate (``rate`` None: the scenario's own)."""

    label: str
    rate: float | None
    planner: Planner
    search: SearchResult | None  # one range lever
    front: list[Option] | None  # several levers: the non-dominated options


def plan_table(plans: Sequence[GrowthPlan], levers: Sequence[Lever]) -> pd.DataFrame:
    """One row per evaluated option: lever values, probability and its exact 95% interval,
    staff hours per week, lone visits, each target metric's mean on the date, and flags."""
    rows = []
    for plan in plans:
        chosen = plan.search.chosen if plan.search is not None else None
        front = plan.front or []
        for option in plan.planner.options:
            low, high = option.interval
            row = {"growth": plan.label, "growth_per_year": plan.rate}
            row.update({lever.name: lever.label(option.value(lever.name)) for lever in levers})
            row.update(
                {
                    "replications": option.replications,
                    "met": option.met,
                    "probability": option.probability,
                    "ci95_low": low,
                    "ci95_high": high,
                    "meets_confidence": plan.planner.meets(option),
                    "staff_hours_per_week": round(option.staff_hours_per_week, 1),
                    "lone_visits": round(option.lone_visits, 1),
                }
            )
            row.update({f"mean_{metric}": round(v, 2) for metric, v in option.target_means})
            row["chosen"] = option is chosen
            row["pareto"] = any(option is f for f in front)
            rows.append(row)
    table = pd.DataFrame(rows)
    for lever in levers:
        if lever.ordered and not lever.is_date:
            table[lever.name] = table[lever.name].astype(int)
    return table


def write_plan(
    table: pd.DataFrame,
    plans: Sequence[GrowthPlan],
    levers: Sequence[Lever],
    goal: Goal,
    *,
    out_dir: Path,
    command: Sequence[str],
) -> None:
    """plan.csv, plan.png and plan.json (written last: its presence marks a complete plan)."""
    from sim.planning.figures import plan_figure

    begin_rewrite(out_dir, "plan.json", STUDY_FILES["plan"])  # the old marker goes first
    atomic_write(out_dir / "plan.csv", lambda tmp: table.to_csv(tmp, index=False))
    title = f"P({goal.text} on {goal.by})"
    figure = plan_figure(table, [lever.name for lever in levers], goal.confidence, title)
    write_figure(out_dir / "plan.png", figure, dpi=120)
    first = plans[0].planner
    write_manifest(
        out_dir,
        command,
        [out_dir / "plan.csv", out_dir / "plan.png"],
        marker="plan.json",
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        targets=[str(t) for t in goal.targets],
        by=goal.by.isoformat(),
        confidence=goal.confidence,
        replications_per_option=first.replications,
        levers=[lever.text for lever in levers],
        evaluations={plan.label: plan.planner.evaluations for plan in plans},
        scenario=first.scenario.model_dump(mode="json", by_alias=True),
    )
