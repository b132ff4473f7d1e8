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

from sim.analysis.periods import Periods, describe_rows, long_rows
from sim.analysis.summary import SUMMARY_COLUMNS
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


def _due_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """For rows sorted by area, replication and day: each work's daily ``on_time`` and
    ``fell_due`` counts (NaN on each series' first day, which has no yesterday), by the rule
    in the module's docstring; the same numbers :func:`daily_due` gives, for every series at
    once."""
    series = [frame["replication"]] + ([frame["area"]] if "area" in frame.columns else [])
    columns = {}
    for work in WORK:
        overdue = frame[f"overdue_{work}"].astype(float)
        yesterday = overdue.groupby(series, sort=False).shift(1)
        became = frame[f"{work}_became_overdue"].astype(float)
        late = (yesterday + became - overdue).clip(lower=0)
        on_time = (frame[f"{work}_completed"].astype(float) - late).clip(lower=0)
        columns[f"{work}_on_time"] = on_time
        columns[f"{work}_fell_due"] = (on_time + became).where(yesterday.notna())
    return pd.DataFrame(columns)


def measures_summary(trajectories: pd.DataFrame) -> pd.DataFrame:
    """Rows in ``summary.csv``'s columns for :data:`MEASURES`: the whole run (``end``), then
    each calendar month; with an ``area`` column, a block per area. A month's share counts the
    items that fell due in that month (exact counts where the table has them; a derived share
    measures the month's first day against the backlog of the day before, and the run's first
    day is left out). Every area, period and measure is computed at once over the whole table
    (:mod:`sim.analysis.periods`): every share, then the high-risk backlogs."""
    periods = Periods.of(trajectories)
    frame = periods.frame
    if has_exact_shares(frame):
        parts, share_metrics = exact_due_parts(frame)
    else:
        parts, share_metrics = _due_columns(frame), list(SHARE_MEASURES)
    due = periods.total(parts)  # (areas, periods, numerator/denominator pairs, replications)
    denominators = due[:, :, 1::2]
    shares = due[:, :, 0::2] / np.where(denominators > 0, denominators, np.nan)
    backlog = pd.DataFrame({work: high_risk(frame, work) for work in WORK})
    values = np.concatenate([shares, periods.last(backlog)], axis=2)
    statistics, counts = describe_rows(values)
    metrics = [*share_metrics, *HIGH_RISK_MEASURES]
    kinds = ["share"] * len(share_metrics) + ["state"] * len(HIGH_RISK_MEASURES)
    keep = counts > 0  # a share with nothing due (or no hours) in the period has no row
    keep[:, :, len(share_metrics) :] = True
    table = long_rows(statistics, counts, periods.labels, metrics, kinds, keep)
    if periods.areas is None:
        return table[list(SUMMARY_COLUMNS)]
    table["area"] = np.asarray(periods.areas, dtype=object)[table["area"].to_numpy()]
    return table[["area", *SUMMARY_COLUMNS]]
