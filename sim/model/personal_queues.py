"""One offender manager's waiting work under personal caseloads (personal.py uses these).

``ManagerQueues`` holds a manager's queues (one for assessments, one per number of officers
for visits), ordered by the priority rule; ``waiting_head`` skips entries started by someone
else or of offenders off the register (they are dropped lazily, when they reach the top);
``Orphans`` is where the work of offenders with no manager waits; ``HelperPool`` finds the
second officer of a two-officer visit; ``Workloads`` the manager a new offender goes to.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Container

from sim.model.workforce import ASSESSMENT, Officer, QueueEntry, Task

__all__ = ["HelperPool", "ManagerQueues", "Orphans", "Workloads", "waiting_head"]


class ManagerQueues:
    """One manager's waiting work: assessments, and visits by the number of officers."""

    __slots__ = ("assessments", "visits")

    def __init__(self) -> None:
        self.assessments: list[QueueEntry] = []
        self.visits: dict[int, list[QueueEntry]] = {}

    def push(self, entry: QueueEntry) -> None:
        task: Task = entry[-1]
        if task.kind is ASSESSMENT:
            heapq.heappush(self.assessments, entry)
        else:
            queue = self.visits.get(task.n_officers)
            if queue is None:
                queue = self.visits[task.n_officers] = []
            heapq.heappush(queue, entry)

    def empty(self) -> bool:
        """Nothing queued at all (not even entries waiting to be dropped)."""
        return not self.assessments and not any(self.visits.values())

    def take(self, offender_ids: Container[int]) -> list[QueueEntry]:
        """Remove and return the waiting entries of these offenders (dropping dead entries)."""
        taken: list[QueueEntry] = []
        for heap in (self.assessments, *self.visits.values()):
            keep: list[QueueEntry] = []
            for entry in heap:
                task: Task = entry[-1]
                if task.officers or not task.offender.active:
                    continue  # started, or off the register: would be dropped anyway
                (taken if task.offender.id in offender_ids else keep).append(entry)
            heap[:] = keep
            heapq.heapify(heap)
        return taken

    def waiting(self) -> list[Task]:
        """The tasks waiting here: not started, and their offender still on the register."""
        return [e[-1] for e in self.entries() if not e[-1].officers and e[-1].offender.active]

    def entries(self) -> list[QueueEntry]:
        return [e for queue in (self.assessments, *self.visits.values()) for e in queue]


def waiting_head(queue: list[QueueEntry]) -> QueueEntry | None:
    """The best entry not yet started (by anyone) whose offender is still on the register."""
    while queue:
        entry = queue[0]
        task = entry[-1]
        if task.offender.active and not task.officers:
            return entry
        heapq.heappop(queue)
    return None


class Orphans:
    """Where tasks of offenders with no manager wait (a plain list, pushed in order)."""

    __slots__ = ("entries",)

    def __init__(self, entries: list[QueueEntry]) -> None:
        self.entries = entries

    def push(self, entry: QueueEntry) -> None:
        self.entries.append(entry)


class _LeastUrgent:
    """A free manager keyed by their own best task, ordered least urgent first (a max-heap)."""

    __slots__ = ("entry", "officer")

    def __init__(self, entry: QueueEntry, officer: Officer) -> None:
        self.entry = entry
        self.officer = officer

    def __lt__(self, other: _LeastUrgent) -> bool:
        return bool(other.entry < self.entry)


class HelperPool:
    """The second officers a two-officer visit may take, within one dispatch.

    Built from the free managers as the dispatch first looked at them (in the order of the
    free list, with each one's own best task, or None if they had none they could start):
    idle ones first, in that order, then the one whose own best task is least urgent. Within
    one dispatch nobody's own work changes except by their starting it (then they are busy and
    skipped), and with at most two officers per visit a free manager's own best task does not
    depend on how many others are free once a pair can start, so this is the choice a full scan
    would make (personal.py's ``_helpers``), found in O(log n) instead of O(n) per visit.
    """

    __slots__ = ("_idle", "_least")

    def __init__(self, looked: list[tuple[Officer, QueueEntry | None]]) -> None:
        self._idle = deque(officer for officer, best in looked if best is None)
        self._least = [_LeastUrgent(best, officer) for officer, best in looked if best is not None]
        heapq.heapify(self._least)

    def take(self, lead: Officer) -> Officer | None:
        """The free manager to join ``lead``'s visit (None if there is nobody)."""
        idle = self._idle
        while idle:
            officer = idle.popleft()
            if officer is lead:
                continue  # cannot happen (a lead had work), but never pair a lead with itself
            if not officer.busy:
                return officer
        least = self._least
        put_back: _LeastUrgent | None = None
        chosen: Officer | None = None
        while least:
            item = heapq.heappop(least)
            if item.officer is lead:
                put_back = item
            elif not item.officer.busy:
                chosen = item.officer
                break
        if put_back is not None:
            heapq.heappush(least, put_back)
        return chosen


class Workloads:
    """Each manager's weighted caseload, and the lightest of those in post, from a heap.

    Every change of a workload pushes (workload, index, n, manager); the lightest entry that
    is still a manager's current workload (and who is not leaving) is the manager with the
    least workload, ties to the lowest index: the choice a scan of every manager in index
    order would make, in O(log n) instead of O(n) per allocation.
    """

    __slots__ = ("loads", "_heap", "_changes")

    def __init__(self) -> None:
        self.loads: dict[Officer, float] = {}
        self._heap: list[tuple[float, int, int, Officer]] = []
        self._changes = itertools.count()

    def set(self, officer: Officer, load: float) -> None:
        self.loads[officer] = load
        heap = self._heap
        heapq.heappush(heap, (load, officer.index, next(self._changes), officer))
        if len(heap) > 4 * len(self.loads) + 64:  # mostly stale entries: rebuild it
            heap[:] = [
                (w, o.index, next(self._changes), o) for o, w in self.loads.items() if not o.leaving
            ]
            heapq.heapify(heap)

    def lightest(self) -> tuple[Officer, float] | None:
        """The manager in post, not leaving, with the least workload (None if nobody)."""
        heap, loads = self._heap, self.loads
        while heap:
            load, _, _, officer = heap[0]
            if not officer.leaving and loads.get(officer) == load:
                return officer, load
            heapq.heappop(heap)  # gone, leaving, or their workload has changed since
        return None
