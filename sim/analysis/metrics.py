"""Turn what replications recorded into tidy tables (pure functions, no SimPy).

``trajectories`` is long in replications and wide in metrics: one row per replication per day,
with the calendar date and every column of ``counters.DAILY_COLUMNS``. For a scenario with
areas it has an ``area`` column as well: rows for the ``total`` of all areas, then rows for
each area. A scenario without areas has no ``area`` column, exactly as before areas existed;
``total_only`` gives the one series of either kind to code that wants the whole scenario.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

from sim.records import DAILY_COLUMNS, FLOW_COLUMNS, DailyRecord
from sim.scenario import TOTAL_AREA

__all__ = ["FLOAT_COLUMNS", "is_flow", "total_only", "trajectories"]

FLOAT_COLUMNS = frozenset(
    {
        "officer_hours_used",
        "officer_hours_available",
        "escalation_days_unnoticed",
        "scheduled_hours_demand",
    }
)


def trajectories(records: Iterable[DailyRecord], start_date: date) -> pd.DataFrame:
    """One row per replication per day; counts as integers, hours rounded to 0.01."""
    frames = []
    for record in records:
        n_days = record.table.shape[0]
        dates = pd.date_range(start_date, periods=n_days, freq="D").date
        parts = [(TOTAL_AREA, record.table), *record.area_tables.items()]
        for area, table in parts if record.area_tables else [(None, record.table)]:
            frame = pd.DataFrame(table, columns=list(DAILY_COLUMNS))
            frame.insert(0, "date", dates)
            frame.insert(0, "day", np.arange(n_days))
            if area is not None:
                frame.insert(0, "area", area)
            frame.insert(0, "replication", record.replication)
            frames.append(frame)
    result = pd.concat(frames, ignore_index=True)
    for column in DAILY_COLUMNS:
        if column in FLOAT_COLUMNS:
            result[column] = result[column].round(2)
        else:
            result[column] = result[column].round().astype("int64")
    return result


def total_only(frame: pd.DataFrame) -> pd.DataFrame:
    """The whole scenario's rows: the ``total`` rows without the ``area`` column, if any."""
    if "area" not in frame.columns:
        return frame
    return frame[frame["area"] == TOTAL_AREA].drop(columns="area").reset_index(drop=True)


def is_flow(metric: str) -> bool:
    """Flows are per-day counts (summed over a period); the rest are states (read at its end)."""
    return metric in FLOW_COLUMNS
