"""How many replications? The replication algorithm of Hoad, Robinson and Davies (2010).

Hoad, K., Robinson, S. and Davies, R. (2010) "Automated selection of the number of
replications for a discrete-event simulation", Journal of the Operational Research Society
61(11), 1632-1644.

Replications are added one at a time (in index order). After ``n`` of them, the relative
precision of the key outcome is the 95% confidence half-width of its mean divided by the mean,
``d_n = t(0.975, n-1) * s_n / sqrt(n) / |mean_n|``. The first ``n`` with ``d_n`` within the
target is a candidate ``N_sol``; it is accepted only if ``d`` stays within the target for the
next ``f(N_sol)`` replications too (the "look-ahead", guarding against a lucky early
agreement): ``f(n) = k_limit`` for ``n <= 100`` and ``floor(k_limit * n / 100)`` above, with
``k_limit = 5`` as the paper recommends. The algorithm starts from 3 replications.

The decision reads the replications strictly in index order, so it does not depend on how many
run at once: a parallel batch may compute a few more than needed (they stay in the store), but
the answer and the replications reported are the same as a serial run's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from sim.analysis.outcomes import OUTCOME_NAMES, record_outcomes
from sim.analysis.summary import t_quantile_975
from sim.experiments.batch import BatchStats, OnDone, evaluate
from sim.experiments.executors import Executor
from sim.experiments.store import ReplicationStore
from sim.records import DailyRecord
from sim.scenario import Scenario

__all__ = [
    "INITIAL_REPLICATIONS",
    "K_LIMIT",
    "PrecisionResult",
    "look_ahead",
    "relative_half_width",
    "replicate_to_precision",
    "replications_needed",
]

INITIAL_REPLICATIONS = 3
K_LIMIT = 5


def look_ahead(n: int, k_limit: int = K_LIMIT) -> int:
    """Replications that must confirm a candidate ``n`` (Hoad et al.'s f(kLimit, n))."""
    return k_limit if n <= 100 else math.floor(k_limit * n / 100)


def relative_half_width(values: Sequence[float]) -> float:
    """95% CI half-width of the mean over |mean| (0 if every value is equal, inf if mean 0)."""
    array = np.asarray(values, dtype=float)
    n = len(array)
    if n < 2:
        return math.inf
    sd = array.std(ddof=1)
    if sd == 0:
        return 0.0
    mean = abs(array.mean())
    if mean == 0:
        return math.inf
    return float(t_quantile_975(n - 1) * sd / math.sqrt(n) / mean)


def replications_needed(
    values: Sequence[float], precision: float, k_limit: int = K_LIMIT
) -> int | None:
    """``N_sol`` if ``values`` (in replication order) already show it, else None."""
    candidate: int | None = None
    for n in range(INITIAL_REPLICATIONS, len(values) + 1):
        within = relative_half_width(values[:n]) <= precision
        if not within:
            candidate = None
            continue
        if candidate is None:
            candidate = n
        if n >= candidate + look_ahead(candidate, k_limit):
            return candidate
    return None


@dataclass(frozen=True)
class PrecisionResult:
    """The replications run to reach the precision, and what the algorithm concluded."""

    records: list[DailyRecord]  # N_sol plus its look-ahead (or all run, if not converged)
    needed: int | None  # N_sol; None if the cap was reached first
    outcome: str
    precision: float
    achieved: float  # relative half-width over ``needed`` (or over all, if not converged)


def replicate_to_precision(
    scenario: Scenario,
    precision: float,
    outcome: str = "overdue_visits_end",
    *,
    executor: Executor | None = None,
    store: ReplicationStore | None = None,
    max_replications: int = 1000,
    batch_size: int = 1,
    on_done: OnDone | None = None,
    on_progress: Callable[[int, float], None] | None = None,
    stats: BatchStats | None = None,
) -> PrecisionResult:
    """Add replications (``batch_size`` at a time) until Hoad et al.'s rule is met.

    ``on_progress(n, d_n)`` reports the replications so far and their relative precision.
    """
    if outcome not in OUTCOME_NAMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    if not precision > 0:
        raise ValueError("precision must be above 0, e.g. 0.05 for 5%")
    column = OUTCOME_NAMES.index(outcome)
    records: list[DailyRecord] = []
    values: list[float] = []
    needed = None
    while needed is None and len(records) < max_replications:
        start = len(records)
        want = max(batch_size, INITIAL_REPLICATIONS - start)
        indices = range(start, min(start + want, max_replications))
        batch = evaluate([scenario], indices, executor, store, on_done, stats)[0].records
        records += batch
        values += [float(record_outcomes(record)[column]) for record in batch]
        needed = replications_needed(values, precision)
        if on_progress is not None:
            on_progress(len(values), relative_half_width(values))
    if needed is not None:
        keep = needed + look_ahead(needed)
        return PrecisionResult(
            records[:keep], needed, outcome, precision, relative_half_width(values[:needed])
        )
    return PrecisionResult(records, None, outcome, precision, relative_half_width(values))
