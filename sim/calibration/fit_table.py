"""The fit table: each observed figure beside what the simulation gives, and one loss number.

For every observation of a scenario, :func:`fit_table` reads the quantity off each replication
(sim/observations.py) and reports the mean, the 90% interval (5th to 95th percentile, as in
summary.csv), whether that interval covers the observed value, whether the mean is within the
tolerance, and the *scaled error*: ``(mean - observed) / scale``, where ``scale`` is the
tolerance in the metric's unit (the tighter one if both a relative and an absolute tolerance
are given; and, when the 90% interval must cover the observed value, no more than half the
simulated interval's width). A scaled error between -1 and 1 means the mean is within
tolerance (and, roughly, the interval reaches the observed value), which puts figures of
different sizes (273 overdue visits, a 68% share) on one footing. :func:`loss` sums the
squared scaled errors: the objective the calibrate command minimises.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.scenario.observations import Observation, replication_values

__all__ = ["FIT_COLUMNS", "fit_table", "loss", "scale_of", "tolerance_text"]

FIT_COLUMNS = (
    "metric",
    "period",
    "observed",
    "tolerance",
    "simulated_mean",
    "simulated_p5",
    "simulated_p95",
    "interval_covers",
    "mean_within",
    "within",
    "scaled_error",
    "replications",
    "source",
)
INTERVAL_ONLY_RELATIVE_SCALE = 0.10
MIN_SCALE = 1e-3  # of the observed value: a scale never shrinks to nothing
UNDEFINED_PENALTY = 1e6  # loss term when a figure cannot be computed (e.g. a ratio 0/0)


def scale_of(observation: Observation, interval_halfwidth: float | None = None) -> float:
    """The distance from the observed value that counts as one unit of error.

    The relative or absolute tolerance, in the metric's unit (the tighter if both are given).
    When the 90% interval must cover the observed value, half the simulated interval's width
    (``interval_halfwidth``) is a candidate too: the mean must then be within about that
    distance for the interval to reach the observed value. Without any of these, 10% of the
    observed value.
    """
    tolerance = observation.tolerance
    observed = abs(observation.value)
    candidates = []
    if tolerance is not None and tolerance.absolute is not None:
        candidates.append(tolerance.absolute)
    if tolerance is not None and tolerance.relative is not None and observed > 0:
        candidates.append(tolerance.relative * observed)
    needs_interval = tolerance is None or tolerance.interval
    if needs_interval and interval_halfwidth is not None and np.isfinite(interval_halfwidth):
        candidates.append(max(interval_halfwidth, MIN_SCALE * max(observed, 1.0)))
    if not candidates:
        candidates.append(INTERVAL_ONLY_RELATIVE_SCALE * observed if observed > 0 else 1.0)
    return min(candidates)


def tolerance_text(observation: Observation) -> str:
    """Human-readable tolerance, e.g. ``mean within 15%; 90% interval covers``."""
    tolerance = observation.tolerance
    parts = []
    if tolerance is None or tolerance.interval:
        parts.append("90% interval covers")
    if tolerance is not None and tolerance.relative is not None:
        parts.insert(0, f"mean within {tolerance.relative:.0%}")
    if tolerance is not None and tolerance.absolute is not None:
        parts.insert(0, f"mean within {tolerance.absolute:g}")
    return "; ".join(parts)


def _row(observation: Observation, values: np.ndarray) -> dict:
    finite = values[np.isfinite(values)]
    observed = observation.value
    if len(finite) == 0:
        mean = p5 = p95 = float("nan")
    else:
        mean = float(finite.mean())
        p5, p95 = (float(v) for v in np.percentile(finite, [5, 95]))
    defined = np.isfinite(mean)
    covers = bool(defined and p5 <= observed <= p95)
    tolerance = observation.tolerance
    error = abs(mean - observed) if defined else float("inf")
    mean_checks = []
    if tolerance is not None and tolerance.relative is not None:
        mean_checks.append(error <= tolerance.relative * abs(observed) + 1e-12)
    if tolerance is not None and tolerance.absolute is not None:
        mean_checks.append(error <= tolerance.absolute + 1e-12)
    mean_within = all(mean_checks) if mean_checks else None
    needs_interval = tolerance is None or tolerance.interval
    within = bool(defined and (covers or not needs_interval) and mean_within is not False)
    return {
        "metric": observation.metric,
        "period": observation.period_label(),
        "observed": observed,
        "tolerance": tolerance_text(observation),
        "simulated_mean": mean,
        "simulated_p5": p5,
        "simulated_p95": p95,
        "interval_covers": covers,
        "mean_within": mean_within,
        "within": within,
        "scaled_error": (mean - observed) / scale_of(observation, (p95 - p5) / 2)
        if defined
        else float("nan"),
        "replications": len(finite),
        "source": observation.source,
    }


def fit_table(observations: Sequence[Observation], trajectories: pd.DataFrame) -> pd.DataFrame:
    """One row per observation: observed, simulated mean and 90% interval, within or not."""
    rows = [_row(obs, replication_values(obs, trajectories)) for obs in observations]
    return pd.DataFrame(rows, columns=list(FIT_COLUMNS))


def loss(table: pd.DataFrame) -> float:
    """Sum of squared scaled errors; a figure that cannot be computed costs a large penalty."""
    errors = table["scaled_error"].to_numpy(dtype=float)
    return float(np.sum(np.where(np.isfinite(errors), errors**2, UNDEFINED_PENALTY)))
