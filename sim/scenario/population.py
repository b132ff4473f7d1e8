"""Who is on the register: the starting caseload, new registrations, exits, unseen risk changes.

The ``population`` section of a scenario. The register on the start date is given either by
counts (:class:`InitialCaseload`: size, risk mix, the backlog already overdue) or by a force's
own caseload file (checked by ``caseload_file.py``); :class:`Registrations` is a Poisson inflow
whose yearly rate grows or follows a schedule. True risk rises (escalation) and falls
(de-escalation) one level at a time, unseen until the next contact. Cross-field rules (the
backlog fits the levels it falls in, shares add up to 1, very high risk cannot escalate, low
risk cannot de-escalate) are checked here, once.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, field_validator, model_validator

from sim.levels import LEVELS
from sim.scenario.fields import (
    DAYS_PER_YEAR,
    MAX_OFFENDERS,
    MIX_TOLERANCE,
    Date,
    Frozen,
    Level,
    Probability,
    RatePerYearByLevel,
    RiskMix,
    every_level,
)

__all__ = [
    "InitialCaseload",
    "InitialOverdue",
    "Population",
    "RatePeriod",
    "Registrations",
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
        default_factory=every_level,
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
        """The highest yearly rate on the horizon (as sim/model/registrations.py applies it)."""
        if not self.schedule:
            growth: float = (1.0 + self.growth_per_year) ** (horizon_days / DAYS_PER_YEAR)
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
        description="A CSV file (or an Excel .xlsx workbook, its first sheet) of the register "
        "on day 0, one row per offender (risk level, "
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
    deescalation_rate_per_year: RatePerYearByLevel = Field(
        default_factory=lambda: RatePerYearByLevel(very_high=0.0, high=0.0, medium=0.0, low=0.0),
        description="Rate at which true risk falls one level from each level, unseen until "
        "the next completed visit or assessment; low must be 0 (default: 0 everywhere, risk "
        "never falls).",
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

    @field_validator("deescalation_rate_per_year")
    @classmethod
    def _bottom_cannot_deescalate(cls, rates: RatePerYearByLevel) -> RatePerYearByLevel:
        if rates.low != 0:
            raise ValueError("low must be 0: there is no lower level to de-escalate to")
        return rates

    def period_years(self) -> tuple[tuple[float, float], ...]:
        """(years, share) pairs; indefinite is ``math.inf`` years."""
        return tuple(
            (math.inf if key == "indefinite" else float(key), share)
            for key, share in self.notification_periods.items()
        )
