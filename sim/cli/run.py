"""`run`: replications of one scenario, written to a results folder with a summary table."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

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
    executor_for,
    fail_with,
    interruptible,
    load,
    out,
    output_folder,
    store_for,
)
from .progress import progress_bar


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
    overrides = list(set_ or [])
    if seed is not None:
        overrides.append(f"seed={seed}")
    if replications is not None:
        overrides.append(f"replications={replications}")
    loaded = load(scenario, overrides)
    if precision is not None and replications is not None:
        fail_with("give --replications or --precision, not both (--max-replications caps it)")
    from sim.analysis.outcomes import OUTCOME_NAMES

    if precision_outcome not in OUTCOME_NAMES:
        fail_with(
            f"--precision-outcome {precision_outcome!r} is not an outcome; use a daily column "
            "with _end or _average (states) or _total (flows), e.g. overdue_visits_end"
        )
    names = RUN_FILES + CALIBRATION_FILES + DERIVED_FILES
    target = output_folder(out_dir or Path("results") / loaded.name, force, names)
    store = store_for(target, no_cache)
    with interruptible(target, names):
        result = _simulate(
            loaded,
            target,
            store,
            workers,
            scheduler,
            precision,
            precision_outcome,
            max_replications,
            quiet or json_output,
        )
        _write_and_print(result, target, json_output, no_report)


def _simulate(
    loaded,
    target: Path,
    store,
    workers,
    scheduler,
    precision,
    precision_outcome: str,
    max_replications: int,
    quiet: bool,
):
    """The replications (resumed from the store), on the executor the options ask for."""
    from sim.experiments.executors import ExecutorError
    from sim.studies.run import execute, execute_to_precision

    n = loaded.replications
    if not quiet:
        count = n if precision is None else f"up to {max_replications}"
        err.print(f"Running {count} replications of {loaded.name} into {target}/", highlight=False)
    tasks = n if precision is None else max_replications
    try:
        with (
            executor_for(workers, scheduler, tasks) as executor,
            progress_bar(loaded.name, n if precision is None else None, quiet) as advance,
        ):
            if precision is None:
                return execute(loaded, n, advance, executor, store)
            return execute_to_precision(
                loaded,
                precision,
                precision_outcome,
                max_replications,
                advance,
                executor,
                store,
                batch_size=executor.parallelism,
            )
    except ExecutorError as error:
        fail_with(str(error))


def _write_and_print(result, target: Path, json_output: bool, no_report: bool) -> None:
    from sim.report.build import write_report_or_warn
    from sim.studies.run import write_results
    from sim.studies.run_summary import summary_json

    write_results(result, target, sys.argv)
    report_path = None if no_report else write_report_or_warn(target, err)
    if json_output:
        sys.stdout.write(summary_json(result, target, report_path) + "\n")
        return
    _print_summary(result, target)
    if result.scenario.observations:
        from sim.calibration.fit_table import fit_table

        from .fit_display import print_fit_table

        print_fit_table(
            fit_table(result.scenario.observations, result.trajectories),
            f"{result.scenario.name}: observed figures (calibration.csv)",
        )
    if report_path is not None:
        out.print(f"Report: {report_path} (open it in a web browser)", highlight=False)


def _print_summary(result, target: Path) -> None:
    from sim.analysis.metrics import total_only

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
        spread = f"{human_number(row['p5'])} - {human_number(row['p95'])}"
        table.add_row(label, human_number(row["mean"]), spread)
    used, available = (
        end.loc["officer_hours_used", "mean"],
        end.loc["officer_hours_available", "mean"],
    )
    if available > 0:
        table.add_row("officer utilisation", f"{used / available:.0%}", "")
    out.print(table)
    if result.precision is not None:
        _print_precision(result.precision)
    resumed = f", {result.from_store} from earlier runs" if result.from_store else ""
    out.print(
        f"Results in {target}/ ({result.seconds:.1f} s{resumed}; {result.executor})",
        highlight=False,
    )


def _print_precision(precision: dict) -> None:
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
