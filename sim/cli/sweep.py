"""`sweep`: outcomes against one parameter or a grid, or a tornado of +-X% one at a time."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sim.format import human_number
from sim.io.folder import STUDY_FILES
from sim.scenario import Scenario
from sim.scenario.file import ScenarioError

from .app import (
    ForceOption,
    NoCacheOption,
    QuietOption,
    ScenarioPath,
    SchedulerOption,
    SetOption,
    WorkersOption,
    app,
    fail,
    fail_with,
    flag,
    load,
    out,
)
from .notes import warn_if_few
from .session import Session, SessionOptions, check_outcomes, overrides, study_session, work
from .shard import ShardOption, parse_shard, run_shard_session

__all__ = ["sweep"]

PRINTED_AT_MOST = 3
PLOTTED = (
    "overdue_visits_end",
    "overdue_visits_average",
    "overdue_assessments_end",
    "oldest_overdue_visit_days_end",
    "lone_visit_attempts_total",
    "officer_hours_used_total",
)


@app.command()
def sweep(
    scenario: ScenarioPath,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            help="KEY=START:STOP:STEP (STOP included) or KEY=A,B,C. Repeat for a grid.",
        ),
    ] = None,
    tornado: Annotated[
        bool,
        flag("--tornado", help="Vary each numeric parameter by +-X% one at a time instead."),
    ] = False,
    by: Annotated[
        float, typer.Option("--by", min=0.1, max=90, help="X for --tornado, in percent.")
    ] = 10.0,
    vary: Annotated[
        list[str] | None,
        typer.Option("--vary", help="With --tornado: only these parameters. Repeatable."),
    ] = None,
    outcome: Annotated[
        list[str] | None,
        typer.Option(
            "--outcome",
            help="Outcome(s) to plot and print (tornado: the first), e.g. overdue_visits_end.",
        ),
    ] = None,
    replications: Annotated[
        int | None, typer.Option(min=1, max=100_000, help="Replications per point.")
    ] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Seed shared by all points.")] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Results folder (default results/<name>-sweep/ or -tornado/)."),
    ] = None,
    set_: SetOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    no_cache: NoCacheOption = False,
    quiet: QuietOption = False,
    force: ForceOption = False,
    shard: ShardOption = None,
) -> None:
    """Sweep parameters (sweep.csv, sweep.png) or draw a tornado (tornado.csv, tornado.png).

    Example: python run_sim.py sweep scenarios/avon_somerset_2023.yaml
    --param staffing.offender_managers=20:40:5

    Example: python run_sim.py sweep scenarios/avon_somerset_2023.yaml --tornado --by 10
    """
    base = load(scenario, overrides(set_, seed=seed, replications=replications))
    if tornado == bool(param):
        fail_with("give --param KEY=... (a sweep) or --tornado, one of the two")
    if vary and not tornado:
        fail_with("--vary lists the parameters of a --tornado")
    chosen = list(outcome or (["overdue_visits_end"] if tornado else PLOTTED))
    check_outcomes(chosen)
    kind = "tornado" if tornado else "sweep"
    options = SessionOptions(
        workers=workers, scheduler=scheduler, quiet=quiet, force=force, no_cache=no_cache
    )
    if shard is not None:  # every point's share of the replications, into the store
        run_shard_session(
            parse_shard(shard, no_cache=no_cache),
            _points(base, tornado, param or [], by / 100, vary),
            base.replications,
            out_dir=out_dir,
            default_name=f"{base.name}-{kind}",
            names=STUDY_FILES[kind],
            options=options,
            label=f"{kind} of {base.name}",
        )
        return
    with study_session(out_dir, f"{base.name}-{kind}", STUDY_FILES[kind], options) as session:
        if tornado:
            _tornado(session, base, by / 100, chosen[0], vary)
        else:
            _sweep(session, base, param or [], chosen)


def _points(
    base: Scenario, tornado: bool, specs: list[str], share: float, vary: list[str] | None
) -> list[Scenario]:
    """The scenarios a sweep's grid (or a tornado's base and arms) runs, all validated."""
    from sim.studies.sweep import grid_scenarios, parse_sweep_parameter
    from sim.studies.tornado import numeric_parameters, tornado_arms

    try:
        if tornado:
            arms, _ = tornado_arms(base, list(vary or numeric_parameters(base)), share)
            return [base, *(scenario for *_, scenario in arms)]
        parameters = [parse_sweep_parameter(spec) for spec in specs]
        return [scenario for _, scenario in grid_scenarios(base, parameters)]
    except ScenarioError as error:
        fail(error)


def _sweep(session: Session, base: Scenario, specs: list[str], chosen: list[str]) -> None:
    """Run the sweep (every point validated first), write its folder, print its table."""
    from sim.analysis.outcomes import describe_outcome
    from sim.studies.sweep import grid_scenarios, parse_sweep_parameter, sweep_study

    try:
        parameters = [parse_sweep_parameter(spec) for spec in specs]
        points = len(grid_scenarios(base, parameters))  # validates every point before running
    except ScenarioError as error:
        fail(error)
    n = base.replications
    tasks, unit = work([base] * points, n)
    label = f"sweep {points} points"
    with session.engine(tasks, label, tasks, unit, scenario=base, runs=points * n) as engine:
        result = sweep_study(
            base,
            parameters,
            plotted=chosen,
            target=session.target,
            command=sys.argv,
            engine=engine,
        )
    keys = [p.key for p in parameters]
    printed = chosen[:PRINTED_AT_MOST]
    table = Table(
        title=f"{base.name}: sweep, {n} replications per point",
        caption="Mean ± 95% CI half-width. All outcomes are in sweep.csv.",
    )
    for key in keys:
        table.add_column(key, overflow="fold")
    for name in printed:
        table.add_column(describe_outcome(name), justify="right")
    shown = result.table[result.table["outcome"].isin(printed)]
    for values, group in shown.groupby(keys, sort=False):
        by_outcome = group.set_index("outcome").to_dict("index")
        cells = [
            f"{human_number(by_outcome[name]['mean'])} ± "
            f"{human_number((by_outcome[name]['ci95_high'] - by_outcome[name]['ci95_low']) / 2)}"
            for name in printed
        ]
        labels = values if isinstance(values, tuple) else (values,)
        table.add_row(*(str(v) for v in labels), *cells)
    out.print(table)
    session.done(result.ran, resumed=False)
    warn_if_few(result.replications)


def _tornado(
    session: Session, base: Scenario, share: float, outcome: str, vary: list[str] | None
) -> None:
    """Run the tornado (the parameters checked first), write its folder, print its table."""
    from sim.studies.tornado import numeric_parameters, tornado_arms, tornado_study

    keys = list(vary or numeric_parameters(base))
    try:
        arms, _ = tornado_arms(base, keys, share)  # validates the list before running anything
    except ScenarioError as error:
        fail(error)
    n = base.replications
    total, unit = work([base] * (len(arms) + 1), n)
    label = f"tornado {len(keys)} parameters"
    runs = (len(arms) + 1) * n
    with session.engine(total, label, total, unit, scenario=base, runs=runs) as engine:
        result = tornado_study(
            base,
            keys,
            share=share,
            outcome=outcome,
            target=session.target,
            command=sys.argv,
            engine=engine,
        )
    table = Table(
        title=f"{base.name}: {outcome} when each parameter moves -{share:.0%} / +{share:.0%} "
        f"(base {human_number(result.base_mean)}; {n} replications, common random numbers)"
    )
    for column in ("parameter", "lowered", "raised", "swing"):
        table.add_column(
            column, justify="left" if column == "parameter" else "right", overflow="fold"
        )
    skipped: list[str] = []
    for row in result.table.to_dict("records"):
        parameter = str(row["parameter"])
        sides = (("-", row["low_note"]), ("+", row["high_note"]))
        notes = {side: str(note) for side, note in sides if note == note}  # NaN: no note
        if len(notes) == 2:
            skipped.append(f"{parameter} ({'; '.join(dict.fromkeys(notes.values()))})")
            continue
        skipped += [f"{parameter} {side}{share:.0%} ({note})" for side, note in notes.items()]
        table.add_row(
            parameter,
            _at(row["low_mean"], row["low_value"]),
            _at(row["high_mean"], row["high_value"]),
            human_number(row["swing"]),
        )
    out.print(table)
    if skipped:
        out.print(f"Not varied: {', '.join(skipped)}.", highlight=False)
    session.done(result.ran, resumed=False)
    warn_if_few(result.replications)


def _at(mean: float, value: object) -> str:
    """'22 at 5': the outcome and, for a single number, the parameter value that gave it."""
    if isinstance(value, int | float) and value == value:  # a single number, not NaN
        return f"{human_number(mean)} [dim]at {human_number(value, significant=4)}[/]"
    return human_number(mean)
