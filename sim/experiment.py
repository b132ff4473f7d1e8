"""Run replications of a scenario and collect their records.

Replication ``r`` of a scenario is ``single_run(scenario, r)``: nothing is shared between
replications, so the order they run in (or the process they run in) cannot change a result.
"""

from __future__ import annotations

from collections.abc import Callable

from .config import Scenario
from .model import DailyRecord, single_run

__all__ = ["run_replications"]


def run_replications(
    scenario: Scenario,
    replications: int,
    on_done: Callable[[int], None] | None = None,
) -> list[DailyRecord]:
    """Run replications 0..n-1 serially, calling ``on_done(r)`` after each (for progress)."""
    records = []
    for replication in range(replications):
        records.append(single_run(scenario, replication))
        if on_done is not None:
            on_done(replication)
    return records
