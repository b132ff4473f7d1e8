"""The agenda: wake-ups booked for later, kept by day so SimPy's event heap holds about a day.

Most of what is pending in a run is weeks to years away: each offender's next visit window,
next assessment, retry, exit and escalation. Kept in SimPy's heap (three or four events per
offender) they would make every push and pop pay for a heap the size of the register. The
agenda keeps them in one list per day instead and deals with a day's list at the start of that
day:

* a wake-up booked for midnight exactly (visit and assessment windows open on whole days)
  succeeds there and then, and the processes waiting on it resume at once
  (:func:`~sim.model.immediate.succeed_now`), with no SimPy event at all;
* any other wake-up is handed to SimPy for its exact time within the day, as a timeout is.

So the heap holds about one day of events, a window opening costs a process resumption, and
the cost per event stays flat as the population grows. Wake-ups past the horizon never happen
(the run stops first).

A process sleeps with ``yield agenda.timeout(delay_days)`` (or :meth:`Agenda.timeout_at`), as
it would with ``env.timeout``; :meth:`Agenda.bring_forward` moves a booked wake-up sooner,
which is how a visit or an assessment brought forward wakes its process early. One-shot
transitions (an exit, an escalation) book a plain call with :meth:`Agenda.call_at`.
"""

from __future__ import annotations

from collections.abc import Callable

import simpy
from simpy.events import NORMAL, PENDING

from sim.model.immediate import succeed_now

__all__ = ["Agenda", "Wakeup"]


class Wakeup(simpy.Event):
    """A moment booked on the agenda: an event that succeeds at time ``at`` (in days)."""

    def __init__(self, env: simpy.Environment, at: float) -> None:
        # Event.__init__ inlined (as SimPy's own Timeout does): wake-ups are made by the million.
        self.env = env
        self.callbacks = []
        self._value = PENDING
        self.at = at
        self.handed_over = False  # succeeded, or given to SimPy: no longer movable


class Agenda:
    """Day-by-day store of wake-ups; the day loop calls :meth:`start_day` at each midnight."""

    def __init__(self, env: simpy.Environment, horizon_days: int) -> None:
        self.env = env
        self.horizon_days = horizon_days
        self._next_midnight = 1
        self._by_day: list[list[Wakeup]] = [[] for _ in range(horizon_days)]

    def timeout_at(self, at: float) -> Wakeup:
        """An event that succeeds at time ``at`` (not before now; never if after the horizon)."""
        wakeup = Wakeup(self.env, max(at, self.env.now))
        self._book(wakeup)
        return wakeup

    def timeout(self, delay_days: float) -> Wakeup:
        """An event that succeeds ``delay_days`` from now: the agenda's ``env.timeout``."""
        return self.timeout_at(self.env.now + delay_days)

    def call_at(self, at: float, action: Callable[[], None]) -> Wakeup:
        """Make ``action()`` at time ``at`` (not before now; never if after the horizon)."""
        wakeup = self.timeout_at(at)
        wakeup.callbacks.append(lambda _wakeup: action())
        return wakeup

    def bring_forward(self, wakeup: Wakeup, at: float) -> None:
        """Move a booked wake-up to time ``at`` (not before now) if that is sooner.

        A wake-up that has happened, or has been given to SimPy (it falls before the next
        midnight), stays as it is.
        """
        at = max(at, self.env.now)
        if wakeup.handed_over or at >= wakeup.at:
            return
        wakeup.at = at
        self._book(wakeup)  # its old day skips it: by then it has been handed over

    def _book(self, wakeup: Wakeup) -> None:
        at = wakeup.at
        if at < self._next_midnight:
            self._hand_to_simpy(wakeup)
        elif at < self.horizon_days:
            self._by_day[int(at)].append(wakeup)

    def _hand_to_simpy(self, wakeup: Wakeup) -> None:
        wakeup.handed_over = True
        wakeup._ok = True
        wakeup._value = None
        self.env.schedule(wakeup, NORMAL, wakeup.at - self.env.now)

    def start_day(self, day: int) -> None:
        """Deal with day ``day``'s wake-ups (call at time ``day``, before simulating the day)."""
        self._next_midnight = day + 1
        wakeups, self._by_day[day] = self._by_day[day], []
        for wakeup in wakeups:
            if wakeup.handed_over:
                continue  # brought forward to an earlier time, and handed over then
            if wakeup.at == day:
                wakeup.handed_over = True
                succeed_now(wakeup)  # at midnight exactly: now, without a SimPy event
            else:
                self._hand_to_simpy(wakeup)
