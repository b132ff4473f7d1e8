"""`run`: replications of one scenario, written to a results folder with a summary table."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from .app import QuietOption, ScenarioPath, SetOption, app, err, load, out


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
    quiet: QuietOption = False,
    json_output: Annotated[
        bool,
        typer.Option(
            "--json", help="Print the end-of-horizon summary as JSON (for scripts); no table."
        ),
    ] = False,
    no_report: Annotated[
        bool, typer.Option("--no-report", help="Skip report.html (faster for batches).")
    ] = False,
) -> None:
    """Run replications; write the results folder and report.html, print a summary.

    Writes trajectories.csv, summary.csv, backlog.png, manifest.json and report.html.

    Example: python run_sim.py run scenarios/small_example.yaml

    Example: python run_sim.py run scenarios/avon_somerset_2023.yaml --replications 20

    Example: python run_sim.py run scenarios/small_example.yaml --json --quiet
    """
    overrides = list(set_ or [])
    if seed is not None:
        overrides.append(f"seed={seed}")
    if replications is not None:
        overrides.append(f"replications={replications}")
    loaded = load(scenario, overrides)
    n = loaded.replications
    target = out_dir or Path("results") / loaded.name

    from sim.report import write_report_or_warn
    from sim.run_summary import summary_json
    from sim.runner import execute, write_results  # heavy imports only when running

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("replications"),
        TimeRemainingColumn(),
        console=err,
        disable=quiet or json_output,
        transient=True,
    ) as progress:
        task = progress.add_task(loaded.name, total=n)
        result = execute(loaded, n, on_done=lambda _r: progress.advance(task))
    write_results(result, target, sys.argv)
    report_path = None if no_report else write_report_or_warn(target, err)
    if json_output:
        sys.stdout.write(summary_json(result, target, report_path) + "\n")
        return
    _print_summary(result, target)
    if report_path is not None:
        out.print(f"Report: {report_path} (open it in a web browser)", highlight=False)


def _print_summary(result, target: Path) -> None:
    from sim.metrics import total_only

    summary = total_only(result.summary)  # a scenario with areas: the whole scenario
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
