"""The overdue items of one kind of work (visits or assessments): by level, by age, oldest.

An overdue item is counted under its offender's believed risk level and its due date. How
overdue it is at the end of day ``t`` is ``t - due_day`` (at least 1: it becomes overdue at the
midnight after its due date), and the age bands are :data:`sim.records.AGE_BANDS`.

Nothing here scans the items. The counts move on transitions (an item becomes overdue, is
done or leaves, its offender's level changes) and, once a day, by a *roll*: at the start of day
``t`` the items crossing a band's upper edge ``e`` are exactly those due on day ``t - e - 1``,
so their count, looked up by due date, moves up one band (three look-ups a day). The oldest
item of each level is the top of a heap of due dates, whose entries with no item left are
dropped lazily when they reach the top (as the old single heap did).

This relies on one rule of the register (register.py): while an item is overdue its due date
does not change. Completing it, custody or leaving clear it first; bringing work forward only
moves items not yet overdue; a level change moves it to another level with the same due date
(:meth:`Backlog.move`). A test checks every day that the bands add up to the backlog.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left

from sim.levels import N_LEVELS
from sim.records import AGE_BANDS

__all__ = ["Backlog", "N_BANDS", "band_of"]

N_BANDS = len(AGE_BANDS)
# The last day of each band but the open-ended last one: 30, 90, 180.
_BAND_ENDS: tuple[int, ...] = tuple(last for _, _, last in AGE_BANDS if last is not None)


def band_of(days_overdue: int) -> int:
    """The index of the age band of an item ``days_overdue`` days overdue (0 counts as 1)."""
    return bisect_left(_BAND_ENDS, days_overdue)


class Backlog:
    """Overdue items of one kind of work, counted by level, by age band and by due date."""

    __slots__ = ("by_level", "bands", "_due", "_oldest")

    def __init__(self) -> None:
        self.by_level = [0] * N_LEVELS
        self.bands = [[0] * N_BANDS for _ in range(N_LEVELS)]  # [level][band]
        self._due: dict[int, list[int]] = {}  # due day -> overdue items by level
        self._oldest: list[list[int]] = [[] for _ in range(N_LEVELS)]  # heaps of due days

    def add(self, level: int, due_day: int, today: int) -> None:
        """An item due on ``due_day`` is overdue from ``today`` on."""
        self.by_level[level] += 1
        self.bands[level][band_of(today - due_day)] += 1
        counts = self._due.get(due_day)
        if counts is None:
            counts = self._due[due_day] = [0] * N_LEVELS
        if counts[level] == 0:
            heapq.heappush(self._oldest[level], due_day)
        counts[level] += 1

    def remove(self, level: int, due_day: int, today: int) -> None:
        """An overdue item is no longer overdue (done, in custody, or its offender left)."""
        self.by_level[level] -= 1
        self.bands[level][band_of(today - due_day)] -= 1
        counts = self._due[due_day]
        counts[level] -= 1
        if not any(counts):
            del self._due[due_day]

    def move(self, old_level: int, new_level: int, due_day: int, today: int) -> None:
        """An overdue item's offender is now believed to be at ``new_level``."""
        self.remove(old_level, due_day, today)
        self.add(new_level, due_day, today)

    def roll(self, today: int) -> None:
        """Start day ``today``: items reaching a band's first day move up into it."""
        due = self._due
        bands = self.bands
        for band, last in enumerate(_BAND_ENDS):
            counts = due.get(today - last - 1)
            if counts is None:
                continue
            for level, count in enumerate(counts):
                if count:
                    bands[level][band] -= count
                    bands[level][band + 1] += count

    def oldest_due_day(self, level: int) -> int | None:
        """The earliest due date of an overdue item of ``level`` (None if there is none)."""
        heap = self._oldest[level]
        due = self._due
        while heap:
            counts = due.get(heap[0])
            if counts is not None and counts[level] > 0:
                return heap[0]
            heapq.heappop(heap)
        return None
