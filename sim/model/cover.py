"""Cover for long absences under personal caseloads: who does an absent manager's work.

``staffing.absences.cover_after_workdays: N`` (personal.py applies it; null: no cover). Each
working day, when the shift opens, every offender manager's absence so far is counted in
working days (consecutive working days away, today included; a day at work resets it). A
manager away today whose count is above N is *covered*: their offenders' waiting work, and
any work of theirs that falls due while the cover lasts, goes to the queues of a colleague,
who does it as the offender's manager would (leads the visit, does the assessment). The
offenders stay on the absent manager's caseload; only who does the work changes. On the day
the manager is back (or leaves the post) the work of theirs still waiting returns to them.

The colleague is the manager at work today (not away, not leaving) with the least weighted
workload: the ``caseload_weights`` sum of their own caseload plus that of every caseload they
already cover; ties go to the longest-serving (lowest index). Managers needing cover are dealt
with in index order. A cover who is away in turn, or leaves, hands the work back and a new
cover is chosen the same way (covers are never chained: a cover is at work that day). If
nobody is at work, the work waits for the manager, as without cover.

No random numbers are used: given the absences drawn (absences.py), who covers whom is fixed,
so two policies that see the same absences see the same cover.
"""

from __future__ import annotations

from collections.abc import Sequence

from sim.model.workforce import Officer

__all__ = ["CoverRota", "Move"]

# Work to move: (the manager whose offenders' work it is, from whose queues, to whose).
Move = tuple[Officer, Officer, Officer]


class CoverRota:
    """The absence counts and the current covers (absent manager -> the colleague covering)."""

    def __init__(self, after_workdays: int) -> None:
        self.after_workdays = after_workdays
        self._away_workdays: dict[Officer, int] = {}
        self._cover_of: dict[Officer, Officer] = {}
        self._day = -1

    def acting(self, manager: Officer) -> Officer:
        """Who does ``manager``'s work now: their cover if covered, else themselves."""
        return self._cover_of.get(manager, manager)

    @property
    def covers(self) -> dict[Officer, Officer]:
        """The current covers: absent manager -> the colleague covering (a copy)."""
        return dict(self._cover_of)

    def new_day(
        self, day: int, managers: Sequence[Officer], workload: dict[Officer, float]
    ) -> list[Move]:
        """Count today's absences (a working day) and return the work to move for today."""
        self._day = day
        counts = self._away_workdays
        for officer in managers:
            if _away(officer, day):
                counts[officer] = counts.get(officer, 0) + 1
            else:
                counts.pop(officer, None)
        return self.reassign(managers, workload)

    def reassign(self, managers: Sequence[Officer], workload: dict[Officer, float]) -> list[Move]:
        """End the covers no longer needed or no longer possible, start the ones needed.

        Called at each shift opening (by ``new_day``) and when a manager leaves the post.
        """
        day = self._day
        at_work = [o for o in managers if not o.leaving and not o.gone and not _away(o, day)]
        at_work_set = set(at_work)
        needing = [
            o
            for o in managers
            if not o.gone and _away(o, day) and self._away_workdays.get(o, 0) > self.after_workdays
        ]
        needing_set = set(needing)
        moves: list[Move] = []
        for owner, cover in list(self._cover_of.items()):
            if owner not in needing_set or cover not in at_work_set:
                del self._cover_of[owner]
                if not owner.gone:
                    moves.append((owner, cover, owner))  # back to them (or to a new cover)
        if not at_work:
            return moves
        loads = {officer: workload[officer] for officer in at_work}
        for owner, cover in self._cover_of.items():
            loads[cover] += workload[owner]
        for owner in needing:
            if owner in self._cover_of:
                continue
            cover = min(at_work, key=loads.__getitem__)  # the first of the least: lowest index
            self._cover_of[owner] = cover
            loads[cover] += workload[owner]
            moves.append((owner, owner, cover))
        return moves

    def release(self, leaver: Officer) -> list[Move]:
        """``leaver`` leaves the post: the covers they took part in end (work moved back)."""
        moves: list[Move] = []
        for owner, cover in list(self._cover_of.items()):
            if leaver is owner or leaver is cover:
                del self._cover_of[owner]
                moves.append((owner, cover, owner))
        self._away_workdays.pop(leaver, None)
        return moves


def _away(officer: Officer, day: int) -> bool:
    return officer.absent is not None and day in officer.absent
