"""Compare variants replication by replication: means, paired differences, their 95% CIs.

Under common random numbers, replication ``r`` of every variant sees the same offenders,
arrivals and at-home draws, so the difference between two variants is measured within each
replication and most of the noise cancels. The paired difference ``d_r = y_r(variant) -
y_r(reference)`` has a Student-t confidence interval from the spread of the ``d_r`` alone
(Law, *Simulation Modeling and Analysis*, section 10.2.1: the paired-t interval). The same
interval stays valid without common random numbers (independent pairs); it is then simply
wider, which is what ``--no-crn`` shows. A difference is *significant* when its 95% interval
excludes zero.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.analysis.outcomes import OUTCOME_NAMES
from sim.analysis.summary import t_quantile_975

__all__ = ["COMPARISON_COLUMNS", "compare_outcomes", "mean_ci", "mean_trajectory_band"]

COMPARISON_COLUMNS = (
    "outcome",
    "variant",
    "mean",
    "ci95_low",
    "ci95_high",
    "difference",
    "difference_ci95_low",
    "difference_ci95_high",
    "significant",
    "replications",
)


def mean_ci(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% Student-t confidence interval (NaN bounds for fewer than 2 values)."""
    values = np.asarray(values, dtype=float)
    n = len(values)
    mean = float(values.mean()) if n else float("nan")
    if n < 2:
        return mean, float("nan"), float("nan")
    half = float(t_quantile_975(n - 1) * values.std(ddof=1) / np.sqrt(n))
    return mean, mean - half, mean + half


def compare_outcomes(
    tables: Sequence[tuple[str, pd.DataFrame]], outcomes: Sequence[str] = OUTCOME_NAMES
) -> pd.DataFrame:
    """One row per outcome and variant; differences are against the first variant.

    ``tables`` are (variant name, outcomes frame indexed by replication); all must hold the
    same replications (they are paired by index).
    """
    reference_name, reference = tables[0]
    for name, table in tables[1:]:
        if not table.index.equals(reference.index):
            raise ValueError(f"variant {name!r} has other replications than {reference_name!r}")
    rows = []
    for outcome in outcomes:
        base = reference[outcome].to_numpy(dtype=float)
        for name, table in tables:
            values = table[outcome].to_numpy(dtype=float)
            mean, low, high = mean_ci(values)
            if name == reference_name:
                difference = (0.0, float("nan"), float("nan"))
                significant = False
            else:
                difference = mean_ci(values - base)
                significant = bool(difference[1] > 0 or difference[2] < 0)
            rows.append(
                {
                    "outcome": outcome,
                    "variant": name,
                    "mean": mean,
                    "ci95_low": low,
                    "ci95_high": high,
                    "difference": difference[0],
                    "difference_ci95_low": difference[1],
                    "difference_ci95_high": difference[2],
                    "significant": significant,
                    "replications": len(values),
                }
            )
    return pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))


def mean_trajectory_band(tables: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Per-day mean and 95% CI half-width across replications of one daily series."""
    stacked = np.vstack(tables).astype(float)
    n = stacked.shape[0]
    mean = stacked.mean(axis=0)
    if n < 2:
        return mean, np.zeros_like(mean)
    half = t_quantile_975(n - 1) * stacked.std(axis=0, ddof=1) / np.sqrt(n)
    return mean, half
