"""The JSON Schema of scenario files, for editors (validation, autocomplete, hover help).

The schema comes from the pydantic models in :mod:`sim.scenario.scenario`, so it never drifts
from what the loader accepts: every field carries its ``description`` and (for quantities)
a ``unit``.
Two things are added here for the people who read it in an editor: defaults that pydantic
builds with a factory (``working_days``, ``holidays``...) are written out, and each
description ends with its unit, because editors show the description but not custom keys.

The schema checks each field on its own (types, ranges, allowed words, unknown keys). Rules
that tie fields together (shares adding up to 1, a window shorter than its interval, staff never
below 0) are checked by ``python run_sim.py validate``.
"""

from __future__ import annotations

import json
from typing import Any, TypeAlias

from pydantic.json_schema import GenerateJsonSchema, NoDefault

from sim.scenario.scenario import Scenario

__all__ = ["SCHEMA_DIALECT", "JsonSchema", "scenario_json_schema", "schema_json", "walk_fields"]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
UNITLESS = {"none"}

JsonSchema: TypeAlias = dict[str, Any]
"""A JSON Schema, or one part of it (a model, a property), as parsed JSON."""


class _FactoryDefaults(GenerateJsonSchema):
    """Also show defaults made by a ``default_factory`` (pydantic leaves them out)."""

    def get_default_value(self, schema: Any) -> Any:
        factory = schema.get("default_factory")
        if factory is not None and not schema.get("default_factory_takes_data"):
            return factory()
        return super().get_default_value(schema) if "default" in schema else NoDefault


def walk_fields(schema: JsonSchema) -> list[tuple[str, str, JsonSchema]]:
    """Every (model name, field name, property schema) in the schema, root model first."""
    models = {schema.get("title", "Scenario"): schema, **schema.get("$defs", {})}
    return [
        (model_name, field_name, prop)
        for model_name, model in models.items()
        for field_name, prop in model.get("properties", {}).items()
    ]


def scenario_json_schema(units_in_descriptions: bool = True) -> JsonSchema:
    """The JSON Schema (draft 2020-12) of a scenario file.

    With ``units_in_descriptions`` each description ends "Unit: days." for editors' hover
    help; the generated reference, which has a unit column, asks for them without.
    """
    schema = Scenario.model_json_schema(schema_generator=_FactoryDefaults)
    for _model, _field, prop in walk_fields(schema) if units_in_descriptions else []:
        unit = prop.get("unit")
        if unit and unit not in UNITLESS and "description" in prop:
            prop["description"] = f"{prop['description']} Unit: {unit}."
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "offender-visit-sim scenario",
        **{key: value for key, value in schema.items() if key != "title"},
    }


def schema_json() -> str:
    """The schema as indented JSON text, ending in a newline (as written to a file)."""
    return json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"
