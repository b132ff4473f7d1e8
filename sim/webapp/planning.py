"""The planner's question from the app: the fewest offender managers that meet a target by a date.

It goes through :func:`sim.planning.study.plan_study`, the library call of ``plan``, with the
engine of :mod:`sim.webapp.runs`; the target and the lever are read by the planner's own
parsers (``overdue_visits<=50``, ``staffing.offender_managers=LOW:HIGH``), so the app asks
exactly what ``plan --target ... --lever ...`` asks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from sim.experiments.batch import work_units
from sim.io.folder import STUDY_FILES
from sim.planning.levers import LeverError, expected_evaluations, parse_lever
from sim.planning.targets import Goal, TargetError, parse_targets
from sim.scenario import Scenario
from sim.webapp.runs import AppRunError, EngineOptions, Finished, engine_for, prepare

__all__ = ["MANAGERS", "plan_command", "plan_in_app", "plan_sentence"]

MANAGERS = "staffing.offender_managers"


def plan_command(
    scenario: Path,
    overrides: Sequence[str],
    target: str,
    by: date,
    confidence: float,
    managers: tuple[int, int],
    out: Path,
) -> list[str]:
    """The ``plan`` command line that asks the same question (recorded in plan.json)."""
    command = ["run_sim.py", "plan", str(scenario)]
    for item in overrides:
        command += ["--set", item]
    return [
        *command,
        "--target", target,
        "--by", by.isoformat(),
        "--confidence", str(confidence),
        "--lever", f"{MANAGERS}={managers[0]}:{managers[1]}",
        "--out", str(out),
    ]  # fmt: skip


def plan_in_app(
    scenario: Scenario,
    *,
    target: str,
    by: date,
    confidence: float,
    managers: tuple[int, int],
    out: Path,
    command: Sequence[str],
    on_done: Callable[[int], None],
    options: EngineOptions | None = None,
) -> Finished:
    """``plan``: bisect the managers' range under common random numbers; write the folder."""
    from sim.planning.study import plan_study

    try:
        targets = parse_targets([target])
        lever = parse_lever(f"{MANAGERS}={managers[0]}:{managers[1]}")
    except (TargetError, LeverError) as error:
        raise AppRunError(str(error)) from None
    if by <= scenario.start_date:
        raise AppRunError(f"--by {by} must be after the scenario starts ({scenario.start_date})")
    goal = Goal(targets, by, confidence, scenario.replications)
    folder = prepare(out, STUDY_FILES["plan"], force=False)
    tasks = work_units([scenario], scenario.replications)
    runs = scenario.replications * expected_evaluations([lever], [])
    with engine_for(
        options or EngineOptions(), folder, tasks, on_done, scenario, runs
    ) as engine:
        try:
            result = plan_study(
                scenario, goal, [lever], target=folder, command=command, engine=engine
            )
        except LeverError as error:
            raise AppRunError(str(error)) from None
    return Finished(folder, None, result)


def plan_sentence(finished: Finished) -> str:
    """What the planner found, in the words ``plan`` prints for one range lever."""
    search = finished.result.plans[0].search
    lever = search.lever
    if search.chosen is None:
        best = max(search.evaluated, key=lambda option: option.probability)
        return (
            f"No number of offender managers in the range meets the target; the best "
            f"evaluated, {lever.label(best.value(lever.name))}, meets it in "
            f"{best.probability:.0%} of replications."
        )
    chosen = search.chosen
    low, high = chosen.interval
    text = (
        f"{lever.name} = {lever.label(chosen.value(lever.name))}: meets the target in "
        f"{chosen.probability:.0%} of replications (95% CI {low:.0%}-{high:.0%})"
    )
    if search.neighbour is not None:
        other = search.neighbour
        low, high = other.interval
        text += (
            f"; at {lever.label(other.value(lever.name))}: {other.probability:.0%} "
            f"(95% CI {low:.0%}-{high:.0%})"
        )
    else:
        text += "; it is the cheapest end of the range"
    return text + "."
