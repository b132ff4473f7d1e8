"""The risk-assessment (ARMS) cycle of one offender, as a SimPy process.

Assessments need no one at home. While the offender is on the register, the process sleeps
until the assessment window opens (the register brings the wake-up forward when police action
or a found escalation calls for an early assessment), then waits while an offender manager or
a trained sergeant does the assessment, and the register sets the next due date an interval
later (by the offender's level then). A completed assessment is also where a hidden escalation
is found, including for offenders under reactive management, who then return to active
management. While the offender is in custody nothing is due: the process waits until the
register releases them.

The hours come from the offender's own assessment stream, one number per assessment (common
random numbers across policies).
"""

from __future__ import annotations

from sim.model.immediate import ProcessGenerator
from sim.model.offender import Offender
from sim.model.register import Register, released
from sim.model.shared import Shared
from sim.model.workforce import ASSESSMENT

__all__ = ["assessment_cycle"]


def assessment_cycle(shared: Shared, register: Register, offender: Offender) -> ProcessGenerator:
    """SimPy process: assess ``offender`` on schedule while they are on the register."""
    env, agenda, workforce = shared.env, shared.agenda, shared.workforce
    params = shared.assessment_params
    while offender.active:
        if offender.in_custody:
            yield released(env, offender)  # the register succeeds it on release
            continue
        opens_at = offender.assessment_due_day - params.window_days[offender.level]
        if opens_at > env.now:
            offender.assessment_wakeup = agenda.timeout_at(opens_at)
            yield offender.assessment_wakeup  # the register may bring it forward
            offender.assessment_wakeup = None
            continue  # look again: the offender may have left, or the due date moved
        if offender.rng_assessment is None:
            offender.rng_assessment = shared.streams.offender("assessment.work", offender.id)
        hours = params.duration_hours.sample(offender.rng_assessment)
        yield workforce.perform(offender, offender.assessment_due_day, 1, hours, ASSESSMENT)
        if offender.active:
            register.assessment_completed(offender)
