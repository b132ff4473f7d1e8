"""The staff: offender managers and trained sergeants, their hours, and planned changes.

The ``staffing`` section of a scenario: how many officers there are on the start date, how
long and on which days they work, what share of their time casework may take, and the
recruitment and departures planned over the horizon. Shifts must end by midnight and the
running totals after the changes must never fall below zero.

Two optional sub-sections make the staff less steady than ``availability`` alone, each off
(``null``) by default so that a file without them means what it always meant:
``absences`` (annual leave taken in blocks, sickness in spells, single court and training
days: an absent officer has no hours that day) and ``turnover`` (officers leave at a yearly
rate, the post stays vacant, the replacement trains before being productive).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.scenario.distributions import Distribution
from sim.scenario.fields import WEEKDAYS, Date, Frozen, Probability, Weekday, _NumbersByLevel

__all__ = [
    "Absences",
    "AnnualLeave",
    "CaseloadWeights",
    "Sickness",
    "Staffing",
    "StaffingChange",
    "Turnover",
]

MONTHS = 12


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


class AnnualLeave(Frozen):
    """Annual leave, taken in blocks of working days, more in some months than others."""

    workdays_per_year: int = Field(
        ge=0,
        le=366,
        description="Working days of leave each officer takes in each year of the run "
        "(years counted from the start date); exactly this many, in blocks.",
        json_schema_extra={"unit": "working days a year"},
    )
    block_workdays: Distribution = Field(
        description="Length of one block of leave, rounded to whole working days (at least "
        "1; the last block of a year is cut to the days left), e.g. 5 for a week.",
        json_schema_extra={"unit": "working days"},
    )
    month_weights: list[Annotated[float, Field(ge=0, le=1000)]] = Field(
        default_factory=lambda: [1.0] * MONTHS,
        min_length=MONTHS,
        max_length=MONTHS,
        description="Relative weight of each month, January first, for the first day of a "
        "block: a working day in a month of weight 2 is twice as likely as one of weight 1 "
        "(e.g. more in August and December).",
        json_schema_extra={"unit": "relative weight"},
    )

    @model_validator(mode="after")
    def _some_weight(self) -> AnnualLeave:
        if sum(self.month_weights) <= 0:
            raise ValueError("month_weights must not all be 0")
        return self


class Sickness(Frozen):
    """Sickness absence: spells that start at random and last whole working days."""

    spells_per_year: float = Field(
        ge=0,
        le=100,
        description="Spells of sickness each officer starts a year (on average; a spell may "
        "start on any working day, independently of the others).",
        json_schema_extra={"unit": "spells a year"},
    )
    spell_workdays: Distribution = Field(
        description="Length of one spell, rounded to whole working days (at least 1).",
        json_schema_extra={"unit": "working days"},
    )


class Absences(Frozen):
    """Whole days away from casework: leave, sickness, court and training."""

    annual_leave: AnnualLeave | None = Field(None, description="Annual leave (null: none).")
    sickness: Sickness | None = Field(None, description="Sickness spells (null: none).")
    court_training_workdays_per_year: float = Field(
        0.0,
        ge=0,
        le=100,
        description="Single days in court or training each officer has a year (on average; "
        "each working day independently).",
        json_schema_extra={"unit": "working days a year"},
    )
    cover_after_workdays: int | None = Field(
        None,
        ge=0,
        le=3650,
        description="With personal caseloads: once an offender manager's absence has lasted "
        "more than this many working days, their waiting and new work goes to cover (the "
        "colleague at work with the least weighted caseload, counting any they already cover) "
        "until they return. null: no "
        "cover, the work waits for them. Pooled caseloads need no cover.",
        json_schema_extra={"unit": "working days"},
    )


class Turnover(Frozen):
    """Officers leaving their posts, and the posts refilled after a vacancy and training."""

    leaving_rate_per_year: float = Field(
        ge=0,
        le=10,
        description="Share of productive officers who leave a year (0.1: one in ten); each "
        "officer's time to leaving is exponential with this rate.",
        json_schema_extra={"unit": "per officer a year"},
    )
    vacancy_days: Distribution = Field(
        description="Days a post stays vacant after its officer leaves, until the "
        "replacement starts.",
        json_schema_extra={"unit": "days"},
    )
    training_days: int = Field(
        0,
        ge=0,
        le=3650,
        description="Days the replacement is in post but not yet productive (no hours).",
        json_schema_extra={"unit": "days"},
    )


class CaseloadWeights(_NumbersByLevel):
    """How much of a manager's caseload one offender at each risk level counts as."""

    very_high: float = Field(
        1.0,
        ge=0,
        le=1000,
        description="Weight of a very high-risk offender.",
        json_schema_extra={"unit": "cases"},
    )
    high: float = Field(
        1.0,
        ge=0,
        le=1000,
        description="Weight of a high-risk offender.",
        json_schema_extra={"unit": "cases"},
    )
    medium: float = Field(
        1.0,
        ge=0,
        le=1000,
        description="Weight of a medium-risk offender.",
        json_schema_extra={"unit": "cases"},
    )
    low: float = Field(
        1.0,
        ge=0,
        le=1000,
        description="Weight of a low-risk offender.",
        json_schema_extra={"unit": "cases"},
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
        description="Share of each working day at work available for visits and ARMS (after "
        "other duties, and after leave, sickness, court and training unless absences "
        "models them as whole days).",
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
    caseloads: Literal["pooled", "personal"] = Field(
        "pooled",
        description="pooled: any offender manager does any offender's work. personal: each "
        "offender is allocated to one manager on joining (least weighted caseload, see "
        "caseload_weights), who leads every visit and does the assessments (unless a "
        "sergeant does); a leaver's caseload is reallocated.",
    )
    caseload_weights: CaseloadWeights = Field(
        default_factory=lambda: CaseloadWeights.model_validate({}),
        description="With personal caseloads, a new offender goes to the manager with the "
        "least weighted caseload (sum of these weights by risk level at allocation; ties to "
        "the longest-serving). All 1 (the default): fewest cases.",
    )
    rebalance_caseloads: bool = Field(
        False,
        description="With personal caseloads: when offender managers join (staffing changes, "
        "turnover replacements), move cases one by one from the heaviest weighted caseload to "
        "the lightest until no move narrows the gap (all weights 1: caseloads within one case "
        "of each other); waiting work moves with the case. false: new managers only take new "
        "cases.",
    )
    absences: Absences | None = Field(
        None,
        description="Whole days away (leave blocks, sickness spells, court and training "
        "days), drawn for each officer; an absent officer has no hours that day. null: none "
        "(availability alone stands for them).",
    )
    turnover: Turnover | None = Field(
        None,
        description="Officers leaving at a yearly rate, posts vacant, replacements in "
        "training. null: nobody leaves other than by changes.",
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
