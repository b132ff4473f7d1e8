"""A whole `plan`: the planner under each growth case, on an engine, then the folder.

A plan may be asked under several rates of demand growth (``--growth 0.01,0.03,0.05``): each
rate is a *growth case*, the scenario with ``population.registrations.growth_per_year`` set
to it, planned on its own (same targets, date, confidence and levers). Without rates there is
one case, the scenario as given. With one range lever each case is a bisection
(:meth:`Planner.search`); otherwise a Pareto front over every combination
(:meth:`Planner.pareto`). Every option runs replications 0..n-1 (common random numbers) on
the engine, and the folder is written only when every case has been planned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.analysis.metrics import trajectories
from sim.experiments.batch import Engine, evaluate
from sim.planning.levers import Lever
from sim.planning.planner import Planner
from sim.planning.results import GrowthPlan, plan_table, write_plan
from sim.planning.targets import Goal
from sim.scenario import Scenario

__all__ = [
    "GROWTH_LABELS",
    "PlanResult",
    "growth_cases",
    "plan_growth_cases",
    "plan_study",
]

GROWTH_LABELS = {1: ["given"], 2: ["low", "high"], 3: ["low", "central", "high"]}


@dataclass(frozen=True)
class PlanResult:
    """The plan under each growth case and its table (plan.csv)."""

    plans: list[GrowthPlan]
    table: pd.DataFrame


def growth_cases(rates: Sequence[float]) -> list[tuple[str, float | None]]:
    """(label, rate) of each growth case: low/central/high for three rates, and so on; one
    case ``("given", None)`` (the scenario's own growth) without rates."""
    if not rates:
        return [("given", None)]
    labels = GROWTH_LABELS.get(len(rates), [f"g{i + 1}" for i in range(len(rates))])
    return list(zip(labels, rates, strict=True))


def plan_growth_cases(
    scenario: Scenario,
    goal: Goal,
    levers: Sequence[Lever],
    rates: Sequence[float],
    engine: Engine,
) -> list[GrowthPlan]:
    """Plan under each growth case (LeverError if a lever cannot be applied)."""

    def run_option(option: Scenario, count: int) -> pd.DataFrame:
        records = evaluate([option], count, engine.executor, engine.store, engine.on_done)
        return trajectories(records[0].records, option.start_date)

    plans: list[GrowthPlan] = []
    for label, rate in growth_cases(rates):
        base = scenario
        if rate is not None:
            base = scenario.with_changes({"population.registrations.growth_per_year": rate})
        planner = Planner(
            base, goal.targets, goal.by, goal.confidence, goal.replications, evaluate=run_option
        )
        if len(levers) == 1 and levers[0].ordered:
            plans.append(GrowthPlan(label, rate, planner, planner.search(levers[0]), None))
        else:
            _options, front = planner.pareto(levers)
            plans.append(GrowthPlan(label, rate, planner, None, front))
    return plans


def plan_study(
    scenario: Scenario,
    goal: Goal,
    levers: Sequence[Lever],
    *,
    rates: Sequence[float] = (),
    target: Path,
    command: Sequence[str],
    engine: Engine,
) -> PlanResult:
    """A whole `plan`: every growth case planned, then plan.csv, plan.png and plan.json
    (last) in ``target``."""
    plans = plan_growth_cases(scenario, goal, levers, rates, engine)
    table = plan_table(plans, levers)
    write_plan(table, plans, levers, goal, out_dir=target, command=command)
    return PlanResult(plans, table)
