"""The risk-assessment (ARMS) cycle of one offender, as a chain of callbacks.

Assessments need no one at home: when the window opens the assessment joins the queue, an
offender manager or a trained sergeant does it, and the next one falls due an interval later
(by the offender's level then). Police action after a visit brings the due date forward
(``after_police_action_due_days``). A completed assessment is also where a hidden escalation
is found, including for offenders under reactive management, who then return to active
management. Like the visit cycle (see visits.py for why callbacks), each step books or waits
for the next; the cycle ends when the offender leaves the register.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from sim.model.offender import Offender
from sim.model.workforce import ASSESSMENT

if TYPE_CHECKING:
    from sim.model.replication import World
    from sim.model.workforce import Task

__all__ = ["start_assessments"]


def start_assessments(world: World, offender: Offender) -> None:
    """Start ``offender``'s assessment cycle (when they join the register)."""
    _plan(world, offender)


def _plan(world: World, offender: Offender) -> None:
    """Book the opening of the next assessment's window, or queue it now if it is open."""
    if not offender.active:
        return
    opens_at = offender.assessment_due_day - world.assessment_params.window_days[offender.level]
    if opens_at > world.env.now:
        # Police action may bring this forward (World.request_assessment_after_action).
        offender.assessment_wakeup = world.agenda.call_at(opens_at, partial(_wake, world, offender))
    else:
        _assess(world, offender)


def _wake(world: World, offender: Offender) -> None:
    offender.assessment_wakeup = None
    _plan(world, offender)  # look again: the offender may have left, or the due date moved


def _assess(world: World, offender: Offender) -> None:
    if offender.rng_assessment is None:
        offender.rng_assessment = world.streams.offender("assessment.work", offender.id)
    hours = world.assessment_params.duration_hours.sample(offender.rng_assessment)
    task = world.workforce.perform(
        offender, offender.assessment_due_day, 1, hours, ASSESSMENT
    )
    task.callbacks.append(partial(_assessed, world, offender))


def _assessed(world: World, offender: Offender, _task: Task) -> None:
    if not offender.active:
        return
    counters = world.counters
    counters.add("assessments_completed")
    counters.assessment_no_longer_overdue(offender)
    level_before, due_day_before = offender.level, offender.assessment_due_day
    world.detect_escalation(offender)
    interval_days = world.assessment_params.interval_days[offender.level]
    offender.assessment_due_day = int(world.env.now) + interval_days
    offender.assessment_version += 1
    world.watch_assessment_due(offender)
    if world.event_log is not None:
        world.event_log.completed(
            offender.id,
            True,
            level_before,
            offender.level,
            world.env.now,
            due_day_before,
            offender.assessment_due_day,
        )
    _plan(world, offender)
