"""A commented starter scenario: every field, with its meaning and unit above it.

``python run_sim.py new-scenario NAME`` writes this for an analyst to fill in. The comments
come from the scenario's JSON Schema (the same text as docs/scenario-reference.md), so they
never disagree with the code; the example values describe a small fictional force and make a
file that validates as it stands. Optional fields the example does not set are written as
comments showing their default, so the analyst sees every option without having to look it up.
"""

from __future__ import annotations

import os
import textwrap
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from sim.io.files import REPO_DIR
from sim.levels import LEVELS
from sim.scenario.schema import JsonSchema, scenario_json_schema

__all__ = ["SCHEMA_FILE", "STARTER_VALUES", "starter_yaml"]

SCHEMA_FILE = REPO_DIR / "docs" / "scenario.schema.json"
WIDTH = 92


def _levels(*values: float) -> dict[str, float]:
    return dict(zip(LEVELS, values, strict=True))


# A small fictional force (about the size of scenarios/small_example.yaml) as a starting point.
STARTER_VALUES: dict[str, Any] = {
    "description": "Starter scenario: replace the example values with the figures of your force.",
    "start_date": date(2025, 4, 1),
    "horizon_days": 365,
    "seed": 12345,
    "replications": 10,
    "priority": "highest_risk_first",
    "population": {
        "initial": {
            "size": 200,
            "risk_mix": _levels(0.02, 0.15, 0.63, 0.20),
            "overdue_visits": {"count": 20, "max_days_overdue": 120, "levels": ["medium", "low"]},
            "overdue_assessments": {"count": 10, "max_days_overdue": 90},
            "reactive_share_of_low": 0.0,
        },
        "registrations": {
            "per_year": 30,
            "growth_per_year": 0.03,
            "risk_mix": _levels(0.02, 0.18, 0.60, 0.20),
        },
        "notification_periods": {"indefinite": 0.45, 10: 0.20, 7: 0.15, 5: 0.15, 2: 0.05},
        "other_exit_rate_per_year": 0.02,
        "reactive_after_years": 3,
        "escalation_rate_per_year": _levels(0.0, 0.02, 0.04, 0.05),
    },
    "visits": {
        "interval_days": _levels(30, 91, 182, 365),
        "window_days": _levels(7, 21, 28, 28),
        "first_visit_due_days": 28,
        "out_probability": _levels(0.25, 0.30, 0.33, 0.30),
        "retry_delay_days": {"dist": "uniform", "low": 2, "high": 10},
        "officers_per_visit": 2,
        "travel_hours": {"dist": "triangular", "low": 0.5, "mode": 1.0, "high": 2.0},
        "on_site_hours": {"dist": "triangular", "low": 0.75, "mode": 1.0, "high": 2.0},
        "failed_on_site_hours": 0.25,
        "write_up_hours": {"dist": "triangular", "low": 0.5, "mode": 1.0, "high": 2.0},
        "police_action_probability": _levels(0.35, 0.30, 0.28, 0.20),
        "police_action_hours": {"dist": "triangular", "low": 1.0, "mode": 3.0, "high": 8.0},
    },
    "assessments": {
        "interval_days": _levels(91, 182, 365, 365),
        "window_days": 28,
        "first_due_days": 28,
        "duration_hours": {"dist": "triangular", "low": 2.0, "mode": 3.0, "high": 6.0},
        "after_police_action_due_days": 28,
    },
    "staffing": {
        "offender_managers": 6,
        "sergeants": 1,
        "hours_per_day": 7.5,
        "availability": 0.7,
        "working_days": ["mon", "tue", "wed", "thu", "fri"],
        "holidays": [date(2025, 5, 5), date(2025, 5, 26), date(2025, 8, 25), date(2025, 12, 25)],
    },
}

# Shown (commented out) for optional lists, where the default [] teaches nothing.
EXAMPLES: dict[str, Any] = {
    "population.registrations.schedule": [{"from_date": date(2025, 10, 1), "per_year": 40}],
    "staffing.changes": [
        {"date": date(2025, 6, 1), "offender_managers": 2, "training_delay_days": 60}
    ],
}


def _inline(value: Any) -> str:
    """One value in YAML flow style: 2, {very_high: 30, ...}, [mon, tue], null."""
    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10_000)
    return text.strip().removesuffix("...").strip()


def _comment(prop: JsonSchema, indent: str) -> list[str]:
    text = prop.get("description", "")
    unit = prop.get("unit")
    if unit and unit != "none":
        text += f" Unit: {unit}."
    return textwrap.wrap(
        text, WIDTH - len(indent), initial_indent=f"{indent}# ", subsequent_indent=f"{indent}# "
    )


class _Writer:
    def __init__(self, schema: JsonSchema) -> None:
        self.defs: dict[str, JsonSchema] = schema.get("$defs", {})
        self.lines: list[str] = []

    def section_model(self, prop: JsonSchema) -> JsonSchema | None:
        """The model to expand for a section (or a section that may be null)."""
        for candidate in [prop, *prop.get("anyOf", [])]:
            ref = candidate.get("$ref")
            if ref:
                model = self.defs[ref.rsplit("/", 1)[-1]]
                if set(model.get("properties", {})) != set(LEVELS):
                    return model
        return None

    def model(self, model: JsonSchema, values: dict[str, Any], path: str, depth: int) -> None:
        indent = "  " * depth
        required = set(model.get("required", []))
        for name, prop in model.get("properties", {}).items():
            full = f"{path}{name}"
            if depth == 0 and name != "name" and self.lines and self.lines[-1] != "":
                self.lines.append("")
            self.lines.extend(_comment(prop, indent))
            child = self.section_model(prop)
            if name in values and isinstance(values[name], dict) and child is not None:
                self.lines.append(f"{indent}{name}:")
                self.model(child, values[name], f"{full}.", depth + 1)
            elif name in values:
                self.lines.append(f"{indent}{name}: {_inline(values[name])}")
            elif name in required:
                raise KeyError(f"the starter scenario has no value for required field {full}")
            else:
                shown = EXAMPLES.get(full, prop.get("default"))
                label = "for example" if full in EXAMPLES else "default"
                self.lines.append(f"{indent}# {name}: {_inline(shown)}   ({label})")


def starter_yaml(name: str, target: Path | None = None) -> str:
    """The starter scenario's text, named ``name``; ``target`` is where it will be written
    (to point editors at docs/scenario.schema.json with a relative path)."""
    schema = scenario_json_schema(units_in_descriptions=False)
    folder = (target or Path("scenarios") / f"{name}.yaml").resolve().parent
    schema_path = Path(os.path.relpath(SCHEMA_FILE, folder)).as_posix()
    writer = _Writer(schema)
    writer.model(schema, {"name": name, **STARTER_VALUES}, "", 0)
    header = [
        f"# yaml-language-server: $schema={schema_path}",
        f"# Scenario '{name}', written by: python run_sim.py new-scenario {name}",
        "# The values describe a small fictional force: replace them with your own figures.",
        "# Each field's meaning and unit is in the comment above it; lines starting '# key:'",
        "# are optional fields shown with their default. Full reference:",
        "# docs/scenario-reference.md. Check the file with: python run_sim.py validate FILE",
        "",
    ]
    return "\n".join(header + writer.lines) + "\n"
