"""Shards: one study's replications split over separate processes, with no scheduler.

A batch system (a Slurm job array, or any way of starting N commands) fills one study by
running ``run SCENARIO --shard i/N --out FOLDER`` N times, for i = 0 .. N-1, anywhere that
sees FOLDER. Shard i runs replications i, i+N, i+2N, ... and only saves each one in the
folder's replication store (:mod:`sim.experiments.store`), writing no tables. Then one run
without ``--shard`` into the same folder finds every replication in the store and writes the
tables, exactly as a single run would have (a replication is a pure function of the scenario
and its index, wherever it ran). Shards may run at the same time: each saves different files,
each atomically.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sim.experiments.batch import BatchStats, Engine, run_tasks
from sim.scenario import Scenario

__all__ = ["Shard", "ShardError", "run_shard"]

_FORM = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
MOST_SHARDS = 100_000


class ShardError(ValueError):
    """A ``--shard`` value that is not ``i/N`` with 0 <= i < N; the message says so."""


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (0-based): replications index, index + count, ..."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"i/N"`` as a shard, or a :class:`ShardError` saying what is allowed."""
        match = _FORM.match(text)
        allowed = (
            f"give --shard as i/N with N shards (1 to {MOST_SHARDS:,}) and i from 0 to N-1, "
            "e.g. 0/4 for the first of four"
        )
        if match is None:
            raise ShardError(f"--shard {text!r} is not of the form i/N; {allowed}")
        index, count = int(match.group(1)), int(match.group(2))
        if not 1 <= count <= MOST_SHARDS or index >= count:
            raise ShardError(f"--shard {text!r} is out of range; {allowed}")
        return cls(index, count)

    def replications(self, total: int) -> list[int]:
        """This shard's replication indices among ``0 .. total-1``."""
        return list(range(self.index, total, self.count))

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def run_shard(
    scenarios: Sequence[Scenario], replications: int, shard: Shard, engine: Engine
) -> BatchStats:
    """Run this shard's share of ``replications`` replications of every scenario (the arms of
    a study, or one) into ``engine.store``; keep nothing else.

    Each record is dropped once stored, so a shard of many replications needs the memory of
    one. Replications already in the store are not run again. Returns how many came from the
    store and how many were computed.
    """
    if engine.store is None:
        raise ShardError("--shard saves replications in the folder's store: drop --no-cache")
    stats = BatchStats()
    indices = shard.replications(replications)
    tasks = [(scenario, replication) for scenario in scenarios for replication in indices]
    _drain(run_tasks(tasks, engine.executor, engine.store, engine.on_done, stats))
    return stats


def _drain(results: Iterator[object]) -> None:
    for _ in results:
        pass
