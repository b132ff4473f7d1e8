"""Far-future wake-ups kept by day, so SimPy's event heap holds only about a day of events.

Most of a run's pending events are weeks to years away: each offender's next visit window,
next assessment, retry, exit and escalation. Kept in SimPy's heap (three or four per
offender) they make every push and pop pay for a heap the size of the population, in
comparisons and, worse, in cache misses: the cost per event grew with the register. An
:class:`Agenda` keeps them in one list per day instead and hands a day's list to SimPy at the
start of that day, each event still due at its exact time. The heap then holds about one day
of events, so the cost per event stays flat as the population grows.

``agenda.timeout(delay)`` is a drop-in for ``env.timeout(delay)``; what falls before the next
midnight goes straight to SimPy, and what falls after the horizon is never scheduled (the run
stops first). ``agenda.bring_forward(event, delay)`` moves a pending one sooner, which is how a
visit or assessment brought forward wakes its sleeping process.
"""

from __future__ import annotations

import simpy
from simpy.events import NORMAL

__all__ = ["Agenda", "DeferredEvent"]


class DeferredEvent(simpy.Event):
    """An event whose success is scheduled after it is created, at a time decided then."""

    def succeed_after(self, delay_days: float) -> None:
        """Succeed ``delay_days`` from now, as ``simpy.Timeout`` does when it is created."""
        self._ok = True
        self._value = None
        self.env.schedule(self, NORMAL, delay_days)


class _WakeUp(DeferredEvent):
    __slots__ = ("at",)

    def __init__(self, env: simpy.Environment, at: float) -> None:
        super().__init__(env)
        self.at = at


class Agenda:
    """Day-by-day store of timeouts; the day loop calls :meth:`start_day` at each midnight."""

    def __init__(self, env: simpy.Environment, horizon_days: int) -> None:
        self.env = env
        self.horizon_days = horizon_days
        self._next_midnight = 1
        self._by_day: list[list[_WakeUp]] = [[] for _ in range(horizon_days)]

    def timeout(self, delay_days: float) -> simpy.Event:
        """An event that succeeds ``delay_days`` from now (never, if after the horizon)."""
        env = self.env
        at = env.now + delay_days
        if at < self._next_midnight:
            return env.timeout(delay_days)
        event = _WakeUp(env, at)
        if at < self.horizon_days:
            self._by_day[int(at)].append(event)
        return event

    def bring_forward(self, event: simpy.Event, delay_days: float) -> None:
        """Make a pending ``timeout`` event happen ``delay_days`` from now, if that is sooner.

        A process asleep on the event then simply wakes earlier (no interrupt needed). An event
        already handed to SimPy (it is due before the next midnight) is left as it is.
        """
        if event.triggered:
            return
        at = self.env.now + delay_days
        if at >= event.at:
            return
        event.at = at
        if at < self._next_midnight:
            event.succeed_after(delay_days)
        elif at < self.horizon_days:
            self._by_day[int(at)].append(event)  # its old day skips it: it will have fired

    def start_day(self, day: int) -> None:
        """Hand day ``day``'s wake-ups to SimPy (call at time ``day``, before simulating it)."""
        self._next_midnight = day + 1
        for event in self._by_day[day]:
            if not event.triggered:  # not brought forward to an earlier day
                event.succeed_after(event.at - day)
        self._by_day[day] = []
