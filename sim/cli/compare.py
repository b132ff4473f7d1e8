"""`compare`: variants of a scenario (or several scenarios) under common random numbers."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sim.format import human_number
from sim.io.folder import DERIVED_FILES, STUDY_FILES
from sim.scenario.file import ScenarioError

from .app import (
    ForceOption,
    NoCacheOption,
    QuietOption,
    SchedulerOption,
    SetOption,
    WorkersOption,
    app,
    err,
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

VariantOption = Annotated[
    list[str] | None,
    typer.Option(
        "--variant",
        help="Add a variant: NAME:dotted.key=value[,dotted.key=value], e.g. "
        "one_officer:visits.officers_per_visit=1. Repeatable.",
    ),
]


@app.command()
def compare(
    scenarios: Annotated[
        list[Path],
        typer.Argument(help="Scenario file(s); variants come from the file(s) and --variant."),
    ],
    variant: VariantOption = None,
    replications: Annotated[
        int | None, typer.Option(min=2, max=100_000, help="Replications per variant.")
    ] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Seed shared by all variants.")] = None,
    no_crn: Annotated[
        bool,
        typer.Option("--no-crn", help="Give each variant its own seed (no common random numbers)."),
    ] = False,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Results folder (default results/<name>-compare/).")
    ] = None,
    set_: SetOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    no_cache: NoCacheOption = False,
    quiet: QuietOption = False,
    no_report: Annotated[
        bool, typer.Option("--no-report", help="Skip report.html (faster for batches).")
    ] = False,
    force: ForceOption = False,
) -> None:
    """Compare variants replication by replication (paired differences with 95% CIs).

    Writes comparison.csv, outcomes.csv, comparison.png, manifest.json and report.html.
    Example:
    python run_sim.py compare scenarios/avon_somerset_2023.yaml --replications 20
    """
    from sim.experiments.variants import comparison_variants, parse_variant_option

    overrides = list(set_ or [])
    if seed is not None:
        overrides.append(f"seed={seed}")
    if replications is not None:
        overrides.append(f"replications={replications}")
    loaded = [(str(path), load(path, overrides)) for path in scenarios]
    try:
        extra = [parse_variant_option(text) for text in variant or []]
        arms = comparison_variants(loaded, extra)
    except ScenarioError as error:
        fail(error)
    if len(arms) < 2:
        fail_with(
            f"nothing to compare: {scenarios[0]} has no variants; add some to the file "
            "(variants:), give --variant NAME:key=value, or give two or more scenario files"
        )
    n = arms[0].scenario.replications
    if n < 2:
        fail_with("a comparison needs at least 2 replications for its confidence intervals")
    names = STUDY_FILES["compare"] + DERIVED_FILES
    target = output_folder(
        out_dir or Path("results") / f"{loaded[0][1].name}-compare", force, names
    )
    with interruptible(target, names):
        _compare(arms, n, no_crn, target, workers, scheduler, no_cache, quiet, no_report)


def _compare(arms, n, no_crn, target, workers, scheduler, no_cache, quiet, no_report) -> None:
    from sim.experiments.executors import ExecutorError
    from sim.studies.compare import run_comparison, write_comparison

    try:
        with (
            executor_for(workers, scheduler, n * len(arms)) as executor,
            progress_bar(f"compare {len(arms)} variants", n * len(arms), quiet) as advance,
        ):
            result = run_comparison(
                arms, n, not no_crn, executor, store_for(target, no_cache), advance
            )
    except ExecutorError as error:
        fail_with(str(error))
    write_comparison(result, target, sys.argv)
    from sim.report.build import write_report_or_warn

    report_path = None if no_report else write_report_or_warn(target, err)
    _print_table(result, target)
    if report_path is not None:
        out.print(f"Report: {report_path} (open it in a web browser)", highlight=False)


def _print_table(result, target: Path) -> None:
    from sim.analysis.outcomes import HEADLINE_OUTCOMES, describe_outcome

    table_rows = result.table.set_index(["outcome", "variant"])
    names = [variant.name for variant in result.variants]
    crn = "common random numbers" if result.crn else "independent seeds"
    table = Table(
        title=f"Compared with {names[0]}: {result.replications} replications each, {crn}",
        caption=f"Each cell: the mean over replications; under it, the change against "
        f"{names[0]} with its 95% confidence interval (change ± half-width). "
        "[dim]Dim[/]: no clear difference (the interval includes 0).",
    )
    table.add_column("outcome")
    for name in names:
        table.add_column(name.replace("_", " "), justify="right")
    for outcome in HEADLINE_OUTCOMES:
        cells = []
        for name in names:
            row = table_rows.loc[(outcome, name)]
            cell = human_number(row["mean"])
            if name != names[0]:
                cell += "\n" + _change(row)
            cells.append(cell)
        table.add_row(describe_outcome(outcome), *cells)
    out.print(table)
    resumed = f", {result.from_store} from earlier runs" if result.from_store else ""
    out.print(
        f"Results in {target}/ ({result.seconds:.1f} s{resumed}; {result.executor})",
        highlight=False,
    )


def _change(row) -> str:
    low, high = row["difference_ci95_low"], row["difference_ci95_high"]
    if row["difference"] == 0 and low == 0 and high == 0:
        return "[dim]no change[/]"
    text = f"{human_number(row['difference'], sign=True)} ± {human_number((high - low) / 2)}"
    return text if row["significant"] else f"[dim]{text}[/]"
