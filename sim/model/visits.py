"""The home-visit cycle of one offender: four steps, each booking or waiting for the next.

1. ``_plan``: book the day the visit window opens (``window_days`` before the due date) on the
   agenda, or go straight on if it is open already.
2. ``_attempt``: ask the workforce for an attempt: travel + time at the door or in the home +
   write-up, with one or more officers. Whether the offender is in, and every duration, come
   from the offender's own stream, eight numbers per attempt (attempt k always gets the same
   eight: common random numbers across policies).
3. ``_attempt_done``: if out, book another attempt after a retry delay; the visit stays due
   (and becomes overdue when the due date passes, which model.py tracks).
4. If in, the visit is complete (``_complete``): police action may follow (extra hours in the
   same attempt and a new risk assessment), a hidden escalation is discovered, and the next
   due date is set from the completion date, back to step 1. Low-risk offenders who have been
   low risk long enough move to reactive management and the cycle ends.

The cycle is a chain of callbacks rather than a SimPy process (a generator): a visit then
costs one SimPy event (the attempt itself) and a window opening none (the agenda calls it at
midnight), where a process also paid a wake-up event and a resumption for each. The cycle
ends when the offender leaves the register or becomes reactive.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from sim.levels import LOW
from sim.model.event_log import NO_NEXT_DUE
from sim.model.offender import Offender
from sim.model.workforce import VISIT

if TYPE_CHECKING:
    from sim.model.replication import World
    from sim.model.workforce import Task

__all__ = ["start_visits"]


def start_visits(world: World, offender: Offender) -> None:
    """Start ``offender``'s visit cycle (on joining, or on return to active management)."""
    offender.visits_running = True
    _plan(world, offender)


def _stop(offender: Offender) -> None:
    offender.visits_running = False


def _plan(world: World, offender: Offender) -> None:
    """Book the opening of the next visit's window, or attempt now if it is open."""
    if not offender.active or offender.reactive:
        _stop(offender)
        return
    opens_at = offender.visit_due_day - world.visit_params.window_days[offender.level]
    if opens_at > world.env.now:
        # The model may bring this forward (World._bring_visit_forward).
        offender.visit_wakeup = world.agenda.call_at(opens_at, partial(_wake, world, offender))
    else:
        _attempt(world, offender)


def _wake(world: World, offender: Offender) -> None:
    offender.visit_wakeup = None
    _plan(world, offender)  # look again: the offender may have left, or the due date moved


def _attempt(world: World, offender: Offender) -> None:
    """Draw the attempt's luck and durations and queue it with the workforce."""
    if not offender.active:
        _stop(offender)
        return
    params = world.visit_params
    if offender.rng_visit is None:
        offender.rng_visit = world.streams.offender("visit", offender.id)
    rng = offender.rng_visit
    level = offender.level
    # Every attempt takes the same eight numbers from the offender's visit stream, whether it
    # uses them or not, so attempt k meets the same luck (in or out, durations, police action)
    # under any policy and any change of probabilities or durations.
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
    task = world.workforce.perform(
        offender, offender.visit_due_day, n_officers, hours, VISIT
    )
    outcome = (level, n_officers, is_in, police_action, retry_delay_days)
    task.callbacks.append(partial(_attempt_done, world, offender, outcome))


def _attempt_done(
    world: World, offender: Offender, outcome: tuple[int, int, bool, bool, float], _task: Task
) -> None:
    """Count the attempt; complete the visit, or book a retry."""
    if not offender.active:
        _stop(offender)
        return
    level, n_officers, is_in, police_action, retry_delay_days = outcome
    counters = world.counters
    counters.add("visit_attempts")
    if n_officers == 1:
        counters.lone_visit_attempt(level)
    if is_in:
        _complete(world, offender, police_action)
        _plan(world, offender)
    else:
        world.agenda.call_after(retry_delay_days, partial(_attempt, world, offender))


def _complete(world: World, offender: Offender, police_action: bool) -> None:
    now = world.env.now
    counters = world.counters
    level_before, due_day_before = offender.level, offender.visit_due_day
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
    else:
        offender.visit_due_day = int(now) + world.visit_params.interval_days[offender.level]
        offender.visit_version += 1
        world.watch_visit_due(offender)
    if world.event_log is not None:
        world.event_log.completed(
            offender.id,
            False,
            level_before,
            offender.level,
            now,
            due_day_before,
            NO_NEXT_DUE if offender.reactive else offender.visit_due_day,
        )
