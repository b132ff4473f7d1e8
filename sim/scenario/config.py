"""The scenario: every input of a run, validated once and then frozen.

A scenario file (YAML) is parsed into these pydantic models. Unknown keys are errors
(``extra="forbid"``), every number carries its unit in its name, and cross-field rules (mixes
sum to 1, a visit window shorter than its interval, staff never negative after the planned
changes) are checked here so the model itself never has to. Variants of a scenario are made
with ``model_copy(update=...)`` or by re-validating a changed dict, never by mutation.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_serializer,
    model_validator,
)

from sim.levels import LEVELS
from sim.priority import PriorityName
from sim.scenario.distributions import Distribution
from sim.scenario.dotted import DottedPathError, set_dotted, split_dotted
from sim.scenario.observations import Observation

__all__ = [
    "AREA_SECTIONS",
    "Area",
    "Assessments",
    "FIXED_ACROSS_VARIANTS",
    "InitialCaseload",
    "InitialOverdue",
    "Population",
    "PRIORITY_RULES",
    "RatePeriod",
    "Registrations",
    "Scenario",
    "Staffing",
    "StaffingChange",
    "TOTAL_AREA",
    "Visits",
    "WEEKDAYS",
]

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PRIORITY_RULES: tuple[str, ...] = get_args(PriorityName)  # every name a scenario may give
MAX_OFFENDERS = 2_000_000
MAX_HORIZON_DAYS = 365 * 50
# Limits that keep a run inside a laptop's memory and the calendar's range (hostile input
# must be refused with a message, never run out of memory or overflow a date):
MAX_DAILY_ROWS = 1_000_000  # replications x horizon_days: trajectories.csv rows (~0.5 GB)
EARLIEST_START_DATE = date(1900, 1, 1)
LATEST_END_DATE = date(2200, 12, 31)
MIX_TOLERANCE = 1e-6
DAYS_PER_YEAR = 365.25  # as caseload.py: a rate per year is a rate per 365.25 days
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
# Fields a variant may not change: every variant of a comparison runs the same replications
# (same seeds) over the same days, so that results pair up replication by replication.
FIXED_ACROSS_VARIANTS = ("name", "seed", "replications", "start_date", "horizon_days", "variants")

Level = Literal["very_high", "high", "medium", "low"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
VariantName = Annotated[str, StringConstraints(pattern=NAME_PATTERN, max_length=100)]


class Frozen(BaseModel):
    """Base for all scenario sections: immutable, unknown keys are errors, numbers finite."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


def _date_not_number(value: Any) -> Any:
    """Refuse numbers where a date is expected (pydantic would read them as Unix seconds)."""
    if isinstance(value, (int, float)):
        raise ValueError("write a date as YYYY-MM-DD")
    return value


Date = Annotated[date, BeforeValidator(_date_not_number)]


def _scalar_to_every_level(value: Any) -> Any:
    """Let a per-level field be written as one number that applies to every level."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {level: value for level in LEVELS}
    return value


class _PerLevel(Frozen):
    def as_tuple(self) -> tuple:
        """Values in level order (very high first), for index look-ups on the hot path."""
        return tuple(getattr(self, level) for level in LEVELS)


class DaysByLevel(_PerLevel):
    """A whole number of days (at least 1) for each risk level."""

    very_high: int = Field(
        gt=0, le=3650, description="Days, very high risk.", json_schema_extra={"unit": "days"}
    )
    high: int = Field(
        gt=0, le=3650, description="Days, high risk.", json_schema_extra={"unit": "days"}
    )
    medium: int = Field(
        gt=0, le=3650, description="Days, medium risk.", json_schema_extra={"unit": "days"}
    )
    low: int = Field(
        gt=0, le=3650, description="Days, low risk.", json_schema_extra={"unit": "days"}
    )


class WindowDaysByLevel(_PerLevel):
    """Days before the due date that the work joins the queue (0 = on the due date)."""

    very_high: int = Field(
        ge=0, le=3650, description="Days, very high risk.", json_schema_extra={"unit": "days"}
    )
    high: int = Field(
        ge=0, le=3650, description="Days, high risk.", json_schema_extra={"unit": "days"}
    )
    medium: int = Field(
        ge=0, le=3650, description="Days, medium risk.", json_schema_extra={"unit": "days"}
    )
    low: int = Field(
        ge=0, le=3650, description="Days, low risk.", json_schema_extra={"unit": "days"}
    )


class ProbabilityByLevel(_PerLevel):
    """A probability in [0, 1] for each risk level."""

    very_high: Probability = Field(
        description="Very high risk, from 0 to 1.", json_schema_extra={"unit": "probability"}
    )
    high: Probability = Field(
        description="High risk, from 0 to 1.", json_schema_extra={"unit": "probability"}
    )
    medium: Probability = Field(
        description="Medium risk, from 0 to 1.", json_schema_extra={"unit": "probability"}
    )
    low: Probability = Field(
        description="Low risk, from 0 to 1.", json_schema_extra={"unit": "probability"}
    )


class RatePerYearByLevel(_PerLevel):
    """A yearly rate (events per offender per year, >= 0) for each risk level."""

    very_high: float = Field(
        ge=0,
        le=100,
        description="Rate from very high risk.",
        json_schema_extra={"unit": "per offender a year"},
    )
    high: float = Field(
        ge=0,
        le=100,
        description="Rate from high risk.",
        json_schema_extra={"unit": "per offender a year"},
    )
    medium: float = Field(
        ge=0,
        le=100,
        description="Rate from medium risk.",
        json_schema_extra={"unit": "per offender a year"},
    )
    low: float = Field(
        ge=0,
        le=100,
        description="Rate from low risk.",
        json_schema_extra={"unit": "per offender a year"},
    )


class OfficersByLevel(_PerLevel):
    """Number of officers who attend a visit (1 to 4) for each risk level."""

    very_high: int = Field(
        ge=1, le=4, description="Officers, very high risk.", json_schema_extra={"unit": "officers"}
    )
    high: int = Field(
        ge=1, le=4, description="Officers, high risk.", json_schema_extra={"unit": "officers"}
    )
    medium: int = Field(
        ge=1, le=4, description="Officers, medium risk.", json_schema_extra={"unit": "officers"}
    )
    low: int = Field(
        ge=1, le=4, description="Officers, low risk.", json_schema_extra={"unit": "officers"}
    )


class RiskMix(ProbabilityByLevel):
    """Shares of offenders at each risk level; they must add up to 1."""

    @model_validator(mode="after")
    def _sums_to_one(self) -> RiskMix:
        total = sum(self.as_tuple())
        if abs(total - 1.0) > MIX_TOLERANCE:
            raise ValueError(f"risk shares must add up to 1, they add up to {total:g}")
        return self


# One number for every level, or a map; ``json_schema_input_type`` tells the JSON Schema (and so
# editors) that both spellings are accepted. It changes nothing in validation.
WindowDays = Annotated[
    WindowDaysByLevel,
    BeforeValidator(
        _scalar_to_every_level,
        json_schema_input_type=Annotated[int, Field(ge=0, le=3650)] | WindowDaysByLevel,
    ),
]
OfficersPerVisit = Annotated[
    OfficersByLevel,
    BeforeValidator(
        _scalar_to_every_level,
        json_schema_input_type=Annotated[int, Field(ge=1, le=4)] | OfficersByLevel,
    ),
]


class InitialOverdue(Frozen):
    """How much work is already overdue on the start date (a force's real backlog)."""

    count: int = Field(
        ge=0,
        le=MAX_OFFENDERS,
        description="Offenders overdue on day 0, chosen at random among the named levels.",
        json_schema_extra={"unit": "offenders"},
    )
    max_days_overdue: int = Field(
        ge=1,
        le=3650,
        description="Days overdue of the oldest item; the others are uniformly random from 1 "
        "to this.",
        json_schema_extra={"unit": "days"},
    )
    levels: list[Level] = Field(
        default_factory=lambda: list(LEVELS),
        min_length=1,
        description="Risk levels the overdue work falls in (default: all four).",
    )


class InitialCaseload(Frozen):
    """The register on the start date."""

    size: int = Field(
        ge=0,
        le=MAX_OFFENDERS,
        description="Offenders managed on the start date (with the registrations the horizon "
        "could bring, at most 2,000,000).",
        json_schema_extra={"unit": "offenders"},
    )
    risk_mix: RiskMix = Field(
        description="Share of the starting register at each level; shares add up to 1.",
        json_schema_extra={"unit": "share"},
    )
    overdue_visits: InitialOverdue | None = Field(
        None, description="The visit backlog on the start date (null: none)."
    )
    overdue_assessments: InitialOverdue | None = Field(
        None, description="The assessment backlog on the start date (null: none)."
    )
    reactive_share_of_low: Probability = Field(
        0.0,
        description="Share of starting low-risk offenders already under reactive management "
        "(no planned visits).",
        json_schema_extra={"unit": "share"},
    )

    def level_counts(self) -> tuple[int, ...]:
        """Offenders per level, apportioned exactly (largest remainder) so they sum to size."""
        shares = self.risk_mix.as_tuple()
        raw = [self.size * s for s in shares]
        counts = [math.floor(r) for r in raw]
        by_remainder = sorted(range(len(raw)), key=lambda i: (-(raw[i] - counts[i]), i))
        for i in by_remainder[: self.size - sum(counts)]:
            counts[i] += 1
        return tuple(counts)

    @model_validator(mode="after")
    def _overdue_fits(self) -> InitialCaseload:
        counts = dict(zip(LEVELS, self.level_counts(), strict=True))
        for name in ("overdue_visits", "overdue_assessments"):
            overdue: InitialOverdue | None = getattr(self, name)
            if overdue is None:
                continue
            room = sum(counts[level] for level in set(overdue.levels))
            if overdue.count > room:
                raise ValueError(
                    f"{name}.count is {overdue.count} but only {room} offenders are at "
                    f"levels {overdue.levels}"
                )
        return self


class RatePeriod(Frozen):
    """From ``from_date`` on, registrations arrive at ``per_year`` a year."""

    from_date: Date = Field(description="When this rate starts (YYYY-MM-DD).")
    per_year: float = Field(
        ge=0,
        le=1_000_000,
        description="Registrations a year from from_date on.",
        json_schema_extra={"unit": "registrations a year"},
    )


class Registrations(Frozen):
    """New registrations: a Poisson process whose yearly rate may grow or follow a schedule."""

    per_year: float = Field(
        ge=0,
        le=1_000_000,
        description="Registration rate on the start date.",
        json_schema_extra={"unit": "registrations a year"},
    )
    growth_per_year: float = Field(
        0.0,
        gt=-1.0,
        le=10.0,
        description="Compound growth of the rate, e.g. 0.03 = 3% a year; must be 0 if a "
        "schedule is given.",
        json_schema_extra={"unit": "fraction a year"},
    )
    schedule: list[RatePeriod] = Field(
        default_factory=list,
        description="Optional piecewise rates by date; replaces per_year from each from_date.",
    )
    risk_mix: RiskMix = Field(
        description="Risk level of new registrations; shares add up to 1.",
        json_schema_extra={"unit": "share"},
    )

    @model_validator(mode="after")
    def _growth_or_schedule(self) -> Registrations:
        if self.schedule and self.growth_per_year != 0:
            raise ValueError(
                "give growth_per_year or a schedule, not both (a schedule sets each rate)"
            )
        return self

    def highest_per_year(self, start: date, horizon_days: int) -> float:
        """The highest yearly rate on the horizon (as registrations.py will apply it)."""
        if not self.schedule:
            growth = (1.0 + self.growth_per_year) ** (horizon_days / DAYS_PER_YEAR)
            return self.per_year * max(1.0, growth)
        in_force = [self.per_year] + [p.per_year for p in self.schedule if p.from_date <= start]
        later = [p.per_year for p in self.schedule if 0 < (p.from_date - start).days < horizon_days]
        return max([in_force[-1], *later])

    @field_validator("schedule")
    @classmethod
    def _dates_increase(cls, periods: list[RatePeriod]) -> list[RatePeriod]:
        dates = [p.from_date for p in periods]
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            raise ValueError("schedule dates must be in increasing order, each once")
        return periods


def _period_keys_to_text(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    return value


class Population(Frozen):
    """Who is on the register, who joins, who leaves, and how risk changes unseen."""

    initial: InitialCaseload | None = Field(
        None,
        description="The register on day 0 given by counts: its size, risk mix and starting "
        "backlog. Give this or initial_caseload.",
    )
    initial_caseload: str | None = Field(
        None,
        description="A CSV file of the register on day 0, one row per offender (risk level, "
        "last visit, next visit and assessment due dates, notification end); the path is "
        "relative to the scenario file. Give this or initial. See docs/calibration.md.",
        json_schema_extra={"unit": "file path"},
    )
    registrations: Registrations = Field(description="New registrations over the horizon.")
    notification_periods: Annotated[
        dict[str, Probability], BeforeValidator(_period_keys_to_text)
    ] = Field(
        description="Share of offenders with each notification period: keys are years in "
        "(0, 100] or 'indefinite', values are shares adding up to 1, e.g. "
        "{indefinite: 0.5, 10: 0.2, 7: 0.12, 5: 0.12, 2: 0.06}.",
        json_schema_extra={"unit": "share (keys in years)"},
    )
    other_exit_rate_per_year: float = Field(
        0.0,
        ge=0,
        le=10,
        description="Rate of leaving for other reasons (death, moving away, custody).",
        json_schema_extra={"unit": "per offender a year"},
    )
    reactive_after_years: float | None = Field(
        None,
        gt=0,
        le=100,
        description="Low risk this long moves to reactive management at the next completed "
        "visit (null: never).",
        json_schema_extra={"unit": "years"},
    )
    escalation_rate_per_year: RatePerYearByLevel = Field(
        description="Rate at which true risk rises one level from each level, unseen until "
        "contact; very_high must be 0.",
        json_schema_extra={"unit": "per offender a year"},
    )

    @model_validator(mode="after")
    def _one_starting_register(self) -> Population:
        if (self.initial is None) == (self.initial_caseload is None):
            raise ValueError(
                "give the starting register either as initial (counts) or as "
                "initial_caseload (a CSV file), exactly one of them"
            )
        return self

    @field_validator("notification_periods")
    @classmethod
    def _valid_periods(cls, periods: dict[str, float]) -> dict[str, float]:
        if not periods:
            raise ValueError("give at least one notification period")
        for key in periods:
            if key == "indefinite":
                continue
            try:
                years = float(key)
            except ValueError:
                raise ValueError(
                    f"period '{key}' is not a number of years or 'indefinite'"
                ) from None
            if not 0 < years <= 100:
                raise ValueError(f"period '{key}' years must be in (0, 100]")
        total = sum(periods.values())
        if abs(total - 1.0) > MIX_TOLERANCE:
            raise ValueError(f"period shares must add up to 1, they add up to {total:g}")
        return periods

    @field_validator("escalation_rate_per_year")
    @classmethod
    def _top_cannot_escalate(cls, rates: RatePerYearByLevel) -> RatePerYearByLevel:
        if rates.very_high != 0:
            raise ValueError("very_high must be 0: there is no higher level to escalate to")
        return rates

    def period_years(self) -> tuple[tuple[float, float], ...]:
        """(years, share) pairs; indefinite is ``math.inf`` years."""
        return tuple(
            (math.inf if key == "indefinite" else float(key), share)
            for key, share in self.notification_periods.items()
        )


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
        # An offender who is never in, with attempts and retries that take no time, would be
        # retried forever at one instant of simulated time: the run would never end.
        failed_attempt = self.travel_hours, self.failed_on_site_hours, self.write_up_hours
        if (
            max(self.out_probability.as_tuple()) == 1
            and self.retry_delay_days.mean == 0
            and sum(d.mean for d in failed_attempt) == 0
        ):
            raise ValueError(
                "with out_probability 1, a failed attempt (travel_hours + "
                "failed_on_site_hours + write_up_hours) or retry_delay_days must take some time"
            )
        return self


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


class StaffingChange(Frozen):
    """Recruitment (positive) or departures (negative) on a date."""

    # Annotated, not ``= Field(...)``: a default named ``date`` would shadow the type.
    date: Annotated[Date, Field(description="Date of the change (YYYY-MM-DD).")]
    offender_managers: int = Field(
        0,
        ge=-100_000,
        le=100_000,
        description="Offender managers recruited (positive) or leaving (negative).",
        json_schema_extra={"unit": "officers"},
    )
    sergeants: int = Field(
        0,
        ge=-100_000,
        le=100_000,
        description="Sergeants recruited (positive) or leaving (negative).",
        json_schema_extra={"unit": "sergeants"},
    )
    training_delay_days: int = Field(
        0,
        ge=0,
        le=3650,
        description="Days before recruits are productive (leavers go at once).",
        json_schema_extra={"unit": "days"},
    )


class Staffing(Frozen):
    """Offender managers and trained sergeants, and the hours they can give to casework."""

    offender_managers: int = Field(
        ge=0,
        le=100_000,
        description="Offender managers doing visits and assessments on the start date.",
        json_schema_extra={"unit": "officers"},
    )
    sergeants: int = Field(
        0,
        ge=0,
        le=100_000,
        description="Sergeants trained to do assessments (ARMS).",
        json_schema_extra={"unit": "sergeants"},
    )
    sergeant_assessment_share: Probability = Field(
        0.2,
        description="Share of a sergeant's available hours that can go to assessments.",
        json_schema_extra={"unit": "share"},
    )
    hours_per_day: float = Field(
        gt=0,
        le=24,
        description="Length of a working day (the shift).",
        json_schema_extra={"unit": "hours"},
    )
    manager_assessment_share: Probability = Field(
        1.0,
        description="Share of an offender manager's available hours that can go to "
        "assessments (1 = no limit). Stands for a limited pool of ARMS-trained staff.",
        json_schema_extra={"unit": "share"},
    )
    availability: float = Field(
        gt=0,
        le=1,
        description="Share of each working day available for visits and ARMS (after leave, "
        "sickness, training, court and other duties).",
        json_schema_extra={"unit": "share"},
    )
    working_days: list[Weekday] = Field(
        default_factory=lambda: list(WEEKDAYS[:5]),
        min_length=1,
        description="Days of the week staff work (mon to sun, no repeats).",
    )
    shift_start_hour: float = Field(
        9.0,
        ge=0,
        lt=24,
        description="Clock hour the working day starts; the shift must end by midnight.",
        json_schema_extra={"unit": "clock hour"},
    )
    holidays: list[Date] = Field(
        default_factory=list, description="Dates nobody works (YYYY-MM-DD)."
    )
    changes: list[StaffingChange] = Field(
        default_factory=list,
        description="Recruitment and departures by date; running totals never below 0.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Staffing:
        if len(set(self.working_days)) != len(self.working_days):
            raise ValueError("working_days lists a day twice")
        if self.shift_start_hour + self.hours_per_day > 24:
            raise ValueError(
                f"shift_start_hour + hours_per_day = "
                f"{self.shift_start_hour + self.hours_per_day:g}; a shift must end by midnight"
            )
        managers, sergeants = self.offender_managers, self.sergeants
        for change in sorted(self.changes, key=lambda c: c.date):
            managers += change.offender_managers
            sergeants += change.sergeants
            if managers < 0 or sergeants < 0:
                raise ValueError(f"staffing change on {change.date} leaves fewer than 0 staff")
        return self


AREA_SECTIONS = ("population", "staffing")
TOTAL_AREA = "total"
_AREA_OVERRIDE_SCHEMA = {
    "type": "object",
    "default": {},
    "description": "Changes to the top-level section of the same name for this area: the "
    "same fields, only those that differ (checked by validate).",
}


def _merged(base: Any, changes: Any) -> Any:
    """``changes`` laid over ``base``: mappings merge key by key, anything else replaces."""
    if isinstance(base, dict) and isinstance(changes, dict):
        return {**base, **{key: _merged(base.get(key), value) for key, value in changes.items()}}
    return changes


def _changes(base: Any, value: Any) -> Any:
    """What ``value`` changes in ``base``: the inverse of ``_merged`` (``{}`` if nothing)."""
    if isinstance(base, dict) and isinstance(value, dict):
        return {
            key: _changes(base.get(key), item)
            for key, item in value.items()
            if key not in base or base[key] != item
        }
    return value


class Area(Frozen):
    """One area of a scenario (a force, or a team within one) with its own caseload and staff.

    An area is the scenario's top-level ``population`` and ``staffing`` with the area's own
    changes laid over them, so it states only what differs (at least its caseload, inflow and
    staff). Areas share nothing else: each area's offenders are managed by its own staff.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        # In a file both sections may be left out (no changes): only the name is required.
        json_schema_extra=lambda schema, _model: schema.update(required=["name"]),
    )

    name: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        max_length=100,
        description="Short name of the area (letters, digits, _ . -); 'total' is reserved.",
    )
    population: Annotated[Population, WithJsonSchema(_AREA_OVERRIDE_SCHEMA)] = Field(
        description="This area's changes to the top-level population section."
    )
    staffing: Annotated[Staffing, WithJsonSchema(_AREA_OVERRIDE_SCHEMA)] = Field(
        description="This area's changes to the top-level staffing section."
    )


class Scenario(Frozen):
    """One force (or team) to simulate: who is registered, the work, the staff, the rules."""

    name: str = Field(
        pattern=NAME_PATTERN,
        max_length=100,
        description="Short name (letters, digits, _ . -); also the default results folder "
        "results/<name>/.",
    )
    description: str = Field(
        "", description="Free text; the title of backlog.png and of the report."
    )
    start_date: Date = Field(
        description="The first simulated day, day 0 (YYYY-MM-DD), from 1900-01-01 to 2200-12-31."
    )
    horizon_days: int = Field(
        gt=0,
        le=MAX_HORIZON_DAYS,
        description="Number of days simulated (the last day no later than 2200-12-31).",
        json_schema_extra={"unit": "days"},
    )
    seed: int = Field(
        12345,
        ge=0,
        le=2**63 - 1,
        description="Random seed; the same seed gives identical results.",
        json_schema_extra={"unit": "none"},
    )
    replications: int = Field(
        10,
        ge=1,
        le=100_000,
        description="Number of independent runs with different random draws "
        "(replications x horizon_days at most 1,000,000 daily rows).",
        json_schema_extra={"unit": "runs"},
    )
    priority: PriorityName = Field(
        "highest_risk_first", description="Which waiting work is done first."
    )
    population: Population = Field(
        description="Who is on the register, who joins, who leaves, and unseen risk changes."
    )
    visits: Visits = Field(description="Home visits: schedule, durations and outcomes.")
    assessments: Assessments = Field(description="Risk assessments (ARMS): schedule and duration.")
    staffing: Staffing = Field(description="Offender managers, sergeants and their hours.")
    areas: list[Area] = Field(
        default_factory=list,
        description="Areas with their own caseload, inflow and staff, each the top-level "
        "population and staffing with its own changes; empty for a single area.",
    )

    @model_validator(mode="before")
    @classmethod
    def _areas_start_from_the_top_level(cls, data: Any) -> Any:
        """Lay each area's population and staffing changes over the top-level sections."""
        if not isinstance(data, dict) or not isinstance(data.get("areas"), list):
            return data
        areas = []
        for area in data["areas"]:
            if isinstance(area, dict):
                area = dict(area)
                for section in AREA_SECTIONS:
                    top = data.get(section)
                    if isinstance(top, BaseModel):
                        top = top.model_dump()
                    own = area.get(section, {})
                    if isinstance(own, BaseModel):
                        own = own.model_dump()
                    area[section] = _merged(top, own) if isinstance(top, dict) else own
            areas.append(area)
        return {**data, "areas": areas}

    @field_validator("areas")
    @classmethod
    def _area_names_unique(cls, areas: list[Area]) -> list[Area]:
        names = [area.name for area in areas]
        if TOTAL_AREA in names:
            raise ValueError(f"the area name '{TOTAL_AREA}' is kept for the sum of the areas")
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"area names must differ; repeated: {', '.join(repeated)}")
        return areas

    @model_serializer(mode="wrap")
    def _areas_as_their_changes(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Write each area as what it changes, so a written scenario reads back the same and
        a change to a top-level section (a variant, --set) reaches every area that inherits it.

        An area value equal to the top-level value is written as inherited.
        """
        data = handler(self)
        if data.get("areas"):
            data["areas"] = [
                {
                    "name": area["name"],
                    **{
                        section: _changes(data.get(section), area[section])
                        for section in AREA_SECTIONS
                        if section in area
                    },
                }
                for area in data["areas"]
            ]
        return data

    def area_scenarios(self) -> list[tuple[str | None, Scenario]]:
        """(area name, single-area scenario) for each area; ``[(None, self)]`` if none."""
        if not self.areas:
            return [(None, self)]
        return [(area.name, self.area_scenario(area.name)) for area in self.areas]

    def area_scenario(self, name: str) -> Scenario:
        """The area called ``name`` as a scenario of its own (a KeyError if there is none)."""
        for area in self.areas:
            if area.name == name:
                return self.model_copy(
                    update={"population": area.population, "staffing": area.staffing, "areas": []}
                )
        raise KeyError(name)

    variants: dict[VariantName, dict[str, Any]] = Field(
        default_factory=dict,
        description="Named variants for `compare`: name -> {dotted.path: value}, paths as in "
        "--set. A variant with no changes names the base scenario. `run` ignores them. See "
        "docs/experiments.md.",
    )

    @field_validator("variants")
    @classmethod
    def _variant_paths(cls, variants: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        unchanged = [name for name, changes in variants.items() if not changes]
        if len(unchanged) > 1:
            raise ValueError(
                f"variants {unchanged} change nothing; only one variant may name the base"
            )
        for name, changes in variants.items():
            for key in changes:
                path = split_dotted(str(key))  # a DottedPathError is a ValueError: reported as such
                if path[0] in FIXED_ACROSS_VARIANTS:
                    raise ValueError(
                        f"variant '{name}' changes {key}, but {', '.join(FIXED_ACROSS_VARIANTS)} "
                        "are shared by every variant (same seeds and days, so they compare)"
                    )
        return variants

    @model_validator(mode="after")
    def _variants_give_valid_scenarios(self) -> Scenario:
        for name in self.variants:
            try:
                self.variant(name)
            except (ValidationError, DottedPathError) as error:
                raise ValueError(f"variant '{name}' is not a valid scenario: {error}") from None
        return self

    def with_changes(self, changes: Mapping[str, Any]) -> Scenario:
        """A new, validated scenario: this one with ``{dotted.path: value}`` changes applied.

        The result has no variants of its own (they are relative to this base). Raises
        pydantic's ValidationError or DottedPathError;
        ``sim.experiments.variants.apply_changes`` turns those into a ScenarioError naming
        the field.
        """
        data = self.model_dump(mode="json", by_alias=True, exclude={"variants"})
        for key, value in changes.items():
            set_dotted(data, split_dotted(str(key)), copy.deepcopy(value))
        return Scenario.model_validate(data)

    def variant(self, name: str) -> Scenario:
        """The scenario of the variant called ``name`` (a KeyError if there is none)."""
        return self.with_changes(self.variants[name])

    # -- limits on the size of a run (fields are validated in order, so the earlier ones a
    # check needs are in ``info.data`` when they were valid) ----------------------------------
    @field_validator("start_date")
    @classmethod
    def _in_the_calendar(cls, start: date) -> date:
        if not EARLIEST_START_DATE <= start <= LATEST_END_DATE:
            raise ValueError(f"must be from {EARLIEST_START_DATE} to {LATEST_END_DATE}")
        return start

    @field_validator("horizon_days")
    @classmethod
    def _ends_in_the_calendar(cls, horizon_days: int, info: ValidationInfo) -> int:
        start = info.data.get("start_date")
        if start is not None and (LATEST_END_DATE - start).days < horizon_days - 1:
            raise ValueError(
                f"the horizon from {start} would end after {LATEST_END_DATE}; "
                f"at most {(LATEST_END_DATE - start).days + 1} days from this start date"
            )
        return horizon_days

    @field_validator("replications")
    @classmethod
    def _daily_rows_fit(cls, replications: int, info: ValidationInfo) -> int:
        horizon_days = info.data.get("horizon_days")
        if horizon_days is not None and replications * horizon_days > MAX_DAILY_ROWS:
            raise ValueError(
                f"{replications:,} replications x {horizon_days:,} days = "
                f"{replications * horizon_days:,} daily rows, more than the limit of "
                f"{MAX_DAILY_ROWS:,}; use fewer replications or a shorter horizon"
            )
        return replications

    @field_validator("population")
    @classmethod
    def _register_fits(cls, population: Population, info: ValidationInfo) -> Population:
        start, horizon_days = info.data.get("start_date"), info.data.get("horizon_days")
        if start is None or horizon_days is None:
            return population
        per_year = population.registrations.highest_per_year(start, horizon_days)
        # a register read from a caseload file is bounded by the file's own size limit
        size = population.initial.size if population.initial is not None else 0
        most = size + per_year * horizon_days / DAYS_PER_YEAR
        if most > MAX_OFFENDERS:
            raise ValueError(
                f"initial.size ({size:,}) plus registrations over "
                f"{horizon_days:,} days at up to {per_year:,.0f} a year could reach "
                f"{most:,.0f} offenders, more than the limit of {MAX_OFFENDERS:,}"
            )
        return population

    observations: list[Observation] = Field(
        default_factory=list,
        description="Figures the force reported (metric, date, value, tolerance), compared "
        "with the simulation in calibration.csv and fitted by the calibrate command.",
    )

    @field_validator("observations")
    @classmethod
    def _observations_inside_horizon(
        cls, observations: list[Observation], info: ValidationInfo
    ) -> list[Observation]:
        start, horizon = info.data.get("start_date"), info.data.get("horizon_days")
        if start is None or horizon is None:
            return observations  # already reported as wrong
        last_day = start + timedelta(days=horizon - 1)
        for index, observation in enumerate(observations):
            if observation.first_day < start or observation.date > last_day:
                raise ValueError(
                    f"observations[{index}] ({observation.metric}, "
                    f"{observation.period_label()}) must lie inside the simulated days "
                    f"{start} to {last_day}"
                )
        return observations
