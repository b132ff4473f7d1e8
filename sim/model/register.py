"""The register's transitions: what happens to an offender's record between visits.

An offender joins (their exit and first hidden risk changes are booked), due dates pass at
midnight (the visit or assessment becomes overdue unless it was done or moved), a visit or an
assessment is completed (the next one falls due; police action calls for an early assessment;
long-term low risk moves to reactive management), a hidden escalation or de-escalation is
found, work is brought forward, the offender returns to active management, and finally leaves.

True risk is a birth-death chain on the four levels: from true level l it rises one level at
``escalation_rate_per_year[l]`` and falls one at ``deescalation_rate_per_year[l]``. Both clocks
are exponential, so after every change of true level each is drawn afresh for the new level,
and the one drawn for the old level is ignored (``risk_version``). With no de-escalation only
the escalation clock is ever booked, exactly as before de-escalation existed.

The register changes state and counts; it never starts a process. It talks to the offenders'
processes in two ways only: it moves a process's booked wake-up sooner
(:meth:`Agenda.bring_forward`), and it succeeds the event a reactive offender's visit process
waits on (:func:`succeed_now`), so that process resumes at once.
"""

from __future__ import annotations

import math

import simpy

from sim.levels import LOW
from sim.model.caseload import LifeDraws
from sim.model.event_log import NO_NEXT_DUE
from sim.model.immediate import succeed_now
from sim.model.offender import Offender
from sim.model.shared import Shared
from sim.scenario import DAYS_PER_YEAR, Scenario

__all__ = ["Register", "released"]


def released(env: simpy.Environment, offender: Offender) -> simpy.Event:
    """The event an offender's processes wait on while in custody (one for both).

    The register succeeds it when it releases the offender (:meth:`Register._release`).
    """
    if offender.released is None:
        offender.released = env.event()
    return offender.released


class Register:
    """The transitions of one replication's offenders (see the module docstring)."""

    def __init__(self, scenario: Scenario, shared: Shared, life: LifeDraws) -> None:
        self.shared = shared
        self.env = shared.env
        self.counters = shared.counters
        self.life = life
        self.horizon_days = scenario.horizon_days
        self.first_visit_due_days = scenario.visits.first_visit_due_days
        self.first_assessment_due_days = scenario.assessments.first_due_days
        self.after_police_action_due_days = scenario.assessments.after_police_action_due_days
        years = scenario.population.reactive_after_years
        self.reactive_after_days = None if years is None else years * DAYS_PER_YEAR
        # Due dates pass at midnight, so they are kept by day rather than as SimPy events
        # (two fewer events per visit and assessment): day d's list holds (offender, version)
        # of the visits and assessments that become overdue at the start of day d.
        self._visit_deadlines: list[list[tuple[Offender, int]]] = [
            [] for _ in range(scenario.horizon_days)
        ]
        self._assessment_deadlines: list[list[tuple[Offender, int]]] = [
            [] for _ in range(scenario.horizon_days)
        ]

    # -- joining and leaving ----------------------------------------------------------------
    def joined(
        self, offender: Offender, escalation_delay: float, deescalation_delay: float = math.inf
    ) -> None:
        """An offender is on the register: count them, book their exit and first risk changes."""
        self.counters.joined(offender)
        if offender.exit_time < self.horizon_days:
            self.shared.agenda.call_at(offender.exit_time, lambda: self._exit(offender))
        self._schedule_escalation(offender, escalation_delay)
        self._schedule_deescalation(offender, deescalation_delay)
        if offender.reactive:
            self.counters.reactive += 1
        else:
            self.watch_visit_due(offender)
        self.watch_assessment_due(offender)

    def _exit(self, offender: Offender) -> None:
        if offender.active:
            self.counters.left(offender)
            self.counters.add("exits")
            offender.active = False

    # -- due dates --------------------------------------------------------------------------
    def watch_visit_due(self, offender: Offender) -> None:
        """Mark the visit overdue when its due date passes, unless done (or moved) first."""
        becomes_overdue_at = offender.visit_due_day + 1
        if becomes_overdue_at <= self.env.now:
            if not offender.visit_overdue:
                self.counters.visit_now_overdue(offender)
                if self.env.now > 0:
                    self.counters.visit_became_overdue(offender)
        elif becomes_overdue_at < self.horizon_days:
            self._visit_deadlines[becomes_overdue_at].append((offender, offender.visit_version))

    def watch_assessment_due(self, offender: Offender) -> None:
        """Mark the assessment overdue when its due date passes, unless done first."""
        becomes_overdue_at = offender.assessment_due_day + 1
        if becomes_overdue_at <= self.env.now:
            if not offender.assessment_overdue:
                self.counters.assessment_now_overdue(offender)
                if self.env.now > 0:
                    self.counters.assessment_became_overdue(offender)
        elif becomes_overdue_at < self.horizon_days:
            self._assessment_deadlines[becomes_overdue_at].append(
                (offender, offender.assessment_version)
            )

    def pass_deadlines(self, day: int) -> None:
        """Due dates that passed at midnight: overdue unless done (or moved) since."""
        counters = self.counters
        for offender, version in self._visit_deadlines[day]:
            if (
                offender.active
                and offender.visit_version == version
                and not offender.visit_overdue
                and not offender.reactive
            ):
                counters.visit_now_overdue(offender)
                counters.visit_became_overdue(offender)
        for offender, version in self._assessment_deadlines[day]:
            if (
                offender.active
                and offender.assessment_version == version
                and not offender.assessment_overdue
            ):
                counters.assessment_now_overdue(offender)
                counters.assessment_became_overdue(offender)
        self._visit_deadlines[day] = self._assessment_deadlines[day] = []

    # -- completed work ---------------------------------------------------------------------
    def visit_completed(self, offender: Offender, police_action: bool) -> None:
        """The offender was found in: the visit is done and the next one falls due.

        Police action adds an early assessment; a hidden escalation is found; an offender who
        has been low risk long enough moves to reactive management (no scheduled visits).
        """
        now = self.env.now
        counters = self.counters
        level_before, due_day_before = offender.level, offender.visit_due_day
        counters.visit_completed(offender)  # by level, and whether on time: before clearing
        counters.visit_no_longer_overdue(offender)
        self.detect_escalation(offender)
        if police_action:
            counters.add("police_actions")
            self.request_assessment_after_action(offender)
        if (
            offender.level == LOW
            and self.reactive_after_days is not None
            and now - offender.low_since_day >= self.reactive_after_days
        ):
            offender.reactive = True
            offender.visit_version += 1
            counters.reactive += 1
        else:
            interval_days = self.shared.visit_params.interval_days[offender.level]
            offender.visit_due_day = int(now) + interval_days
            offender.visit_version += 1
            self.watch_visit_due(offender)
        if self.shared.event_log is not None:
            self.shared.event_log.completed(
                offender.id,
                False,
                level_before,
                offender.level,
                now,
                due_day_before,
                NO_NEXT_DUE if offender.reactive else offender.visit_due_day,
            )

    def assessment_completed(self, offender: Offender) -> None:
        """The assessment is done: a hidden escalation is found and the next one falls due."""
        counters = self.counters
        counters.assessment_completed(offender)  # by level, and whether on time: first
        counters.assessment_no_longer_overdue(offender)
        level_before, due_day_before = offender.level, offender.assessment_due_day
        self.detect_escalation(offender)
        if offender.in_custody:  # queued before custody: done, but nothing is due until release
            return
        interval_days = self.shared.assessment_params.interval_days[offender.level]
        offender.assessment_due_day = int(self.env.now) + interval_days
        offender.assessment_version += 1
        self.watch_assessment_due(offender)
        if self.shared.event_log is not None:
            self.shared.event_log.completed(
                offender.id,
                True,
                level_before,
                offender.level,
                self.env.now,
                due_day_before,
                offender.assessment_due_day,
            )

    def request_assessment_after_action(self, offender: Offender) -> None:
        """Police action (or a found escalation) calls for a new assessment soon."""
        due_day = int(self.env.now) + self.after_police_action_due_days
        wakeup = offender.assessment_wakeup
        if wakeup is not None and due_day < offender.assessment_due_day:
            offender.assessment_due_day = due_day
            offender.assessment_version += 1
            self.watch_assessment_due(offender)
            opens_at = due_day - self.shared.assessment_params.window_days[offender.level]
            self.shared.agenda.bring_forward(wakeup, opens_at)

    # -- custody ----------------------------------------------------------------------------
    def taken_into_custody(self, offender: Offender, spell_days: float) -> None:
        """Police action ended in custody or recall: off the community caseload for a spell.

        The offender stays on the register (and in the population) with nothing due: no visit
        or assessment falls due or is overdue until release, and a reactive offender is no
        longer reactive. Their processes wait on :func:`released`.
        """
        counters = self.counters
        offender.in_custody = True
        counters.custody_started(offender)
        if offender.reactive:
            offender.reactive = False
            counters.reactive -= 1
        counters.visit_no_longer_overdue(offender)
        offender.visit_version += 1  # the booked due date no longer counts
        counters.assessment_no_longer_overdue(offender)
        offender.assessment_version += 1
        release_at = self.env.now + spell_days
        if release_at < self.horizon_days and release_at < offender.exit_time:
            self.shared.agenda.call_at(release_at, lambda: self._release(offender))

    def _release(self, offender: Offender) -> None:
        """Back on the community caseload: first visit and assessment due as if registered."""
        if not offender.active or not offender.in_custody:
            return
        offender.in_custody = False
        self.counters.custody_ended(offender)
        today = int(self.env.now)
        offender.visit_due_day = today + self.first_visit_due_days
        offender.visit_version += 1
        self.watch_visit_due(offender)
        offender.assessment_due_day = today + self.first_assessment_due_days
        offender.assessment_version += 1
        self.watch_assessment_due(offender)
        wakeup = offender.assessment_wakeup
        if wakeup is not None:  # the assessment process still sleeps until an older date
            window_days = self.shared.assessment_params.window_days[offender.level]
            self.shared.agenda.bring_forward(wakeup, offender.assessment_due_day - window_days)
        event = offender.released
        if event is not None:  # the processes wait on it: they resume at once
            offender.released = None
            succeed_now(event)

    # -- hidden escalations and de-escalations -----------------------------------------------
    def _schedule_escalation(self, offender: Offender, delay: float) -> None:
        at = self.env.now + delay
        if at < self.horizon_days and at < offender.exit_time:
            version = offender.risk_version
            self.shared.agenda.call_at(at, lambda: self._escalate(offender, version))

    def _schedule_deescalation(self, offender: Offender, delay: float) -> None:
        at = self.env.now + delay
        if at < self.horizon_days and at < offender.exit_time:
            version = offender.risk_version
            self.shared.agenda.call_at(at, lambda: self._deescalate(offender, version))

    def _escalate(self, offender: Offender, version: int) -> None:
        """The offender's true risk rises one level; the force does not know yet."""
        if not offender.active or offender.true_level == 0 or version != offender.risk_version:
            return
        offender.true_level -= 1
        offender.risk_version += 1
        self.counters.add("escalations")
        if offender.escalated_at is None and offender.true_level < offender.level:
            offender.escalated_at = self.env.now
            self.counters.undetected_escalations += 1
        if offender.rng_escalation is None:
            offender.rng_escalation = self.shared.streams.offender("escalation", offender.id)
        delay = self.life.escalation_delay(offender.rng_escalation, offender.true_level)
        self._schedule_escalation(offender, delay)
        if self.life.deescalates:
            self._schedule_deescalation(offender, self._deescalation_delay(offender))

    def _deescalate(self, offender: Offender, version: int) -> None:
        """The offender's true risk falls one level; the force does not know yet.

        An unseen rise that the fall takes back to the believed level (or below) is no
        longer an undetected escalation: true risk is no higher than the force believes.
        """
        if not offender.active or offender.true_level == LOW or version != offender.risk_version:
            return
        offender.true_level += 1
        offender.risk_version += 1
        if offender.escalated_at is not None and offender.true_level >= offender.level:
            offender.escalated_at = None
            self.counters.undetected_escalations -= 1
        if offender.rng_escalation is None:
            offender.rng_escalation = self.shared.streams.offender("escalation", offender.id)
        delay = self.life.escalation_delay(offender.rng_escalation, offender.true_level)
        self._schedule_escalation(offender, delay)
        self._schedule_deescalation(offender, self._deescalation_delay(offender))

    def _deescalation_delay(self, offender: Offender) -> float:
        if offender.rng_deescalation is None:
            offender.rng_deescalation = self.shared.streams.offender("deescalation", offender.id)
        return self.life.deescalation_delay(offender.rng_deescalation, offender.true_level)

    def detect_escalation(self, offender: Offender) -> None:
        """At a completed visit or assessment the force learns the true risk level."""
        if offender.escalated_at is None:
            if offender.true_level > offender.level:  # only with de-escalation
                self._found_deescalation(offender)
            return
        counters = self.counters
        counters.add("escalations_detected")
        counters.add("escalation_days_unnoticed", self.env.now - offender.escalated_at)
        counters.undetected_escalations -= 1
        offender.escalated_at = None
        old_level = offender.level
        offender.level = offender.true_level
        counters.level_changed(offender, old_level)
        if offender.reactive:
            self._return_to_active_management(offender)
        elif offender.visit_wakeup is not None and not offender.visit_overdue:
            self._bring_visit_forward(offender, old_level)
        self.request_assessment_after_action(offender)

    def _found_deescalation(self, offender: Offender) -> None:
        """The force learns that true risk has fallen: the believed level follows it down.

        Work already booked stays as it is (the next interval follows the new level); an
        offender who is now believed low risk starts the low-risk clock for reactive
        management today, when the force learns of the fall.
        """
        old_level = offender.level
        offender.level = offender.true_level
        self.counters.level_changed(offender, old_level)
        if offender.level == LOW:
            offender.low_since_day = self.env.now

    def _bring_visit_forward(self, offender: Offender, old_level: int) -> None:
        intervals = self.shared.visit_params.interval_days
        last_visit_day = offender.visit_due_day - intervals[old_level]
        due_day = max(int(self.env.now), last_visit_day + intervals[offender.level])
        wakeup = offender.visit_wakeup
        if wakeup is not None and due_day < offender.visit_due_day:
            offender.visit_due_day = due_day
            offender.visit_version += 1
            self.watch_visit_due(offender)
            opens_at = due_day - self.shared.visit_params.window_days[offender.level]
            self.shared.agenda.bring_forward(wakeup, opens_at)

    def _return_to_active_management(self, offender: Offender) -> None:
        offender.reactive = False
        self.counters.reactive -= 1
        offender.visit_due_day = int(self.env.now) + self.first_visit_due_days
        offender.visit_version += 1
        self.watch_visit_due(offender)
        reactivated = offender.reactivated
        if reactivated is not None:  # the visit process waits on it: it resumes at once
            offender.reactivated = None
            succeed_now(reactivated)
