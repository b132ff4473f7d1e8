"""One number per replication for each question an experiment asks (pure numpy/pandas).

A replication's daily table becomes a handful of *outcomes*, named after the daily column and
how it is read over the horizon:

- ``<state>_end``: the state on the last simulated day (e.g. ``overdue_visits_end``, the
  backlog at the end of the horizon);
- ``<state>_average``: the mean of the daily states over the horizon (e.g.
  ``overdue_visits_average``, the mean overdue backlog a force lived with);
- ``<flow>_total``: the flow totalled over the horizon (e.g. ``lone_visit_attempts_total``).

Comparisons, sweeps and sensitivity studies reduce each replication to these as soon as it
ends, so a study of thousands of runs keeps a few numbers per run in memory, not a table.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from sim.levels import LEVELS
from sim.records import DAILY_COLUMNS, FLOW_COLUMNS, STATE_COLUMNS, DailyRecord

__all__ = [
    "HEADLINE_OUTCOMES",
    "OUTCOME_NAMES",
    "describe_outcome",
    "outcomes_frame",
    "record_outcomes",
]

OUTCOME_NAMES: tuple[str, ...] = (
    *(f"{state}_end" for state in STATE_COLUMNS),
    *(f"{state}_average" for state in STATE_COLUMNS),
    *(f"{flow}_total" for flow in FLOW_COLUMNS),
)

# The outcomes a chief officer's table shows, in this order: the backlog, its age, the work
# done, and the officer-safety side (visits made by one officer alone, by risk level).
HEADLINE_OUTCOMES: tuple[str, ...] = (
    "overdue_visits_end",
    "overdue_visits_average",
    *(f"overdue_visits_{level}_end" for level in LEVELS),
    "oldest_overdue_visit_days_end",
    "overdue_assessments_end",
    "undetected_escalations_end",
    "visit_attempts_total",
    "visits_completed_total",
    "lone_visit_attempts_total",
    *(f"lone_visit_attempts_{level}_total" for level in LEVELS),
    "officer_hours_used_total",
)

_STATE_INDEX = np.array([DAILY_COLUMNS.index(c) for c in STATE_COLUMNS])
_FLOW_INDEX = np.array([DAILY_COLUMNS.index(c) for c in FLOW_COLUMNS])


def record_outcomes(record: DailyRecord) -> np.ndarray:
    """The outcomes of one replication, in OUTCOME_NAMES order."""
    table = record.table
    states = table[:, _STATE_INDEX]
    return np.concatenate([states[-1], states.mean(axis=0), table[:, _FLOW_INDEX].sum(axis=0)])


def outcomes_frame(rows: Iterable[tuple[int, np.ndarray]]) -> pd.DataFrame:
    """(replication, outcomes) pairs -> a frame indexed by replication, sorted."""
    rows = sorted(rows, key=lambda row: row[0])
    frame = pd.DataFrame(
        np.array([values for _, values in rows]).reshape(len(rows), len(OUTCOME_NAMES)),
        columns=list(OUTCOME_NAMES),
        index=pd.Index([replication for replication, _ in rows], name="replication"),
    )
    return frame


def describe_outcome(name: str) -> str:
    """Plain words for an outcome name, for printed tables and figure labels."""
    for suffix, words in (
        ("_end", "at the end"),
        ("_average", "daily average"),
        ("_total", "total"),
    ):
        if name.endswith(suffix):
            return f"{name[: -len(suffix)].replace('_', ' ')} ({words})"
    return name.replace("_", " ")
