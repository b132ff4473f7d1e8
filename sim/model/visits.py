"""The home-visit cycle of one offender, as a SimPy process.

While the offender is on the register, the process:

1. sleeps until the visit window opens (``window_days`` before the due date; the register may
   bring the wake-up forward when a hidden escalation is found);
2. draws the attempt (:class:`Attempt`: in or out, and how long it takes) and waits while the
   workforce does it: travel, time at the door or in the home, write-up, with one or more
   officers;
3. if the offender was out, waits the retry delay and tries again: the visit stays due, and
   becomes overdue when its due date passes (the register keeps track);
4. if the offender was in, the visit is complete: the register sets the next due date from the
   completion date (or, for long-term low risk, moves the offender to reactive management),
   and police action, if any, calls for an early assessment. With ``visits.custody``, police
   action may also end in custody or recall: its follow-up hours are added to the attempt
   (charged to the officers who made it) and the register takes the offender off the
   community caseload for the drawn spell.

A reactive offender's process waits until the register returns them to active management;
an offender's process in custody waits until the register releases them.

Common random numbers: every attempt takes the same eight numbers from the offender's own visit
stream, whether it uses them or not, so attempt k of offender i meets the same luck (in or
out, durations, police action) under any policy and any change of probabilities or durations.
Each police action, when custody is modelled, takes three numbers of the offender's own
custody stream (custody or not, spell, follow-up hours), so the j-th police action of an
offender meets the same luck too.
"""

from __future__ import annotations

from typing import NamedTuple

from sim.model.immediate import ProcessGenerator
from sim.model.offender import Offender
from sim.model.register import Register, released
from sim.model.shared import CustodyParams, Shared, VisitParams
from sim.model.streams import OffenderStream
from sim.model.workforce import VISIT

__all__ = ["Attempt", "visit_cycle"]


class Attempt(NamedTuple):
    """One visit attempt, drawn before it is made: who goes, how long, and what happens."""

    level: int  # the risk level the force believes, which sets the officers and odds
    n_officers: int
    is_in: bool
    police_action: bool
    hours: float  # per officer: travel, time on site (and police action), write-up
    retry_delay_days: float  # if out: the wait before the next attempt

    @classmethod
    def draw(cls, params: VisitParams, rng: OffenderStream, level: int) -> Attempt:
        """Draw an attempt's eight numbers, always all eight and in this order."""
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
        return cls(
            level, params.officers_per_visit[level], is_in, police_action, hours, retry_delay_days
        )


def visit_cycle(shared: Shared, register: Register, offender: Offender) -> ProcessGenerator:
    """SimPy process: visit ``offender`` on schedule while they are on the register."""
    env, agenda, workforce, counters = shared.env, shared.agenda, shared.workforce, shared.counters
    params = shared.visit_params
    while offender.active:
        if offender.reactive:
            offender.reactivated = env.event()
            yield offender.reactivated  # the register succeeds it on return to active management
            continue
        if offender.in_custody:
            yield released(env, offender)  # the register succeeds it on release
            continue
        opens_at = offender.visit_due_day - params.window_days[offender.level]
        if opens_at > env.now:
            offender.visit_wakeup = agenda.timeout_at(opens_at)
            yield offender.visit_wakeup  # the register may bring it forward
            offender.visit_wakeup = None
            continue  # look again: the offender may have left, or the due date moved
        while True:  # attempts until the offender is found in
            attempt = Attempt.draw(params, _visit_stream(shared, offender), offender.level)
            hours, custody_days = attempt.hours, None
            if attempt.police_action and params.custody is not None:
                custody_days, follow_up_hours = _custody(shared, offender, params.custody, attempt)
                hours += follow_up_hours
            yield workforce.perform(
                offender, offender.visit_due_day, attempt.n_officers, hours, VISIT
            )
            if not offender.active:
                return
            counters.visit_attempted(attempt.level, attempt.n_officers)
            if attempt.is_in:
                break
            yield agenda.timeout(attempt.retry_delay_days)
            if not offender.active:
                return
        register.visit_completed(offender, attempt.police_action)
        if custody_days is not None:
            register.taken_into_custody(offender, custody_days)


def _visit_stream(shared: Shared, offender: Offender) -> OffenderStream:
    """The offender's own visit stream, made at their first attempt (each holds 2.5 KB)."""
    if offender.rng_visit is None:
        offender.rng_visit = shared.streams.offender("visit", offender.id)
    return offender.rng_visit


def _custody(
    shared: Shared, offender: Offender, custody: CustodyParams, attempt: Attempt
) -> tuple[float | None, float]:
    """Whether a police action ends in custody: (spell in days or None, follow-up hours).

    Always three numbers of the offender's own custody stream, in this order.
    """
    if offender.rng_custody is None:
        offender.rng_custody = shared.streams.offender("custody", offender.id)
    rng = offender.rng_custody
    in_custody = rng.random() < custody.share_of_police_actions[attempt.level]
    spell_days = custody.spell_days.sample(rng)
    follow_up_hours = custody.follow_up_hours.sample(rng)
    if not in_custody:
        return None, 0.0
    return spell_days, follow_up_hours
