"""The inspectorate's measures, derived from the daily table (pure pandas, no SimPy).

HMICFRS asks a force's leaders to see the backlog's size, the risk of the cases in it and how
overdue they are. From the columns the model already records (``sim.records``) this module
derives:

* **high-risk backlog**: overdue visits (and assessments) of very high and high risk together,
  a state read at the end of each day;
* **share done by the due date**: of the visits (assessments) that fell due in a period, the
  share done by their due date. A due item is either done on time or becomes overdue
  (``visits_became_overdue``, counted once per item). Completions on time are the day's
  completions less those that cleared the backlog: each day,
  ``late = max(0, overdue yesterday + became overdue today - overdue today)`` and
  ``on time = max(0, completed - late)``, so the share is
  ``on time / (on time + became overdue)``. An overdue offender who leaves the register also
  shrinks the backlog and is counted as a late completion here, so the share is a slight
  *under*-estimate (a lower bound) when overdue offenders leave. Day 0 is left out (the
  backlog at the start is inherited, not fallen due).

Not derivable from the daily table (each needs a new column from the model, which this module
does not add): the share on time *by risk level*, the backlog by age band (1-30, 31-90,
91-180, over 180 days overdue) and the oldest item *by risk level* (the table has the oldest
over all levels only), and work needed against capacity (the table has hours used and
available, not hours the schedule asked for).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.periods import Periods, describe_rows, long_rows
from sim.analysis.summary import SUMMARY_COLUMNS

__all__ = [
    "HIGH_RISK_MEASURES",
    "MEASURES",
    "SHARE_MEASURES",
    "daily_due",
    "high_risk",
    "measures_summary",
    "on_time_share",
]

WORK = {"visits": "visit", "assessments": "assessment"}
SHARE_MEASURES: tuple[str, ...] = ("visits_on_time_share", "assessments_on_time_share")
HIGH_RISK_MEASURES: tuple[str, ...] = (
    "overdue_visits_high_risk",
    "overdue_assessments_high_risk",
)
MEASURES: tuple[str, ...] = SHARE_MEASURES + HIGH_RISK_MEASURES


def high_risk(frame: pd.DataFrame, work: str) -> pd.Series:
    """Overdue ``work`` ('visits' or 'assessments') of very high and high risk, each row."""
    return frame[f"overdue_{work}_very_high"] + frame[f"overdue_{work}_high"]


def daily_due(frame: pd.DataFrame, work: str) -> pd.DataFrame:
    """Each replication's days (day 0 left out) with ``on_time`` and ``fell_due`` counts of
    ``work`` ('visits' or 'assessments'), by the rule in the module's docstring."""
    ordered = frame.sort_values(["replication", "day"])
    overdue = ordered[f"overdue_{work}"].astype(float)
    yesterday = overdue.groupby(ordered["replication"]).shift(1)
    became = ordered[f"{work}_became_overdue"].astype(float)
    completed = ordered[f"{work}_completed"].astype(float)
    late = (yesterday + became - overdue).clip(lower=0)
    on_time = (completed - late).clip(lower=0)
    result = pd.DataFrame(
        {
            "replication": ordered["replication"],
            "day": ordered["day"],
            "date": ordered["date"],
            "on_time": on_time,
            "fell_due": on_time + became,
        }
    )
    return result[yesterday.notna()].reset_index(drop=True)


def on_time_share(frame: pd.DataFrame, work: str) -> pd.Series:
    """The share of ``work`` done by its due date over the whole frame, per replication
    (NaN for a replication in which nothing fell due)."""
    due = daily_due(frame, work).groupby("replication")[["on_time", "fell_due"]].sum()
    return (due["on_time"] / due["fell_due"].where(due["fell_due"] > 0)).rename(work)


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
    each calendar month. A month's share counts the items that fell due in that month (its
    first day measured against the day before's backlog); the run's first day is left out.
    With an ``area`` column, a block per area. Every area, period and measure is computed at
    once over the whole table (:mod:`sim.analysis.periods`)."""
    periods = Periods.of(trajectories)
    frame = periods.frame
    due = periods.total(_due_columns(frame))  # (areas, periods, 2 x work, replications)
    fell_due = due[:, :, 1::2]
    shares = due[:, :, 0::2] / np.where(fell_due > 0, fell_due, np.nan)
    backlog = pd.DataFrame({work: high_risk(frame, work) for work in WORK})
    values = np.concatenate([shares, periods.last(backlog)], axis=2)
    statistics, counts = describe_rows(values)
    metrics = [*SHARE_MEASURES, *HIGH_RISK_MEASURES]
    kinds = ["share"] * len(SHARE_MEASURES) + ["state"] * len(HIGH_RISK_MEASURES)
    keep = counts > 0  # a share with nothing due in the period has no row
    keep[:, :, len(SHARE_MEASURES) :] = True
    table = long_rows(statistics, counts, periods.labels, metrics, kinds, keep)
    if periods.areas is None:
        return table[list(SUMMARY_COLUMNS)]
    table["area"] = np.asarray(periods.areas, dtype=object)[table["area"].to_numpy()]
    return table[["area", *SUMMARY_COLUMNS]]
