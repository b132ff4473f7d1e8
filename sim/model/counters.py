"""Live counters of the register and the backlog, and the daily snapshot table.

Counts are updated on transitions (an offender joins, leaves, becomes overdue, is visited), so
taking a daily snapshot costs the same whatever the population: nothing scans all offenders.
The age of the oldest overdue item comes from a heap of due dates whose stale entries (work
since done, offenders since gone) are dropped lazily when they reach the top.

Each snapshot row describes the state at the *end* of a simulated day and the flows (attempts,
completions, hours) *during* that day.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

import numpy as np

from sim.levels import N_LEVELS
from sim.model.offender import Offender
from sim.records import DAILY_COLUMNS, FLOW_COLUMNS

__all__ = ["Counters"]

_FLOW_INDEX = {name: i for i, name in enumerate(FLOW_COLUMNS)}
_ATTEMPTS_INDEX = _FLOW_INDEX["visit_attempts"]
_LONE_INDEX = _FLOW_INDEX["lone_visit_attempts"]  # the per-level columns follow it in order


class Counters:
    """What the force would see on its dashboard, kept current as events happen."""

    def __init__(self, horizon_days: int) -> None:
        self.population_by_level = [0] * N_LEVELS
        self.overdue_visits_by_level = [0] * N_LEVELS
        self.overdue_assessments_by_level = [0] * N_LEVELS
        self.reactive = 0
        self.undetected_escalations = 0
        self.flows = [0.0] * len(FLOW_COLUMNS)
        self._visit_overdue_heap: list[tuple[int, int, int, Offender]] = []
        self._assessment_overdue_heap: list[tuple[int, int, int, Offender]] = []
        self.table = np.zeros((horizon_days, len(DAILY_COLUMNS)), dtype=np.float64)

    # -- the register ---------------------------------------------------------------------
    def joined(self, offender: Offender) -> None:
        self.population_by_level[offender.level] += 1

    def left(self, offender: Offender) -> None:
        self.population_by_level[offender.level] -= 1
        if offender.visit_overdue:
            self.overdue_visits_by_level[offender.level] -= 1
        if offender.assessment_overdue:
            self.overdue_assessments_by_level[offender.level] -= 1
        if offender.reactive:
            self.reactive -= 1
        if offender.escalated_at is not None:
            self.undetected_escalations -= 1

    def level_changed(self, offender: Offender, old_level: int) -> None:
        """Move the offender's counts from ``old_level`` to ``offender.level``."""
        new_level = offender.level
        self.population_by_level[old_level] -= 1
        self.population_by_level[new_level] += 1
        if offender.visit_overdue:
            self.overdue_visits_by_level[old_level] -= 1
            self.overdue_visits_by_level[new_level] += 1
        if offender.assessment_overdue:
            self.overdue_assessments_by_level[old_level] -= 1
            self.overdue_assessments_by_level[new_level] += 1

    # -- the backlog ----------------------------------------------------------------------
    def visit_now_overdue(self, offender: Offender) -> None:
        offender.visit_overdue = True
        self.overdue_visits_by_level[offender.level] += 1
        heapq.heappush(
            self._visit_overdue_heap,
            (offender.visit_due_day, offender.id, offender.visit_version, offender),
        )

    def visit_no_longer_overdue(self, offender: Offender) -> None:
        if offender.visit_overdue:
            offender.visit_overdue = False
            self.overdue_visits_by_level[offender.level] -= 1

    def assessment_now_overdue(self, offender: Offender) -> None:
        offender.assessment_overdue = True
        self.overdue_assessments_by_level[offender.level] += 1
        heapq.heappush(
            self._assessment_overdue_heap,
            (offender.assessment_due_day, offender.id, offender.assessment_version, offender),
        )

    def assessment_no_longer_overdue(self, offender: Offender) -> None:
        if offender.assessment_overdue:
            offender.assessment_overdue = False
            self.overdue_assessments_by_level[offender.level] -= 1

    def add(self, flow: str, amount: float = 1.0) -> None:
        """Add to one of the per-day flow counters (see FLOW_COLUMNS)."""
        self.flows[_FLOW_INDEX[flow]] += amount

    def visit_attempted(self, level: int, n_officers: int) -> None:
        """A visit attempt to an offender believed at ``level`` was made (lone ones counted too)."""
        flows = self.flows
        flows[_ATTEMPTS_INDEX] += 1
        if n_officers == 1:
            flows[_LONE_INDEX] += 1
            flows[_LONE_INDEX + 1 + level] += 1

    @staticmethod
    def _oldest_due_day(
        heap: list[tuple[int, int, int, Offender]], still_overdue: Callable[[Offender, int], bool]
    ) -> int | None:
        while heap:
            due_day, _, version, offender = heap[0]
            if still_overdue(offender, version):
                return due_day
            heapq.heappop(heap)
        return None

    # -- the snapshot ---------------------------------------------------------------------
    def snapshot(self, day: int, offender_managers: int, sergeants: int) -> None:
        """Write the end-of-day row for ``day`` and start the next day's flows at zero."""
        oldest_visit = self._oldest_due_day(
            self._visit_overdue_heap,
            lambda o, v: o.active and o.visit_overdue and o.visit_version == v,
        )
        oldest_assessment = self._oldest_due_day(
            self._assessment_overdue_heap,
            lambda o, v: o.active and o.assessment_overdue and o.assessment_version == v,
        )
        row = (
            sum(self.population_by_level),
            *self.population_by_level,
            self.reactive,
            sum(self.overdue_visits_by_level),
            *self.overdue_visits_by_level,
            0 if oldest_visit is None else day - oldest_visit,
            sum(self.overdue_assessments_by_level),
            *self.overdue_assessments_by_level,
            0 if oldest_assessment is None else day - oldest_assessment,
            self.undetected_escalations,
            offender_managers,
            sergeants,
            *self.flows,
        )
        self.table[day] = row
        self.flows = [0.0] * len(FLOW_COLUMNS)
