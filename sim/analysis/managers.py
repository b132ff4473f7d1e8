"""With personal caseloads: each offender manager's caseload and overdue visits at the end.

The model hands back, per replication and area, one row per manager in post on the last day
(``MANAGER_COLUMNS``: the manager's number, offenders on their caseload, of those how many are
overdue for a visit). This module lays them out as one tidy table, ``managers.csv``, from
which the caseload per manager (mean, largest) and the spread of the backlog across managers
are read per replication.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from sim.records import MANAGER_COLUMNS, DailyRecord

__all__ = ["manager_table"]


def manager_table(records: Iterable[DailyRecord]) -> pd.DataFrame | None:
    """One row per replication, area (when there are areas) and manager; None if pooled."""
    frames = []
    for record in records:
        for area, rows in record.managers.items():
            frame = pd.DataFrame(rows, columns=list(MANAGER_COLUMNS)).astype(int)
            frame.insert(0, "replication", record.replication)
            if area:
                frame.insert(1, "area", area)
            frames.append(frame)
    if not frames:
        return None
    return pd.concat(frames, ignore_index=True)
