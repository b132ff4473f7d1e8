"""``--shard i/N``, shared by the commands that offer it (run, compare, sweep).

A shard runs its share of a study's replications (i, i+N, ...) into the results folder's
replication store and writes no tables (``sim.experiments.shards``); the same command
without ``--shard`` then finds them all there and writes the folder. Shards of one study
share its folder (a shared lock) so a batch system may run them at the same time.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .app import err, fail_with, out
from .session import SessionOptions, study_session, work

if TYPE_CHECKING:
    from sim.experiments.shards import Shard
    from sim.scenario import Scenario

__all__ = ["ShardOption", "parse_shard", "run_shard_session"]

ShardOption = Annotated[
    str | None,
    typer.Option(
        help="Run only shard i of N (i/N, i from 0): replications i, i+N, ... saved in the "
        "folder's replication store, no tables. Run every shard (e.g. a Slurm job array), "
        "then the same command without --shard writes the tables from the store.",
    ),
]


def parse_shard(text: str, *, no_cache: bool, json_output: bool = False) -> Shard:
    """The ``--shard`` value, or exit with code 2 saying what is allowed or what clashes."""
    from sim.experiments.shards import Shard, ShardError

    try:
        shard = Shard.parse(text)
    except ShardError as error:
        fail_with(str(error))
    if no_cache:
        fail_with("--shard saves its replications in the folder's store: drop --no-cache")
    if json_output:
        fail_with(
            "--shard writes no summary to print: drop --json (the run without --shard has it)"
        )
    return shard


def run_shard_session(
    shard: Shard,
    scenarios: Sequence[Scenario],
    replications: int,
    *,
    out_dir: Path | None,
    default_name: str,
    names: Sequence[str],
    options: SessionOptions,
    label: str,
) -> None:
    """Run this shard's replications of every scenario into the folder's store; say which."""
    from sim.experiments.shards import run_shard

    indices = shard.replications(replications)
    with study_session(out_dir, default_name, names, options, shard=True) as session:
        if not options.quiet:
            err.print(
                f"Running shard {shard}: {len(indices)} of the {replications} replications of "
                f"{label} into {session.target}/.replications",
                markup=False,
                highlight=False,
            )
        tasks, unit = work(scenarios, len(indices))
        runs = len(indices) * len(scenarios)
        with session.engine(
            tasks, f"{label} shard {shard}", tasks, unit, scenario=scenarios[0], runs=runs
        ) as engine:
            stats = run_shard(scenarios, replications, shard, engine)
        out.print(
            f"Shard {shard}: replications {_listed(indices)} are in {session.target}/.replications "
            f"({stats.computed} run now, {stats.from_store} already there). When every shard "
            "has finished, run the same command without --shard to write the results.",
            markup=False,
            highlight=False,
        )


def _listed(indices: list[int]) -> str:
    """Replication numbers for people: ``0, 4, 8`` or ``0, 4, ..., 96`` (a shard's step)."""
    if not indices:
        return "(none: more shards than replications)"
    if len(indices) <= 4:
        return ", ".join(str(i) for i in indices)
    return f"{indices[0]}, {indices[1]}, ..., {indices[-1]}"
