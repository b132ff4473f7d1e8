"""One offender manager's waiting work under personal caseloads (personal.py uses these).

``ManagerQueues`` holds a manager's queues (one for assessments, one per number of officers
for visits), ordered by the priority rule; ``waiting_head`` skips entries started by someone
else or of offenders off the register (they are dropped lazily, when they reach the top);
``Orphans`` is where the work of offenders with no manager waits.
"""

from __future__ import annotations

import heapq

from sim.model.workforce import ASSESSMENT, QueueEntry, Task

__all__ = ["ManagerQueues", "Orphans", "waiting_head"]


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
