"""How much of a forecast's spread comes from chance, and how much from what was fitted.

With a parameter sample, replication ``k`` runs parameter set ``theta_k`` with its own random
numbers, so a daily figure ``Y_k`` varies for both reasons. The law of total variance splits
it: ``Var(Y) = E[Var(Y | theta)] + Var(E[Y | theta])``, chance plus calibration. Each set
usually runs once, so ``E[Y | theta]`` is estimated by a least-squares regression of ``Y`` on
the parameter values (with an intercept), day by day: the residual variance (divided by
``n - p - 1``) estimates the chance part, the rest is the calibration part. A linear fit is a
first-order emulator: any effect of the parameters it misses is counted as chance, so the
chance share is, if anything, overstated and the calibration share understated.

The band from chance alone is the mean plus the 5th to 95th percentiles of the residuals
(the spread a single, typical parameter set would show), cut at zero because the metrics are
counts; the band from both is the 5th to 95th percentile of the replications themselves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["FAN_COLUMNS", "spread_parts", "spread_sentence"]

FAN_COLUMNS = (
    "date",
    "mean",
    "both_p5",
    "both_p25",
    "both_p75",
    "both_p95",
    "chance_p5",
    "chance_p95",
    "chance_share",
)


def spread_parts(
    trajectories: pd.DataFrame, sets: pd.DataFrame, metric: str = "overdue_visits"
) -> pd.DataFrame:
    """Per day of ``metric``: the mean, the band from both parts, the band from chance alone,
    and the chance share of the variance (see the module docstring).

    ``trajectories`` is the whole scenario's daily table (one row per replication and day);
    ``sets`` has a ``replication`` column and one column per parameter (as
    ``sim.experiments.parameter_sample.parameter_sets`` gives).
    """
    names = [c for c in sets.columns if c not in ("replication", "parameter_set")]
    wide = trajectories.pivot(index="replication", columns="date", values=metric).sort_index()
    design_rows = sets.set_index("replication").loc[wide.index, names].to_numpy(dtype=float)
    spread = design_rows.std(axis=0)
    varying = spread > 0
    centred = (design_rows[:, varying] - design_rows[:, varying].mean(axis=0)) / spread[varying]
    design = np.column_stack([np.ones(len(wide)), centred])
    values = wide.to_numpy(dtype=float)
    n, p = design.shape
    coefficients, *_ = np.linalg.lstsq(design, values, rcond=None)
    residuals = values - design @ coefficients
    dof = max(n - p, 1)
    chance_var = (residuals**2).sum(axis=0) / dof
    total_var = values.var(axis=0, ddof=1) if n > 1 else np.zeros(values.shape[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total_var > 0, np.minimum(chance_var / total_var, 1.0), np.nan)
    # residuals scaled up to the unbiased variance, so the chance band is not too narrow
    scaled = residuals * np.sqrt(n / dof) if n > p else residuals
    mean = values.mean(axis=0)
    both = np.percentile(values, [5, 25, 75, 95], axis=0)
    # the metric is a count: a band read off a straight-line fit can reach below zero (a
    # backlog near its floor), so it is cut at zero like every other band of a count
    chance = np.maximum(mean + np.percentile(scaled, [5, 95], axis=0), 0.0)
    return pd.DataFrame(
        {
            "date": wide.columns,
            "mean": mean,
            "both_p5": both[0],
            "both_p25": both[1],
            "both_p75": both[2],
            "both_p95": both[3],
            "chance_p5": chance[0],
            "chance_p95": chance[1],
            "chance_share": share,
        },
        columns=list(FAN_COLUMNS),
    )


def spread_sentence(fan: pd.DataFrame, metric: str = "overdue_visits") -> str:
    """One sentence on the last day: the two bands and the share of the variance from each."""
    last = fan.iloc[-1]
    share = float(last["chance_share"])
    chance_text = "n/a" if not np.isfinite(share) else f"{share:.0%}"
    calibration_text = "n/a" if not np.isfinite(share) else f"{1 - share:.0%}"
    return (
        f"On {pd.Timestamp(last['date']).date()}, {metric.replace('_', ' ')}: 90% band "
        f"{last['both_p5']:,.0f} to {last['both_p95']:,.0f} from chance and calibration "
        f"together, {last['chance_p5']:,.0f} to {last['chance_p95']:,.0f} from chance alone; "
        f"{chance_text} of the variance comes from chance and {calibration_text} from what was "
        "fitted (parameter sample)."
    )
