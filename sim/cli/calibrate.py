"""`calibrate`: fit unknown parameters of a scenario to its observed figures.

Example:
    python run_sim.py calibrate scenarios/avon_somerset_2023.yaml \\
        --param staffing.availability=0.4:0.9 --param visits.travel_hours.mean=0.3:1.5 \\
        --replications 10

Writes to ``results/<name>-calibration/`` (or ``--out``): fitted_parameters.csv, the fit
table calibration.csv and calibration.png at the fitted values, evaluations.csv (every point
tried), ``<name>_calibrated.yaml`` (the scenario with the fitted values) and manifest.json
(last). Nothing is written until the fit has finished.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from sim.format import counted
from sim.io.folder import STUDY_FILES
from sim.scenario.file import ScenarioError

from .app import (
    ForceOption,
    QuietOption,
    ScenarioPath,
    SchedulerOption,
    SetOption,
    WorkersOption,
    app,
    fail,
    fail_with,
    out,
)
from .fit_display import print_fit_table
from .progress import fit_progress
from .session import SessionOptions, overrides, study_session, work

if TYPE_CHECKING:  # the fit loads scipy and the model: only when a command runs it
    from sim.calibration.fitting import FitResult

__all__ = ["calibrate"]

ParamOption = Annotated[
    list[str],
    typer.Option(
        "--param",
        help="A parameter to fit and its range: dotted.key=LOW:HIGH, e.g. "
        "staffing.availability=0.4:0.9. Repeatable.",
    ),
]


@app.command()
def calibrate(
    scenario: ScenarioPath,
    param: ParamOption,
    replications: Annotated[
        int | None,
        typer.Option(min=1, max=10_000, help="Replications per evaluation (default: the file's)."),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            min=0, help="Seed of every evaluation and of the search (default: the file's)."
        ),
    ] = None,
    max_evaluations: Annotated[
        int, typer.Option(min=2, max=100_000, help="Most evaluations of the objective.")
    ] = 60,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Results folder (default results/<name>-calibration/)."),
    ] = None,
    method: Annotated[
        str,
        typer.Option(
            help="nelder-mead: one best fit; abc: a sample of every parameter set the figures "
            "allow (ABC-SMC, pyabc), for run/compare/plan --parameters."
        ),
    ] = "nelder-mead",
    population_size: Annotated[
        int, typer.Option(min=10, max=100_000, help="abc: parameter sets per generation.")
    ] = 100,
    generations: Annotated[
        int, typer.Option(min=1, max=1000, help="abc: most generations (in all, if resumed).")
    ] = 8,
    epsilon: Annotated[
        float,
        typer.Option(
            min=0.01,
            help="abc: stop when every figure of every set is within this many "
            "tolerances (1: within tolerance).",
        ),
    ] = 1.0,
    max_simulations: Annotated[
        int, typer.Option(min=10, help="abc: most parameter sets simulated, in all.")
    ] = 3000,
    set_: SetOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    quiet: QuietOption = False,
    force: ForceOption = False,
) -> None:
    """Fit the --param fields to the scenario's observations (one fit, or a sample: abc).

    --method nelder-mead (default): a Latin hypercube, then Nelder-Mead. --method abc: a
    weighted sample of every parameter set within the tolerances (ABC-SMC, pyabc; resumable),
    for run/compare/plan --parameters.

    Every evaluation runs the same replications (common random numbers), on --workers local
    processes or a Dask --scheduler. Prints and writes the fitted values, the fit table and a
    calibrated copy of the scenario (docs/calibration.md).

    Example: python run_sim.py calibrate scenarios/avon_somerset_2023.yaml
    --param staffing.availability=0.4:0.9 --param visits.travel_hours.mean=0.25:1.5
    --replications 10

    Example: python run_sim.py calibrate scenarios/avon_somerset_2023.yaml --method abc
    --param staffing.availability=0.4:0.9 --replications 4 --out results/avon-abc
    """
    from sim.calibration.study import calibration_objective, calibration_study

    try:
        objective, loaded = calibration_objective(
            scenario, overrides(set_, seed=seed), param, replications
        )
    except ScenarioError as error:
        fail(error)
    n = objective.replications
    options = SessionOptions(
        workers=workers, scheduler=scheduler, quiet=quiet, force=force, no_cache=True
    )
    if method not in ("nelder-mead", "abc"):
        fail_with(f"--method {method!r}: use nelder-mead or abc")
    if method == "abc":
        from sim.calibration.abc import AbcSettings

        from .calibrate_abc import calibrate_abc

        settings = AbcSettings(
            population_size=population_size,
            generations=generations,
            epsilon=epsilon,
            max_simulations=max_simulations,
            seed=loaded.seed,
        )
        calibrate_abc(objective, loaded.name, settings, out_dir, options)
        return
    names = STUDY_FILES["calibrate"]
    with study_session(out_dir, f"{loaded.name}-calibration", names, options) as session:
        with (
            session.executor(
                work([loaded], n)[0], loaded, runs=n * max_evaluations
            ) as executor,
            fit_progress(f"calibrating {loaded.name}", max_evaluations, quiet) as evaluated,
        ):
            calibration = calibration_study(
                objective,
                max_evaluations=max_evaluations,
                seed=loaded.seed % 2**32,
                original=scenario,
                target=session.target,
                command=sys.argv,
                executor=executor,
                on_evaluation=lambda evaluation: evaluated(evaluation.loss),
            )
        _print(calibration.result)
        out.print(f"Calibrated scenario: {calibration.copy_path}", markup=False, highlight=False)
        out.print(
            f"Results in {session.target}/ ({calibration.result.seconds:.1f} s)", highlight=False
        )


def _print(result: FitResult) -> None:
    """The fitted values against the starting ones, then the fit table at the fitted values."""
    table = Table(title=f"Fitted parameters ({len(result.evaluations)} evaluations)")
    for column in ("parameter", "start", "fitted", "range searched"):
        table.add_column(column, justify="left" if column == "parameter" else "right")
    for parameter, start, value in zip(result.parameters, result.start, result.best, strict=True):
        searched = f"{parameter.low:g} - {parameter.high:g}"
        table.add_row(parameter.path, f"{start:.4g}", f"{value:.4g}", searched)
    out.print(table)
    print_fit_table(
        result.table,
        f"Fit at the fitted values ({result.replications} replications, loss "
        f"{result.best_loss:.4g})",
    )
    missed = int((~result.table["within"].astype(bool)).sum())
    if missed:
        out.print(f"[bold yellow]{counted(missed, 'observation')} not within tolerance.[/]")
