"""The hours the schedule asks for: officer-hours a day per offender, by risk level.

Work needed against capacity, stated as probation's workload tool states it: the hours the
cases on the books need at their levels' contact intervals, over the hours the staff have.
The model records the first as ``scheduled_hours_demand`` each day (the register at the end
of the day times the rates below); ``officer_hours_available`` is the second.

Per offender at level ``l`` who is on the community caseload (not in custody):

* **visits** (not under reactive management): one completed visit every
  ``interval_days[l]``, by ``officers_per_visit[l]`` officers, each spending the expected hours
  of the attempts it takes. Attempts until the offender is found in are geometric, so a
  completed visit takes ``1 / (1 - p)`` attempts on average (``p``: the chance of finding them
  out, announced or not), of which ``p / (1 - p)`` fail. Every attempt costs travel and
  write-up; a failed one the time at the door, the successful one the time on site, plus police
  action (and its custody follow-up) with their probabilities. Failed attempts are counted
  because the schedule cannot be kept without them: they are hours the visits need, as
  officers spend them (``officer_hours_used`` includes them). Expected attempts are capped at
  100 a visit (``p`` at most 0.99), the bound validation puts on visits that keep failing.
* **assessments**: one every ``assessments.interval_days[l]``, by one officer, of the mean
  ``duration_hours``.

Means of the duration distributions are used (the rate is an expectation: a deterministic
scenario's hours follow exactly). Work brought forward by police action or found escalations,
first visits of new registrations and travel between attempts are not in the rates: the
measure is what the schedule asks for at the register's levels, not a forecast of hours used.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.levels import N_LEVELS
from sim.scenario import Scenario
from sim.scenario.work import MAX_ATTEMPTS_PER_VISIT

__all__ = ["DemandRates"]


@dataclass(frozen=True, slots=True)
class DemandRates:
    """Officer-hours a day the schedule asks for, per offender, indexed by level."""

    visit_hours_per_day: tuple[float, ...]  # per offender with scheduled visits
    assessment_hours_per_day: tuple[float, ...]  # per offender on the community caseload

    @classmethod
    def of(cls, scenario: Scenario) -> DemandRates:
        visits, assessments = scenario.visits, scenario.assessments
        custody = visits.custody
        custody_shares = (
            (0.0,) * N_LEVELS if custody is None else custody.share_of_police_actions.as_tuple()
        )
        follow_up = 0.0 if custody is None else custody.follow_up_hours.mean
        every_attempt = visits.travel_hours.mean + visits.write_up_hours.mean
        max_out = 1.0 - 1.0 / MAX_ATTEMPTS_PER_VISIT
        visit_rates = []
        for interval, officers, out, action, share in zip(
            visits.interval_days.as_tuple(),
            visits.officers_per_visit.as_tuple(),
            visits.effective_out_probability(),
            visits.police_action_probability.as_tuple(),
            custody_shares,
            strict=True,
        ):
            out = min(out, max_out)
            attempts = 1.0 / (1.0 - out)
            hours = (
                attempts * every_attempt
                + (attempts - 1.0) * visits.failed_on_site_hours.mean
                + visits.on_site_hours.mean
                + action * (visits.police_action_hours.mean + share * follow_up)
            )
            visit_rates.append(officers * hours / interval)
        assessment_rates = tuple(
            assessments.duration_hours.mean / interval
            for interval in assessments.interval_days.as_tuple()
        )
        return cls(tuple(visit_rates), assessment_rates)
