"""The levers the app's form shows, built from the scenario schema, and the overrides they make.

Each lever is one field of a scenario file, named by its dotted path (the same path as
``--set``). Its label, unit, allowed range and help text come from the JSON Schema of scenario
files (:func:`sim.scenario.schema.scenario_json_schema`), so the form never drifts from what
the loader accepts. The form's values become ``--set`` overrides (:func:`overrides_for`), and
the scenario is then loaded exactly as ``run --set ...`` loads it, so the app and the command
line validate, and run, the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sim.levels import LEVELS
from sim.scenario import Scenario
from sim.scenario.schema import JsonSchema, scenario_json_schema

__all__ = [
    "CHANGE_COLUMNS",
    "LEVER_PATHS",
    "OFFICERS",
    "Lever",
    "changes_override",
    "current_changes",
    "levers_for",
    "overrides_for",
]

OFFICERS = "visits.officers_per_visit"
LEVER_PATHS = (
    "staffing.offender_managers",
    "staffing.sergeants",
    "staffing.sergeant_assessment_share",
    *(f"{OFFICERS}.{level}" for level in LEVELS),
    "priority",
    "horizon_days",
    "replications",
    "seed",
)


@dataclass(frozen=True)
class Lever:
    """One form field: where it goes in the scenario, what it means, what it allows."""

    path: str  # the dotted path, as --set spells it
    label: str
    help: str  # the schema's description
    unit: str  # "" when the field has none
    kind: str  # "int", "float" or "choice"
    minimum: float | None
    maximum: float | None
    choices: tuple[str, ...]
    current: Any  # the scenario's value

    @property
    def allowed(self) -> str:
        """The allowed values for people: '0 to 100000 officers', or the choices."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        unit = f" {self.unit}" if self.unit else ""
        return f"{_number(self.minimum)} to {_number(self.maximum)}{unit}"


def _number(value: float | None) -> str:
    if value is None:
        return "any"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:g}"


@lru_cache(maxsize=1)
def _schema() -> JsonSchema:
    return scenario_json_schema(units_in_descriptions=False)


def _model_of(prop: JsonSchema, schema: JsonSchema) -> JsonSchema:
    """The model a property refers to (directly, or as one choice of anyOf/allOf)."""
    for part in [prop, *prop.get("anyOf", []), *prop.get("allOf", [])]:
        ref = part.get("$ref")
        if ref:
            return schema["$defs"][ref.rsplit("/", 1)[-1]]
    raise KeyError(f"no model under {prop.get('title')}")


def field_schema(path: str, schema: JsonSchema | None = None) -> JsonSchema:
    """The schema of the field at a dotted path (``staffing.sergeants``), following $refs."""
    schema = schema or _schema()
    model = schema
    parts = path.split(".")
    for part in parts[:-1]:
        model = _model_of(model["properties"][part], schema)
    return model["properties"][parts[-1]]


def _current(scenario: Scenario, path: str) -> Any:
    if path.startswith(OFFICERS + "."):
        officers = scenario.visits.officers_per_visit
        level = path.rsplit(".", 1)[-1]
        return officers if isinstance(officers, int) else getattr(officers, level)
    value: Any = scenario
    for part in path.split("."):
        value = getattr(value, part)
    return value


def _lever(path: str, scenario: Scenario) -> Lever:
    prop = field_schema(path)
    if path.startswith(OFFICERS + "."):  # one number or one per level: the per-level form
        level = path.rsplit(".", 1)[-1]
        label = f"Officers per visit, {level.replace('_', ' ')} risk"
    else:
        label = str(prop.get("title", path))
    if "enum" in prop:
        kind, low, high = "choice", None, None
    else:
        kind = "int" if prop.get("type") == "integer" else "float"
        low = prop.get("minimum")
        if low is None and "exclusiveMinimum" in prop:  # whole numbers above 0: from 1
            low = prop["exclusiveMinimum"] + (1 if kind == "int" else 0)
        high = prop.get("maximum")
    unit = str(prop.get("unit", ""))
    return Lever(
        path=path,
        label=label,
        help=str(prop.get("description", "")),
        unit="" if unit == "none" else unit,
        kind=kind,
        minimum=low,
        maximum=high,
        choices=tuple(prop.get("enum", ())),
        current=_current(scenario, path),
    )


def levers_for(scenario: Scenario) -> list[Lever]:
    """The form's levers for a scenario, in :data:`LEVER_PATHS` order, at its values.

    A scenario with areas keeps its staff per area, so its staffing levers are left out.
    """
    paths = [p for p in LEVER_PATHS if not (scenario.areas and p.startswith("staffing."))]
    return [_lever(path, scenario) for path in paths]


def _yaml(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def overrides_for(levers: Sequence[Lever], values: Mapping[str, Any]) -> list[str]:
    """The ``--set`` overrides for the values that differ from the scenario's, in lever order.

    Officers per visit become one override: ``visits.officers_per_visit=N`` when every level
    has the same number, else the per-level mapping.
    """
    result: list[str] = []
    officers: dict[str, Any] = {}
    changed_officers = False
    for lever in levers:
        value = values.get(lever.path, lever.current)
        if lever.path.startswith(OFFICERS + "."):
            officers[lever.path.rsplit(".", 1)[-1]] = value
            changed_officers = changed_officers or value != lever.current
        elif value != lever.current:
            result.append(f"{lever.path}={_yaml(value)}")
    if changed_officers:
        counts = set(officers.values())
        text = (
            str(counts.pop())
            if len(counts) == 1
            else "{" + ", ".join(f"{level}: {officers[level]}" for level in LEVELS) + "}"
        )
        result.append(f"{OFFICERS}={text}")
    return result


# The columns of the dated staff changes table, as in ``staffing.changes``.
CHANGE_COLUMNS = ("date", "offender_managers", "sergeants", "training_delay_days")


def current_changes(scenario: Scenario) -> list[dict[str, Any]]:
    """The scenario's dated staff changes as table rows (the form starts from these)."""
    return [
        {
            "date": change.date,
            "offender_managers": change.offender_managers,
            "sergeants": change.sergeants,
            "training_delay_days": change.training_delay_days,
        }
        for change in scenario.staffing.changes
    ]


def changes_override(rows: Sequence[Mapping[str, Any]], scenario: Scenario) -> str | None:
    """The ``--set staffing.changes=[...]`` for the table's rows, or None if unchanged.

    A row with no date, or that changes nobody, is left out (an empty row of the table).
    Numbers are whole; the date is written as YYYY-MM-DD. Validation of the result is the
    scenario's, as for any ``--set``.
    """
    kept = []
    for row in rows:
        when = row.get("date")
        counts = [int(row.get(name) or 0) for name in CHANGE_COLUMNS[1:3]]
        if when is None or when != when or not any(counts):  # missing date (None or NaT)
            continue
        delay = int(row.get("training_delay_days") or 0)
        day = when.isoformat()[:10] if hasattr(when, "isoformat") else str(when)[:10]
        kept.append((day, counts[0], counts[1], delay))
    current = [
        (str(c["date"]), c["offender_managers"], c["sergeants"], c["training_delay_days"])
        for c in current_changes(scenario)
    ]
    if kept == current:
        return None
    items = ", ".join(
        f"{{date: {day}, offender_managers: {managers}, sergeants: {sergeants}, "
        f"training_delay_days: {delay}}}"
        for day, managers, sergeants, delay in kept
    )
    return f"staffing.changes=[{items}]"
