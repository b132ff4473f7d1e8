"""docs/scenario-reference.md, generated from the scenario's JSON Schema.

One table per section of a scenario file: every field's dotted path, type, default, unit, what
values are allowed and what it means. It is generated (``python run_sim.py schema --markdown``)
rather than written by hand so that it cannot fall behind the code; a test compares the file
with a fresh rendering.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from sim.scenario.schema import JsonSchema, scenario_json_schema

__all__ = ["REFERENCE_COMMAND", "reference_markdown"]

REFERENCE_COMMAND = "python run_sim.py schema --markdown > docs/scenario-reference.md"
LEVEL_KEYS = ("very_high", "high", "medium", "low")
HEADER = (
    "| path | type | default | unit | allowed | meaning |\n| --- | --- | --- | --- | --- | --- |"
)

INTRO = f"""# Scenario reference

<!-- Generated from the code by `{REFERENCE_COMMAND}`. Do not edit by hand:
change the field descriptions in sim/scenario/ and regenerate. -->

A scenario is a YAML file. This page lists every field: its dotted path (as used by
`--set path=value`), type, default (*required* if it has none), unit, the values allowed and
what it means. `python run_sim.py new-scenario NAME` writes a commented starter file, and
`python run_sim.py validate FILE` checks one.

- Units are also in the field names: `*_days` are calendar days, `*_hours` are hours of one
  officer's work, `*_per_year` are yearly rates. Probabilities and shares are from 0 to 1.
  Dates are written `YYYY-MM-DD`.
- Unknown keys are errors everywhere, with a "did you mean" hint for typos.
- A **per-level map** gives a value for each of `very_high`, `high`, `medium` and `low`, all four
  required, e.g. `{{very_high: 30, high: 91, medium: 182, low: 365}}`. Fields of type
  "number or per-level map" also take one number meaning "the same for every level".
- A **distribution** is a plain number (a fixed value) or a mapping with a `dist` key; see
  [Distributions](#distributions). Its parameters are in the unit of the field.
- Some rules tie fields together and are checked by `validate`, not by the editor's schema:
  shares that must add up to 1, a window shorter than its interval, a shift ending by
  midnight, staff never below 0 after the planned changes.
"""


def _number(value: float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, int):
        return "2^63 - 1" if value == 2**63 - 1 else f"{value:,}"
    return f"{value:g}"


def _range(prop: JsonSchema) -> str:
    """'0 to 3,650', 'over 0, up to 24', '0 up to (not including) 24', 'at least 1'..."""
    low_incl, low_excl = prop.get("minimum"), prop.get("exclusiveMinimum")
    high_incl, high_excl = prop.get("maximum"), prop.get("exclusiveMaximum")
    if low_incl is not None and high_incl is not None:
        return f"{_number(low_incl)} to {_number(high_incl)}"
    parts = []
    if low_incl is not None:
        parts.append(f"{_number(low_incl)}")
    if low_excl is not None:
        parts.append(f"over {_number(low_excl)}")
    if high_incl is not None:
        parts.append(f"up to {_number(high_incl)}")
    if high_excl is not None:
        parts.append(f"up to (not including) {_number(high_excl)}")
    if len(parts) == 1 and low_incl is not None:
        return f"at least {parts[0]}"
    return ", ".join(parts) if low_excl is not None else " ".join(parts)


def _allowed_scalar(prop: JsonSchema) -> str:
    if "enum" in prop:
        return ", ".join(f"`{v}`" for v in prop["enum"])
    if "const" in prop:
        return f"`{prop['const']}`"
    kind = prop.get("type")
    if kind == "integer":
        if "exclusiveMinimum" in prop and "minimum" not in prop:
            # for whole numbers "over 0" is "at least 1"
            prop = {**prop, "minimum": prop["exclusiveMinimum"] + 1}
            del prop["exclusiveMinimum"]
        text = _range(prop)
        return f"whole number {text}".strip()
    if kind == "number":
        return _range(prop)
    if kind == "string":
        if prop.get("format") == "date":
            return "YYYY-MM-DD"
        rules = []
        if "pattern" in prop:
            rules.append(f"matches `{prop['pattern']}`")
        if "maxLength" in prop:
            rules.append(f"up to {prop['maxLength']} characters")
        return "; ".join(rules) or "any text"
    if kind == "boolean":
        return "`true` or `false`"
    return ""


def _scalar_type(prop: JsonSchema) -> str:
    if "enum" in prop or "const" in prop:
        return "choice"
    if prop.get("format") == "date":
        return "date"
    return {
        "integer": "whole number",
        "number": "number",
        "string": "text",
        "boolean": "true or false",
        "null": "null",
    }.get(prop.get("type", ""), "value")


def _default(value: Any) -> str:
    if value is None:
        return "`null`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f"`{value}`" if value else '`""`'
    if isinstance(value, list):
        return "`[" + ", ".join(str(v) for v in value) + "]`"
    if isinstance(value, dict):  # a per-level map, written as in a scenario file
        return "`{" + ", ".join(f"{k}: {_default(v).strip('`')}" for k, v in value.items()) + "}`"
    return f"`{value}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


class _Renderer:
    """Walks the schema from the root, one table row per field, sections as they come."""

    def __init__(self, schema: JsonSchema) -> None:
        self.defs: dict[str, JsonSchema] = schema.get("$defs", {})
        self.schema = schema

    def ref(self, prop: JsonSchema) -> JsonSchema | None:
        target = prop.get("$ref")
        return self.defs[target.rsplit("/", 1)[-1]] if target else None

    def is_per_level(self, model: JsonSchema | None) -> TypeGuard[JsonSchema]:
        """Whether ``model`` is a per-level map (one field per risk level)."""
        return model is not None and set(model.get("properties", {})) == set(LEVEL_KEYS)

    def is_distribution(self, prop: JsonSchema) -> bool:
        branches = prop.get("anyOf", [])
        return any("oneOf" in b and "discriminator" in b for b in branches)

    def per_level_allowed(self, model: JsonSchema) -> str:
        first = model["properties"][LEVEL_KEYS[0]]
        return f"each {_allowed_scalar(first)}".replace("each whole number", "whole numbers")

    def rows(self, model: JsonSchema, prefix: str) -> list[tuple[str, list[str]]]:
        """(section title, rows) for this model's fields; nested sections are expanded."""
        rows: list[str] = []
        sections: list[tuple[str, list[str]]] = []
        required = set(model.get("required", []))
        for name, prop in model.get("properties", {}).items():
            path = f"{prefix}{name}"
            default = "required" if name in required else _default(prop.get("default"))
            kind, allowed, child, child_prefix = self.describe(prop, path)
            unit = prop.get("unit", "")
            unit = "" if unit == "none" else unit
            meaning = prop.get("description", "")
            rows.append(
                "| "
                + " | ".join(_cell(c) for c in (f"`{path}`", kind, default, unit, allowed, meaning))
                + " |"
            )
            if child is not None:
                nested = self.rows(child, child_prefix)
                rows.extend(nested[0][1])
                sections.extend(nested[1:])
        return [("", rows), *sections]

    def describe(self, prop: JsonSchema, path: str) -> tuple[str, str, JsonSchema | None, str]:
        """(type, allowed, nested model to expand or None, prefix for its fields)."""
        target = self.ref(prop)
        if target is not None:
            if self.is_per_level(target):
                return "per-level map", self.per_level_allowed(target), None, ""
            return "section", "see below", target, f"{path}."
        if self.is_distribution(prop):
            return "distribution", "see [Distributions](#distributions)", None, ""
        branches = prop.get("anyOf")
        if branches:
            others = [b for b in branches if b.get("type") != "null"]
            nullable = len(others) < len(branches)
            refs = [self.ref(b) for b in others]
            if nullable and len(others) == 1 and refs[0] is not None:
                kind = "section or null"
                if self.is_per_level(refs[0]):
                    return "per-level map or null", self.per_level_allowed(refs[0]), None, ""
                return kind, "see below; `null` for none", refs[0], f"{path}."
            if any(self.is_per_level(r) for r in refs):
                model = next(r for r in refs if self.is_per_level(r))
                return "number or per-level map", self.per_level_allowed(model), None, ""
            # scalars, perhaps with one section (e.g. a number or a mapping of options)
            section = next((r for r in refs if r is not None), None)
            scalars = [b for b, r in zip(others, refs, strict=True) if r is None]
            kinds = [_scalar_type(b) for b in scalars] + (["section"] if section else [])
            allowed = "; ".join(a for a in (_allowed_scalar(b) for b in scalars) if a)
            if section is not None:
                allowed = "; ".join(a for a in (allowed, "section: see below") if a)
            kind = " or ".join(kinds) + (" or null" if nullable else "")
            return kind, allowed, section, f"{path}."
        if prop.get("type") == "array":
            items = prop.get("items", {})
            item_model = self.ref(items)
            extra = f"at least {prop['minItems']}" if "minItems" in prop else ""
            if item_model is not None:
                return "list", extra or "any number of entries", item_model, f"{path}[]."
            item_allowed = _allowed_scalar(items)
            allowed = "; ".join(a for a in (item_allowed, extra) if a)
            return f"list of {_scalar_type(items)}s", allowed, None, ""
        if prop.get("type") == "object":
            values = prop.get("additionalProperties", {})
            return f"map of {_scalar_type(values)}s", _allowed_scalar(values), None, ""
        return _scalar_type(prop), _allowed_scalar(prop), None, ""

    def distributions(self) -> str:
        lines = [
            "## Distributions",
            "",
            "A distribution field takes a plain number (always that value, at least 0) or one "
            "of these mappings. Parameters are in the unit of the field (hours or days).",
            "",
        ]
        names: list[str] = []  # in the order the schema lists them (fixed first)
        for _, _, prop in _all_fields(self.schema):
            if self.is_distribution(prop):
                for branch in prop["anyOf"]:
                    for option in branch.get("oneOf", []):
                        name = option["$ref"].rsplit("/", 1)[-1]
                        if name not in names:
                            names.append(name)
        for name in names:
            model = self.defs[name]
            dist = model["properties"]["dist"]
            tag = dist.get("const") or dist.get("default")
            lines += [f"### `dist: {tag}`", "", model.get("description", ""), ""]
            lines += [
                "| key | type | default | allowed | meaning |",
                "| --- | --- | --- | --- | --- |",
            ]
            required = set(model.get("required", []))
            for key, prop in model["properties"].items():
                default = "required" if key in required else _default(prop.get("default"))
                cells = (
                    f"`{key}`",
                    _scalar_type(prop),
                    default,
                    _allowed_scalar(prop),
                    prop.get("description", ""),
                )
                lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
            lines.append("")
        return "\n".join(lines)


def _all_fields(schema: JsonSchema) -> list[tuple[str, str, JsonSchema]]:
    models = {"": schema, **schema.get("$defs", {})}
    return [
        (m, f, p) for m, model in models.items() for f, p in model.get("properties", {}).items()
    ]


def reference_markdown(schema: JsonSchema | None = None) -> str:
    """The whole reference page as Markdown text."""
    schema = schema or scenario_json_schema(units_in_descriptions=False)
    renderer = _Renderer(schema)
    parts = [INTRO]
    top_rows: list[str] = []
    sections: list[str] = []
    required = set(schema.get("required", []))
    for name, prop in schema["properties"].items():
        target = renderer.ref(prop)
        if target is not None and not renderer.is_per_level(target):
            rows = renderer.rows(target, f"{name}.")
            body = [row for _, section_rows in rows for row in section_rows]
            default = "required" if name in required else "optional"
            top_rows.append(
                f"| `{name}` | section | {default} | | see [`{name}`](#{name}) | "
                f"{_cell(prop.get('description', ''))} |"
            )
            sections.append(
                f"## `{name}`\n\n{_cell(target.get('description', ''))}\n\n{HEADER}\n"
                + "\n".join(body)
                + "\n"
            )
        else:
            top_rows.extend(
                renderer.rows({"properties": {name: prop}, "required": list(required)}, "")[0][1]
            )
    parts.append("## Top level\n\n" + HEADER + "\n" + "\n".join(top_rows) + "\n")
    parts.extend(sections)
    parts.append(renderer.distributions())
    return "\n".join(parts).rstrip("\n") + "\n"
