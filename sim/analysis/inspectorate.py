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

from sim.analysis.summary import SUMMARY_COLUMNS, describe

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


def _rows(frame: pd.DataFrame, period: str) -> list[dict]:
    """The measures over one period of the daily table (state measures at its last day)."""
    rows = []
    last = frame[frame["day"] == frame["day"].max()].set_index("replication").sort_index()
    for work in WORK:
        shares = on_time_share(frame, work).to_numpy(dtype=float)
        shares = shares[~np.isnan(shares)]
        if len(shares):
            rows.append(
                {"period": period, "metric": f"{work}_on_time_share", "kind": "share"}
                | describe(shares)
            )
    for work in WORK:
        values = high_risk(last, work).to_numpy(dtype=float)
        rows.append(
            {"period": period, "metric": f"overdue_{work}_high_risk", "kind": "state"}
            | describe(values)
        )
    return rows


def measures_summary(trajectories: pd.DataFrame) -> pd.DataFrame:
    """Rows in ``summary.csv``'s columns for :data:`MEASURES`: the whole run (``end``), then
    each calendar month. A month's share counts the items that fell due in that month; the
    first month's share leaves out day 0. With an ``area`` column, a block per area."""
    if "area" in trajectories.columns:
        parts = [
            measures_summary(frame.drop(columns="area")).assign(area=area)
            for area, frame in trajectories.groupby("area", sort=False)
        ]
        return pd.concat(parts, ignore_index=True)[["area", *SUMMARY_COLUMNS]]
    rows = _rows(trajectories, "end")
    months = pd.to_datetime(trajectories["date"]).dt.strftime("%Y-%m")
    previous_day = None
    for month, frame in trajectories.groupby(months, sort=True):
        # each month's share needs the backlog on the day before it starts
        if previous_day is not None:
            frame = pd.concat([previous_day, frame])
        rows.extend(_rows(frame, str(month)))  # the day before only gives the backlog
        previous_day = frame[frame["day"] == frame["day"].max()]
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
