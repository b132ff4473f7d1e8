"""The inspectorate's measures, from the daily table (pure pandas, no SimPy).

HMICFRS asks a force's leaders to see the backlog's size, the risk of the cases in it and how
overdue they are. Most of that is a column of the daily table (``sim.records``) and goes into
``summary.csv`` like any other: overdue visits and assessments by risk level, the backlog by
age band (``overdue_visits_age_1_30`` ... ``_over_180``, also by level for visits), the oldest
overdue item by level (``oldest_overdue_visit_days_<level>``), staff in post and absent. This
module derives the measures that are ratios or sums of columns:

* **high-risk backlog** (``overdue_<work>_high_risk``): overdue visits (assessments) of very
  high and high risk together, a state read at the end of each day;
* **share done by the due date** (``<work>_on_time_share``, and ``..._<level>`` by risk
  level): of the visits (assessments) that fell due in a period, the share done on or before
  their due date. A due item is either done on time (``<work>_completed_on_time_<level>``:
  completed while not overdue) or becomes overdue (``<work>_became_overdue_<level>``, counted
  once per item, at the level believed then; the backlog inherited on day 0 is not counted), so
  the share is ``on time / (on time + became overdue)``, from columns the model counts exactly.
  The overall share is the same ratio of the levels' sums, so it is the levels' shares
  weighted by what fell due at each. Items that leave the register (or go into custody)
  before their due date are in neither count. A period's share counts what fell due in it;
  a period in which nothing fell due has no share. (Work done late is ``completed`` less
  ``completed_on_time``, should the share of completions made on time be wanted instead.)
* **work needed against capacity** (``work_needed_share_of_capacity``): the hours the schedule
  asks for (``scheduled_hours_demand``, summed over the period: see ``sim.model.demand``) over
  the officer-hours available in it, as probation's workload tool states capacity: 100% means
  the schedule needs every available hour, above 100% it cannot be kept.

A table from an older results folder has no on-time columns. Its overall shares are then
*derived*, as before these columns existed: each day ``late = max(0, overdue yesterday +
became overdue today - overdue today)`` and ``on time = max(0, completed - late)`` (day 0 left
out). An overdue offender who leaves the register also shrinks the backlog and counts as a
late completion there, so the derived share is a slight under-estimate (a lower bound); the
exact share replaces it wherever the columns exist. Older tables have no per-level shares
and no capacity measure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis.summary import SUMMARY_COLUMNS, describe
from sim.levels import LEVELS

__all__ = [
    "CAPACITY_MEASURE",
    "HIGH_RISK_MEASURES",
    "LEVEL_SHARE_MEASURES",
    "MEASURES",
    "SHARE_MEASURES",
    "capacity_share",
    "daily_due",
    "exact_due_parts",
    "has_exact_shares",
    "high_risk",
    "measures_summary",
    "on_time_share",
]

WORK = {"visits": "visit", "assessments": "assessment"}
SHARE_MEASURES: tuple[str, ...] = ("visits_on_time_share", "assessments_on_time_share")
LEVEL_SHARE_MEASURES: tuple[str, ...] = tuple(
    f"{work}_on_time_share_{level}" for work in WORK for level in LEVELS
)
HIGH_RISK_MEASURES: tuple[str, ...] = (
    "overdue_visits_high_risk",
    "overdue_assessments_high_risk",
)
CAPACITY_MEASURE = "work_needed_share_of_capacity"
MEASURES: tuple[str, ...] = (
    SHARE_MEASURES + HIGH_RISK_MEASURES + LEVEL_SHARE_MEASURES + (CAPACITY_MEASURE,)
)


def high_risk(frame: pd.DataFrame, work: str) -> pd.Series:
    """Overdue ``work`` ('visits' or 'assessments') of very high and high risk, each row."""
    return frame[f"overdue_{work}_very_high"] + frame[f"overdue_{work}_high"]


def has_exact_shares(frame: pd.DataFrame) -> bool:
    """Whether the table has the model's on-time counts (results written since they exist)."""
    wanted = [
        f"{work}_{count}_{level}"
        for work in WORK
        for count in ("completed_on_time", "became_overdue")
        for level in LEVELS
    ]
    return "scheduled_hours_demand" in frame.columns and all(c in frame.columns for c in wanted)


def daily_due(frame: pd.DataFrame, work: str, level: str | None = None) -> pd.DataFrame:
    """Each replication's days with ``on_time`` and ``fell_due`` counts of ``work`` ('visits'
    or 'assessments'), of one risk ``level`` or all, by the rules in the module's docstring:
    counted exactly where the table has the on-time columns (every day), else derived from the
    backlog (all levels only; day 0 left out)."""
    ordered = frame.sort_values(["replication", "day"])
    keys = ordered[["replication", "day", "date"]]
    if has_exact_shares(ordered):
        levels = LEVELS if level is None else (level,)
        on_time = ordered[[f"{work}_completed_on_time_{name}" for name in levels]].sum(axis=1)
        became = ordered[[f"{work}_became_overdue_{name}" for name in levels]].sum(axis=1)
        result = keys.assign(on_time=on_time, fell_due=on_time + became)
        return result.reset_index(drop=True)
    if level is not None:
        raise ValueError(f"the table has no on-time counts by level ({work}, {level})")
    overdue = ordered[f"overdue_{work}"].astype(float)
    yesterday = overdue.groupby(ordered["replication"]).shift(1)
    became = ordered[f"{work}_became_overdue"].astype(float)
    completed = ordered[f"{work}_completed"].astype(float)
    late = (yesterday + became - overdue).clip(lower=0)
    on_time = (completed - late).clip(lower=0)
    result = keys.assign(on_time=on_time, fell_due=on_time + became)
    return result[yesterday.notna()].reset_index(drop=True)


def on_time_share(frame: pd.DataFrame, work: str, level: str | None = None) -> pd.Series:
    """The share of ``work`` (of one risk ``level``, or all) done by its due date over the whole
    frame, per replication (NaN for a replication in which nothing fell due)."""
    due = daily_due(frame, work, level).groupby("replication")[["on_time", "fell_due"]].sum()
    return (due["on_time"] / due["fell_due"].where(due["fell_due"] > 0)).rename(work)


def capacity_share(frame: pd.DataFrame) -> pd.Series:
    """Hours the schedule asked for over the hours available, per replication, over the whole
    frame (NaN where no hours were available; empty for a table without the demand column)."""
    if "scheduled_hours_demand" not in frame.columns:
        return pd.Series(dtype=float)
    totals = frame.groupby("replication")[
        ["scheduled_hours_demand", "officer_hours_available"]
    ].sum()
    available = totals["officer_hours_available"]
    return totals["scheduled_hours_demand"] / available.where(available > 0)


def _share_row(period: str, metric: str, values: pd.Series | np.ndarray) -> list[dict]:
    """A row of shares across replications, or none if no replication has one."""
    shares = np.asarray(values, dtype=float)
    shares = shares[~np.isnan(shares)]
    if not len(shares):
        return []
    return [{"period": period, "metric": metric, "kind": "share"} | describe(shares)]


def _high_risk_rows(frame: pd.DataFrame, period: str) -> list[dict]:
    """The high-risk backlogs on the period's last day."""
    last = frame[frame["day"] == frame["day"].max()].set_index("replication").sort_index()
    return [
        {"period": period, "metric": f"overdue_{work}_high_risk", "kind": "state"}
        | describe(high_risk(last, work).to_numpy(dtype=float))
        for work in WORK
    ]


def _derived_rows(frame: pd.DataFrame, period: str) -> list[dict]:
    """The measures over one period of an older table (derived shares, no capacity)."""
    rows = []
    for work in WORK:
        rows += _share_row(period, f"{work}_on_time_share", on_time_share(frame, work))
    return rows + _high_risk_rows(frame, period)


def exact_due_parts(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Each row's numerator and denominator of every share measure, as alternating columns
    (numerator, denominator of the first metric, then of the next ...), and the metrics in
    that order: the two overall shares, the shares by level, work needed against capacity.
    A period's share is its numerators' total over its denominators' total (a table with the
    model's exact counts; see :func:`has_exact_shares`)."""
    parts: dict[str, pd.Series] = {}
    metrics: list[str] = []

    def add(metric: str, numerator: pd.Series, denominator: pd.Series) -> None:
        metrics.append(metric)
        parts[f"{metric}:numerator"] = numerator.astype(float)
        parts[f"{metric}:denominator"] = denominator.astype(float)

    for work in WORK:
        on_time = frame[[f"{work}_completed_on_time_{level}" for level in LEVELS]].sum(axis=1)
        add(f"{work}_on_time_share", on_time, on_time + frame[f"{work}_became_overdue"])
    for work in WORK:
        for level in LEVELS:
            on_time = frame[f"{work}_completed_on_time_{level}"]
            became = frame[f"{work}_became_overdue_{level}"]
            add(f"{work}_on_time_share_{level}", on_time, on_time + became)
    add(CAPACITY_MEASURE, frame["scheduled_hours_demand"], frame["officer_hours_available"])
    return pd.DataFrame(parts), metrics


def _sums(groups: np.ndarray, n_groups: int, values: np.ndarray) -> np.ndarray:
    """Column sums of ``values`` by group (rows labelled 0..n_groups-1): (n_groups, columns)."""
    return np.column_stack(
        [
            np.bincount(groups, weights=values[:, j], minlength=n_groups)
            for j in range(values.shape[1])
        ]
    )


def _describe_columns(values: np.ndarray) -> list[dict[str, float] | None]:
    """:func:`describe` of each column of (replications x measures), NaNs left out; None for a
    column with no value. Columns without NaN are described together (the same numbers, to
    the last bits of floating-point summation)."""
    complete = ~np.isnan(values).any(axis=0)
    result: list[dict[str, float] | None] = [None] * values.shape[1]
    n = values.shape[0]
    if complete.any():
        whole = values[:, complete]
        mean = whole.mean(axis=0)
        if n > 1:
            half = stats.t.ppf(0.975, n - 1) * whole.std(axis=0, ddof=1) / np.sqrt(n)
        else:
            half = np.full(whole.shape[1], np.nan)
        p5, p50, p95 = np.percentile(whole, [5, 50, 95], axis=0)
        for k, column in enumerate(np.flatnonzero(complete)):
            result[column] = {
                "mean": float(mean[k]),
                "ci95_low": float(mean[k] - half[k]),
                "ci95_high": float(mean[k] + half[k]),
                "p5": float(p5[k]),
                "p50": float(p50[k]),
                "p95": float(p95[k]),
                "replications": n,
            }
    for column in np.flatnonzero(~complete):
        present = values[:, column][~np.isnan(values[:, column])]
        if len(present):
            result[column] = describe(present)
    return result


def _exact_summary(trajectories: pd.DataFrame) -> pd.DataFrame:
    """The measures over the run and each month, from the model's exact counts (numpy: a
    national run has dozens of areas and months): every share, then the high-risk backlogs."""
    frame = trajectories.sort_values(["replication", "day"])
    _, replication = np.unique(frame["replication"].to_numpy(), return_inverse=True)
    months, month = np.unique(
        pd.to_datetime(frame["date"]).dt.strftime("%Y-%m").to_numpy(), return_inverse=True
    )
    n_replications, n_months = int(replication.max()) + 1, len(months)
    parts, metrics = exact_due_parts(frame)
    groups = replication * n_months + month
    totals = _sums(groups, n_replications * n_months, parts.to_numpy(float))
    totals = totals.reshape(n_replications, n_months, -1)  # numerators and denominators
    # the high-risk backlogs on each month's last day (the run's last day ends the last month)
    days = frame["day"].to_numpy()
    last_day = np.zeros(n_months, dtype=days.dtype)
    np.maximum.at(last_day, month, days)
    on_last = days == last_day[month]
    backlog = np.zeros((n_replications, n_months, len(WORK)))
    for k, work in enumerate(WORK):
        values = high_risk(frame, work).to_numpy(float)
        backlog[replication[on_last], month[on_last], k] = values[on_last]
    periods = [("end", totals.sum(axis=1), backlog[:, -1])]
    periods += [(str(name), totals[:, m], backlog[:, m]) for m, name in enumerate(months)]
    rows: list[dict] = []
    for period, total, high in periods:
        numerator, denominator = total[:, 0::2], total[:, 1::2]
        with np.errstate(divide="ignore", invalid="ignore"):
            shares = np.where(denominator > 0, numerator / denominator, np.nan)
        for metric, found in zip(metrics, _describe_columns(shares), strict=True):
            if found is not None:  # nothing fell due (or no hours): no row
                rows.append({"period": period, "metric": metric, "kind": "share"} | found)
        for k, work in enumerate(WORK):
            name = f"overdue_{work}_high_risk"
            rows.append({"period": period, "metric": name, "kind": "state"} | describe(high[:, k]))
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def measures_summary(trajectories: pd.DataFrame) -> pd.DataFrame:
    """Rows in ``summary.csv``'s columns for :data:`MEASURES`: the whole run (``end``), then
    each calendar month. A month's share counts the items that fell due in that month (a
    derived share measures the month's first day against the backlog of the day before).
    With an ``area`` column, a block per area."""
    if "area" in trajectories.columns:
        parts = [
            measures_summary(frame.drop(columns="area")).assign(area=area)
            for area, frame in trajectories.groupby("area", sort=False)
        ]
        return pd.concat(parts, ignore_index=True)[["area", *SUMMARY_COLUMNS]]
    if has_exact_shares(trajectories):
        return _exact_summary(trajectories)
    months = pd.to_datetime(trajectories["date"]).dt.strftime("%Y-%m")
    rows = _derived_rows(trajectories, "end")
    previous_day = None
    for month, frame in trajectories.groupby(months, sort=True):
        # a derived share needs the backlog on the day before the month starts
        if previous_day is not None:
            frame = pd.concat([previous_day, frame])
        rows.extend(_derived_rows(frame, str(month)))  # the day before only gives the backlog
        previous_day = frame[frame["day"] == frame["day"].max()]
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
