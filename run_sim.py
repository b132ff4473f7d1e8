"""Command line for the offender-visit simulation.

    python run_sim.py validate scenarios/avon_somerset_2023.yaml
    python run_sim.py run scenarios/avon_somerset_2023.yaml --replications 10

Each command parses its arguments, calls the ``sim`` package and prints; no model logic here.
Bad input exits with code 2 and a list of problems (file, field, given, allowed).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

try:
    import typer
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.table import Table

    from sim.config import Scenario
    from sim.scenario_file import ScenarioError, load_scenario
except ModuleNotFoundError as missing:  # a clear word instead of a traceback
    sys.exit(
        f"run_sim.py needs the package '{missing.name}', which this Python does not have.\n"
        "Install the tool first (see README.md): pip install -e ."
    )

app = typer.Typer(
    help="Simulate police visits to registered sex offenders and forecast the backlog.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

ScenarioPath = Annotated[
    Path, typer.Argument(help="Scenario YAML file, e.g. scenarios/small_example.yaml")
]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a field: dotted.path=value (YAML value), e.g. "
        "--set staffing.offender_managers=30. Repeatable.",
    ),
]


def _fail(error: ScenarioError) -> None:
    err.print(f"[bold red]The scenario has {len(error.problems)} problem(s):[/]")
    for problem in error.problems:
        field = f"[bold]{problem.field}[/]: " if problem.field else ""
        given = f"\n      given: {problem.given}" if problem.given else ""
        err.print(f"  {problem.source}: {field}{problem.allowed}{given}", highlight=False)
    raise typer.Exit(code=2)


def _load(path: Path, overrides: list[str]) -> Scenario:
    try:
        return load_scenario(path, overrides)
    except ScenarioError as error:
        _fail(error)
        raise  # unreachable: _fail exits


@app.command()
def validate(scenario: ScenarioPath, set_: SetOption = None) -> None:
    """Check a scenario file and print a one-line summary (exit 2 listing problems if invalid).

    Example: python run_sim.py validate scenarios/avon_somerset_2023.yaml
    """
    loaded = _load(scenario, set_ or [])
    staff = loaded.staffing
    out.print(
        f"OK {scenario}: '{loaded.name}', {loaded.population.initial.size} offenders, "
        f"{staff.offender_managers} offender managers, {staff.sergeants} sergeants, "
        f"{loaded.horizon_days} days from {loaded.start_date}, priority {loaded.priority}",
        highlight=False,
    )


@app.command()
def run(
    scenario: ScenarioPath,
    replications: Annotated[
        int | None, typer.Option(min=1, max=100_000, help="Replications (default: the file's).")
    ] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Seed (default: the file's).")] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Results folder (default results/<name>/).")
    ] = None,
    set_: SetOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Run replications and write trajectories.csv, summary.csv, backlog.png, manifest.json.

    Example: python run_sim.py run scenarios/avon_somerset_2023.yaml --replications 10
    --set staffing.offender_managers=30
    """
    overrides = list(set_ or [])
    if seed is not None:
        overrides.append(f"seed={seed}")
    if replications is not None:
        overrides.append(f"replications={replications}")
    loaded = _load(scenario, overrides)
    n = loaded.replications
    target = out_dir or Path("results") / loaded.name

    from sim.runner import execute, write_results  # heavy imports only when running

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("replications"),
        TimeRemainingColumn(),
        console=err,
        disable=quiet,
        transient=True,
    ) as progress:
        task = progress.add_task(loaded.name, total=n)
        result = execute(loaded, n, on_done=lambda _r: progress.advance(task))
    write_results(result, target, sys.argv)
    _print_summary(result, target)


def _print_summary(result, target: Path) -> None:
    summary = result.summary
    end = summary[summary["period"] == "end"].set_index("metric")
    table = Table(
        title=f"{result.scenario.name}: end of horizon, {result.replications} replications"
    )
    table.add_column("metric")
    table.add_column("mean", justify="right")
    table.add_column("90% of runs", justify="right")
    for metric in (
        "population",
        "overdue_visits",
        "overdue_visits_very_high",
        "overdue_visits_high",
        "overdue_visits_medium",
        "overdue_visits_low",
        "oldest_overdue_visit_days",
        "overdue_assessments",
        "undetected_escalations",
        "visit_attempts",
        "visits_completed",
        "police_actions",
    ):
        row = end.loc[metric]
        label = metric + (" (total)" if row["kind"] == "flow" else "")
        table.add_row(label, f"{row['mean']:,.0f}", f"{row['p5']:,.0f} - {row['p95']:,.0f}")
    used, available = (
        end.loc["officer_hours_used", "mean"],
        end.loc["officer_hours_available", "mean"],
    )
    if available > 0:
        table.add_row("officer utilisation", f"{used / available:.0%}", "")
    out.print(table)
    out.print(f"Results in {target}/ ({result.seconds:.1f} s)", highlight=False)


if __name__ == "__main__":
    app()
