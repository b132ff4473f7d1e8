"""Aggregate replications: means, confidence intervals and percentiles (pure pandas/scipy).

``summarise`` reports every metric for the whole horizon (``period = "end"``) and for each
calendar month. A *state* metric (overdue visits, population ...) is read on the last day of
the period; a *flow* metric (attempts, completions, hours ...) is totalled over the period.
Across replications it gives the mean, the 95% confidence interval of the mean (Student t),
and the 5th, 50th and 95th percentiles (the spread a single year could plausibly show).
For a scenario with areas it does so for the total and for each area (an ``area`` column).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import stdtrit

from sim.analysis.metrics import is_flow
from sim.analysis.periods import Periods, describe_rows, long_rows
from sim.records import DAILY_COLUMNS

__all__ = [
    "ENOUGH_REPLICATIONS",
    "SUMMARY_COLUMNS",
    "describe",
    "few_replications",
    "summarise",
    "t_quantile_975",
]

ENOUGH_REPLICATIONS = 10
"""Below this many replications every study says its figures are rough."""

SUMMARY_COLUMNS = (
    "period",
    "metric",
    "kind",
    "mean",
    "ci95_low",
    "ci95_high",
    "p5",
    "p50",
    "p95",
    "replications",
)


def t_quantile_975(degrees_of_freedom: int) -> float:
    """The 97.5th percentile of Student's t: a 95% CI of a mean is mean ± this x sd / sqrt(n).

    ``scipy.special.stdtrit`` is what ``scipy.stats.t.ppf`` computes with, so the numbers are
    the same; importing scipy.stats would add most of a second to every report rebuild."""
    return float(stdtrit(degrees_of_freedom, 0.975))


def describe(values: np.ndarray) -> dict[str, float]:
    """Mean, 95% CI of the mean and 5/50/95th percentiles of one value per replication."""
    values = np.asarray(values, dtype=float)
    n = len(values)
    mean = float(values.mean())
    if n > 1:
        half = float(t_quantile_975(n - 1) * values.std(ddof=1) / np.sqrt(n))
    else:
        half = float("nan")
    p5, p50, p95 = np.percentile(values, [5, 50, 95])
    return {
        "mean": mean,
        "ci95_low": mean - half,
        "ci95_high": mean + half,
        "p5": float(p5),
        "p50": float(p50),
        "p95": float(p95),
        "replications": n,
    }


def few_replications(replications: int) -> str | None:
    """A warning for a study run with fewer than :data:`ENOUGH_REPLICATIONS` replications
    (per variant or per point), else None."""
    if replications >= ENOUGH_REPLICATIONS:
        return None
    if replications < 2:
        spread = "there is no confidence interval at all"
    else:
        spread = "the 95% confidence intervals are wide and the 90% ranges rough"
    return (
        f"Only {replications} replication{'s' if replications != 1 else ''}: {spread}; treat "
        f"the figures as a first look and use {ENOUGH_REPLICATIONS} or more before relying on "
        "them (--replications)."
    )


def summarise(trajectories: pd.DataFrame) -> pd.DataFrame:
    """The summary table: whole horizon first, then each calendar month.

    With an ``area`` column (a scenario with areas) the table has one too: the ``total``
    rows first, then each area's, in the order the trajectories list them. Every area, period
    and metric is computed at once over the whole table (:mod:`sim.analysis.periods`).
    """
    periods = Periods.of(trajectories)
    metrics = [column for column in DAILY_COLUMNS if column in trajectories.columns]
    flows = [metric for metric in metrics if is_flow(metric)]
    states = [metric for metric in metrics if not is_flow(metric)]
    at_end = periods.last(periods.frame[states])
    totals = periods.total(periods.frame[flows])
    position = {metric: i for i, metric in enumerate(states)}
    flow_position = {metric: i for i, metric in enumerate(flows)}
    values = np.stack(
        [
            totals[:, :, flow_position[m]] if is_flow(m) else at_end[:, :, position[m]]
            for m in metrics
        ],
        axis=2,
    )
    statistics, counts = describe_rows(values)
    kinds = ["flow" if is_flow(metric) else "state" for metric in metrics]
    table = long_rows(statistics, counts, periods.labels, metrics, kinds)
    if periods.areas is None:
        return table[list(SUMMARY_COLUMNS)]
    table["area"] = np.asarray(periods.areas, dtype=object)[table["area"].to_numpy()]
    return table[["area", *SUMMARY_COLUMNS]]
