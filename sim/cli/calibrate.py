"""`calibrate`: fit unknown parameters of a scenario to its observed figures.

Example:
    python run_sim.py calibrate scenarios/avon_somerset_2023.yaml \\
        --param staffing.availability=0.4:0.9 --param visits.travel_hours.mean=0.3:1.5 \\
        --replications 10

Writes to ``results/<name>_calibration/`` (or ``--out``): fitted_parameters.csv, the fit
table calibration.csv and calibration.png at the fitted values, evaluations.csv (every point
tried), ``<name>_calibrated.yaml`` (the scenario with the fitted values) and manifest.json
(last). Nothing is written until the fit has finished.
"""

from __future__ import annotations

import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sim.io.folder import STUDY_FILES
from sim.scenario.file import (
    Problem,
    ScenarioError,
    apply_overrides,
    check_caseload,
    parse_scenario,
    read_yaml_mapping,
    resolve_caseload_path,
)

from .app import (
    ForceOption,
    QuietOption,
    ScenarioPath,
    SchedulerOption,
    SetOption,
    WorkersOption,
    app,
    err,
    executor_for,
    fail,
    fail_with,
    interruptible,
    out,
    output_folder,
)

ParamOption = Annotated[
    list[str],
    typer.Option(
        "--param",
        help="A parameter to fit and its range: dotted.key=LOW:HIGH, e.g. "
        "staffing.availability=0.4:0.9. Repeatable.",
    ),
]


def _load(scenario: Path, overrides: list[str]):
    """The scenario's data (after --set, caseload path made absolute) and its validation."""
    data = read_yaml_mapping(scenario)
    data, origin = apply_overrides(data, overrides)
    shown = resolve_caseload_path(data, scenario.parent, origin)
    loaded = parse_scenario(data, str(scenario), origin)
    check_caseload(loaded, shown)
    if not loaded.observations:
        raise ScenarioError(
            [Problem(str(scenario), "observations", "", "the scenario has no observations to fit")]
        )
    return data, loaded


def _check_ranges(objective, parameters, start) -> None:
    """Every range end must give a valid scenario (others at their starting values)."""
    problems = []
    for index, parameter in enumerate(parameters):
        for end in (parameter.low, parameter.high):
            values = list(start)
            values[index] = parameter.value_at(parameter.unit_of(end))
            try:
                objective.scenario_at(values)
            except ScenarioError as error:
                first = error.problems[0]
                problems.append(
                    Problem(
                        f"--param {parameter.path}={parameter.low:g}:{parameter.high:g}",
                        first.field,
                        f"{end:g}",
                        f"the range must give a valid scenario: {first.allowed}",
                    )
                )
    if problems:
        raise ScenarioError(problems)


@app.command()
def calibrate(
    scenario: ScenarioPath,
    param: ParamOption,
    replications: Annotated[
        int | None,
        typer.Option(min=1, max=10_000, help="Replications per evaluation (default: the file's)."),
    ] = None,
    max_evaluations: Annotated[
        int, typer.Option(min=2, max=100_000, help="Most evaluations of the objective.")
    ] = 60,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Results folder (default results/<name>_calibration/)."),
    ] = None,
    set_: SetOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """Fit the --param fields to the scenario's observations (Latin hypercube + Nelder-Mead).

    Every evaluation runs the same replications (common random numbers), on --workers local
    processes or a Dask --scheduler. Prints and writes the fitted values, the fit table and a
    calibrated copy of the scenario (docs/calibration.md).

    Example: python run_sim.py calibrate scenarios/avon_somerset_2023.yaml
    --param staffing.availability=0.4:0.9 --param visits.travel_hours.mean=0.25:1.5
    --replications 10
    """
    from sim.calibration.fitting import Objective, parse_parameter, start_values

    overrides = list(set_ or [])
    try:
        data, loaded = _load(scenario, overrides)
        parameters = [parse_parameter(text, data) for text in param]
        n = replications or loaded.replications
        objective = Objective(data, str(scenario), parameters, n)
        _check_ranges(objective, parameters, start_values(parameters, data))
    except ScenarioError as error:
        fail(error)
    names = STUDY_FILES["calibrate"]
    target = output_folder(out_dir or Path("results") / f"{loaded.name}_calibration", force, names)
    with interruptible(target, names):
        _calibrate(objective, loaded, scenario, target, max_evaluations, workers, scheduler, quiet)


def _calibrate(
    objective, loaded, scenario: Path, target: Path, max_evaluations, workers, scheduler, quiet
) -> None:
    """Fit, then write the results folder (manifest.json last) and print the fit."""
    from sim.calibration.scenario_writer import calibrated_yaml
    from sim.calibration.writing import write_calibration
    from sim.experiments.batch import run_replications
    from sim.experiments.executors import ExecutorError
    from sim.io.files import REPO_DIR, atomic_write, git_commit, package_versions, write_json
    from sim.io.folder import begin_rewrite, file_sha256

    n = objective.replications
    started_at = datetime.now(UTC).isoformat(timespec="seconds")

    try:
        with executor_for(workers, scheduler, n) as executor:
            objective.simulate = lambda fitted, count: run_replications(
                fitted, count, executor=executor
            )
            result, frame = _fit_with_progress(objective, loaded, max_evaluations, quiet)
    except ExecutorError as error:
        fail_with(str(error))

    command = " ".join(shlex.quote(a) for a in sys.argv)
    begin_rewrite(target, "manifest.json", STUDY_FILES["calibrate"])  # old manifest first
    copy_path = target / f"{loaded.name}_calibrated.yaml"
    text = calibrated_yaml(result, scenario, copy_path, command, started_at)
    atomic_write(copy_path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    files = [copy_path]
    for name, frame_out in (
        ("fitted_parameters.csv", result.parameters_frame()),
        ("evaluations.csv", result.evaluations_frame()),
    ):
        path = target / name
        atomic_write(
            path, lambda tmp, f=frame_out: f.to_csv(tmp, index=False, float_format="%.10g")
        )
        files.append(path)
    files.extend(write_calibration(result.scenario, frame, target).values())
    write_json(
        target / "manifest.json",
        {
            "tool": "offender-visit-sim",
            "command": sys.argv,
            "started_at": started_at,
            "fit_seconds": round(result.seconds, 3),
            "replications_per_evaluation": n,
            "evaluations": len(result.evaluations),
            "loss": result.best_loss,
            "fitted": {p.path: v for p, v in zip(result.parameters, result.best, strict=True)},
            "ranges": {p.path: [p.low, p.high] for p in result.parameters},
            "scenario": result.scenario.model_dump(mode="json"),
            "versions": package_versions(),
            "git_commit": git_commit(REPO_DIR),
            "files": sorted([p.name for p in files] + ["manifest.json"]),
            "file_sha256": {p.name: file_sha256(p) for p in files},
        },
    )
    _print(result, target, copy_path)


def _fit_with_progress(objective, loaded, max_evaluations: int, quiet: bool):
    """Run the fit with a progress bar; then the fitted scenario's trajectories."""
    from sim.analysis.metrics import trajectories as to_trajectories
    from sim.calibration.fitting import fit

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("evaluations, best loss {task.fields[best]}"),
        TimeElapsedColumn(),
        console=err,
        disable=quiet,
        transient=True,
    ) as progress:
        task = progress.add_task(f"calibrating {loaded.name}", total=max_evaluations, best="-")
        best = [float("inf")]

        def advance(evaluation) -> None:
            best[0] = min(best[0], evaluation.loss)
            progress.update(task, advance=1, best=f"{best[0]:.4g}")

        objective.on_evaluation = advance
        try:
            result = fit(objective, max_evaluations=max_evaluations, seed=loaded.seed % 2**32)
        except ScenarioError as error:
            fail(error)
        records = objective.simulate(result.scenario, objective.replications)
    return result, to_trajectories(records, loaded.start_date)


def _print(result, target: Path, copy_path: Path) -> None:
    from .fit_display import print_fit_table

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
        out.print(f"[bold yellow]{missed} observation(s) not within tolerance.[/]")
    out.print(f"Calibrated scenario: {copy_path}", highlight=False)
    out.print(f"Results in {target}/ ({result.seconds:.1f} s)", highlight=False)
