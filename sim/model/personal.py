"""Personal caseloads: each offender has one offender manager, who does their work.

``staffing.caseloads: personal`` replaces the pooled dispatcher (workforce.py) with this one.
Its rules are the pooled rules (read workforce.py's docstring first: shifts, hours, overtime,
no hold-and-wait, backfilling), with one change: whose work a manager may take.

* **Allocation.** An offender joining the register is allocated to the manager in post (not
  leaving) with the least weighted caseload: the sum of ``caseload_weights`` over their
  offenders, by the offender's level when allocated; ties go to the longest-serving manager
  (lowest index). With every weight 1 that is the manager with the fewest cases. Allocation
  uses no random numbers, so it is the same under any policy that sees the same offenders.
  New managers take new cases (having the lightest caseloads); with
  ``staffing.rebalance_caseloads`` cases also move to them from the heaviest caseloads when
  they join (rebalance.py).
* **A manager's work.** Each manager has their own queues (one for assessments, one per
  number of officers for visits), ordered by the priority rule. A free manager takes the best
  task of *their own* queues that the free officers can do: an assessment (while they have
  assessment hours, as in the pooled model), or a visit needing no more officers than are
  free. A free sergeant takes the best waiting assessment of anyone's caseload (one queue of
  every assessment, entries shared with the managers' queues; whoever starts a task first
  takes it, and the other entry is dropped when it reaches the top).
* **Two-officer visits.** A visit that needs k officers starts when the offender's manager
  AND k - 1 other managers are free at the same moment; it takes them all at once and holds
  them to the end (no hold-and-wait, so no deadlock). The second officer is the free manager
  whose own best task is least urgent (an idle one first). Among free managers, the one whose
  own best task comes first under the priority rule chooses first, so a helper is never taken
  from work more urgent than the visit it joins.
* **Absences.** An absent manager's work waits for them, unless
  ``staffing.absences.cover_after_workdays`` is set: then, once the absence has lasted more
  than that many working days, their waiting and new work goes to a colleague's queues until
  they return (cover.py says who covers; the offenders stay on the absent manager's caseload).
* **Leavers.** When a manager leaves (a staffing change or turnover), each of their
  offenders is allocated afresh, one by one in the order they joined, and their waiting
  tasks move to the new manager's queues. With no manager in post, offenders wait
  unallocated, and the first managers hired take them.

Dispatch looks only at the free managers' own queue heads, never at all offenders; the work
per event grows with the number of free managers, which is small when the team is busy.
With one manager, every rule above is the pooled rule, and the two dispatchers do the same
work in the same order (a test checks it).
"""

from __future__ import annotations

import heapq
from functools import partial

import simpy

from sim.model.absences import AbsencePlan
from sim.model.agenda import Agenda
from sim.model.calendar import WorkingCalendar
from sim.model.counters import Counters
from sim.model.cover import CoverRota, Move
from sim.model.event_log import EventLog
from sim.model.offender import Offender
from sim.model.personal_queues import HelperPool, ManagerQueues, Orphans, Workloads, waiting_head
from sim.model.rebalance import rebalancing_moves
from sim.model.streams import Streams
from sim.model.workforce import (
    ASSESSMENT,
    MANAGER,
    SHIFT_END_TOLERANCE_DAYS,
    Officer,
    QueueEntry,
    Task,
    Workforce,
    WorkKind,
)
from sim.scenario import Staffing

__all__ = ["PersonalWorkforce"]


class PersonalWorkforce(Workforce):
    """The workforce with personal caseloads (see the module docstring)."""

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
        self._weights = staffing.caseload_weights.as_tuple()
        self._queues: dict[Officer, ManagerQueues] = {}
        self._caseload: dict[Officer, dict[int, Offender]] = {}  # in the order they joined
        self._workloads = Workloads()
        self._workload = self._workloads.loads
        self._manager_of: dict[int, Officer] = {}
        self._unallocated: dict[int, Offender] = {}
        self._orphans: list[QueueEntry] = []  # tasks of unallocated offenders
        # Free managers found with nothing they could start, and how many officers were free
        # then: until their queues change, a new shift opens or more officers are free, they
        # still have nothing, so dispatch skips them (a cache; it changes no decision).
        self._stuck: dict[Officer, int] = {}
        self._rebalances = staffing.rebalance_caseloads
        self._crews_over_two = False  # a visit needing 3+ officers has been asked for
        absences = staffing.absences
        self._cover = (
            None
            if absences is None or absences.cover_after_workdays is None
            else CoverRota(absences.cover_after_workdays)
        )
        super().__init__(
            env,
            staffing,
            calendar,
            counters,
            priority_name,
            event_log,
            streams=streams,
            absence_plan=absence_plan,
        )

    # -- caseloads ------------------------------------------------------------------------
    def _new_officer(self, kind: str) -> Officer:
        officer = super()._new_officer(kind)
        if kind == MANAGER:
            self._queues[officer] = ManagerQueues()
            self._caseload[officer] = {}
            self._workloads.set(officer, 0.0)
        return officer

    def hire(self, kind: str, count: int) -> None:
        super().hire(kind, count)
        if kind == MANAGER and self._rebalances:
            self._rebalance()
        if kind == MANAGER and self._unallocated:
            waiting, self._unallocated = self._unallocated, {}
            for offender in waiting.values():
                if offender.active:
                    self.allocate(offender)
            self._stuck.clear()
            orphans, self._orphans = self._orphans, []
            for entry in orphans:
                self._queue_for(entry[-1].offender).push(entry)
            self._dispatch()

    def allocate(self, offender: Offender) -> None:
        """Give ``offender`` to the manager in post with the least weighted caseload.

        Ties go to the longest-serving (lowest index). Found from a heap of workloads rather
        than by a scan of every manager (the same choice; the scan made allocation cost grow
        with the team).
        """
        lightest = self._workloads.lightest()
        if lightest is None:
            self._unallocated[offender.id] = offender
            return
        best, load = lightest
        self._manager_of[offender.id] = best
        self._caseload[best][offender.id] = offender
        self._workloads.set(best, load + self._weights[offender.level])

    def watch_exit(self, agenda: Agenda, offender: Offender, horizon_days: int) -> None:
        """Take ``offender`` off their manager's caseload when they leave the register."""
        if offender.exit_time < horizon_days:
            agenda.call_at(offender.exit_time, partial(self.offender_left, offender))

    def offender_left(self, offender: Offender) -> None:
        manager = self._manager_of.pop(offender.id, None)
        if manager is None:
            self._unallocated.pop(offender.id, None)
            return
        if self._caseload[manager].pop(offender.id, None) is not None:
            self._workloads.set(manager, self._workload[manager] - self._weights[offender.level])

    def manager_of(self, offender: Offender) -> Officer | None:
        return self._manager_of.get(offender.id)

    def caseloads(self) -> list[int]:
        """Offenders on each manager's caseload now (managers in post, in index order)."""
        return [len(self._caseload[officer]) for officer in self.managers]

    def overdue_visits_by_manager(self) -> list[int]:
        """Overdue visits on each manager's caseload now (scans the caseloads: not per event)."""
        return [
            sum(1 for o in self._caseload[officer].values() if o.active and o.visit_overdue)
            for officer in self.managers
        ]

    def _remove(self, officer: Officer) -> None:
        super()._remove(officer)
        if officer.kind != MANAGER:
            return
        if self._cover is not None:
            self._move_work(self._cover.release(officer))
        caseload = self._caseload.pop(officer)
        queues = self._queues.pop(officer)
        del self._workload[officer]
        for offender in caseload.values():
            del self._manager_of[offender.id]
            if offender.active:
                self.allocate(offender)
        self._stuck.clear()  # the others' queues changed
        for entry in queues.entries():
            task = entry[-1]
            if task.offender.active and not task.officers:
                self._queue_for(task.offender).push(entry)
        if self._cover is not None:
            self._move_work(self._cover.reassign(self.managers, self._workload))

    def _queue_for(self, offender: Offender) -> ManagerQueues | Orphans:
        manager = self._manager_of.get(offender.id)
        if manager is None:
            return Orphans(self._orphans)
        if self._cover is not None:
            manager = self._cover.acting(manager)
        return self._queues[manager]

    # -- cover for long absences (cover.py) -----------------------------------------------
    def _move_work(self, moves: list[Move]) -> None:
        """Move each (owner, source, destination)'s waiting work of owner's offenders."""
        for owner, source, destination in moves:
            if source is destination:
                continue
            target = self._queues[destination]
            for entry in self._queues[source].take(self._caseload[owner]):
                target.push(entry)
            self._stuck.pop(source, None)
            self._stuck.pop(destination, None)

    def _rebalance(self) -> None:
        """Move cases from the heaviest caseloads to the lightest (rebalance.py)."""
        moves = rebalancing_moves(self.managers, self._caseload, self._workload, self._weights)
        moved: dict[Officer, set[int]] = {}  # whose queues hold their work -> moved offenders
        for offender, source, destination in moves:
            holder = source if self._cover is None else self._cover.acting(source)
            moved.setdefault(holder, set()).add(offender.id)
            del self._caseload[source][offender.id]
            self._caseload[destination][offender.id] = offender
            self._manager_of[offender.id] = destination
            weight = self._weights[offender.level]
            self._workloads.set(source, self._workload[source] - weight)
            self._workloads.set(destination, self._workload[destination] + weight)
        for holder, ids in moved.items():
            for entry in self._queues[holder].take(ids):
                self._queue_for(entry[-1].offender).push(entry)
        self._stuck.clear()

    def covers(self) -> dict[Officer, Officer]:
        """Absent managers covered now, and who covers each (empty without cover)."""
        return {} if self._cover is None else self._cover.covers

    def queued(self) -> dict[Officer, list[Task]]:
        """Each manager's waiting tasks (not started, offender on the register): for checks."""
        return {officer: queues.waiting() for officer, queues in self._queues.items()}

    # -- requests -------------------------------------------------------------------------
    def perform(
        self, offender: Offender, due_day: int, n_officers: int, hours: float, kind: WorkKind
    ) -> Task:
        task = Task(self.env, offender, n_officers, hours, kind)
        entry = (*self._key(offender.level, due_day, next(self._sequence)), task)
        if n_officers > 2:
            self._crews_over_two = True  # second officers by the full scan from now on
        if kind is ASSESSMENT:
            heapq.heappush(self._assessment_queue, entry)  # for the sergeants
        manager = self._manager_of.get(offender.id)
        if manager is None:
            self._orphans.append(entry)
            if kind is ASSESSMENT and self._free_sergeants:
                self._dispatch()
            return task
        if self._cover is not None:
            manager = self._cover.acting(manager)
        self._queues[manager].push(entry)
        self._stuck.pop(manager, None)
        if (kind is ASSESSMENT and self._free_sergeants) or (
            not manager.busy and manager.budget_hours > 0
        ):
            self._dispatch()
        return task

    # -- dispatching ----------------------------------------------------------------------
    def _open_shift(self, day: int) -> None:
        if self._cover is not None:
            self._move_work(self._cover.new_day(day, self.managers, self._workload))
        self._stuck.clear()  # new hours: everyone looks again
        super()._open_shift(day)

    def _finish(self, task: Task) -> None:
        for officer in task.officers:
            self._stuck.pop(officer, None)
        super()._finish(task)

    def _has_nothing(self, officer: Officer, n_free: int) -> bool:
        """True if ``officer`` surely has nothing to start with ``n_free`` officers free."""
        if self._queues[officer].empty():
            return True
        stuck_at = self._stuck.get(officer)
        return stuck_at is not None and n_free <= stuck_at

    def _dispatch(self) -> None:
        if self.env.now >= self._shift_ends_at - SHIFT_END_TOLERANCE_DAYS:
            return
        free_sergeants = self._free_sergeants
        while free_sergeants:
            head = waiting_head(self._assessment_queue)
            if head is None:
                break
            heapq.heappop(self._assessment_queue)
            self._start(head[-1], [free_sergeants.pop()])
        free = self._free_managers
        if not free:
            return
        n_free = len(free)
        candidates: list[tuple[QueueEntry, int, Officer, list[QueueEntry]]] = []
        looked: list[tuple[Officer, QueueEntry | None]] = []  # for the second officers
        pool: HelperPool | None = None
        stuck = self._stuck
        for officer in free:
            if self._has_nothing(officer, n_free):
                looked.append((officer, None))
                continue
            best, queue = self._own_best(officer, n_free)
            looked.append((officer, best))
            if best is not None and queue is not None:
                candidates.append((best, officer.index, officer, queue))
            else:
                stuck[officer] = n_free
        heapq.heapify(candidates)
        while candidates:
            entry, _, officer, queue = heapq.heappop(candidates)
            if officer.busy:
                continue  # taken as a second officer meanwhile
            task: Task = entry[-1]
            if task.officers or task.n_officers > n_free or not queue or queue[0] is not entry:
                best, queue = self._own_best(officer, n_free)  # stale: look again
                if best is not None and queue is not None:
                    heapq.heappush(candidates, (best, officer.index, officer, queue))
                else:
                    stuck[officer] = n_free
                continue
            heapq.heappop(queue)
            crew = [officer]
            if task.n_officers == 2 and not self._crews_over_two:
                pool = pool or HelperPool(looked)
                helper = pool.take(officer)
                assert helper is not None  # two or more were free
                crew.append(helper)
            elif task.n_officers > 1:
                crew += self._helpers(officer, task.n_officers - 1, n_free)
            for member in crew:
                free.remove(member)
            n_free -= len(crew)
            if task.kind is ASSESSMENT and self._managers_assessments_limited:
                officer.assessment_hours -= task.hours
            self._start(task, crew)

    def _own_best(
        self, officer: Officer, n_free: int
    ) -> tuple[QueueEntry | None, list[QueueEntry] | None]:
        """The best task of ``officer``'s own queues the free officers can do, and its queue."""
        queues = self._queues[officer]
        best = best_queue = None
        if not self._managers_assessments_limited or officer.assessment_hours > 0:
            head = waiting_head(queues.assessments)
            if head is not None:
                best, best_queue = head, queues.assessments
        for n_officers, queue in queues.visits.items():
            if n_officers > n_free:
                continue
            head = waiting_head(queue)
            if head is not None and (best is None or head < best):
                best, best_queue = head, queue
        return best, best_queue

    def _helpers(self, lead: Officer, count: int, n_free: int) -> list[Officer]:
        """The ``count`` free managers besides ``lead`` whose own work is least urgent.

        Idle ones first, in the order of the free list (so the scan stops once ``count`` are
        found), then those with their own work, the least urgent first.
        """
        idle: list[Officer] = []
        busy_with_own: list[tuple[QueueEntry, Officer]] = []
        for officer in self._free_managers:
            if officer is lead:
                continue
            best = (
                None if self._has_nothing(officer, n_free) else self._own_best(officer, n_free)[0]
            )
            if best is None:
                idle.append(officer)
                if len(idle) == count:
                    return idle
            else:
                busy_with_own.append((best, officer))
        busy_with_own.sort(key=lambda pair: pair[0], reverse=True)
        return (idle + [officer for _, officer in busy_with_own])[:count]
