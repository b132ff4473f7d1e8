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
    """One row per replication per day; counts as integers, hours rounded to 0.01.

    Built in one piece from every record's tables stacked together (not a frame per record
    and area joined afterwards), so the cost is a few array copies whatever the number of
    areas and replications.
    """
    parts: list[tuple[int, str | None, np.ndarray]] = []
    for record in records:
        if record.area_tables:
            named = [(TOTAL_AREA, record.table), *record.area_tables.items()]
            parts.extend((record.replication, area, table) for area, table in named)
        else:
            parts.append((record.replication, None, record.table))
    if not parts:
        raise ValueError("no records to tabulate")
    lengths = np.array([table.shape[0] for _, _, table in parts])
    stacked = np.concatenate([table for _, _, table in parts])
    columns: dict[str, object] = {
        "replication": np.repeat(np.array([rep for rep, _, _ in parts], dtype=np.int64), lengths)
    }
    if parts[0][1] is not None:
        columns["area"] = np.repeat(np.array([area for _, area, _ in parts], dtype=object), lengths)
    longest = int(lengths.max())
    days = np.arange(longest, dtype=np.int64)
    dates = pd.date_range(start_date, periods=longest, freq="D").date
    columns["day"] = np.concatenate([days[:n] for n in lengths])
    columns["date"] = np.concatenate([dates[:n] for n in lengths])
    for index, column in enumerate(DAILY_COLUMNS):
        values = stacked[:, index]
        if column in FLOAT_COLUMNS:
            columns[column] = np.round(values, 2)
        else:
            columns[column] = np.round(values).astype(np.int64)
    return pd.DataFrame(columns)


def total_only(frame: pd.DataFrame) -> pd.DataFrame:
    """The whole scenario's rows: the ``total`` rows without the ``area`` column, if any."""
    if "area" not in frame.columns:
        return frame
    return frame[frame["area"] == TOTAL_AREA].drop(columns="area").reset_index(drop=True)


def is_flow(metric: str) -> bool:
    """Flows are per-day counts (summed over a period); the rest are states (read at its end)."""
    return metric in FLOW_COLUMNS
