"""The risk-assessment (ARMS) cycle of one offender, as a SimPy process.

Assessments need no one at home: when the window opens the assessment joins the queue, an
offender manager or a trained sergeant does it, and the next one falls due an interval later
(by the offender's level then). Police action after a visit brings the due date forward
(``after_police_action_due_days``). A completed assessment is also where a hidden escalation
is found, including for offenders under reactive management, who then return to active
management.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .offender import Offender

if TYPE_CHECKING:
    from .model import World

__all__ = ["assessment_cycle"]


def assessment_cycle(world: World, offender: Offender):
    """SimPy process: assess ``offender`` on schedule for as long as they are registered."""
    env = world.env
    params = world.assessment_params
    counters = world.counters
    while offender.active:
        opens_at = offender.assessment_due_day - params.window_days[offender.level]
        if opens_at > env.now:
            # Sleep until the window opens; police action may bring the wake-up forward.
            offender.assessment_wakeup = world.agenda.timeout(opens_at - env.now)
            yield offender.assessment_wakeup
            offender.assessment_wakeup = None
            continue  # look again: the offender may have left, or the due date moved
        if offender.rng_assessment is None:
            offender.rng_assessment = world.streams.offender("assessment.work", offender.id)
        hours = params.duration_hours.sample(offender.rng_assessment)
        yield world.workforce.perform(
            offender, offender.assessment_due_day, 1, hours, is_assessment=True
        )
        if not offender.active:
            break
        counters.add("assessments_completed")
        counters.assessment_no_longer_overdue(offender)
        world.detect_escalation(offender)
        offender.assessment_due_day = int(env.now) + params.interval_days[offender.level]
        offender.assessment_version += 1
        world.watch_assessment_due(offender)
    offender.assessment_process = None
