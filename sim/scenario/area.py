"""An area of a scenario (a force, or a team within one): the top level's sections, changed.

A scenario with ``areas`` simulates each area as its own unit with its own caseload and staff;
an area states only what differs from the scenario's top-level ``population`` and
``staffing`` (``area_merged`` lays its changes over them, ``area_changes`` recovers them
for writing).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field, WithJsonSchema

from sim.scenario.fields import NAME_PATTERN, Frozen
from sim.scenario.population import Population
from sim.scenario.staffing import Staffing

__all__ = ["AREA_SECTIONS", "TOTAL_AREA", "Area", "area_changes", "area_merged"]

AREA_SECTIONS = ("population", "staffing")
TOTAL_AREA = "total"
_AREA_OVERRIDE_SCHEMA = {
    "type": "object",
    "default": {},
    "description": "Changes to the top-level section of the same name for this area: the "
    "same fields, only those that differ (checked by validate).",
}


def area_merged(base: Any, changes: Any) -> Any:
    """``changes`` laid over ``base``: mappings merge key by key, anything else replaces."""
    if isinstance(base, dict) and isinstance(changes, dict):
        merged = {key: area_merged(base.get(key), value) for key, value in changes.items()}
        return {**base, **merged}
    return changes


def area_changes(base: Any, value: Any) -> Any:
    """What ``value`` changes in ``base``: the inverse of ``area_merged`` (``{}`` if nothing)."""
    if isinstance(base, dict) and isinstance(value, dict):
        return {
            key: area_changes(base.get(key), item)
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
        pattern=NAME_PATTERN,
        max_length=100,
        description="Short name of the area (letters, digits, _ . -); 'total' is reserved.",
    )
    population: Annotated[Population, WithJsonSchema(_AREA_OVERRIDE_SCHEMA)] = Field(
        description="This area's changes to the top-level population section."
    )
    staffing: Annotated[Staffing, WithJsonSchema(_AREA_OVERRIDE_SCHEMA)] = Field(
        description="This area's changes to the top-level staffing section."
    )
