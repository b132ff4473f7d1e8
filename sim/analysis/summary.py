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


def _period_rows(frame: pd.DataFrame, period: str) -> list[dict]:
    last_day = frame["day"].max()
    at_end = frame[frame["day"] == last_day].set_index("replication").sort_index()
    totals = frame.groupby("replication").sum(numeric_only=True).sort_index()
    rows = []
    for metric in DAILY_COLUMNS:
        flow = is_flow(metric)
        values = (totals if flow else at_end)[metric].to_numpy()
        rows.append(
            {
                "period": period,
                "metric": metric,
                "kind": "flow" if flow else "state",
                **describe(values),
            }
        )
    return rows


def summarise(trajectories: pd.DataFrame) -> pd.DataFrame:
    """The summary table: whole horizon first, then each calendar month.

    With an ``area`` column (a scenario with areas) the table has one too: the ``total``
    rows first, then each area's, in the order the trajectories list them.
    """
    if "area" in trajectories.columns:
        parts = [
            summarise(frame.drop(columns="area")).assign(area=area)
            for area, frame in trajectories.groupby("area", sort=False)
        ]
        return pd.concat(parts, ignore_index=True)[["area", *SUMMARY_COLUMNS]]
    rows = _period_rows(trajectories, "end")
    months = pd.to_datetime(trajectories["date"]).dt.strftime("%Y-%m")
    for month, frame in trajectories.groupby(months, sort=True):
        rows.extend(_period_rows(frame, month))
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
