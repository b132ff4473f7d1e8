"""`sweep`: outcomes against one parameter or a grid, or a tornado of +-X% one at a time."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sim.format import human_number
from sim.io.folder import STUDY_FILES
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
    executor_for,
    fail,
    fail_with,
    interruptible,
    load,
    out,
    output_folder,
    store_for,
)
from .progress import progress_bar

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
        typer.Option(
            "--tornado", help="Vary each numeric parameter by +-X% one at a time instead."
        ),
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
) -> None:
    """Sweep parameters (sweep.csv, sweep.png) or draw a tornado (tornado.csv, tornado.png).

    Examples: python run_sim.py sweep scenarios/avon_somerset_2023.yaml
    --param staffing.offender_managers=20:40:5 ;
    python run_sim.py sweep scenarios/avon_somerset_2023.yaml --tornado --by 10
    """
    from sim.analysis.outcomes import OUTCOME_NAMES

    overrides = list(set_ or [])
    if seed is not None:
        overrides.append(f"seed={seed}")
    if replications is not None:
        overrides.append(f"replications={replications}")
    base = load(scenario, overrides)
    if tornado == bool(param):
        fail_with("give --param KEY=... (a sweep) or --tornado, one of the two")
    if vary and not tornado:
        fail_with("--vary lists the parameters of a --tornado")
    chosen = list(outcome or (["overdue_visits_end"] if tornado else PLOTTED))
    unknown = [name for name in chosen if name not in OUTCOME_NAMES]
    if unknown:
        fail_with(
            f"unknown outcome(s) {', '.join(unknown)}; use a daily column with _end or "
            "_average (states) or _total (flows), e.g. overdue_visits_end"
        )
    kind = "tornado" if tornado else "sweep"
    names = STUDY_FILES[kind]
    target = output_folder(out_dir or Path("results") / f"{base.name}-{kind}", force, names)
    with interruptible(target, names):
        _run(tornado, base, by, chosen, vary, param, target, workers, scheduler, no_cache, quiet)


def _run(tornado, base, by, chosen, vary, param, target, workers, scheduler, no_cache, quiet):
    from sim.experiments.executors import ExecutorError

    try:
        if tornado:
            _tornado(base, by / 100, chosen[0], vary, target, workers, scheduler, no_cache, quiet)
        else:
            _sweep(base, param or [], chosen, target, workers, scheduler, no_cache, quiet)
    except ScenarioError as error:
        fail(error)
    except ExecutorError as error:
        fail_with(str(error))


def _sweep(base, specs, chosen, target, workers, scheduler, no_cache, quiet) -> None:
    from sim.analysis.outcomes import OUTCOME_NAMES, describe_outcome
    from sim.studies.sweep import grid_scenarios, parse_sweep_parameter, run_sweep, write_sweep

    parameters = [parse_sweep_parameter(spec) for spec in specs]
    points = len(grid_scenarios(base, parameters))  # validates every point before running
    n = base.replications
    with (
        executor_for(workers, scheduler, points * n) as executor,
        progress_bar(f"sweep {points} points", points * n, quiet) as advance,
    ):
        result = run_sweep(
            base, parameters, n, OUTCOME_NAMES, executor, store_for(target, no_cache), advance
        )
    write_sweep(result, target, sys.argv, chosen)
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
        by_outcome = group.set_index("outcome")
        half = (by_outcome["ci95_high"] - by_outcome["ci95_low"]) / 2
        cells = [
            f"{human_number(by_outcome.loc[name, 'mean'])} ± {human_number(half[name])}"
            for name in printed
        ]
        labels = values if isinstance(values, tuple) else (values,)
        table.add_row(*(str(v) for v in labels), *cells)
    out.print(table)
    out.print(f"Results in {target}/ ({result.seconds:.1f} s; {result.executor})", highlight=False)


def _tornado(base, share, outcome, vary, target, workers, scheduler, no_cache, quiet) -> None:
    from sim.studies.tornado import numeric_parameters, run_tornado, tornado_arms, write_tornado

    keys = list(vary or numeric_parameters(base))
    arms, _ = tornado_arms(base, keys, share)  # validates the list before running anything
    n = base.replications
    total = (len(arms) + 1) * n
    with (
        executor_for(workers, scheduler, total) as executor,
        progress_bar(f"tornado {len(keys)} parameters", total, quiet) as advance,
    ):
        result = run_tornado(
            base, share, outcome, n, keys, executor, store_for(target, no_cache), advance
        )
    write_tornado(result, target, sys.argv)
    table = Table(
        title=f"{base.name}: {outcome} when each parameter moves -{share:.0%} / +{share:.0%} "
        f"(base {human_number(result.base_mean)}; {n} replications, common random numbers)"
    )
    for column in ("parameter", "lowered", "raised", "swing"):
        table.add_column(
            column, justify="left" if column == "parameter" else "right", overflow="fold"
        )
    skipped = []
    for row in result.table.itertuples():
        notes = {side: n for side, n in (("-", row.low_note), ("+", row.high_note)) if n == n}
        if len(notes) == 2:
            skipped.append(f"{row.parameter} ({'; '.join(dict.fromkeys(notes.values()))})")
            continue
        skipped += [f"{row.parameter} {side}{share:.0%} ({note})" for side, note in notes.items()]
        table.add_row(
            row.parameter,
            _at(row.low_mean, row.low_value),
            _at(row.high_mean, row.high_value),
            human_number(row.swing),
        )
    out.print(table)
    if skipped:
        out.print(f"Not varied: {', '.join(skipped)}.", highlight=False)
    out.print(f"Results in {target}/ ({result.seconds:.1f} s; {result.executor})", highlight=False)


def _at(mean: float, value) -> str:
    """'22 at 5': the outcome and, for a single number, the parameter value that gave it."""
    simple = isinstance(value, (int, float)) and value == value
    return human_number(mean) + (
        f" [dim]at {human_number(value, significant=4)}[/]" if simple else ""
    )
