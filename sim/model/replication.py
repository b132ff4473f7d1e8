"""One replication of one scenario: build the SimPy world, start its processes, run it.

``single_run(scenario, replication)`` is the model's only entry point. It is a pure function of
its arguments (all randomness comes from streams keyed by the scenario seed, the replication
index and a name), which is what makes serial and parallel batches give identical results.

A :class:`Replication` builds what the processes share (``shared.py``) and the register's
transitions (``register.py``), puts the starting caseload on the register, and starts the
processes: one visit cycle and one assessment cycle per offender (``visits.py``,
``assessments.py``), the registrations process and the workforce's shifts. It then simulates
day by day, passing due dates at midnight and taking each day's snapshot at its end.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from itertools import accumulate

import numpy as np
import simpy
from simpy.core import URGENT, StopSimulation

from sim.model.absences import AbsencePlan
from sim.model.agenda import Agenda
from sim.model.assessments import assessment_cycle
from sim.model.calendar import WorkingCalendar
from sim.model.caseload import LifeDraws, initial_offenders, pick
from sim.model.counters import Counters
from sim.model.demand import DemandRates
from sim.model.event_log import EventLog
from sim.model.immediate import ImmediateProcess
from sim.model.offender import Offender
from sim.model.personal import PersonalWorkforce
from sim.model.register import Register
from sim.model.registrations import registration_arrivals
from sim.model.shared import AssessmentParams, Shared, VisitParams
from sim.model.streams import Streams
from sim.model.turnover import StaffTurnover
from sim.model.visits import visit_cycle
from sim.model.workforce import MANAGER, SERGEANT, Workforce
from sim.records import MANAGER_COLUMNS, AreaRun, DailyRecord, total_over_areas
from sim.scenario import Scenario
from sim.scenario.problems import Problem, ScenarioError

__all__ = [
    "NoProgressError",
    "Replication",
    "area_names",
    "combine_areas",
    "rare_cycle_collection",
    "run_area",
    "single_run",
]


class Replication:
    """One replication (or one area of it): the SimPy world, its register and its processes."""

    def __init__(
        self,
        scenario: Scenario,
        replication: int,
        event_log: EventLog | None = None,
        area: str | None = None,
    ) -> None:
        self.scenario = scenario
        self.horizon_days = scenario.horizon_days
        env = simpy.Environment()
        streams = Streams(scenario.seed, replication, area)
        counters = Counters(scenario.horizon_days, DemandRates.of(scenario))
        self.calendar = WorkingCalendar(
            scenario.start_date, scenario.horizon_days, scenario.staffing
        )
        staffing = scenario.staffing
        absence_plan = (
            None
            if staffing.absences is None
            else AbsencePlan(
                staffing.absences, scenario.start_date, scenario.horizon_days, staffing
            )
        )
        self._personal = staffing.caseloads == "personal"
        workforce_class = PersonalWorkforce if self._personal else Workforce
        workforce = workforce_class(
            env,
            staffing,
            self.calendar,
            counters,
            scenario.priority,
            event_log,
            streams=streams,
            absence_plan=absence_plan,
        )
        if staffing.turnover is not None:
            StaffTurnover(env, workforce, staffing.turnover, streams, scenario.horizon_days)
        self.shared = Shared(
            env=env,
            agenda=Agenda(env, scenario.horizon_days),
            workforce=workforce,
            counters=counters,
            streams=streams,
            visit_params=VisitParams.of(scenario),
            assessment_params=AssessmentParams.of(scenario),
            event_log=event_log,  # optional per-task record (event_log.py); off by default
        )
        self.life = LifeDraws(scenario)
        self.register = Register(scenario, self.shared, self.life)
        self._registration_rng = streams.process("registrations.attributes")
        # New registrations' first de-escalation: its own stream, one number each, in order.
        self._deescalation_rng = (
            streams.process("registrations.deescalation") if self.life.deescalates else None
        )
        self._registration_mix = tuple(
            accumulate(scenario.population.registrations.risk_mix.as_tuple())
        )
        self._next_id = 0
        # every process started, so that release() can take the finished world apart
        self._processes: list[simpy.Process] = []

    # -- building -------------------------------------------------------------------------
    def populate(self) -> None:
        """Put the starting caseload on the register and start the background processes."""
        env, streams = self.shared.env, self.shared.streams
        rng = streams.process("initial_caseload")
        offenders = initial_offenders(self.scenario, rng, self.life)
        levels = np.array([offender.level for offender in offenders], dtype=np.intp)
        delays = self.life.escalation_delays(rng, levels).tolist()
        if self.life.deescalates:  # its own stream: the starting caseload's draws stay as they were
            falls = self.life.deescalation_delays(
                streams.process("initial_caseload.deescalation"), levels
            ).tolist()
            for offender, delay, fall in zip(offenders, delays, falls, strict=True):
                self.join(offender, delay, fall)
        else:
            for offender, delay in zip(offenders, delays, strict=True):
                self.join(offender, delay)
        self._next_id = len(offenders)
        arrivals_rng = streams.process("registrations.arrivals")
        self._processes.append(
            env.process(registration_arrivals(env, self.scenario, arrivals_rng, self._register_new))
        )
        self._schedule_staffing_changes()

    def join(
        self, offender: Offender, escalation_delay: float, deescalation_delay: float = math.inf
    ) -> None:
        """Put ``offender`` on the register and start their visit and assessment processes."""
        self.register.joined(offender, escalation_delay, deescalation_delay)
        env, shared, register = self.shared.env, self.shared, self.register
        if self._personal:
            workforce = shared.workforce
            assert isinstance(workforce, PersonalWorkforce)
            workforce.allocate(offender)
            workforce.watch_exit(shared.agenda, offender, self.horizon_days)
        self._processes.append(ImmediateProcess(env, visit_cycle(shared, register, offender)))
        self._processes.append(ImmediateProcess(env, assessment_cycle(shared, register, offender)))

    def _register_new(self) -> None:
        """A new registration now: draw who they are and put them on the register."""
        rng = self._registration_rng
        now = self.shared.env.now
        level = pick(self._registration_mix, rng.random())
        offender = Offender(self._next_id, level, self.life.exit_time(rng, now))
        self._next_id += 1
        offender.visit_due_day = int(now) + self.scenario.visits.first_visit_due_days
        offender.assessment_due_day = int(now) + self.scenario.assessments.first_due_days
        offender.low_since_day = now
        self.shared.counters.add("registrations")
        fall = math.inf
        if self._deescalation_rng is not None:
            fall = self.life.deescalation_delay(self._deescalation_rng, level)
        self.join(offender, self.life.escalation_delay(rng, level), fall)

    def _schedule_staffing_changes(self) -> None:
        day_of = self.calendar.day_of
        workforce = self.shared.workforce
        for change in self.scenario.staffing.changes:
            for kind, count in ((MANAGER, change.offender_managers), (SERGEANT, change.sergeants)):
                if count == 0:
                    continue
                day = day_of(change.date) + (change.training_delay_days if count > 0 else 0)
                if count > 0:  # in post from the change's date, productive when trained
                    workforce.headcount.in_training(kind, count, day_of(change.date), day)
                if day >= self.horizon_days:
                    continue
                action = workforce.hire if count > 0 else workforce.release
                event = self.shared.env.timeout(max(day, 0))
                event.callbacks.append(partial(_change_staff, action, kind, abs(count)))

    # -- running ----------------------------------------------------------------------------
    def run(self) -> np.ndarray:
        """Simulate day by day, taking the end-of-day snapshot before anything of the next day."""
        env, agenda = self.shared.env, self.shared.agenda
        counters, workforce, register = self.shared.counters, self.shared.workforce, self.register
        for day in range(self.horizon_days):
            register.pass_deadlines(day)
            agenda.start_day(day)
            _run_until(env, day + 1, self._stall_limit)
            counters.snapshot(day, workforce.staff_today(day))
        return counters.table

    def release(self) -> None:
        """Take the finished world apart so that reference counting frees it at once.

        A finished world is held together by reference cycles: each suspended process and the
        event it waits for point at each other (``_target`` and the event's callbacks), the
        event queue holds them, and turnover's hook ties the workforce to itself. The cyclic
        collector would then have to traverse the whole world to free it, about 0.6 s for a
        16,000-offender year and growing faster than the world (the traversal stops fitting
        in the cache): most of what made CPU time per event grow with the population.
        Closing every process's generator, unhooking its target, emptying the event queue and
        dropping the hook leaves no cycle, so the world is freed as soon as it is dropped.
        Call only after everything wanted has been read off the world.
        """
        for process in (*self._processes, self.shared.workforce.shift_process):
            process._generator.close()
            process._target = None  # type: ignore[assignment]
        self._processes.clear()
        self.shared.env._queue.clear()
        self.shared.workforce.officer_started = None

    def _stall_limit(self) -> int:
        """Events one instant may take before the replication counts as stuck (grows with
        the offenders put on the register so far: each brings a bounded amount of work)."""
        return STALL_BASE_EVENTS + STALL_EVENTS_PER_OFFENDER * self._next_id

    @property
    def simpy_events(self) -> int:
        """How many events SimPy has scheduled so far (its event counter's next value)."""
        return next(self.shared.env._eid)


# A no-progress guard: validation bounds the expected work of a simulated day
# (sim/scenario/work.py), but a replication whose clock stands still while events keep coming
# (attempts whose times round to nothing, say) would otherwise spin forever. The clock is looked
# at every CHECK_EVERY events; more than the stall limit at one instant stops the replication.
CHECK_EVERY = 1 << 16
STALL_BASE_EVENTS = 2_000_000
STALL_EVENTS_PER_OFFENDER = 2_000
LIKELY_FIELDS = (
    "visits.out_probability, visits.retry_delay_days, visits.travel_hours, "
    "visits.failed_on_site_hours, visits.write_up_hours"
)


class NoProgressError(ScenarioError):
    """A replication's simulated time stopped advancing: the scenario cannot be simulated."""

    def __init__(self, day: float, events: int) -> None:
        self.day, self.events = day, events
        super().__init__(
            [
                Problem(
                    "the scenario",
                    "visits",
                    "",
                    f"the simulation made no progress: {events:,} events at one instant "
                    f"(day {day:g}) without the clock moving on. Work that fails and is retried "
                    f"at once, taking (almost) no time, never ends; check {LIKELY_FIELDS}: "
                    "failed attempts or retries must take some time (at least a minute)",
                )
            ]
        )

    def __reduce__(self) -> tuple[type[NoProgressError], tuple[float, int]]:
        return (type(self), (self.day, self.events))  # so it crosses process boundaries


def _run_until(env: simpy.Environment, at: int, stall_limit: Callable[[], int]) -> None:
    """``env.run(until=at)``, the same events in the same order (the stop event is scheduled
    exactly as SimPy does it), but raising :class:`NoProgressError` if the clock stands still
    for more than ``stall_limit()`` events."""
    until = simpy.Event(env)
    until._ok = True
    until._value = None
    env.schedule(until, URGENT, at - env.now)
    until.callbacks.append(StopSimulation.callback)
    step = env.step
    instant, stalled = env.now, 0
    try:
        while True:
            for _ in range(CHECK_EVERY):
                step()
            if env.now != instant:
                instant, stalled = env.now, 0
                continue
            stalled += CHECK_EVERY
            if stalled > stall_limit():
                raise NoProgressError(instant, stalled)
    except StopSimulation:
        return


def _change_staff(
    action: Callable[[str, int], None], kind: str, count: int, _event: simpy.Event
) -> None:
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

    A finished world is taken apart by ``Replication.release`` so that reference counting
    frees it; run_area still collects once, for the few cycles left (the environment's own).
    The objects that existed before (the interpreter's, pandas'..., about 150,000) are frozen
    meanwhile (``gc.freeze``), so that collection does not traverse them. Thresholds and
    freezing are restored afterwards; an outer freeze, if any, is left alone.
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
        run = _simulate(part, replication, area)
        gc.collect()  # the finished world holds reference cycles: free it now
    return run


def _simulate(scenario: Scenario, replication: int, area: str | None) -> AreaRun:
    world = Replication(scenario, replication, area=area)
    world.populate()
    table = world.run()
    workforce = world.shared.workforce
    managers = None
    if isinstance(workforce, PersonalWorkforce):
        managers = np.array(
            [
                (officer.index, caseload, overdue)
                for officer, caseload, overdue in zip(
                    workforce.managers,
                    workforce.caseloads(),
                    workforce.overdue_visits_by_manager(),
                    strict=True,
                )
            ],
            dtype=np.float64,
        ).reshape(-1, len(MANAGER_COLUMNS))
    run = AreaRun(area, table, world.simpy_events, managers)
    world.release()
    return run


def combine_areas(replication: int, runs: list[AreaRun]) -> DailyRecord:
    """The record of a replication from its areas' runs (in the scenario's area order)."""
    simpy_events = sum(run.simpy_events for run in runs)
    managers = {run.area or "": run.managers for run in runs if run.managers is not None}
    if len(runs) == 1 and runs[0].area is None:
        return DailyRecord(replication, runs[0].table, simpy_events, managers=managers)
    tables = {str(run.area): run.table for run in runs}
    total = total_over_areas(list(tables.values()))
    return DailyRecord(replication, total, simpy_events, tables, managers)


def single_run(scenario: Scenario, replication: int) -> DailyRecord:
    """Run one replication; a pure function of (scenario, replication).

    A scenario with areas runs one world per area, one after another; the record's table is
    then their total.
    """
    runs = [run_area(scenario, replication, area) for area in area_names(scenario)]
    return combine_areas(replication, runs)
