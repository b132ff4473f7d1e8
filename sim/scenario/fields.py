"""The building blocks of every scenario section: the frozen base, dates, per-level values, limits.

Each section of a scenario (population, visits, assessments, staffing) is a pydantic model built
from these parts, so all sections follow one set of rules: unknown keys are errors, numbers are
finite, a date is written YYYY-MM-DD (never a number), and a value that differs by risk level
is a mapping ``{very_high, high, medium, low}`` whose ``as_tuple()`` puts it in level order for
look-ups on the model's hot path. The limits keep hostile input from exhausting memory or
leaving the calendar; ``DAYS_PER_YEAR`` is the one conversion of yearly rates, shared with the
model so that validation and simulation never disagree.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, cast, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from sim.levels import LEVELS

__all__ = [
    "DAYS_PER_YEAR",
    "EARLIEST_START_DATE",
    "LATEST_END_DATE",
    "MAX_AREAS",
    "MAX_DAILY_ROWS",
    "MAX_HORIZON_DAYS",
    "MAX_OFFENDERS",
    "MIX_TOLERANCE",
    "NAME_PATTERN",
    "WEEKDAYS",
    "Date",
    "DaysByLevel",
    "FlagsByLevel",
    "Frozen",
    "Level",
    "OfficersByLevel",
    "OfficersPerVisit",
    "Probability",
    "ProbabilityByLevel",
    "RatePerYearByLevel",
    "RiskMix",
    "Weekday",
    "WindowDays",
    "WindowDaysByLevel",
    "every_level",
]

Level = Literal["very_high", "high", "medium", "low"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
if get_args(Level) != LEVELS:  # pragma: no cover - a slip
    raise AssertionError("Level must list sim.levels.LEVELS in order")

WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_OFFENDERS = 2_000_000
MAX_HORIZON_DAYS = 365 * 50
MAX_AREAS = 1_000  # a force has tens; more would only be a way round the other limits
# Limits that keep a run inside a laptop's memory and the calendar's range (hostile input
# must be refused with a message, never run out of memory or overflow a date):
MAX_DAILY_ROWS = 1_000_000  # replications x horizon_days: trajectories.csv rows (~0.5 GB)
EARLIEST_START_DATE = date(1900, 1, 1)
LATEST_END_DATE = date(2200, 12, 31)
MIX_TOLERANCE = 1e-6
DAYS_PER_YEAR = 365.25  # a rate per year is a rate per 365.25 days (here and in the model)
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"

Probability = Annotated[float, Field(ge=0.0, le=1.0)]


def every_level() -> list[Level]:
    """All four level names, very high first (``LEVELS`` as the :data:`Level` type)."""
    return [cast(Level, level) for level in LEVELS]  # checked against Level above


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


class _WholeNumbersByLevel(Frozen):
    """A whole number for each risk level (the fields are the names in ``LEVELS``)."""

    def as_tuple(self) -> tuple[int, ...]:
        """Values in level order (very high first), for index look-ups on the hot path."""
        return tuple(getattr(self, level) for level in LEVELS)


class _NumbersByLevel(Frozen):
    """A number for each risk level (the fields are the names in ``LEVELS``)."""

    def as_tuple(self) -> tuple[float, ...]:
        """Values in level order (very high first), for index look-ups on the hot path."""
        return tuple(getattr(self, level) for level in LEVELS)


class DaysByLevel(_WholeNumbersByLevel):
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


class WindowDaysByLevel(_WholeNumbersByLevel):
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


class ProbabilityByLevel(_NumbersByLevel):
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


class RatePerYearByLevel(_NumbersByLevel):
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


class OfficersByLevel(_WholeNumbersByLevel):
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


class FlagsByLevel(Frozen):
    """True or false for each risk level (the fields are the names in ``LEVELS``)."""

    very_high: bool = Field(False, description="Very high risk.")
    high: bool = Field(False, description="High risk.")
    medium: bool = Field(False, description="Medium risk.")
    low: bool = Field(False, description="Low risk.")

    def as_tuple(self) -> tuple[bool, ...]:
        """Values in level order (very high first), for index look-ups on the hot path."""
        return tuple(getattr(self, level) for level in LEVELS)


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
