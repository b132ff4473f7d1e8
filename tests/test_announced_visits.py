"""Announced visits: per level, an attempt finds the offender out with its own probability.

An announced attempt uses the same uniform number of the offender's visit stream as an
unannounced one, compared with ``announced_out_probability`` instead of ``out_probability``,
so announcing visits changes who is in and nothing else (common random numbers).
"""

from __future__ import annotations

import math

import pytest
from helpers import simulate
from pydantic import ValidationError
from scenario_factory import make_scenario, per_level

from sim.scenario.file import ScenarioError, load_scenario


def test_announced_attempts_use_their_own_out_probability():
    # Everyone is medium risk and never in when unannounced (out_probability 1). Announced
    # medium visits with announced_out_probability 0 always find them in: every attempt
    # completes a visit, one a month each for 360 days.
    scenario = make_scenario(
        visits={
            "out_probability": per_level(1.0),
            "announced": {"medium": True},
            "announced_out_probability": per_level(0.0),
        }
    )
    frame = simulate(scenario)
    attempts = frame["visit_attempts"].sum()
    assert attempts == frame["visits_completed"].sum()
    assert attempts >= 50 * 12  # 50 offenders, a visit every 30 days over 360 days
    # Announced at the other levels only: medium visits stay unannounced and always fail.
    other_levels = make_scenario(
        visits={
            "out_probability": per_level(1.0),
            "announced": {"very_high": True, "high": True, "low": True},
            "announced_out_probability": per_level(0.0),
        }
    )
    frame = simulate(other_levels)
    assert frame["visits_completed"].sum() == 0 and frame["visit_attempts"].sum() > 0


def test_announced_share_found_in_follows_its_probability():
    # announced_out_probability 0.3 for medium: each attempt is in with probability 0.7,
    # independently, so over n attempts the share in is within 4.5 standard deviations.
    scenario = make_scenario(
        visits={"announced": {"medium": True}, "announced_out_probability": per_level(0.3)}
    )
    frame = simulate(scenario, replications=3)
    n = frame["visit_attempts"].sum()
    share_in = frame["visits_completed"].sum() / n
    assert abs(share_in - 0.7) < 4.5 * math.sqrt(0.7 * 0.3 / n)


def test_announcing_with_the_same_probability_changes_nothing():
    # The same uniform draw decides in or out either way, so announced visits whose out
    # probability equals the unannounced one give the very same run.
    base = make_scenario(visits={"out_probability": per_level(0.4)})
    announced = make_scenario(
        visits={
            "out_probability": per_level(0.4),
            "announced": per_level(True),
            "announced_out_probability": per_level(0.4),
        }
    )
    assert simulate(base).equals(simulate(announced))
    # ... and a lower announced probability finds more offenders in.
    fewer_out = make_scenario(
        visits={
            "out_probability": per_level(0.4),
            "announced": per_level(True),
            "announced_out_probability": per_level(0.1),
        }
    )
    frame = simulate(fewer_out)
    share = frame["visits_completed"].sum() / frame["visit_attempts"].sum()
    assert share > 0.8


def test_an_announced_visit_that_always_fails_must_take_time():
    with pytest.raises(ValidationError, match="announced_out_probability"):
        make_scenario(
            visits={
                "announced": {"low": True},
                "announced_out_probability": {**per_level(0.0), "low": 1.0},
                "retry_delay_days": 0,
                "travel_hours": 0,
                "failed_on_site_hours": 0,
                "write_up_hours": 0,
            }
        )


def test_announced_takes_true_or_false_and_names_a_mistyped_level():
    with pytest.raises(ScenarioError, match="did you mean 'medium'"):
        load_scenario("scenarios/small_example.yaml", ["visits.announced={medum: true}"])
    with pytest.raises(ScenarioError, match="visits.announced.low"):
        load_scenario("scenarios/small_example.yaml", ["visits.announced={low: sometimes}"])
    scenario = load_scenario("scenarios/small_example.yaml", ["visits.announced={low: yes}"])
    assert scenario.visits.announced.as_tuple() == (False, False, False, True)
