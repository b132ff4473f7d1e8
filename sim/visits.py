"""The home-visit cycle of one offender, as a SimPy process.

1. Sleep until the visit window opens (``window_days`` before the due date).
2. Ask the workforce for an attempt: travel + time at the door or in the home + write-up, with
   one or more officers. Whether the offender is in, and every duration, come from the
   offender's own stream, eight numbers per attempt (attempt k always gets the same eight:
   common random numbers across policies).
3. If out, wait a retry delay and try again; the visit stays due (and becomes overdue when the
   due date passes, which model.py tracks).
4. If in, the visit is complete: police action may follow (extra hours in the same attempt and
   a new risk assessment), a hidden escalation is discovered, and the next due date is set from
   the completion date. Low-risk offenders who have been low risk long enough move to reactive
   management and the cycle ends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .levels import LOW
from .offender import Offender

if TYPE_CHECKING:
    from .model import World

__all__ = ["visit_cycle"]


def visit_cycle(world: World, offender: Offender):
    """SimPy process: visit ``offender`` on schedule for as long as they are managed."""
    env = world.env
    params = world.visit_params
    while offender.active and not offender.reactive:
        opens_at = offender.visit_due_day - params.window_days[offender.level]
        if opens_at > env.now:
            # Sleep until the window opens; the model may bring the wake-up forward.
            offender.visit_wakeup = world.agenda.timeout(opens_at - env.now)
            yield offender.visit_wakeup
            offender.visit_wakeup = None
            continue  # look again: the offender may have left, or the due date moved
        police_action = yield from _attempt_until_in(world, offender)
        if police_action is None:
            break  # left the register while the visit was outstanding
        _complete_visit(world, offender, police_action)
    offender.visit_process = None


def _attempt_until_in(world: World, offender: Offender):
    """Attempt the visit until the offender is in; returns whether police action followed."""
    params = world.visit_params
    counters = world.counters
    if offender.rng_visit is None:
        offender.rng_visit = world.streams.offender("visit", offender.id)
    rng = offender.rng_visit
    while True:
        level = offender.level
        # Every attempt takes the same eight numbers from the offender's visit stream, whether
        # it uses them or not, so attempt k meets the same luck (in or out, durations, police
        # action) under any policy and any change of probabilities or durations.
        is_in = rng.random() >= params.out_probability[level]
        travel_and_write_up = params.travel_hours.sample(rng) + params.write_up_hours.sample(rng)
        on_site = params.on_site_hours.sample(rng)
        failed_on_site = params.failed_on_site_hours.sample(rng)
        police_action_draw = rng.random()
        police_action_hours = params.police_action_hours.sample(rng)
        retry_delay_days = params.retry_delay_days.sample(rng)
        police_action = is_in and police_action_draw < params.police_action_probability[level]
        if not is_in:
            hours = travel_and_write_up + failed_on_site
        elif police_action:
            hours = travel_and_write_up + on_site + police_action_hours
        else:
            hours = travel_and_write_up + on_site
        n_officers = params.officers_per_visit[level]
        yield world.workforce.perform(
            offender, offender.visit_due_day, n_officers, hours, is_assessment=False
        )
        if not offender.active:
            return None
        counters.add("visit_attempts")
        if n_officers == 1:
            counters.lone_visit_attempt(level)
        if is_in:
            return police_action
        yield world.agenda.timeout(retry_delay_days)
        if not offender.active:
            return None


def _complete_visit(world: World, offender: Offender, police_action: bool) -> None:
    now = world.env.now
    counters = world.counters
    counters.add("visits_completed")
    counters.visit_no_longer_overdue(offender)
    world.detect_escalation(offender)
    if police_action:
        counters.add("police_actions")
        world.request_assessment_after_action(offender)
    if (
        offender.level == LOW
        and world.reactive_after_days is not None
        and now - offender.low_since_day >= world.reactive_after_days
    ):
        offender.reactive = True
        offender.visit_version += 1
        counters.reactive += 1
        return
    offender.visit_due_day = int(now) + world.visit_params.interval_days[offender.level]
    offender.visit_version += 1
    world.watch_visit_due(offender)
