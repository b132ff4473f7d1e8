"""One replication of one scenario: build the SimPy world, run it, return the daily table.

``single_run(scenario, replication)`` is the model's only entry point. It is a pure function of
its arguments (all randomness comes from streams keyed by the scenario seed, the replication
index and a name), which is what makes serial and parallel batches give identical results.

The :class:`World` holds what the cycles share (the environment, the agenda, the workforce,
the counters, parameters as tuples indexed by risk level) and the transitions several cycles
need: an offender joining or leaving, a due date passing, a hidden escalation being found.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from itertools import accumulate

import numpy as np
import simpy

from sim.model.agenda import Agenda
from sim.model.assessments import start_assessments
from sim.model.calendar import WorkingCalendar
from sim.model.caseload import DAYS_PER_YEAR, LifeDraws, initial_offenders, pick
from sim.model.counters import Counters
from sim.model.event_log import EventLog
from sim.model.offender import Offender
from sim.model.registrations import registration_arrivals
from sim.model.streams import Streams
from sim.model.visits import start_visits
from sim.model.workforce import MANAGER, SERGEANT, Workforce
from sim.records import AreaRun, DailyRecord, total_over_areas
from sim.scenario import Scenario
from sim.scenario.distributions import Distribution

__all__ = [
    "AreaRun",
    "DailyRecord",
    "World",
    "area_names",
    "combine_areas",
    "rare_cycle_collection",
    "run_area",
    "single_run",
]


@dataclass(frozen=True, slots=True)
class VisitParams:
    """Visit parameters as tuples indexed by risk level (very high first)."""

    interval_days: tuple[int, ...]
    window_days: tuple[int, ...]
    out_probability: tuple[float, ...]
    officers_per_visit: tuple[int, ...]
    police_action_probability: tuple[float, ...]
    retry_delay_days: Distribution
    travel_hours: Distribution
    on_site_hours: Distribution
    failed_on_site_hours: Distribution
    write_up_hours: Distribution
    police_action_hours: Distribution


@dataclass(frozen=True, slots=True)
class AssessmentParams:
    """Assessment parameters as tuples indexed by risk level."""

    interval_days: tuple[int, ...]
    window_days: tuple[int, ...]
    duration_hours: Distribution


class World:
    """The shared state of one replication and the transitions between offender states."""

    def __init__(
        self,
        scenario: Scenario,
        replication: int,
        event_log: EventLog | None = None,
        area: str | None = None,
    ) -> None:
        self.scenario = scenario
        self.event_log = event_log  # optional per-task record (event_log.py); off by default
        self.env = simpy.Environment()
        self.horizon_days = scenario.horizon_days
        self.agenda = Agenda(self.env, scenario.horizon_days)
        self.streams = Streams(scenario.seed, replication, area)
        self.counters = Counters(scenario.horizon_days)
        self.calendar = WorkingCalendar(
            scenario.start_date, scenario.horizon_days, scenario.staffing
        )
        self.workforce = Workforce(
            self.env,
            scenario.staffing,
            self.calendar,
            self.counters,
            scenario.priority,
            event_log,
        )
        visits, assessments = scenario.visits, scenario.assessments
        self.visit_params = VisitParams(
            interval_days=visits.interval_days.as_tuple(),
            window_days=visits.window_days.as_tuple(),
            out_probability=visits.out_probability.as_tuple(),
            officers_per_visit=visits.officers_per_visit.as_tuple(),
            police_action_probability=visits.police_action_probability.as_tuple(),
            retry_delay_days=visits.retry_delay_days,
            travel_hours=visits.travel_hours,
            on_site_hours=visits.on_site_hours,
            failed_on_site_hours=visits.failed_on_site_hours,
            write_up_hours=visits.write_up_hours,
            police_action_hours=visits.police_action_hours,
        )
        self.assessment_params = AssessmentParams(
            interval_days=assessments.interval_days.as_tuple(),
            window_days=assessments.window_days.as_tuple(),
            duration_hours=assessments.duration_hours,
        )
        years = scenario.population.reactive_after_years
        self.reactive_after_days = None if years is None else years * DAYS_PER_YEAR
        self.life = LifeDraws(scenario)
        self._registration_rng = self.streams.process("registrations.attributes")
        self._registration_mix = tuple(
            accumulate(scenario.population.registrations.risk_mix.as_tuple())
        )
        self._next_id = 0
        # Due dates pass at midnight, so they are kept by day rather than as SimPy events
        # (two fewer events per visit and assessment): day d's list holds (offender, version)
        # of the visits and assessments that become overdue at the start of day d.
        self._visit_deadlines: list[list[tuple[Offender, int]]] = [
            [] for _ in range(scenario.horizon_days)
        ]
        self._assessment_deadlines: list[list[tuple[Offender, int]]] = [
            [] for _ in range(scenario.horizon_days)
        ]

    # -- building -------------------------------------------------------------------------
    def populate(self) -> None:
        """Put the starting caseload on the register and start the background processes."""
        rng = self.streams.process("initial_caseload")
        offenders = initial_offenders(self.scenario, rng, self.life)
        levels = np.array([offender.level for offender in offenders], dtype=np.intp)
        delays = self.life.escalation_delays(rng, levels).tolist()
        for offender, delay in zip(offenders, delays, strict=True):
            self.add_offender(offender, delay)
        self._next_id = len(offenders)
        self.env.process(registration_arrivals(self))
        self._schedule_staffing_changes()

    def register_new(self) -> None:
        """A new registration today: draw who they are and put them on the register."""
        rng = self._registration_rng
        now = self.env.now
        level = pick(self._registration_mix, rng.random())
        offender = Offender(self._next_id, level, self.life.exit_time(rng, now))
        self._next_id += 1
        offender.visit_due_day = int(now) + self.scenario.visits.first_visit_due_days
        offender.assessment_due_day = int(now) + self.scenario.assessments.first_due_days
        offender.low_since_day = now
        self.counters.add("registrations")
        self.add_offender(offender, self.life.escalation_delay(rng, level))

    def add_offender(self, offender: Offender, escalation_delay: float) -> None:
        self.counters.joined(offender)
        if offender.exit_time < self.horizon_days:
            self.agenda.call_at(offender.exit_time, partial(self._exit, offender))
        self._schedule_escalation(offender, escalation_delay)
        if offender.reactive:
            self.counters.reactive += 1
        else:
            self.watch_visit_due(offender)
            start_visits(self, offender)
        self.watch_assessment_due(offender)
        start_assessments(self, offender)

    def _schedule_staffing_changes(self) -> None:
        day_of = self.calendar.day_of
        for change in self.scenario.staffing.changes:
            for kind, count in ((MANAGER, change.offender_managers), (SERGEANT, change.sergeants)):
                if count == 0:
                    continue
                day = day_of(change.date) + (change.training_delay_days if count > 0 else 0)
                if day >= self.horizon_days:
                    continue
                action = self.workforce.hire if count > 0 else self.workforce.release
                event = self.env.timeout(max(day, 0))
                event.callbacks.append(partial(_apply_change, action, kind, abs(count)))

    # -- due dates --------------------------------------------------------------------------
    def watch_visit_due(self, offender: Offender) -> None:
        """Mark the visit overdue when its due date passes, unless done (or moved) first."""
        becomes_overdue_at = offender.visit_due_day + 1
        if becomes_overdue_at <= self.env.now:
            if not offender.visit_overdue:
                self.counters.visit_now_overdue(offender)
                if self.env.now > 0:
                    self.counters.add("visits_became_overdue")
        elif becomes_overdue_at < self.horizon_days:
            self._visit_deadlines[becomes_overdue_at].append((offender, offender.visit_version))

    def _visit_due_passed(self, offender: Offender, version: int) -> None:
        if (
            offender.active
            and offender.visit_version == version
            and not offender.visit_overdue
            and not offender.reactive
        ):
            self.counters.visit_now_overdue(offender)
            self.counters.add("visits_became_overdue")

    def watch_assessment_due(self, offender: Offender) -> None:
        """Mark the assessment overdue when its due date passes, unless done first."""
        becomes_overdue_at = offender.assessment_due_day + 1
        if becomes_overdue_at <= self.env.now:
            if not offender.assessment_overdue:
                self.counters.assessment_now_overdue(offender)
                if self.env.now > 0:
                    self.counters.add("assessments_became_overdue")
        elif becomes_overdue_at < self.horizon_days:
            self._assessment_deadlines[becomes_overdue_at].append(
                (offender, offender.assessment_version)
            )

    def _assessment_due_passed(self, offender: Offender, version: int) -> None:
        if (
            offender.active
            and offender.assessment_version == version
            and not offender.assessment_overdue
        ):
            self.counters.assessment_now_overdue(offender)
            self.counters.add("assessments_became_overdue")

    def request_assessment_after_action(self, offender: Offender) -> None:
        """Police action (or found escalation) calls for a new assessment soon."""
        due_day = int(self.env.now) + self.scenario.assessments.after_police_action_due_days
        if offender.assessment_wakeup is not None and due_day < offender.assessment_due_day:
            offender.assessment_due_day = due_day
            offender.assessment_version += 1
            self.watch_assessment_due(offender)
            opens_at = due_day - self.assessment_params.window_days[offender.level]
            self.agenda.bring_forward(offender.assessment_wakeup, opens_at)

    # -- leaving, escalating ----------------------------------------------------------------
    def _exit(self, offender: Offender) -> None:
        if offender.active:
            self.counters.left(offender)
            self.counters.add("exits")
            offender.active = False

    def _schedule_escalation(self, offender: Offender, delay: float) -> None:
        at = self.env.now + delay
        if at < self.horizon_days and at < offender.exit_time:
            self.agenda.call_at(at, partial(self._escalate, offender))

    def _escalate(self, offender: Offender) -> None:
        """The offender's true risk rises one level; the force does not know yet."""
        if not offender.active or offender.true_level == 0:
            return
        offender.true_level -= 1
        self.counters.add("escalations")
        if offender.escalated_at is None:
            offender.escalated_at = self.env.now
            self.counters.undetected_escalations += 1
        if offender.rng_escalation is None:
            offender.rng_escalation = self.streams.offender("escalation", offender.id)
        delay = self.life.escalation_delay(offender.rng_escalation, offender.true_level)
        self._schedule_escalation(offender, delay)

    def detect_escalation(self, offender: Offender) -> None:
        """At a completed visit or assessment the force learns the true risk level."""
        if offender.escalated_at is None:
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

    def _bring_visit_forward(self, offender: Offender, old_level: int) -> None:
        intervals = self.visit_params.interval_days
        last_visit_day = offender.visit_due_day - intervals[old_level]
        due_day = max(int(self.env.now), last_visit_day + intervals[offender.level])
        if due_day < offender.visit_due_day:
            offender.visit_due_day = due_day
            offender.visit_version += 1
            self.watch_visit_due(offender)
            opens_at = due_day - self.visit_params.window_days[offender.level]
            self.agenda.bring_forward(offender.visit_wakeup, opens_at)

    def _return_to_active_management(self, offender: Offender) -> None:
        offender.reactive = False
        self.counters.reactive -= 1
        offender.visit_due_day = int(self.env.now) + self.scenario.visits.first_visit_due_days
        offender.visit_version += 1
        self.watch_visit_due(offender)
        if not offender.visits_running:
            start_visits(self, offender)

    # -- running ----------------------------------------------------------------------------
    def run(self) -> np.ndarray:
        """Simulate day by day, taking the end-of-day snapshot before anything of the next day."""
        env, counters, workforce = self.env, self.counters, self.workforce
        for day in range(self.horizon_days):
            self._pass_deadlines(day)
            self.agenda.start_day(day)
            env.run(until=day + 1)
            counters.snapshot(day, *workforce.staff_counts)
        return counters.table

    def _pass_deadlines(self, day: int) -> None:
        """Due dates that passed at midnight: overdue unless done (or moved) since."""
        for offender, version in self._visit_deadlines[day]:
            self._visit_due_passed(offender, version)
        for offender, version in self._assessment_deadlines[day]:
            self._assessment_due_passed(offender, version)
        self._visit_deadlines[day] = self._assessment_deadlines[day] = []


def _apply_change(action, kind: str, count: int, _event) -> None:
    action(kind, count)


@contextmanager
def rare_cycle_collection() -> Iterator[None]:
    """Let Python's cycle collector run rarely, and only over new objects, while simulating.

    A run allocates millions of short-lived objects (events, queue entries) beside a large
    long-lived population (offenders, their booked calls, queued tasks). With the default
    thresholds (a collection every 700 net allocations) the collector keeps traversing the
    long-lived objects: about 15% of a 16,000-offender run, and more as the population grows.
    The model makes almost no reference cycles, so collecting every 100,000 allocations keeps
    memory the same and the cost negligible.

    A finished world does hold cycles (events and their callbacks), so run_area collects
    each one explicitly. The objects that existed before (the interpreter's, pandas'...,
    about 150,000) are frozen meanwhile (``gc.freeze``), so that collection traverses the
    world only: 10 ms rather than 90 ms per area. Thresholds and freezing are restored
    afterwards; an outer freeze, if any, is left alone.
    """
    previous = gc.get_threshold()
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        if freeze:
            gc.unfreeze()


def area_names(scenario: Scenario) -> list[str | None]:
    """The areas a replication is made of: their names, or ``[None]`` if there are none."""
    return [area.name for area in scenario.areas] or [None]


def run_area(scenario: Scenario, replication: int, area: str | None) -> AreaRun:
    """Simulate one area of one replication: a pure function of its arguments.

    Areas share no staff and have their own random streams, so the areas of a replication
    can run in any order or side by side (``sim.experiments.batch`` gives them to the executor).
    """
    part = scenario if area is None else scenario.area_scenario(area)
    with rare_cycle_collection():
        table, events = _simulate(part, replication, area)
        gc.collect()  # the finished world holds reference cycles: free it now
    return AreaRun(area, table, events)


def _simulate(scenario: Scenario, replication: int, area: str | None) -> tuple[np.ndarray, int]:
    world = World(scenario, replication, area=area)
    world.populate()
    table = world.run()
    # SimPy numbers every event it schedules from one counter: its next value is the count.
    return table, next(world.env._eid)


def combine_areas(replication: int, runs: list[AreaRun]) -> DailyRecord:
    """The record of a replication from its areas' runs (in the scenario's area order)."""
    simpy_events = sum(run.simpy_events for run in runs)
    if len(runs) == 1 and runs[0].area is None:
        return DailyRecord(replication, runs[0].table, simpy_events)
    tables = {run.area: run.table for run in runs}
    return DailyRecord(replication, total_over_areas(list(tables.values())), simpy_events, tables)


def single_run(scenario: Scenario, replication: int) -> DailyRecord:
    """Run one replication; a pure function of (scenario, replication).

    A scenario with areas runs one world per area, one after another; the record's table is
    then their total.
    """
    runs = [run_area(scenario, replication, area) for area in area_names(scenario)]
    return combine_areas(replication, runs)
