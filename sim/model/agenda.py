"""The agenda: calls booked for later, kept by day so SimPy's event heap holds about a day.

Most of what is pending in a run is weeks to years away: each offender's next visit window,
next assessment, retry, exit and escalation. Kept in SimPy's heap (three or four events per
offender) they would make every push and pop pay for a heap the size of the register. The
agenda keeps them in one list per day instead and deals with a day's list at the start of that
day:

* a call booked for midnight exactly (visit and assessment windows open on whole days) is made
  there and then, with no SimPy event at all;
* any other call becomes a SimPy timeout for its exact time within the day.

So the heap holds about one day of events, a window opening costs a function call, and the
cost per event stays flat as the population grows. Calls past the horizon are never made (the
run stops first). ``bring_forward`` moves a booked call sooner: that is how a visit or an
assessment brought forward wakes up early.
"""

from __future__ import annotations

from collections.abc import Callable

import simpy
from simpy.events import NORMAL

__all__ = ["Agenda", "Appointment", "DeferredEvent"]


class DeferredEvent(simpy.Event):
    """An event whose success is scheduled after it is created, at a time decided then."""

    def succeed_after(self, delay_days: float) -> None:
        """Succeed ``delay_days`` from now, as ``simpy.Timeout`` does when it is created."""
        self._ok = True
        self._value = None
        self.env.schedule(self, NORMAL, delay_days)


class Appointment:
    """A call booked on the agenda for time ``at`` (in days)."""

    __slots__ = ("at", "action", "handed_over")

    def __init__(self, at: float, action: Callable[[], object]) -> None:
        self.at = at
        self.action = action
        self.handed_over = False  # made, or given to SimPy: no longer movable

    def _make(self, _event: simpy.Event | None = None) -> None:
        self.action()


class Agenda:
    """Day-by-day store of booked calls; the day loop calls :meth:`start_day` at each midnight."""

    def __init__(self, env: simpy.Environment, horizon_days: int) -> None:
        self.env = env
        self.horizon_days = horizon_days
        self._next_midnight = 1
        self._by_day: list[list[Appointment]] = [[] for _ in range(horizon_days)]

    def call_at(self, at: float, action: Callable[[], object]) -> Appointment:
        """Make ``action()`` at time ``at`` (not before now; never if after the horizon)."""
        appointment = Appointment(max(at, self.env.now), action)
        self._book(appointment)
        return appointment

    def call_after(self, delay_days: float, action: Callable[[], object]) -> Appointment:
        """Make ``action()`` ``delay_days`` from now."""
        return self.call_at(self.env.now + delay_days, action)

    def bring_forward(self, appointment: Appointment, at: float) -> None:
        """Move a booked call to time ``at`` (not before now) if that is sooner.

        A call already made, or already given to SimPy (it falls before the next midnight),
        stays as it is.
        """
        at = max(at, self.env.now)
        if appointment.handed_over or at >= appointment.at:
            return
        appointment.at = at
        self._book(appointment)  # its old day skips it: by then it has been handed over

    def _book(self, appointment: Appointment) -> None:
        at = appointment.at
        if at < self._next_midnight:
            self._hand_to_simpy(appointment)
        elif at < self.horizon_days:
            self._by_day[int(at)].append(appointment)

    def _hand_to_simpy(self, appointment: Appointment) -> None:
        appointment.handed_over = True
        self.env.timeout(appointment.at - self.env.now).callbacks.append(appointment._make)

    def start_day(self, day: int) -> None:
        """Deal with day ``day``'s calls (call at time ``day``, before simulating the day)."""
        self._next_midnight = day + 1
        appointments, self._by_day[day] = self._by_day[day], []
        for appointment in appointments:
            if appointment.handed_over:
                continue  # brought forward to an earlier time, and handed over then
            if appointment.at == day:
                appointment.handed_over = True
                appointment.action()  # at midnight exactly: now, without a SimPy event
            else:
                self._hand_to_simpy(appointment)
