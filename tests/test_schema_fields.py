"""Every scenario field explains itself in the JSON Schema: a description, and a unit for numbers.

Editors show the description when an analyst hovers over a key, and docs/scenario-reference.md
is generated from the same text, so a field added without a description (or a number without a
unit) would leave a blank in both. These tests walk every model in the schema, so they also
catch fields added later.
"""

from __future__ import annotations

import pytest

from sim.scenario import Scenario

UNIT_SUFFIXES = ("_days", "_hours", "_hour", "_years", "_per_year", "_probability", "_share")
# names that end like a unit but are not quantities
NOT_QUANTITIES = {"working_days"}  # a list of weekday names


def _models() -> dict[str, dict]:
    schema = Scenario.model_json_schema()
    models = {"Scenario": schema}
    models.update(schema.get("$defs", {}))
    return models


def _fields() -> list[tuple[str, str, dict]]:
    return [
        (model_name, field_name, prop)
        for model_name, model in _models().items()
        for field_name, prop in model.get("properties", {}).items()
    ]


def _is_number(prop: dict) -> bool:
    """A field whose own schema (or one of its alternatives) is a plain number."""
    branches = [prop, *prop.get("anyOf", []), *prop.get("oneOf", [])]
    return any(branch.get("type") in ("number", "integer") for branch in branches)


def _needs_unit(field_name: str, prop: dict) -> bool:
    named_like_a_unit = field_name.endswith(UNIT_SUFFIXES) and field_name not in NOT_QUANTITIES
    return _is_number(prop) or named_like_a_unit


FIELDS = _fields()
QUANTITIES = [(m, f, prop) for m, f, prop in FIELDS if _needs_unit(f, prop)]


def test_the_walk_finds_the_models_and_fields_we_know():
    # guards the walk itself: if it found nothing, the checks below would pass vacuously
    models = _models()
    assert {"Scenario", "Visits", "Staffing", "DaysByLevel", "Triangular"} <= set(models)
    names = {(m, f) for m, f, _ in FIELDS}
    assert ("Visits", "travel_hours") in names and ("Triangular", "mode") in names
    quantities = {(m, f) for m, f, _ in QUANTITIES}
    assert ("Visits", "interval_days") in quantities  # a per-level map, known by its name
    assert ("Staffing", "offender_managers") in quantities  # a plain integer
    assert ("Scenario", "priority") not in quantities  # a choice of words


@pytest.mark.parametrize("model_name, field_name, prop", FIELDS, ids=lambda v: str(v)[:40])
def test_every_field_has_a_description(model_name, field_name, prop):
    description = prop.get("description", "").strip()
    assert description, (
        f"{model_name}.{field_name} has no description: give it "
        f"Field(description='what it means', json_schema_extra={{'unit': 'days'}}). "
        "(pydantic leaves out a field description identical to its model's docstring.)"
    )


@pytest.mark.parametrize("model_name, field_name, prop", QUANTITIES, ids=lambda v: str(v)[:40])
def test_every_number_and_unit_named_field_has_a_unit(model_name, field_name, prop):
    assert prop.get("unit", "").strip(), (
        f"{model_name}.{field_name} is a number but has no unit: add "
        f"json_schema_extra={{'unit': 'days'}} (or hours, share, probability, ...)"
    )


@pytest.mark.parametrize(
    "field_name, unit",
    [("_days", "days"), ("_hours", "hours"), ("_probability", "probability")],
)
def test_units_agree_with_the_unit_in_the_name(field_name, unit):
    # a field called *_days must not say it is in hours, and so on
    for model_name, name, prop in FIELDS:
        if name.endswith(field_name) and name not in NOT_QUANTITIES:
            assert prop["unit"] == unit, f"{model_name}.{name} says {prop['unit']!r}"
