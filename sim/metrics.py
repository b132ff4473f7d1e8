"""Turn what replications recorded into tidy tables (pure functions, no SimPy).

``trajectories`` is long in replications and wide in metrics: one row per replication per day,
with the calendar date and every column of ``counters.DAILY_COLUMNS``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

from .counters import DAILY_COLUMNS, FLOW_COLUMNS
from .model import DailyRecord

__all__ = ["FLOAT_COLUMNS", "trajectories"]

FLOAT_COLUMNS = frozenset(
    {"officer_hours_used", "officer_hours_available", "escalation_days_unnoticed"}
)


def trajectories(records: Iterable[DailyRecord], start_date: date) -> pd.DataFrame:
    """One row per replication per day; counts as integers, hours rounded to 0.01."""
    frames = []
    for record in records:
        n_days = record.table.shape[0]
        frame = pd.DataFrame(record.table, columns=list(DAILY_COLUMNS))
        frame.insert(0, "date", pd.date_range(start_date, periods=n_days, freq="D").date)
        frame.insert(0, "day", np.arange(n_days))
        frame.insert(0, "replication", record.replication)
        frames.append(frame)
    result = pd.concat(frames, ignore_index=True)
    for column in DAILY_COLUMNS:
        if column in FLOAT_COLUMNS:
            result[column] = result[column].round(2)
        else:
            result[column] = result[column].round().astype("int64")
    return result


def is_flow(metric: str) -> bool:
    """Flows are per-day counts (summed over a period); the rest are states (read at its end)."""
    return metric in FLOW_COLUMNS
