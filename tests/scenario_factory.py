"""Build small scenarios for tests from one readable base, changing only what a test needs.

The base is deliberately deterministic: one risk level (medium), offenders always in, no
registrations, no exits, no escalation, fixed durations, ample staff working every day.
"""

from __future__ import annotations

import copy
from typing import Any

from sim.scenario import Scenario

ALL_LEVELS = ("very_high", "high", "medium", "low")


def per_level(value: Any) -> dict[str, Any]:
    return {level: value for level in ALL_LEVELS}


def only(level: str) -> dict[str, float]:
    """A risk mix with everyone at one level."""
    return {name: (1.0 if name == level else 0.0) for name in ALL_LEVELS}


BASE: dict[str, Any] = {
    "name": "test",
    "start_date": "2024-01-01",
    "horizon_days": 360,
    "seed": 7,
    "replications": 1,
    "population": {
        "initial": {"size": 50, "risk_mix": only("medium")},
        "registrations": {"per_year": 0, "risk_mix": only("medium")},
        "notification_periods": {"indefinite": 1.0},
        "other_exit_rate_per_year": 0.0,
        "reactive_after_years": None,
        "escalation_rate_per_year": per_level(0.0),
    },
    "visits": {
        "interval_days": per_level(30),
        "window_days": 0,
        "first_visit_due_days": 0,
        "out_probability": per_level(0.0),
        "retry_delay_days": 1,
        "officers_per_visit": 1,
        "travel_hours": 1.0,
        "on_site_hours": 1.0,
        "failed_on_site_hours": 0.5,
        "write_up_hours": 0.5,
        "police_action_probability": per_level(0.0),
        "police_action_hours": 1.0,
    },
    "assessments": {
        "interval_days": per_level(365),
        "window_days": 0,
        "first_due_days": 0,
        "duration_hours": 3.0,
        "after_police_action_due_days": 28,
    },
    "staffing": {
        "offender_managers": 100,
        "sergeants": 0,
        "hours_per_day": 7.5,
        "availability": 1.0,
        "working_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        "shift_start_hour": 9,
    },
}


def deep_update(base: dict, changes: dict) -> dict:
    result = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = deep_update(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def scenario_dict(**changes: Any) -> dict:
    return deep_update(BASE, changes)


def make_scenario(**changes: Any) -> Scenario:
    """The base scenario with nested ``changes`` applied (dicts merge, other values replace)."""
    return Scenario.model_validate(scenario_dict(**changes))
