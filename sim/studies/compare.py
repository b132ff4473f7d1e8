"""A whole `compare`: run every variant on the same replications, compare, write the folder.

Files written (each atomically, the manifest last):

- ``comparison.csv``: per outcome and variant, the mean with its 95% CI, the paired difference
  against the first variant with its 95% CI, and whether that difference is significant;
- ``outcomes.csv``: every replication's outcomes, per variant (to re-analyse or audit);
- ``comparison.png``: overdue visits and assessments over time per variant (mean, 95% CI
  band) and the lone visit attempts by risk level;
- ``manifest.json``: the variants' full scenarios, seeds, common random numbers or not,
  replications, code and package versions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.analysis.comparison import compare_outcomes
from sim.analysis.outcomes import outcomes_frame, record_outcomes
from sim.experiments.batch import BatchStats, Engine, Evaluation, OnDone, Ran, evaluate
from sim.experiments.executors import Executor
from sim.experiments.store import ReplicationStore
from sim.experiments.variants import Variant, independent_seeds
from sim.io.files import atomic_write, write_figure, write_manifest
from sim.io.folder import STUDY_FILES, begin_rewrite
from sim.levels import LEVELS
from sim.studies.workbook import write_workbook
from sim.titles import study_title

__all__ = [
    "ComparisonResult",
    "compare_study",
    "lone_visits_by_level",
    "run_comparison",
    "write_comparison",
]


@dataclass(frozen=True)
class ComparisonResult:
    """Every variant's replications, outcomes and the comparison table, and how they ran."""

    variants: list[Variant]
    crn: bool
    replications: int
    evaluations: list[Evaluation]
    outcomes: list[pd.DataFrame]
    table: pd.DataFrame
    ran: Ran


def run_comparison(
    variants: Sequence[Variant],
    replications: int,
    crn: bool = True,
    *,
    executor: Executor | None = None,
    store: ReplicationStore | None = None,
    on_done: OnDone | None = None,
) -> ComparisonResult:
    """Run replications 0..n-1 of every variant (one batch) and compare them to the first."""
    stats = BatchStats()
    arms = list(variants) if crn else independent_seeds(variants)
    evaluations = evaluate(
        [arm.scenario for arm in arms], replications, executor, store, on_done, stats
    )
    outcomes = [
        outcomes_frame((rec.replication, record_outcomes(rec)) for rec in evaluation.records)
        for evaluation in evaluations
    ]
    table = compare_outcomes([(arm.name, frame) for arm, frame in zip(arms, outcomes, strict=True)])
    return ComparisonResult(
        variants=arms,
        crn=crn,
        replications=replications,
        evaluations=evaluations,
        outcomes=outcomes,
        table=table,
        ran=stats.ran(executor),
    )


def compare_study(
    variants: Sequence[Variant],
    replications: int,
    *,
    crn: bool,
    target: Path,
    command: Sequence[str],
    engine: Engine,
) -> ComparisonResult:
    """A whole `compare`: run and compare the variants, then write the folder ``target``."""
    result = run_comparison(
        variants,
        replications,
        crn,
        executor=engine.executor,
        store=engine.store,
        on_done=engine.on_done,
    )
    write_comparison(result, target, command)
    return result


def lone_visits_by_level(table: pd.DataFrame) -> pd.DataFrame:
    """Rows of the comparison table for lone visit attempts per level, with a level column."""
    names = {f"lone_visit_attempts_{level}_total": level for level in LEVELS}
    part = table[table["outcome"].isin(names)].copy()
    part["level"] = part["outcome"].map(names)
    return part


def write_comparison(result: ComparisonResult, out_dir: Path, command: Sequence[str]) -> list[Path]:
    """Write comparison.csv, outcomes.csv, summary.xlsx, comparison.png, manifest.json (last)."""
    from sim.studies.figures import comparison_figure

    begin_rewrite(out_dir, "manifest.json", STUDY_FILES["compare"])  # old manifest first
    paths = {name: out_dir / name for name in STUDY_FILES["compare"]}
    atomic_write(
        paths["comparison.csv"],
        lambda tmp: result.table.to_csv(tmp, index=False, float_format="%.4f"),
    )
    long = pd.concat(
        [
            frame.reset_index().assign(variant=variant.name)
            for variant, frame in zip(result.variants, result.outcomes, strict=True)
        ],
        ignore_index=True,
    )
    long = long[["variant", "replication", *result.outcomes[0].columns]]
    atomic_write(
        paths["outcomes.csv"], lambda tmp: long.to_csv(tmp, index=False, float_format="%.4f")
    )
    first = result.variants[0].scenario
    names = [variant.name for variant in result.variants]
    title = study_title(
        first, f"{len(result.variants)} variants compared ({', '.join(names)})", command
    )
    write_workbook(
        paths["summary.xlsx"], title=title, start=first.start_date, comparison=result.table
    )
    figure = comparison_figure(
        [(v.name, e.records) for v, e in zip(result.variants, result.evaluations, strict=True)],
        first.start_date,
        lone_visits_by_level(result.table),
        title,
    )
    write_figure(paths["comparison.png"], figure, dpi=110)
    write_manifest(
        out_dir,
        command,
        paths.values(),
        study="compare",
        common_random_numbers=result.crn,
        replications=result.replications,
        reference_variant=result.variants[0].name,
        variants={
            v.name: v.scenario.model_dump(mode="json", by_alias=True) for v in result.variants
        },
        **result.ran.manifest(),
    )
    return list(paths.values())
