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
from sim.scenario.distributions import Distribution
from sim.scenario.fields import (
    DaysByLevel,
    Frozen,
    OfficersPerVisit,
    ProbabilityByLevel,
    WindowDays,
    WindowDaysByLevel,
)

__all__ = ["Assessments", "Visits"]


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
    for level, out in zip(LEVELS, visits.out_probability.as_tuple(), strict=True):
        if out >= 1.0 - 1.0 / MAX_ATTEMPTS_PER_VISIT + 1e-12:
            raise ValueError(
                f"out_probability.{level} is {out:g}, so a visit needs "
                f"{'endless' if out >= 1 else f'{1 / (1 - out):,.0f}'} attempts on average, "
                f"and a failed attempt takes almost no time ({failed_attempt_days * 24 * 60:.3g} "
                "minutes of travel_hours + failed_on_site_hours + write_up_hours + "
                "retry_delay_days on average): the run would never end. Allowed: "
                f"out_probability at most {1 - 1 / MAX_ATTEMPTS_PER_VISIT:g}, or failed "
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
