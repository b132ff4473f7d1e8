"""What the offenders' processes share in one replication, built once per replication.

The environment, the agenda, the workforce, the counters, the random streams and the event log,
and the visit and assessment parameters as tuples indexed by risk level (very high first), so
the cycles look a value up by ``params.window_days[offender.level]`` rather than through the
scenario's nested models.
"""

from __future__ import annotations

from dataclasses import dataclass

import simpy

from sim.model.agenda import Agenda
from sim.model.counters import Counters
from sim.model.event_log import EventLog
from sim.model.streams import Streams
from sim.model.workforce import Workforce
from sim.scenario import Scenario
from sim.scenario.distributions import Distribution

__all__ = ["AssessmentParams", "CustodyParams", "Shared", "VisitParams"]


@dataclass(frozen=True, slots=True)
class CustodyParams:
    """Police action that ends in custody: its share by believed level, spell and hours."""

    share_of_police_actions: tuple[float, ...]
    spell_days: Distribution
    follow_up_hours: Distribution


@dataclass(frozen=True, slots=True)
class VisitParams:
    """Visit parameters as tuples indexed by risk level (very high first)."""

    interval_days: tuple[int, ...]
    window_days: tuple[int, ...]
    out_probability: tuple[float, ...]  # announced or unannounced, as the level's visits are
    officers_per_visit: tuple[int, ...]
    police_action_probability: tuple[float, ...]
    retry_delay_days: Distribution
    travel_hours: Distribution
    on_site_hours: Distribution
    failed_on_site_hours: Distribution
    write_up_hours: Distribution
    police_action_hours: Distribution
    custody: CustodyParams | None  # None: police action never ends in custody

    @classmethod
    def of(cls, scenario: Scenario) -> VisitParams:
        visits = scenario.visits
        custody = visits.custody
        return cls(
            interval_days=visits.interval_days.as_tuple(),
            window_days=visits.window_days.as_tuple(),
            out_probability=visits.effective_out_probability(),
            officers_per_visit=visits.officers_per_visit.as_tuple(),
            police_action_probability=visits.police_action_probability.as_tuple(),
            retry_delay_days=visits.retry_delay_days,
            travel_hours=visits.travel_hours,
            on_site_hours=visits.on_site_hours,
            failed_on_site_hours=visits.failed_on_site_hours,
            write_up_hours=visits.write_up_hours,
            police_action_hours=visits.police_action_hours,
            custody=None
            if custody is None
            else CustodyParams(
                share_of_police_actions=custody.share_of_police_actions.as_tuple(),
                spell_days=custody.spell_days,
                follow_up_hours=custody.follow_up_hours,
            ),
        )


@dataclass(frozen=True, slots=True)
class AssessmentParams:
    """Assessment parameters as tuples indexed by risk level."""

    interval_days: tuple[int, ...]
    window_days: tuple[int, ...]
    duration_hours: Distribution

    @classmethod
    def of(cls, scenario: Scenario) -> AssessmentParams:
        assessments = scenario.assessments
        return cls(
            interval_days=assessments.interval_days.as_tuple(),
            window_days=assessments.window_days.as_tuple(),
            duration_hours=assessments.duration_hours,
        )


@dataclass(frozen=True, slots=True)
class Shared:
    """Everything an offender's visit and assessment processes use besides the register."""

    env: simpy.Environment
    agenda: Agenda
    workforce: Workforce
    counters: Counters
    streams: Streams
    visit_params: VisitParams
    assessment_params: AssessmentParams
    event_log: EventLog | None
