"""`run`: replications of one scenario, written to a results folder with a summary table."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from sim.format import human_number, human_share
from sim.io.folder import (
    BACKTEST_FILES,
    CALIBRATION_FILES,
    DERIVED_FILES,
    MANAGER_FILES,
    RUN_FILES,
    SAMPLE_FILES,
)

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
    flag,
    load,
    out,
)
from .notes import MonthsOption, months_override, warn_if_few
from .parameters import ParametersOption, check_parameters, parameters_override
from .session import SessionOptions, check_outcomes, overrides, study_session, work
from .shard import ShardOption, parse_shard, run_shard_session

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
    months: MonthsOption = None,
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
    parameters: ParametersOption = None,
    no_cache: NoCacheOption = False,
    quiet: QuietOption = False,
    json_output: Annotated[
        bool,
        flag("--json", help="Print the end-of-horizon summary as JSON (for scripts); no table."),
    ] = False,
    no_report: Annotated[
        bool, flag("--no-report", help="Skip report.html (faster for batches).")
    ] = False,
    force: ForceOption = False,
    shard: ShardOption = None,
) -> None:
    """Run replications; write the results folder and report.html, print a summary.

    Writes trajectories.csv and summary.csv (and their .parquet twins), summary.xlsx,
    backlog.png, manifest.json and report.html.

    Example: python run_sim.py run scenarios/small_example.yaml

    Example: python run_sim.py run scenarios/avon_somerset_2023.yaml --replications 20

    Example: python run_sim.py run scenarios/small_example.yaml --json --quiet

    Example: python run_sim.py run scenarios/avon_somerset_2023.yaml --months 12

    Example: python run_sim.py run scenarios/england_wales_2024.yaml --shard 0/4 --out results/ew
    """
    from sim.calibration.fit_table import fit_table
    from sim.studies.run import Precision, run_study
    from sim.studies.run_summary import summary_json

    set_ = [*(set_ or []), *parameters_override(parameters)]
    loaded = load(scenario, overrides(set_, seed=seed, replications=replications))
    if months is not None:
        given = [*(set_ or []), months_override(loaded.start_date, months, set_)]
        loaded = load(scenario, overrides(given, seed=seed, replications=replications))
    check_parameters([loaded])
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
    names = (
        RUN_FILES
        + CALIBRATION_FILES
        + MANAGER_FILES
        + SAMPLE_FILES
        + BACKTEST_FILES
        + DERIVED_FILES
    )
    if shard is not None:
        if precision is not None:
            fail_with(
                "--shard runs a fixed number of replications: give --replications, not --precision"
            )
        run_shard_session(
            parse_shard(shard, no_cache=no_cache, json_output=json_output),
            [loaded],
            loaded.replications,
            out_dir=out_dir,
            default_name=loaded.name,
            names=names,
            options=options,
            label=loaded.name,
        )
        return
    with study_session(out_dir, loaded.name, names, options) as session:
        if not quiet:
            count = loaded.replications if precision is None else f"up to {max_replications}"
            err.print(
                f"Running {count} replications of {loaded.name} into {session.target}/",
                markup=False,
                highlight=False,
            )
        count = loaded.replications if to_precision is None else max_replications
        tasks, unit = work([loaded], count)
        total = tasks if to_precision is None else None
        with session.engine(
            tasks, loaded.name, total, unit, scenario=loaded, runs=count
        ) as engine:
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
        warn_if_few(result.replications)
        if result.scenario.observations:
            fits = fit_table(result.scenario.observations, result.trajectories)
            changed = [
                item
                for item in set_ or []
                if not item.startswith(("horizon_days", "parameter_sample"))
            ]
            _print_fit_summary(fits, changed=bool(changed), sampled=parameters is not None)
        session.print_report(report_path)


def _print_fit_summary(fits: Any, *, changed: bool, sampled: bool = False) -> None:
    """One line on the reported figures (the table is in calibration.csv and the report):
    the 40-line table used to push the summary off an 80x24 terminal (audit D11)."""
    reproduced, total = int(fits["within"].sum()), len(fits)
    line = (
        f"Observed figures: {reproduced} of {total} reproduced within tolerance "
        "(each in calibration.csv and in report.html, 'Observed and simulated')."
    )
    if changed and reproduced < total:
        line += (
            " This run changes the scenario with --set, so it is not the force as it was "
            "observed: misses are expected."
        )
    elif sampled and reproduced < total:
        line += (
            " Each replication runs a parameter set from --parameters: a figure the sample was"
            " not fitted to can be missed."
        )
    out.print(line, highlight=False)


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
        "overdue_visits_high_risk",
        "oldest_overdue_visit_days",
        "visits_on_time_share",
        "overdue_assessments",
        "overdue_assessments_high_risk",
        "assessments_on_time_share",
        "undetected_escalations",
        "visit_attempts",
        "visits_completed",
        "police_actions",
    ):
        if metric not in end:  # a share with nothing due in the whole run
            continue
        row = end[metric]
        label = metric + {"flow": " (total)", "share": " (whole run)"}.get(row["kind"], "")
        form = human_share if row["kind"] == "share" else human_number
        spread = f"{form(row['p5'])} - {form(row['p95'])}"
        table.add_row(label, form(row["mean"]), spread)
    used, available = end["officer_hours_used"]["mean"], end["officer_hours_available"]["mean"]
    if available > 0:
        table.add_row("officer utilisation", f"{used / available:.0%}", "")
    _capacity_row(table, end)
    out.print(table)
    ages = _ages_table(end)
    if ages is not None:
        out.print(ages)
    if result.precision is not None:
        _print_precision(result.precision)


def _capacity_row(table: Table, end: dict[Any, dict[Any, Any]]) -> None:
    """Work needed against capacity (absent from results of older versions)."""
    capacity = end.get("work_needed_share_of_capacity")
    if capacity is not None:
        spread = f"{human_share(capacity['p5'])} - {human_share(capacity['p95'])}"
        table.add_row("work needed / capacity (whole run)", human_share(capacity["mean"]), spread)


def _ages_table(end: dict[Any, dict[Any, Any]]) -> Table | None:
    """Overdue visits by days overdue and by level at the end, the oldest, and the share done
    by the due date over the run: means (summary.csv and the report have the ranges)."""
    from sim.levels import LEVEL_NAMES, LEVELS
    from sim.records import AGE_BANDS

    bands = [band for band, _, _ in AGE_BANDS]
    if not all(f"overdue_visits_{level}_age_{band}" in end for level in LEVELS for band in bands):
        return None
    table = Table(title="Overdue visits by days overdue at the end, and done on time (means)")
    table.add_column("risk level")
    for label in ("1-30", "31-90", "91-180", ">180", "oldest", "on time"):
        table.add_column(label, justify="right")

    def mean(metric: str, form: Any = human_number) -> str:
        return form(end[metric]["mean"]) if metric in end else form(None)

    for level, name in zip((*LEVELS, None), (*LEVEL_NAMES, "all levels"), strict=True):
        suffix = "" if level is None else f"_{level}"
        table.add_row(
            name,
            *(mean(f"overdue_visits{suffix}_age_{band}") for band in bands),
            mean(f"oldest_overdue_visit_days{suffix}"),
            mean(f"visits_on_time_share{suffix}", human_share),
        )
    return table


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
