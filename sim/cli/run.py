"""`run`: replications of one scenario, written to a results folder with a summary table."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from sim.format import human_number
from sim.io.folder import CALIBRATION_FILES, DERIVED_FILES, RUN_FILES

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
    fail_with,
    load,
    out,
)
from .fit_display import print_fit_table
from .session import SessionOptions, check_outcomes, overrides, study_session

if TYPE_CHECKING:  # the model and the studies load when a command runs, not for --help
    from sim.scenario import Scenario
    from sim.studies.run import RunResult

__all__ = ["run"]


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
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    precision: Annotated[
        float | None,
        typer.Option(
            min=0.0001,
            max=1.0,
            help="Add replications until the 95% CI half-width of the key outcome is within "
            "this share of its mean, e.g. 0.05 (Hoad, Robinson & Davies 2010).",
        ),
    ] = None,
    precision_outcome: Annotated[
        str, typer.Option(help="The key outcome for --precision.")
    ] = "overdue_visits_end",
    max_replications: Annotated[
        int, typer.Option(min=3, max=100_000, help="Most replications --precision may run.")
    ] = 1000,
    no_cache: NoCacheOption = False,
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
    force: ForceOption = False,
) -> None:
    """Run replications; write the results folder and report.html, print a summary.

    Writes trajectories.csv, summary.csv, backlog.png, manifest.json and report.html.

    Example: python run_sim.py run scenarios/small_example.yaml

    Example: python run_sim.py run scenarios/avon_somerset_2023.yaml --replications 20

    Example: python run_sim.py run scenarios/small_example.yaml --json --quiet
    """
    from sim.calibration.fit_table import fit_table
    from sim.studies.run import Precision, run_study
    from sim.studies.run_summary import summary_json

    loaded = load(scenario, overrides(set_, seed=seed, replications=replications))
    if precision is not None and replications is not None:
        fail_with("give --replications or --precision, not both (--max-replications caps it)")
    check_outcomes([precision_outcome], option="--precision-outcome")
    if precision is not None:
        _check_rows(loaded, max_replications)
    to_precision = (
        None if precision is None else Precision(precision, precision_outcome, max_replications)
    )
    quiet = quiet or json_output
    options = SessionOptions(
        workers=workers, scheduler=scheduler, quiet=quiet, force=force, no_cache=no_cache
    )
    names = RUN_FILES + CALIBRATION_FILES + DERIVED_FILES
    with study_session(out_dir, loaded.name, names, options) as session:
        if not quiet:
            count = loaded.replications if precision is None else f"up to {max_replications}"
            err.print(
                f"Running {count} replications of {loaded.name} into {session.target}/",
                markup=False,
                highlight=False,
            )
        tasks, total = (
            (loaded.replications, loaded.replications)
            if to_precision is None
            else (max_replications, None)
        )
        with session.engine(tasks, loaded.name, total) as engine:
            result = run_study(
                loaded,
                target=session.target,
                command=sys.argv,
                engine=engine,
                precision=to_precision,
            )
        report_path = session.report(no_report)
        if json_output:
            sys.stdout.write(summary_json(result, session.target, report_path) + "\n")
            return
        _print_summary(result)
        session.done(result.ran)
        if result.scenario.observations:
            print_fit_table(
                fit_table(result.scenario.observations, result.trajectories),
                f"{result.scenario.name}: observed figures (calibration.csv)",
            )
        session.print_report(report_path)


def _print_summary(result: RunResult) -> None:
    """The end-of-horizon table (the whole scenario) and what --precision concluded."""
    from sim.analysis.metrics import total_only

    summary = total_only(result.summary)  # a scenario with areas: the whole scenario
    end = summary[summary["period"] == "end"].set_index("metric").to_dict("index")
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
        row = end[metric]
        label = metric + (" (total)" if row["kind"] == "flow" else "")
        spread = f"{human_number(row['p5'])} - {human_number(row['p95'])}"
        table.add_row(label, human_number(row["mean"]), spread)
    used, available = end["officer_hours_used"]["mean"], end["officer_hours_available"]["mean"]
    if available > 0:
        table.add_row("officer utilisation", f"{used / available:.0%}", "")
    out.print(table)
    if result.precision is not None:
        _print_precision(result.precision)


def _check_rows(loaded: Scenario, max_replications: int) -> None:
    """--precision may run up to --max-replications: the daily-row limit holds for them all."""
    from sim.scenario.fields import MAX_DAILY_ROWS

    per_replication = loaded.horizon_days * (len(loaded.areas) + 1 if loaded.areas else 1)
    if max_replications * per_replication > MAX_DAILY_ROWS:
        fail_with(
            f"--max-replications {max_replications:,} x {per_replication:,} daily rows per "
            f"replication could reach {max_replications * per_replication:,} rows, more than "
            f"the limit of {MAX_DAILY_ROWS:,}; give --max-replications at most "
            f"{MAX_DAILY_ROWS // per_replication:,}"
        )


def _print_precision(precision: dict[str, Any]) -> None:
    target = precision["target_relative_half_width"]
    if precision["converged"]:
        out.print(
            f"Precision: {precision['replications_needed']} replications bring the 95% CI "
            f"half-width of {precision['outcome']} within {target:.1%} of its mean "
            f"({precision['relative_half_width']:.1%}); {precision['replications_kept']} kept "
            "(including the look-ahead that confirmed it).",
            highlight=False,
        )
    else:
        out.print(
            f"[bold yellow]Precision not reached:[/] after {precision['replications_kept']} "
            f"replications the half-width of {precision['outcome']} is "
            f"{precision['relative_half_width']:.1%} of its mean (target {target:.1%}). "
            "Raise --max-replications or loosen --precision.",
            highlight=False,
        )
