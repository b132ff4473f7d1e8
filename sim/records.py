"""The one contract between the model and everything after it: what a replication produced.

The model (``sim.model``) fills a numpy table with one row per simulated day and one column per
name in :data:`DAILY_COLUMNS`; experiments, analysis, studies and reports read those tables by
these names and never import the model or SimPy (the idea of Ciw's ``DataRecord``).

* :data:`STATE_COLUMNS` describe the register at the *end* of a day (population, backlog,
  oldest overdue item, staff in post);
* :data:`FLOW_COLUMNS` count what happened *during* the day (attempts, completions, hours);
* :data:`OLDEST_COLUMNS` are ages, which do not add up over areas: the total is the largest.

Columns added later are appended at the end of their tuple, so a column keeps its name,
meaning and values for the same seed. Those added for the inspectorate's measures (issue 15)
and the staff (issue 13):

* the backlog by age (:data:`AGE_BANDS`: days overdue at the end of the day), for all visits,
  for visits by risk level and for all assessments; the oldest overdue visit and assessment by
  risk level;
* offender managers and sergeants *in post* (productive, plus recruits in training, who are in
  post but have no hours) and *absent* today (productive officers on leave, sick, in court or
  training; absences only fall on working days). ``offender_managers`` and ``sergeants`` keep
  their meaning: productive officers in post, not counting any leaving at the end of a task;
* visits and assessments completed by the level believed at completion, those of them
  completed on or before their due date (not overdue when done), and those that became
  overdue, by the level then (day 0's inherited backlog is not counted as becoming overdue);
* ``scheduled_hours_demand``: the officer-hours a day that the schedule asks for, given the
  register at the end of the day (see ``sim.model.demand``); its total over a period against
  ``officer_hours_available`` is work needed against capacity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sim.levels import LEVELS

if TYPE_CHECKING:  # the column names are read by scenario checks that need no numpy
    import numpy as np

__all__ = [
    "AGE_BANDS",
    "AreaRun",
    "DAILY_COLUMNS",
    "DailyRecord",
    "FLOW_COLUMNS",
    "MANAGER_COLUMNS",
    "OLDEST_COLUMNS",
    "STATE_COLUMNS",
    "total_over_areas",
]

# Days overdue at the end of a day: (column suffix, first day, last day or None for no end).
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("1_30", 1, 30),
    ("31_90", 31, 90),
    ("91_180", 91, 180),
    ("over_180", 181, None),
)
_BANDS = tuple(name for name, _, _ in AGE_BANDS)

STATE_COLUMNS: tuple[str, ...] = (
    "population",
    *(f"population_{level}" for level in LEVELS),
    "reactive",
    "overdue_visits",
    *(f"overdue_visits_{level}" for level in LEVELS),
    "oldest_overdue_visit_days",
    "overdue_assessments",
    *(f"overdue_assessments_{level}" for level in LEVELS),
    "oldest_overdue_assessment_days",
    "undetected_escalations",
    "offender_managers",
    "sergeants",
    # added for the inspectorate's measures and the staff (see the module docstring)
    *(f"overdue_visits_age_{band}" for band in _BANDS),
    *(f"overdue_visits_{level}_age_{band}" for level in LEVELS for band in _BANDS),
    *(f"overdue_assessments_age_{band}" for band in _BANDS),
    *(f"oldest_overdue_visit_days_{level}" for level in LEVELS),
    *(f"oldest_overdue_assessment_days_{level}" for level in LEVELS),
    "offender_managers_in_post",
    "sergeants_in_post",
    "offender_managers_absent",
    "sergeants_absent",
)
FLOW_COLUMNS: tuple[str, ...] = (
    "registrations",
    "exits",
    "visit_attempts",
    "lone_visit_attempts",
    *(f"lone_visit_attempts_{level}" for level in LEVELS),
    "visits_completed",
    "police_actions",
    "assessments_completed",
    "visits_became_overdue",
    "assessments_became_overdue",
    "escalations",
    "escalations_detected",
    "escalation_days_unnoticed",
    "officer_hours_used",
    "officer_hours_available",
    # added for the inspectorate's measures (see the module docstring)
    *(f"visits_completed_{level}" for level in LEVELS),
    *(f"visits_completed_on_time_{level}" for level in LEVELS),
    *(f"visits_became_overdue_{level}" for level in LEVELS),
    *(f"assessments_completed_{level}" for level in LEVELS),
    *(f"assessments_completed_on_time_{level}" for level in LEVELS),
    *(f"assessments_became_overdue_{level}" for level in LEVELS),
    "scheduled_hours_demand",
)
DAILY_COLUMNS: tuple[str, ...] = STATE_COLUMNS + FLOW_COLUMNS
# With personal caseloads, one row per offender manager in post at the end of the horizon.
MANAGER_COLUMNS: tuple[str, ...] = ("manager", "caseload", "overdue_visits")
# Over several areas these are the largest area's value; every other column adds up.
OLDEST_COLUMNS: tuple[str, ...] = (
    "oldest_overdue_visit_days",
    "oldest_overdue_assessment_days",
    *(f"oldest_overdue_visit_days_{level}" for level in LEVELS),
    *(f"oldest_overdue_assessment_days_{level}" for level in LEVELS),
)


@dataclass(frozen=True)
class DailyRecord:
    """What one replication produced: one row per simulated day (see DAILY_COLUMNS).

    ``simpy_events`` is how many SimPy events the replication scheduled: the model's unit of
    work, used by the benchmarks (events per second, events per visit). For a scenario with
    areas, ``table`` is the total over the areas and ``area_tables`` holds each area's table
    by name; without areas ``area_tables`` is empty.
    """

    replication: int
    table: np.ndarray
    simpy_events: int = 0
    area_tables: dict[str, np.ndarray] = field(default_factory=dict)
    # Personal caseloads only: each area's (name, "" without areas) rows of MANAGER_COLUMNS.
    managers: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class AreaRun:
    """One area's part of a replication (``area`` is None for a scenario without areas)."""

    area: str | None
    table: np.ndarray
    simpy_events: int
    managers: np.ndarray | None = None  # personal caseloads: rows of MANAGER_COLUMNS


def total_over_areas(tables: list[np.ndarray]) -> np.ndarray:
    """The daily table of several areas together: sums, but the oldest item is the oldest."""
    import numpy as np

    stacked = np.stack(tables)
    total: np.ndarray = stacked.sum(axis=0)
    for column in OLDEST_COLUMNS:
        index = DAILY_COLUMNS.index(column)
        total[:, index] = stacked[:, :, index].max(axis=0)
    return total
