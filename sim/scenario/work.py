"""The casework: home visits and risk assessments, each on its own cycle per offender.

The ``visits`` and ``assessments`` sections of a scenario. Each kind of work falls due a fixed
interval after the last completion (per risk level), joins the work queue ``window_days``
before its due date, and takes officers' hours drawn from a distribution. A window must be
shorter than its interval, and a visit that always fails must still take some time, or the
model could loop forever at one instant; both are checked here so the model need not.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from sim.levels import LEVELS
from sim.scenario.distributions import Distribution, Fixed
from sim.scenario.fields import (
    DaysByLevel,
    FlagsByLevel,
    Frozen,
    OfficersPerVisit,
    ProbabilityByLevel,
    WindowDays,
    WindowDaysByLevel,
)

__all__ = ["Assessments", "Custody", "Visits"]


def _check_windows(window_days: WindowDaysByLevel, interval_days: DaysByLevel) -> None:
    """Work must not be able to start a whole interval early (it would never be due)."""
    for level, window, interval in zip(
        LEVELS, window_days.as_tuple(), interval_days.as_tuple(), strict=True
    ):
        if window >= interval:
            raise ValueError(
                f"window_days.{level} ({window}) must be less than "
                f"interval_days.{level} ({interval})"
            )


class Custody(Frozen):
    """Police action that ends in custody or recall: the offender leaves the community caseload.

    While in custody the offender stays on the register but has no visit or assessment due;
    on release the first visit is due ``visits.first_visit_due_days`` later and the first
    assessment ``assessments.first_due_days`` later, as for a new registration.
    """

    share_of_police_actions: ProbabilityByLevel = Field(
        description="Share of police actions, per believed level, that end with the offender "
        "in custody or recalled.",
        json_schema_extra={"unit": "share"},
    )
    spell_days: Distribution = Field(
        description="Days from the visit that ends in custody until release back to the "
        "community caseload.",
        json_schema_extra={"unit": "days"},
    )
    follow_up_hours: Distribution = Field(
        default_factory=lambda: Fixed(dist="fixed", value=0.0),
        description="Extra hours each visiting officer spends when police action ends in "
        "custody (arrest, interview, file), charged to the same attempt on top of "
        "police_action_hours.",
        json_schema_extra={"unit": "hours"},
    )


class Visits(Frozen):
    """Home visits: when they are due, how long attempts take, and what follows contact."""

    interval_days: DaysByLevel = Field(
        description="Days from a completed visit to the next due date, per level.",
        json_schema_extra={"unit": "days"},
    )
    window_days: WindowDays = Field(
        description="Days before the due date that a visit joins the work queue (0 = on the "
        "due date); one number or one per level, less than interval_days.",
        json_schema_extra={"unit": "days"},
    )
    first_visit_due_days: int = Field(
        ge=0,
        le=3650,
        description="Days after registration (or return from reactive management) until the "
        "first visit is due.",
        json_schema_extra={"unit": "days"},
    )
    out_probability: ProbabilityByLevel = Field(
        description="Probability an attempt finds the offender out, per level.",
        json_schema_extra={"unit": "probability"},
    )
    announced: FlagsByLevel = Field(
        default_factory=lambda: FlagsByLevel(very_high=False, high=False, medium=False, low=False),
        description="Whether visits are announced (booked with the offender) at each level: "
        "an announced attempt finds the offender out with announced_out_probability instead "
        "of out_probability (default: false everywhere, every visit unannounced).",
    )
    announced_out_probability: ProbabilityByLevel = Field(
        default_factory=lambda: ProbabilityByLevel(
            very_high=0.05, high=0.05, medium=0.05, low=0.05
        ),
        description="Probability an announced attempt finds the offender out, per level; used "
        "only where announced is true. The default 0.05 (1 booked visit in 20 missed) is an "
        "assumption: no published figure.",
        json_schema_extra={"unit": "probability"},
    )
    retry_delay_days: Distribution = Field(
        description="Days from a failed attempt until the visit may be tried again.",
        json_schema_extra={"unit": "days"},
    )
    officers_per_visit: OfficersPerVisit = Field(
        description="Officers who attend each attempt (1 to 4); one number or one per level.",
        json_schema_extra={"unit": "officers"},
    )
    travel_hours: Distribution = Field(
        description="Travel time of one attempt, both ways.", json_schema_extra={"unit": "hours"}
    )
    on_site_hours: Distribution = Field(
        description="Time at the home when the offender is in.", json_schema_extra={"unit": "hours"}
    )
    failed_on_site_hours: Distribution = Field(
        description="Time at the door when the offender is out.",
        json_schema_extra={"unit": "hours"},
    )
    write_up_hours: Distribution = Field(
        description="Recording time after each attempt.", json_schema_extra={"unit": "hours"}
    )
    police_action_probability: ProbabilityByLevel = Field(
        description="Probability that a completed visit leads to police action, per level.",
        json_schema_extra={"unit": "probability"},
    )
    police_action_hours: Distribution = Field(
        description="Extra hours the visiting officers spend when action is taken.",
        json_schema_extra={"unit": "hours"},
    )
    custody: Custody | None = Field(
        None,
        description="Police action that takes the offender off the community caseload for a "
        "while (custody, recall), with follow-up hours (null: police action never does).",
    )

    def effective_out_probability(self) -> tuple[float, ...]:
        """The chance an attempt finds the offender out, per level, announced or not."""
        return tuple(
            announced_out if announced else out
            for announced, announced_out, out in zip(
                self.announced.as_tuple(),
                self.announced_out_probability.as_tuple(),
                self.out_probability.as_tuple(),
                strict=True,
            )
        )

    @model_validator(mode="after")
    def _window_inside_interval(self) -> Visits:
        _check_windows(self.window_days, self.interval_days)
        return self

    @model_validator(mode="after")
    def _failed_attempts_take_time(self) -> Visits:
        _check_work_per_visit_is_bounded(self)
        return self


# Bounding the work of one simulated day. A visit is completed at most once a day per offender
# (its window is shorter than its interval), so the only way to unbounded work is a visit that
# keeps failing: 1 / (1 - out_probability) attempts are expected per visit, each taking the
# failed attempt's hours (the offender waits while officers do it) plus the retry delay of
# simulated time. We require, at every risk level, one of:
# - at most MAX_ATTEMPTS_PER_VISIT expected attempts per visit (out_probability <= 0.99), or
# - at least MIN_FAILED_ATTEMPT_DAYS (one minute) of expected simulated time per failed attempt,
#   so an offender makes at most 1,440 expected attempts per simulated day.
# Either way an offender's expected attempts per simulated day are at most 1,441 (and the
# officers' daily hour budgets bound them further). The model still stops a replication whose
# clock stands still (sim/model/replication.py), in case the draws do what the means do not.
MAX_ATTEMPTS_PER_VISIT = 100.0
MIN_FAILED_ATTEMPT_DAYS = 1.0 / (24 * 60)
HOURS_PER_DAY = 24.0


def _check_work_per_visit_is_bounded(visits: Visits) -> None:
    hours = visits.travel_hours.mean + visits.failed_on_site_hours.mean + visits.write_up_hours.mean
    failed_attempt_days = hours / HOURS_PER_DAY + visits.retry_delay_days.mean
    if failed_attempt_days >= MIN_FAILED_ATTEMPT_DAYS:
        return
    announced = visits.announced.as_tuple()
    for level, out, is_announced in zip(
        LEVELS, visits.effective_out_probability(), announced, strict=True
    ):
        if out >= 1.0 - 1.0 / MAX_ATTEMPTS_PER_VISIT + 1e-12:
            field = "announced_out_probability" if is_announced else "out_probability"
            raise ValueError(
                f"{field}.{level} is {out:g}, so a visit needs "
                f"{'endless' if out >= 1 else f'{1 / (1 - out):,.0f}'} attempts on average, "
                f"and a failed attempt takes almost no time ({failed_attempt_days * 24 * 60:.3g} "
                "minutes of travel_hours + failed_on_site_hours + write_up_hours + "
                "retry_delay_days on average): the run would never end. Allowed: "
                f"{field} at most {1 - 1 / MAX_ATTEMPTS_PER_VISIT:g}, or failed "
                "attempts that must take some time: at least one minute on average, counting "
                "the retry delay"
            )


class Assessments(Frozen):
    """Structured risk assessments (ARMS)."""

    interval_days: DaysByLevel = Field(
        description="Days from a completed assessment to the next due date, per level.",
        json_schema_extra={"unit": "days"},
    )
    window_days: WindowDays = Field(
        description="Days before the due date that an assessment joins the work queue; one "
        "number or one per level, less than interval_days.",
        json_schema_extra={"unit": "days"},
    )
    first_due_days: int = Field(
        ge=0,
        le=3650,
        description="Days after registration until the first assessment is due.",
        json_schema_extra={"unit": "days"},
    )
    duration_hours: Distribution = Field(
        description="One officer's time for one assessment.", json_schema_extra={"unit": "hours"}
    )
    after_police_action_due_days: int = Field(
        ge=0,
        le=3650,
        description="Days after police action (or a found escalation) until a new assessment "
        "is due, if sooner than the one already scheduled.",
        json_schema_extra={"unit": "days"},
    )

    @model_validator(mode="after")
    def _window_inside_interval(self) -> Assessments:
        _check_windows(self.window_days, self.interval_days)
        return self
