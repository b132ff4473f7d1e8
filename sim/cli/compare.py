"""`compare`: variants of a scenario (or several scenarios) under common random numbers."""

from __future__ import annotations

import sys
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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
    fail,
    fail_with,
    flag,
    load,
    out,
)
from .notes import MonthsOption, months_override, warn_if_few
from .parameters import ParametersOption, check_parameters, parameters_override
from .session import SessionOptions, overrides, study_session, work
from .shard import ShardOption, parse_shard, run_shard_session

if TYPE_CHECKING:  # the model and the studies load when a command runs, not for --help
    from sim.studies.compare import ComparisonResult

__all__ = ["compare"]

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
        typer.Argument(
            metavar="SCENARIO",
            help="Scenario file(s); variants come from the file(s) and --variant.",
        ),
    ],
    variant: VariantOption = None,
    replications: Annotated[
        int | None, typer.Option(min=2, max=100_000, help="Replications per variant.")
    ] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Seed shared by all variants.")] = None,
    no_crn: Annotated[
        bool,
        flag("--no-crn", help="Give each variant its own seed (no common random numbers)."),
    ] = False,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Results folder (default results/<name>-compare/).")
    ] = None,
    set_: SetOption = None,
    months: MonthsOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    parameters: ParametersOption = None,
    no_cache: NoCacheOption = False,
    quiet: QuietOption = False,
    no_report: Annotated[
        bool, flag("--no-report", help="Skip report.html (faster for batches).")
    ] = False,
    force: ForceOption = False,
    shard: ShardOption = None,
) -> None:
    """Compare variants replication by replication (paired differences with 95% CIs).

    Writes comparison.csv, outcomes.csv, comparison.png, manifest.json and report.html.

    Example: python run_sim.py compare scenarios/avon_somerset_2023.yaml --replications 20
    """
    from sim.experiments.variants import comparison_variants, parse_variant_option
    from sim.studies.compare import compare_study

    set_ = [*(set_ or []), *parameters_override(parameters)]
    given = overrides(set_, seed=seed, replications=replications)
    loaded = [(str(path), load(path, given)) for path in scenarios]
    if months is not None:  # every file has the same start date (checked when compared)
        given = [*given, months_override(loaded[0][1].start_date, months, set_)]
        loaded = [(str(path), load(path, given)) for path in scenarios]
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
    check_parameters([arm.scenario for arm in arms])
    n = arms[0].scenario.replications
    if n < 2:
        fail_with("a comparison needs at least 2 replications for its confidence intervals")
    options = SessionOptions(
        workers=workers, scheduler=scheduler, quiet=quiet, force=force, no_cache=no_cache
    )
    names = STUDY_FILES["compare"] + DERIVED_FILES
    if shard is not None:  # every arm's share of the replications, into the store
        from sim.experiments.variants import independent_seeds

        run_arms = independent_seeds(arms) if no_crn else arms
        run_shard_session(
            parse_shard(shard, no_cache=no_cache),
            [arm.scenario for arm in run_arms],
            n,
            out_dir=out_dir,
            default_name=f"{loaded[0][1].name}-compare",
            names=names,
            options=options,
            label=f"compare {len(arms)} variants",
        )
        return
    with study_session(out_dir, f"{loaded[0][1].name}-compare", names, options) as session:
        tasks, unit = work([arm.scenario for arm in arms], n)
        label = f"compare {len(arms)} variants"
        runs = n * len(arms)
        with session.engine(
            tasks, label, tasks, unit, scenario=arms[0].scenario, runs=runs
        ) as engine:
            result = compare_study(
                arms,
                n,
                crn=not no_crn,
                target=session.target,
                command=sys.argv,
                engine=engine,
            )
        report_path = session.report(no_report)
        _print_table(result)
        session.done(result.ran)
        warn_if_few(result.replications)
        session.print_report(report_path)


def _print_table(result: ComparisonResult) -> None:
    """Each headline outcome per variant, with its change against the first variant."""
    from sim.analysis.outcomes import HEADLINE_OUTCOMES, describe_outcome

    table_rows = result.table.set_index(["outcome", "variant"]).to_dict("index")
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
            row = table_rows[(outcome, name)]
            cell = human_number(row["mean"])
            if name != names[0]:
                cell += "\n" + _change(row)
            cells.append(cell)
        table.add_row(describe_outcome(outcome), *cells)
    out.print(table)


def _change(row: Mapping[Hashable, Any]) -> str:
    """The change against the first variant with its 95% CI, dim if not significant."""
    low, high = row["difference_ci95_low"], row["difference_ci95_high"]
    if row["difference"] == 0 and low == 0 and high == 0:
        return "[dim]no change[/]"
    text = f"{human_number(row['difference'], sign=True)} ± {human_number((high - low) / 2)}"
    return text if row["significant"] else f"[dim]{text}[/]"
