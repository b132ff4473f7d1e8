"""Hypothesis strategies for random *valid* scenarios, small enough to simulate in milliseconds.

Every field of the scenario is drawn, within ranges that keep a run tiny (tens of offenders,
a few officers, weeks not years) but that still reach every branch of the model: starting
backlogs, registrations, exits, reactive management, hidden escalations and de-escalations,
retries, announced visits, one to three officers per visit, police action and custody,
sergeants, weekends and holidays, staff joining (with a training delay) and leaving, every
priority rule.

Durations use only bounded distributions (fixed, uniform, triangular), so the longest task is
known from the scenario: :func:`longest_task_hours` gives it, for the bound on hours used.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from sim.scenario import PRIORITY_RULES, WEEKDAYS, Scenario

ALL_LEVELS = ("very_high", "high", "medium", "low")
START = date(2024, 1, 1)  # a Monday


def _mix(draw) -> dict[str, float]:
    weights = draw(st.lists(st.integers(0, 5), min_size=4, max_size=4).filter(any))
    total = sum(weights)
    return {level: w / total for level, w in zip(ALL_LEVELS, weights, strict=True)}


def _duration(draw, low: float, high: float) -> Any:
    kind = draw(st.sampled_from(["fixed", "uniform", "triangular"]))
    a = draw(st.floats(low, high, allow_nan=False))
    b = draw(st.floats(low, high, allow_nan=False))
    lo, hi = min(a, b), max(a, b)
    if kind == "fixed":
        return round(a, 3)
    if kind == "uniform":
        return {"dist": "uniform", "low": lo, "high": hi}
    mode = draw(st.floats(lo, hi, allow_nan=False)) if hi > lo else lo
    return {"dist": "triangular", "low": lo, "mode": mode, "high": hi}


def duration_high(value: Any) -> float:
    """The largest value a (bounded) duration written as above can take."""
    if isinstance(value, (int, float)):
        return float(value)
    return float(value["high"])


def _per_level_ints(draw, low: int, high: int) -> dict[str, int]:
    return {level: draw(st.integers(low, high)) for level in ALL_LEVELS}


def _per_level_probabilities(draw, high: float) -> dict[str, float]:
    return {level: draw(st.floats(0.0, high, allow_nan=False)) for level in ALL_LEVELS}


def _custody(draw) -> dict | None:
    if not draw(st.booleans()):
        return None
    return {
        "share_of_police_actions": _per_level_probabilities(draw, 1.0),
        "spell_days": _duration(draw, 0.0, 60.0),
        "follow_up_hours": _duration(draw, 0.0, 3.0),
    }


def _windows(draw, intervals: dict[str, int]) -> dict[str, int]:
    return {level: draw(st.integers(0, min(14, intervals[level] - 1))) for level in ALL_LEVELS}


def _overdue(draw, size: int, mix: dict[str, float]) -> dict | None:
    levels = [level for level in ALL_LEVELS if mix[level] > 0]
    if size == 0 or not draw(st.booleans()):
        return None
    chosen = draw(st.lists(st.sampled_from(levels), min_size=1, max_size=4, unique=True))
    # room = offenders at the chosen levels; at least the largest chosen share's floor
    room = sum(int(size * mix[level]) for level in chosen)
    return {
        "count": draw(st.integers(0, room)),
        "max_days_overdue": draw(st.integers(1, 120)),
        "levels": chosen,
    }


@st.composite
def scenario_dicts(draw, max_offenders: int = 40, max_horizon_days: int = 70) -> dict:
    """A valid scenario mapping (as a YAML file would hold it)."""
    horizon = draw(st.integers(7, max_horizon_days))
    size = draw(st.integers(0, max_offenders))
    initial_mix = _mix(draw)
    visit_intervals = _per_level_ints(draw, 7, 60)
    assessment_intervals = _per_level_ints(draw, 14, 180)
    n_managers = draw(st.integers(0, 6))
    n_sergeants = draw(st.integers(0, 2))
    hours_per_day = draw(st.sampled_from([4.0, 7.5, 8.0, 12.0, 24.0]))
    changes = []
    managers, sergeants = n_managers, n_sergeants
    for _ in range(draw(st.integers(0, 3))):
        day = draw(st.integers(-10, horizon + 10))
        manager_change = draw(st.integers(-managers, 3))
        sergeant_change = draw(st.integers(-sergeants, 1))
        managers += manager_change
        sergeants += sergeant_change
        changes.append(
            {
                "date": START + timedelta(days=day),
                "offender_managers": manager_change,
                "sergeants": sergeant_change,
                "training_delay_days": draw(st.integers(0, 20)),
            }
        )
    changes.sort(key=lambda c: c["date"])
    # running totals must stay >= 0 in date order: re-check after sorting, drop if not
    managers, sergeants = n_managers, n_sergeants
    kept = []
    for change in changes:
        if managers + change["offender_managers"] < 0 or sergeants + change["sergeants"] < 0:
            continue
        managers += change["offender_managers"]
        sergeants += change["sergeants"]
        kept.append(change)
    periods = draw(
        st.sampled_from(
            [{"indefinite": 1.0}, {"indefinite": 0.5, "0.2": 0.5}, {"0.1": 0.3, "5": 0.7}]
        )
    )
    return {
        "name": "random",
        "start_date": START,
        "horizon_days": horizon,
        "seed": draw(st.integers(0, 2**32)),
        "replications": 1,
        "priority": draw(st.sampled_from(PRIORITY_RULES)),
        "population": {
            "initial": {
                "size": size,
                "risk_mix": initial_mix,
                "overdue_visits": _overdue(draw, size, initial_mix),
                "overdue_assessments": _overdue(draw, size, initial_mix),
                "reactive_share_of_low": draw(st.floats(0.0, 1.0)),
            },
            "registrations": {
                "per_year": draw(st.sampled_from([0.0, 20.0, 100.0])),
                "growth_per_year": draw(st.sampled_from([0.0, 0.5])),
                "risk_mix": _mix(draw),
            },
            "notification_periods": periods,
            "other_exit_rate_per_year": draw(st.sampled_from([0.0, 0.5, 3.0])),
            "reactive_after_years": draw(st.sampled_from([None, 0.05, 1.0])),
            "escalation_rate_per_year": {
                "very_high": 0.0,
                **{level: draw(st.sampled_from([0.0, 0.5, 4.0])) for level in ALL_LEVELS[1:]},
            },
            "deescalation_rate_per_year": {
                **{level: draw(st.sampled_from([0.0, 0.5, 4.0])) for level in ALL_LEVELS[:-1]},
                "low": 0.0,
            },
        },
        "visits": {
            "interval_days": visit_intervals,
            "window_days": _windows(draw, visit_intervals),
            "first_visit_due_days": draw(st.integers(0, 30)),
            "out_probability": _per_level_probabilities(draw, 0.8),
            "retry_delay_days": _duration(draw, 0.25, 5.0),
            "officers_per_visit": _per_level_ints(draw, 1, 3),
            "travel_hours": _duration(draw, 0.0, 2.0),
            "on_site_hours": _duration(draw, 0.0, 3.0),
            "failed_on_site_hours": _duration(draw, 0.0, 0.5),
            "write_up_hours": _duration(draw, 0.0, 1.5),
            "police_action_probability": _per_level_probabilities(draw, 0.5),
            "police_action_hours": _duration(draw, 0.0, 4.0),
            "announced": {level: draw(st.booleans()) for level in ALL_LEVELS},
            "announced_out_probability": _per_level_probabilities(draw, 0.8),
            "custody": _custody(draw),
        },
        "assessments": {
            "interval_days": assessment_intervals,
            "window_days": _windows(draw, assessment_intervals),
            "first_due_days": draw(st.integers(0, 60)),
            "duration_hours": _duration(draw, 0.5, 5.0),
            "after_police_action_due_days": draw(st.integers(0, 40)),
        },
        "staffing": {
            "offender_managers": n_managers,
            "sergeants": n_sergeants,
            "sergeant_assessment_share": draw(st.floats(0.0, 1.0)),
            "hours_per_day": hours_per_day,
            "availability": draw(st.floats(0.3, 1.0)),
            "working_days": draw(
                st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True)
            ),
            "shift_start_hour": draw(st.integers(0, int(24 - hours_per_day))),
            "holidays": draw(
                st.lists(
                    st.integers(0, horizon).map(lambda d: START + timedelta(days=d)),
                    max_size=4,
                    unique=True,
                )
            ),
            "changes": kept,
        },
    }


def scenarios(**limits: int):
    """Random valid :class:`Scenario` objects."""
    return scenario_dicts(**limits).map(Scenario.model_validate)


def longest_task_hours(data: dict) -> float:
    """The most hours one officer can be charged for one task in this scenario."""
    visits = data["visits"]
    in_hours = duration_high(visits["on_site_hours"]) + duration_high(visits["police_action_hours"])
    if visits.get("custody"):
        in_hours += duration_high(visits["custody"]["follow_up_hours"])
    attempt = (
        duration_high(visits["travel_hours"])
        + duration_high(visits["write_up_hours"])
        + max(in_hours, duration_high(visits["failed_on_site_hours"]))
    )
    return max(attempt, duration_high(data["assessments"]["duration_hours"]))
