"""Offender managers and trained sergeants as a SimPy resource with working hours.

``Workforce.perform(task)`` is the resource's request: it returns a SimPy event that succeeds
when the task is *finished*. Tasks wait in priority queues; a dispatcher starts the best task
that the free staff can do:

* Sergeants do assessments only; offender managers do visits and assessments.
* A visit that needs k officers starts only when k officers are free, and takes all k at once
  and holds them for its whole duration. Nobody ever holds one officer while waiting for
  another, so there is no hold-and-wait and hence no deadlock.
* While fewer officers are free than the best task needs, they take the best task they *can*
  do (backfilling), so a lone free officer is never idle beside a queue of one-officer work.
  A two-officer visit is normally not starved: a shift starts with every officer free who
  has hours left, and the highest-priority task is served first. The exception is an officer
  whose overtime carried over is a whole day's hours or more (a task longer than the daily
  budget): they miss the next shift, two officers' days off can fall out of step, and a pair
  visit can wait several shifts (see the README's limitations; rare with the
  shipped durations).
* Each officer has a budget of hours for the working day (``hours_per_day * availability``,
  and for sergeants also ``sergeant_assessment_share``). A task is charged in full when it
  starts; an officer with hours left may start another task. A task that runs past the end of
  the shift is finished (overtime) and the overrun is taken off the next day's hours, so an
  officer's hours used never exceed their hours available by more than one task.
* A shift is the half-open interval [start, end): nothing starts at the instant it ends, even
  work that joins the queue at that instant (due-date work joins at midnight, which is when a
  shift ending at 24:00 closes).
* ``manager_assessment_share`` below 1 gives each offender manager a second, smaller budget:
  the hours of the day that may go to assessments (the model's stand-in for a limited pool of
  ARMS-trained staff). An offender manager starts an assessment only while it has some of
  that budget left; overruns carry over to the next working day in the same way.

Whole days away (``staffing.absences``, absences.py): an officer away today gets no hours when
the shift opens (an overrun still owed is carried to their next day at work). Turnover
(turnover.py) takes officers away with ``depart`` and refills posts with ``hire``; every
officer is told to it when created (``officer_started``).

With ``hours_per_day: 24``, ``availability: 1`` and every day a working day, officers are
always on duty and the workforce is an ordinary c-server queue (used to test against Erlang C).
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable, Generator
from enum import Enum
from typing import Any

import simpy
from simpy.events import NORMAL

from sim.model.absences import AbsencePlan
from sim.model.calendar import WorkingCalendar
from sim.model.counters import Counters
from sim.model.event_log import EventLog
from sim.model.headcount import Headcount
from sim.model.offender import Offender
from sim.model.streams import Streams
from sim.priority import priority_rule
from sim.scenario import Staffing

__all__ = ["ASSESSMENT", "MANAGER", "Officer", "SERGEANT", "Task", "VISIT", "WorkKind", "Workforce"]

MANAGER, SERGEANT = "offender_manager", "sergeant"
# A shift is [start, end): nothing starts at its end, even when other events (work joining
# the queue at midnight) fall due at that same instant, or within float noise of it.
SHIFT_END_TOLERANCE_DAYS = 1e-9


class WorkKind(Enum):
    """What a task is: a visit attempt (offender managers only) or an assessment (either)."""

    VISIT = "visit"
    ASSESSMENT = "assessment"


VISIT, ASSESSMENT = WorkKind.VISIT, WorkKind.ASSESSMENT


class Officer:
    """One member of staff; ``budget_hours`` is what is left of today's hours.

    ``index`` numbers the officers of a kind in the order they were created (the ones on the
    start date first), which keys their own random streams; ``absent`` holds the days they
    are away (None: never).
    """

    __slots__ = (
        "kind",
        "index",
        "budget_hours",
        "assessment_hours",
        "busy",
        "leaving",
        "gone",
        "absent",
    )

    def __init__(self, kind: str, index: int = 0, absent: frozenset[int] | None = None) -> None:
        self.kind = kind
        self.index = index
        self.budget_hours = 0.0
        self.assessment_hours = 0.0
        self.busy = False
        self.leaving = False
        self.gone = False
        self.absent = absent


class Task(simpy.Event):
    """A visit attempt or an assessment; as an event, it succeeds when the work is finished.

    The task is scheduled straight at its finishing time when it starts (as SimPy's own
    ``Timeout`` schedules itself), so a task costs one SimPy event, not a timeout followed by a
    separate "done" event.
    """

    __slots__ = ("offender", "n_officers", "hours", "kind", "officers", "queued_at")

    def __init__(
        self,
        env: simpy.Environment,
        offender: Offender,
        n_officers: int,
        hours: float,
        kind: WorkKind,
    ) -> None:
        super().__init__(env)
        self.offender = offender
        self.n_officers = n_officers
        self.hours = hours
        self.kind = kind
        self.officers: list[Officer] = []
        self.queued_at = env.now

    def succeed_after(self, delay_days: float) -> None:
        """Succeed ``delay_days`` from now, as ``simpy.Timeout`` does when it is created."""
        self._ok = True
        self._value = None
        self.env.schedule(self, NORMAL, delay_days)


# A queue entry: the priority rule's key, then the task (the key ends with a unique arrival
# number, so two entries never compare their tasks).
QueueEntry = tuple[Any, ...]


class Workforce:
    """The pool of staff, its task queues, and the shifts that give it hours."""

    def __init__(
        self,
        env: simpy.Environment,
        staffing: Staffing,
        calendar: WorkingCalendar,
        counters: Counters,
        priority_name: str,
        event_log: EventLog | None = None,
        *,
        streams: Streams | None = None,
        absence_plan: AbsencePlan | None = None,
    ) -> None:
        self.env = env
        self.event_log = event_log
        self.counters = counters
        self.calendar = calendar
        self._shift_start_days = staffing.shift_start_hour / 24
        self._shift_length_days = staffing.hours_per_day / 24
        self._shift_ends_at = -math.inf  # no shift open yet
        self._daily_hours = {
            MANAGER: staffing.hours_per_day * staffing.availability,
            SERGEANT: staffing.hours_per_day
            * staffing.availability
            * staffing.sergeant_assessment_share,
        }
        self._manager_assessment_hours = (
            staffing.hours_per_day * staffing.availability * staffing.manager_assessment_share
        )
        self._managers_assessments_limited = staffing.manager_assessment_share < 1.0
        if absence_plan is not None and streams is None:
            raise ValueError("absences need the replication's streams")
        self._streams = streams
        self._absence_plan = absence_plan
        self._created = {MANAGER: 0, SERGEANT: 0}
        self.headcount = Headcount((MANAGER, SERGEANT))  # recruits in training, daily counts
        # Told of every officer when created (turnover.py draws when they will leave).
        self.officer_started: Callable[[Officer], None] | None = None
        self.managers = [self._new_officer(MANAGER) for _ in range(staffing.offender_managers)]
        self.sergeants = [self._new_officer(SERGEANT) for _ in range(staffing.sergeants)]
        self._free_managers: list[Officer] = []
        self._free_sergeants: list[Officer] = []
        self._assessment_queue: list[QueueEntry] = []
        self._visit_queues: dict[int, list[QueueEntry]] = {}
        self._sequence = itertools.count()
        self._key = priority_rule(priority_name)
        self.shift_process = env.process(self._shifts())

    # -- requests -------------------------------------------------------------------------
    def perform(
        self, offender: Offender, due_day: int, n_officers: int, hours: float, kind: WorkKind
    ) -> Task:
        """Queue a task; the returned event succeeds when the task has been done."""
        task = Task(self.env, offender, n_officers, hours, kind)
        entry = (*self._key(offender.level, due_day, next(self._sequence)), task)
        if kind is ASSESSMENT:
            heapq.heappush(self._assessment_queue, entry)
        else:
            queue = self._visit_queues.get(n_officers)
            if queue is None:
                queue = self._visit_queues[n_officers] = []
            heapq.heappush(queue, entry)
        self._dispatch()
        return task

    @property
    def staff_counts(self) -> tuple[int, int]:
        """(offender managers, sergeants) in post and productive, excluding those leaving."""
        return (
            sum(1 for o in self.managers if not o.leaving),
            sum(1 for o in self.sergeants if not o.leaving),
        )

    def staff_today(self, day: int) -> tuple[int, ...]:
        """Offender managers and sergeants productive, in post and absent at the end of
        ``day`` (headcount.py), as the daily table records them."""
        return self.headcount.today(day, {MANAGER: self.managers, SERGEANT: self.sergeants})

    # -- dispatching ----------------------------------------------------------------------
    @staticmethod
    def _live_head(queue: list[QueueEntry]) -> QueueEntry | None:
        """The best entry whose offender is still on the register (drops the others)."""
        while queue:
            entry = queue[0]
            if entry[-1].offender.active:
                return entry
            heapq.heappop(queue)
        return None

    def _dispatch(self) -> None:
        if self.env.now >= self._shift_ends_at - SHIFT_END_TOLERANCE_DAYS:
            return  # work waiting at the very end of a shift waits for the next one
        free_sergeants = self._free_sergeants
        while free_sergeants and self._live_head(self._assessment_queue) is not None:
            task = heapq.heappop(self._assessment_queue)[-1]
            self._start(task, [free_sergeants.pop()])
        free_managers = self._free_managers
        while free_managers:
            n_free = len(free_managers)
            best = best_queue = None
            head = self._live_head(self._assessment_queue)
            if head is not None and self._a_free_manager_may_assess():
                best, best_queue = head, self._assessment_queue
            for n_officers, queue in self._visit_queues.items():
                if n_officers > n_free:
                    continue
                head = self._live_head(queue)
                if head is not None and (best is None or head < best):
                    best, best_queue = head, queue
            if best is None or best_queue is None:
                return
            heapq.heappop(best_queue)
            task = best[-1]
            if task.kind is ASSESSMENT and self._managers_assessments_limited:
                officer = next(o for o in free_managers if o.assessment_hours > 0)
                free_managers.remove(officer)
                officer.assessment_hours -= task.hours
                self._start(task, [officer])
            else:
                self._start(task, [free_managers.pop() for _ in range(task.n_officers)])

    def _a_free_manager_may_assess(self) -> bool:
        """Whether a free offender manager has assessment hours left today."""
        if not self._managers_assessments_limited:
            return True
        return any(o.assessment_hours > 0 for o in self._free_managers)

    def _start(self, task: Task, officers: list[Officer]) -> None:
        hours = task.hours
        for officer in officers:
            officer.busy = True
            officer.budget_hours -= hours
        self.counters.add("officer_hours_used", hours * len(officers))
        task.officers = officers
        if self.event_log is not None:
            self.event_log.task_started(
                task.offender.id,
                task.kind is ASSESSMENT,
                task.offender.level,
                task.n_officers,
                hours,
                task.queued_at,
                self.env.now,
            )
        # Free the officers before the waiting process hears that the task is done.
        task.callbacks.insert(0, self._finish)
        task.succeed_after(hours / 24)

    def _finish(self, task: Task) -> None:
        for officer in task.officers:
            officer.busy = False
            if officer.leaving:
                self._remove(officer)
            elif officer.budget_hours > 0:
                self._free_list(officer).append(officer)
        self._dispatch()

    # -- shifts and staffing changes ------------------------------------------------------
    def _free_list(self, officer: Officer) -> list[Officer]:
        return self._free_managers if officer.kind == MANAGER else self._free_sergeants

    def _all(self, kind: str) -> list[Officer]:
        return self.managers if kind == MANAGER else self.sergeants

    def _shifts(self) -> Generator[simpy.Event, None, None]:
        env = self.env
        for day in self.calendar.working_days():
            yield env.timeout(day + self._shift_start_days - env.now)
            shift_left = day + self._shift_start_days + self._shift_length_days - env.now
            self._shift_ends_at = env.now + shift_left  # the very time the timeout fires
            self._open_shift(int(day))
            yield env.timeout(shift_left)
            self._close_shift()

    def _open_shift(self, day: int) -> None:
        available = 0.0
        for kind, free in ((MANAGER, self._free_managers), (SERGEANT, self._free_sergeants)):
            daily = self._daily_hours[kind]
            free.clear()
            for officer in self._all(kind):
                if officer.absent is not None and day in officer.absent:
                    continue  # no hours today; any overrun waits for their next day at work
                officer.budget_hours = min(officer.budget_hours, 0.0) + daily
                if kind == MANAGER:
                    officer.assessment_hours = (
                        min(officer.assessment_hours, 0.0) + self._manager_assessment_hours
                    )
                available += daily
                if not officer.busy and officer.budget_hours > 0:
                    free.append(officer)
        self.counters.add("officer_hours_available", available)
        self._dispatch()

    def _close_shift(self) -> None:
        for officer in itertools.chain(self.managers, self.sergeants):
            officer.budget_hours = min(officer.budget_hours, 0.0)
            officer.assessment_hours = min(officer.assessment_hours, 0.0)
        self._free_managers.clear()
        self._free_sergeants.clear()

    def _new_officer(self, kind: str) -> Officer:
        index = self._created[kind]
        self._created[kind] = index + 1
        absent = None
        if self._absence_plan is not None:
            assert self._streams is not None
            absent = self._absence_plan.absent_days(self._streams, kind, index)
        officer = Officer(kind, index, absent)
        if self.officer_started is not None:
            self.officer_started(officer)
        return officer

    def hire(self, kind: str, count: int) -> None:
        """New productive officers; they get hours from the next shift on."""
        self._all(kind).extend(self._new_officer(kind) for _ in range(count))

    def depart(self, officer: Officer) -> bool:
        """``officer`` leaves: at once if idle, when their task ends if busy.

        False if they had already gone or were already leaving (a staffing change took them).
        """
        if officer.gone or officer.leaving:
            return False
        if officer.busy:
            officer.leaving = True
        else:
            self._remove(officer)
        return True

    def release(self, kind: str, count: int) -> None:
        """Officers leave: idle ones at once, busy ones when their current task ends."""
        staff = self._all(kind)
        staying = [o for o in staff if not o.leaving]
        leaving = sorted(staying, key=lambda o: o.busy)[:count]
        for officer in leaving:
            if officer.busy:
                officer.leaving = True
            else:
                self._remove(officer)

    def _remove(self, officer: Officer) -> None:
        officer.gone = True
        self._all(officer.kind).remove(officer)
        free = self._free_list(officer)
        if officer in free:
            free.remove(officer)
