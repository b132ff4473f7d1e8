"""The staff: offender managers and trained sergeants, their hours, and planned changes.

The ``staffing`` section of a scenario: how many officers there are on the start date, how
long and on which days they work, what share of their time casework may take, and the
recruitment and departures planned over the horizon. Shifts must end by midnight and the
running totals after the changes must never fall below zero.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from sim.scenario.fields import WEEKDAYS, Date, Frozen, Probability, Weekday

__all__ = ["Staffing", "StaffingChange"]


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
