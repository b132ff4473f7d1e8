"""Live counters of the register and the backlog, and the daily snapshot table.

Counts are updated on transitions (an offender joins, leaves, becomes overdue, is visited), so
taking a daily snapshot costs the same whatever the population: nothing scans all offenders.
The backlog of visits and of assessments (backlog.py) is counted by level, by age band and by
due date; the age of the oldest overdue item of each level is the top of a heap of due dates
whose stale entries are dropped lazily when they reach the top.

Each snapshot row describes the state at the *end* of a simulated day and the flows (attempts,
completions, hours) *during* that day. The hours the schedule asks for (demand.py) are the
register's counts at the end of the day times per-offender rates, a few multiplications.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.levels import LOW, N_LEVELS
from sim.model.backlog import Backlog
from sim.model.demand import DemandRates
from sim.model.offender import Offender
from sim.records import DAILY_COLUMNS, FLOW_COLUMNS

__all__ = ["Counters"]

_FLOW_INDEX = {name: i for i, name in enumerate(FLOW_COLUMNS)}
_ATTEMPTS_INDEX = _FLOW_INDEX["visit_attempts"]
_LONE_INDEX = _FLOW_INDEX["lone_visit_attempts"]  # the per-level columns follow it in order
# The per-level flows follow their first level's column in level order.
_VISITS_DONE = _FLOW_INDEX["visits_completed"]
_VISITS_DONE_BY_LEVEL = _FLOW_INDEX["visits_completed_very_high"]
_VISITS_ON_TIME = _FLOW_INDEX["visits_completed_on_time_very_high"]
_VISITS_BECAME = _FLOW_INDEX["visits_became_overdue"]
_VISITS_BECAME_BY_LEVEL = _FLOW_INDEX["visits_became_overdue_very_high"]
_ASSESSMENTS_DONE = _FLOW_INDEX["assessments_completed"]
_ASSESSMENTS_DONE_BY_LEVEL = _FLOW_INDEX["assessments_completed_very_high"]
_ASSESSMENTS_ON_TIME = _FLOW_INDEX["assessments_completed_on_time_very_high"]
_ASSESSMENTS_BECAME = _FLOW_INDEX["assessments_became_overdue"]
_ASSESSMENTS_BECAME_BY_LEVEL = _FLOW_INDEX["assessments_became_overdue_very_high"]
_DEMAND = _FLOW_INDEX["scheduled_hours_demand"]
NO_DEMAND = DemandRates((0.0,) * N_LEVELS, (0.0,) * N_LEVELS)


class Counters:
    """What the force would see on its dashboard, kept current as events happen.

    ``demand`` gives the hours the schedule asks for per offender (none if not given, for
    tests that build counters alone).
    """

    def __init__(self, horizon_days: int, demand: DemandRates = NO_DEMAND) -> None:
        self.population_by_level = [0] * N_LEVELS
        self.in_custody_by_level = [0] * N_LEVELS
        self.visits = Backlog()
        self.assessments = Backlog()
        self.reactive = 0
        self.undetected_escalations = 0
        self.flows = [0.0] * len(FLOW_COLUMNS)
        self.day = 0  # the day being simulated: the next snapshot's
        self._demand = demand
        self.table = np.zeros((horizon_days, len(DAILY_COLUMNS)), dtype=np.float64)

    # -- the register ---------------------------------------------------------------------
    def joined(self, offender: Offender) -> None:
        self.population_by_level[offender.level] += 1

    def left(self, offender: Offender) -> None:
        self.population_by_level[offender.level] -= 1
        if offender.visit_overdue:
            self.visits.remove(offender.level, offender.visit_due_day, self.day)
        if offender.assessment_overdue:
            self.assessments.remove(offender.level, offender.assessment_due_day, self.day)
        if offender.reactive:
            self.reactive -= 1
        if offender.escalated_at is not None:
            self.undetected_escalations -= 1
        if offender.in_custody:
            self.in_custody_by_level[offender.level] -= 1

    def level_changed(self, offender: Offender, old_level: int) -> None:
        """Move the offender's counts from ``old_level`` to ``offender.level``."""
        new_level = offender.level
        self.population_by_level[old_level] -= 1
        self.population_by_level[new_level] += 1
        if offender.visit_overdue:
            self.visits.move(old_level, new_level, offender.visit_due_day, self.day)
        if offender.assessment_overdue:
            self.assessments.move(old_level, new_level, offender.assessment_due_day, self.day)
        if offender.in_custody:
            self.in_custody_by_level[old_level] -= 1
            self.in_custody_by_level[new_level] += 1

    def custody_started(self, offender: Offender) -> None:
        """The offender is off the community caseload: nothing is due (see register.py)."""
        self.in_custody_by_level[offender.level] += 1

    def custody_ended(self, offender: Offender) -> None:
        self.in_custody_by_level[offender.level] -= 1

    # -- the backlog ----------------------------------------------------------------------
    def visit_now_overdue(self, offender: Offender) -> None:
        offender.visit_overdue = True
        self.visits.add(offender.level, offender.visit_due_day, self.day)

    def visit_became_overdue(self, offender: Offender) -> None:
        """Count a visit falling overdue today (not the backlog inherited on day 0)."""
        flows = self.flows
        flows[_VISITS_BECAME] += 1
        flows[_VISITS_BECAME_BY_LEVEL + offender.level] += 1

    def visit_no_longer_overdue(self, offender: Offender) -> None:
        if offender.visit_overdue:
            offender.visit_overdue = False
            self.visits.remove(offender.level, offender.visit_due_day, self.day)

    def assessment_now_overdue(self, offender: Offender) -> None:
        offender.assessment_overdue = True
        self.assessments.add(offender.level, offender.assessment_due_day, self.day)

    def assessment_became_overdue(self, offender: Offender) -> None:
        """Count an assessment falling overdue today (not the backlog inherited on day 0)."""
        flows = self.flows
        flows[_ASSESSMENTS_BECAME] += 1
        flows[_ASSESSMENTS_BECAME_BY_LEVEL + offender.level] += 1

    def assessment_no_longer_overdue(self, offender: Offender) -> None:
        if offender.assessment_overdue:
            offender.assessment_overdue = False
            self.assessments.remove(offender.level, offender.assessment_due_day, self.day)

    # -- the flows ------------------------------------------------------------------------
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

    def visit_completed(self, offender: Offender) -> None:
        """A visit was completed: counted by level, and on time unless it was overdue.

        Call it before the visit is cleared from the backlog and before a found change of
        risk moves the offender's level.
        """
        flows = self.flows
        level = offender.level
        flows[_VISITS_DONE] += 1
        flows[_VISITS_DONE_BY_LEVEL + level] += 1
        if not offender.visit_overdue:
            flows[_VISITS_ON_TIME + level] += 1

    def assessment_completed(self, offender: Offender) -> None:
        """An assessment was completed (as :meth:`visit_completed`). One queued before the
        offender went into custody is done but was no longer due, so it is not on time."""
        flows = self.flows
        level = offender.level
        flows[_ASSESSMENTS_DONE] += 1
        flows[_ASSESSMENTS_DONE_BY_LEVEL + level] += 1
        if not offender.assessment_overdue and not offender.in_custody:
            flows[_ASSESSMENTS_ON_TIME + level] += 1

    def _scheduled_hours(self) -> float:
        """Officer-hours a day the schedule asks for, given the register now (demand.py)."""
        visit_rates, assessment_rates = (
            self._demand.visit_hours_per_day,
            self._demand.assessment_hours_per_day,
        )
        hours = 0.0
        for level in range(N_LEVELS):
            caseload = self.population_by_level[level] - self.in_custody_by_level[level]
            visited = caseload - self.reactive if level == LOW else caseload
            hours += visited * visit_rates[level] + caseload * assessment_rates[level]
        return hours

    # -- the snapshot ---------------------------------------------------------------------
    def snapshot(self, day: int, staff: Sequence[int]) -> None:
        """Write the end-of-day row for ``day`` and start the next day's flows at zero.

        ``staff``: offender managers and sergeants productive (in post, not leaving), in post
        (productive or in training), and absent today, as the workforce's ``staff_today``.
        """
        visits, assessments = self.visits, self.assessments
        oldest_visits = [_age(day, visits.oldest_due_day(level)) for level in range(N_LEVELS)]
        oldest_assessments = [
            _age(day, assessments.oldest_due_day(level)) for level in range(N_LEVELS)
        ]
        visit_bands = [sum(column) for column in zip(*visits.bands, strict=True)]
        assessment_bands = [sum(column) for column in zip(*assessments.bands, strict=True)]
        self.flows[_DEMAND] = self._scheduled_hours()
        row = (
            sum(self.population_by_level),
            *self.population_by_level,
            self.reactive,
            sum(visits.by_level),
            *visits.by_level,
            max(oldest_visits),
            sum(assessments.by_level),
            *assessments.by_level,
            max(oldest_assessments),
            self.undetected_escalations,
            staff[0],
            staff[1],
            *visit_bands,
            *(count for level_bands in visits.bands for count in level_bands),
            *assessment_bands,
            *oldest_visits,
            *oldest_assessments,
            *staff[2:6],
            *self.flows,
        )
        self.table[day] = row
        self.flows = [0.0] * len(FLOW_COLUMNS)
        self.day = day + 1
        visits.roll(self.day)
        assessments.roll(self.day)


def _age(day: int, due_day: int | None) -> int:
    """Days overdue at the end of ``day`` of an item due on ``due_day`` (0: none)."""
    return 0 if due_day is None else day - due_day
