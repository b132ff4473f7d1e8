"""Two SimPy moves that happen *now*, inside the current event, rather than at the next one.

A SimPy process normally takes its first step at an ``Initialize`` event, and an event that
succeeds resumes its waiting processes when SimPy next pops it from the queue. The model needs
both to happen at once, for two reasons:

* order: an offender who joins the register, a visit window that opens at midnight or an
  offender returning to active management asks for work straight away, before anything else
  that happens at the same instant, exactly as a plain function call would. The order in which
  work joins the queue breaks ties between equal priorities, so it decides the results;
* cost: with tens of thousands of offenders, an extra SimPy event for every window opening
  and every process start is a large share of the run.

:class:`ImmediateProcess` is an ordinary ``simpy.Process`` (it can be yielded, it succeeds with
the generator's return value) whose first step runs when it is created. :func:`succeed_now`
triggers an event and runs its callbacks at once: the processes waiting on it resume before
the caller goes on, as ``Environment.step`` would have resumed them later.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

__all__ = ["ImmediateProcess", "ProcessGenerator", "succeed_now"]

ProcessGenerator = Generator[simpy.Event, Any, None]


class ImmediateProcess(simpy.Process):
    """A SimPy process whose generator runs to its first ``yield`` when the process is made."""

    def __init__(self, env: simpy.Environment, generator: ProcessGenerator) -> None:
        # Event.__init__ inlined as simpy.Process does; no Initialize event is scheduled.
        self.env = env
        self.callbacks = []
        self._value = simpy.events.PENDING
        self._generator = generator
        start = simpy.Event(env)
        start._ok = True
        start._value = None
        self._target = start
        self._resume(start)


def succeed_now(event: simpy.Event, value: Any = None) -> None:
    """Trigger ``event`` and run its callbacks now (its waiting processes resume at once)."""
    event._ok = True
    event._value = value
    # As Environment.step does: None marks the event processed (SimPy's own type: ignore).
    callbacks, event.callbacks = event.callbacks, None  # type: ignore[assignment]
    for callback in callbacks:
        callback(event)
