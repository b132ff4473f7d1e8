"""`sensitivity`: global sensitivity (SALib Morris or Sobol) of outcomes to parameter ranges."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.table import Table

from sim.format import counted, human_number
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
    fail,
    fail_with,
    load,
    out,
)
from .notes import warn_if_few
from .session import SessionOptions, check_outcomes, overrides, study_session, work

if TYPE_CHECKING:  # the model and the studies load when a command runs, not for --help
    from sim.studies.sensitivity import SensitivityResult

__all__ = ["sensitivity"]

DEFAULT_OUTCOMES = ("overdue_visits_end", "overdue_visits_average", "overdue_assessments_end")


@app.command()
def sensitivity(
    scenario: ScenarioPath,
    ranges: Annotated[
        Path,
        typer.Option(
            "--ranges", help="YAML file of parameters: {parameters: {dotted.key: \\[low, high]}}."
        ),
    ],
    method: Annotated[
        Literal["morris", "sobol"], typer.Option(help="morris (screening) or sobol (variance).")
    ] = "morris",
    samples: Annotated[
        int | None,
        typer.Option(
            min=2,
            max=1_000_000,
            help="Morris: trajectories (default 10). Sobol: N, a power of 2 (default 64); "
            "runs N x (parameters + 2) samples.",
        ),
    ] = None,
    replications: Annotated[
        int | None,
        typer.Option(
            min=1, max=100_000, help="Replications averaged per sample (default: file's)."
        ),
    ] = None,
    outcome: Annotated[
        list[str] | None,
        typer.Option("--outcome", help="Outcome(s) to analyse, e.g. overdue_visits_end."),
    ] = None,
    seed: Annotated[
        int | None, typer.Option(min=0, help="Seed (samples and replications).")
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Results folder (default results/<name>-sensitivity-<method>/)."
        ),
    ] = None,
    set_: SetOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    no_cache: NoCacheOption = False,
    quiet: QuietOption = False,
    force: ForceOption = False,
) -> None:
    """Which parameters drive the backlog? Writes sensitivity.csv, samples.csv, sensitivity.png.

    Example: python run_sim.py sensitivity scenarios/avon_somerset_2023.yaml
    --ranges scenarios/ranges/avon_somerset_2023.yaml --method morris --samples 10
    --replications 3
    """
    from sim.studies.sensitivity import (
        draw_samples,
        load_ranges,
        salib_problem,
        sample_scenarios,
        sensitivity_study,
    )

    base = load(scenario, overrides(set_, seed=seed, replications=replications))
    chosen = list(outcome or DEFAULT_OUTCOMES)
    check_outcomes(chosen)
    n_samples = samples or (10 if method == "morris" else 64)
    if method == "sobol" and n_samples & (n_samples - 1):
        fail_with(f"--samples for sobol must be a power of 2 (e.g. 64), not {n_samples}")
    try:
        parsed = load_ranges(ranges, base)
        matrix = draw_samples(salib_problem(parsed), method, n_samples, base.seed)
        sample_scenarios(base, parsed, matrix, str(ranges))  # every sample valid before running
    except ScenarioError as error:
        fail(error)
    options = SessionOptions(
        workers=workers, scheduler=scheduler, quiet=quiet, force=force, no_cache=no_cache
    )
    names = STUDY_FILES["sensitivity"]
    with study_session(out_dir, f"{base.name}-sensitivity-{method}", names, options) as session:
        r = base.replications
        total, unit = work([base] * len(matrix), r)
        label = f"{method}: {counted(len(matrix), 'sample')} x {r}"
        runs = len(matrix) * r
        with session.engine(total, label, total, unit, scenario=base, runs=runs) as engine:
            result = sensitivity_study(
                base,
                parsed,
                method=method,
                samples=n_samples,
                outcomes=chosen,
                ranges_file=ranges,
                target=session.target,
                command=sys.argv,
                engine=engine,
            )
        _print_ranking(result, chosen[0])
        session.done(result.ran, resumed=False)
        warn_if_few(result.replications)


def _print_ranking(result: SensitivityResult, outcome: str) -> None:
    """The parameters ranked by their first index for ``outcome``, with 95% CIs."""
    from sim.analysis.outcomes import describe_outcome

    part = result.table[result.table["outcome"] == outcome]
    value = part.pivot(index="parameter", columns="index", values="value")
    conf = part.pivot(index="parameter", columns="index", values="conf")
    shown = ("mu_star", "sigma") if result.method == "morris" else ("S1", "ST")
    order = value[shown[0]].sort_values(ascending=False, na_position="last").index
    table = Table(
        title=f"{result.base.name}: {result.method} sensitivity of {describe_outcome(outcome)}",
        caption=f"{counted(len(result.sample_table), 'sample')} x "
        f"{counted(result.replications, 'replication')} "
        "(common random numbers); ± = 95% CI half-width (bootstrap). Other outcomes: "
        "sensitivity.csv.",
    )
    table.add_column("parameter", overflow="fold")
    for index in shown:
        table.add_column(index, justify="right")
    for parameter in order:
        cells = []
        for index in shown:
            text = human_number(value.loc[parameter, index], significant=3)
            if conf.loc[parameter, index] == conf.loc[parameter, index]:  # not NaN
                text += f" ± {human_number(conf.loc[parameter, index], significant=2)}"
            cells.append(text)
        table.add_row(parameter, *cells)
    out.print(table)
