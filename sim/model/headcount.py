"""The staff at the end of each day: productive, in post (with recruits in training), absent.

The workforce (workforce.py) holds the productive officers; recruits who are in post but still
training have no hours and are not in it until hired. This keeps their spells, told to it by
whoever makes them (a staffing change with a training delay, a turnover replacement after the
vacancy), and counts the day's staff for the daily table. A recruit hired at the very end of a
day (midnight, after that day's snapshot) is still in training in that day's row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

__all__ = ["Headcount"]


class StaffMember(Protocol):
    """What the count reads of an officer (workforce.py's ``Officer``), named here so this
    module needs nothing from the workforce that uses it."""

    leaving: bool
    absent: frozenset[int] | None


class Headcount:
    """Recruits in training by kind of staff, and the daily staff counts."""

    def __init__(self, kinds: Sequence[str]) -> None:
        # (starts at, productive at) of each recruit in training, by kind
        self._in_training: dict[str, list[tuple[float, float]]] = {kind: [] for kind in kinds}

    def in_training(self, kind: str, count: int, starts_at: float, productive_at: float) -> None:
        """``count`` recruits of ``kind`` are in post from ``starts_at`` but have no hours until
        ``productive_at`` (when the workforce hires them)."""
        if productive_at > starts_at:
            self._in_training[kind].extend([(starts_at, productive_at)] * count)

    def today(self, day: int, staff: Mapping[str, Sequence[StaffMember]]) -> tuple[int, ...]:
        """At the end of ``day``, for each kind in turn: officers productive (in post, not
        leaving), then in post (productive or in training), then absent that day."""
        end = day + 1
        productive, in_post, absent = [], [], []
        for kind, officers in staff.items():
            staying = [o for o in officers if not o.leaving]
            trainees = [t for t in self._in_training[kind] if t[1] >= end]
            self._in_training[kind] = trainees
            productive.append(len(staying))
            in_post.append(len(staying) + sum(1 for starts, _ in trainees if starts < end))
            absent.append(sum(1 for o in staying if o.absent is not None and day in o.absent))
        return (*productive, *in_post, *absent)
