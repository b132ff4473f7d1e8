"""`plan`: the least staff (or the latest recruitment date) that meets a target by a date."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.markup import escape
from rich.table import Table

from sim.format import counted, human_number
from sim.io.folder import STUDY_FILES
from sim.planning.levers import Lever, LeverError, expected_evaluations, parse_lever
from sim.planning.targets import Goal, TargetError, parse_targets

from .app import (
    ForceOption,
    NoCacheOption,
    QuietOption,
    ScenarioPath,
    SchedulerOption,
    SetOption,
    WorkersOption,
    app,
    err,
    load,
    out,
)
from .notes import warn_if_few
from .parameters import ParametersOption, check_parameters, parameters_override
from .session import SessionOptions, study_session, work

if TYPE_CHECKING:  # the planner loads the model: only when a command runs it
    from sim.planning.results import GrowthPlan
    from sim.scenario import Scenario

__all__ = ["plan"]


def cannot_plan(message: str) -> NoReturn:
    """Print why the plan cannot be made and exit with code 2."""
    err.print(f"[bold red]Cannot plan:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code=2)


def _against_today(scenario: Scenario, lever: Lever, needed: Any) -> str:
    """``  the scenario has 4: 2 more`` (or fewer, or the same) for a numeric lever."""
    current = _current_value(scenario, lever)
    if not isinstance(current, (int, float)) or not isinstance(needed, (int, float)):
        return f"  the scenario has {lever.label(current)}" if current is not None else ""
    gap = needed - current
    if gap == 0:
        return f"  the scenario has {lever.label(current)}: no change needed"
    more = "more" if gap > 0 else "fewer"
    return f"  the scenario has {lever.label(current)}: {lever.label(abs(gap))} {more} needed"


def _growth_rates(text: str | None) -> list[float]:
    """``--growth 0.01,0.03,0.05`` as rates (none without the option)."""
    if text is None:
        return []
    try:
        rates = [float(part) for part in text.split(",")]
    except ValueError:
        cannot_plan(f"--growth {text}: give growth rates a year, e.g. 0.01,0.03,0.05")
    if not 1 <= len(rates) <= 5 or any(not -1 < r <= 10 for r in rates):
        cannot_plan(f"--growth {text}: one to five rates between -1 and 10, e.g. 0.01,0.03,0.05")
    return rates


@app.command()
def plan(
    scenario: ScenarioPath,
    target: Annotated[
        list[str],
        typer.Option(help="METRIC<=NUMBER on the --by date, e.g. overdue_visits<=50. Repeatable."),
    ],
    by: Annotated[str, typer.Option(help="Date the target must hold on (YYYY-MM-DD).")],
    lever: Annotated[
        list[str],
        typer.Option(
            help="PATH=LOW:HIGH[:STEP], PATH=A,B or PATH=DATE:DATE[:STEP_DAYS]. Repeatable."
        ),
    ],
    confidence: Annotated[
        float, typer.Option(min=0.01, max=1.0, help="Required share of replications meeting it.")
    ] = 0.9,
    replications: Annotated[
        int | None, typer.Option(min=2, max=10_000, help="Replications per option.")
    ] = None,
    growth: Annotated[
        str | None,
        typer.Option(
            help="Registration growth rates a year to plan under, e.g. 0.01,0.03,0.05 "
            "(low, central, high demand)."
        ),
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Results folder (default results/<name>-plan/).")
    ] = None,
    set_: SetOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    parameters: ParametersOption = None,
    no_cache: NoCacheOption = False,
    quiet: QuietOption = False,
    force: ForceOption = False,
) -> None:
    """Find the least staffing that meets a target by a date with the given confidence.

    Example: python run_sim.py plan scenarios/avon_somerset_2024.yaml
    --target "overdue_visits<=50" --by 2025-01-15 --confidence 0.9
    --lever staffing.offender_managers=20:60

    With one range lever it bisects under common random numbers; with several it bisects the
    first range for each combination of the others and reports the Pareto front of staff hours
    per week against the probability of meeting the target (and lone visits).
    """
    from sim.planning.study import plan_study

    loaded = load(scenario, [*(set_ or []), *parameters_override(parameters)])
    try:
        targets = parse_targets(target)
        levers: list[Lever] = [parse_lever(text) for text in lever]
        by_date = date.fromisoformat(by)
    except (TargetError, LeverError) as error:
        cannot_plan(str(error))
    except ValueError:
        cannot_plan(f"--by {by}: not a date (YYYY-MM-DD)")
    if by_date <= loaded.start_date:
        cannot_plan(f"--by {by_date} must be after the scenario starts ({loaded.start_date})")
    check_parameters([loaded], [lv.name for lv in levers], what="a --lever")
    if len({lv.name for lv in levers}) != len(levers):
        cannot_plan("a lever is given twice")
    rates = _growth_rates(growth)
    if rates and loaded.population.registrations.schedule:
        cannot_plan(
            "--growth sets population.registrations.growth_per_year, but this scenario gives a "
            "dated schedule of registration rates instead; drop --growth or the schedule"
        )
    goal = Goal(targets, by_date, confidence, replications or loaded.replications)
    options = SessionOptions(
        workers=workers, scheduler=scheduler, quiet=quiet, force=force, no_cache=no_cache
    )
    names = STUDY_FILES["plan"]
    with study_session(
        out_dir, f"{loaded.name}-plan", names, options, marker="plan.json", error_exit=cannot_plan
    ) as session:
        tasks, unit = work([loaded], goal.replications)
        runs = goal.replications * expected_evaluations(levers, rates)
        with session.engine(tasks, "planning", None, unit, scenario=loaded, runs=runs) as engine:
            try:
                result = plan_study(
                    loaded,
                    goal,
                    levers,
                    rates=rates,
                    target=session.target,
                    command=sys.argv,
                    engine=engine,
                )
            except LeverError as error:
                cannot_plan(str(error))
        _print_plan(result.plans, levers, goal, loaded)
        out.print(
            f"Results in {session.target}/ (plan.csv, plan.png, plan.json)",
            markup=False,
            highlight=False,
        )
        warn_if_few(goal.replications)


def _current_value(scenario: Scenario, lever: Lever) -> Any:
    """The lever's field as the scenario has it (None if the path holds nothing)."""
    value: Any = scenario.model_dump(mode="json", by_alias=True)
    for part in lever.path:
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return None
    return value


def _print_plan(
    plans: Sequence[GrowthPlan], levers: Sequence[Lever], goal: Goal, scenario: Scenario
) -> None:
    """The goal and the days simulated, then per growth case the value found (one range
    lever: with the scenario's own value and the gap) or the Pareto front."""
    days = (goal.by - scenario.start_date).days + 1
    out.print(
        f"Target: {goal.text} on {goal.by} in at least {goal.confidence:.0%} of "
        f"{goal.replications} replications (same seeds for every option). Each option is "
        f"simulated from {scenario.start_date} to {goal.by} ({counted(days, 'day')}; the "
        f"scenario's own horizon is {counted(scenario.horizon_days, 'day')}).",
        highlight=False,
    )
    for growth_plan in plans:
        prefix = (
            ""
            if growth_plan.rate is None
            else (f"[bold]{growth_plan.label} growth ({growth_plan.rate:.1%} a year):[/] ")
        )
        planner = growth_plan.planner
        if growth_plan.search is not None:
            found = growth_plan.search
            lever = found.lever
            size = len(lever.values)
            if found.chosen is None:
                best = max(found.evaluated, key=lambda o: o.probability)
                out.print(
                    f"{prefix}no value of {lever.name} in the range meets the target; the best "
                    f"evaluated, {lever.label(best.value(lever.name))}, meets it in "
                    f"{best.probability:.0%} of replications.",
                    highlight=False,
                )
            else:
                chosen = found.chosen
                low, high = chosen.interval
                line = (
                    f"{prefix}{lever.name} = [bold]{lever.label(chosen.value(lever.name))}[/]: "
                    f"meets the target in {chosen.probability:.0%} of replications "
                    f"(95% CI {low:.0%}-{high:.0%})"
                )
                if found.neighbour is not None:
                    other = found.neighbour
                    low, high = other.interval
                    line += (
                        f"; at {lever.label(other.value(lever.name))}: {other.probability:.0%} "
                        f"(95% CI {low:.0%}-{high:.0%})"
                    )
                else:
                    line += "; it is the cheapest end of the range"
                out.print(line + ".", highlight=False)
                out.print(
                    _against_today(scenario, lever, chosen.value(lever.name)), highlight=False
                )
            out.print(
                f"  evaluated {planner.evaluations} of {size} values"
                + ("" if found.monotone else "; WARNING: probabilities were not monotone"),
                highlight=False,
            )
        else:
            rich_table = Table(title=f"{prefix}options no other option beats (Pareto front)")
            for lever in levers:
                rich_table.add_column(lever.path[-1])
            for column in ("staff hours/week", "P(meet)", "95% CI", "lone visits"):
                rich_table.add_column(column, justify="right")
            front = sorted(growth_plan.front or [], key=lambda o: o.staff_hours_per_week)
            for option in front:
                low, high = option.interval
                rich_table.add_row(
                    *(lever.label(option.value(lever.name)) for lever in levers),
                    human_number(option.staff_hours_per_week),
                    f"{option.probability:.0%}",
                    f"{low:.0%}-{high:.0%}",
                    human_number(option.lone_visits),
                )
            out.print(rich_table)
            out.print(f"  evaluated {planner.evaluations} options", highlight=False)
