"""Rules between fields that keep the model finite: each refused at the edge, its neighbour not.

* A visit or assessment window must be shorter than its interval. Work joins the queue
  ``window_days`` before its due date, and a completion sets the next due date an interval
  later, so with a window as long as the interval the next visit joins the queue the moment
  the last one is done: back-to-back visits, thousands a month for a few offenders.
* An offender who is always out, when a failed attempt and the retry delay both take no time,
  would be retried forever at one instant: the run would never end.

Each rule is checked at its boundary (window = interval refused, window = interval - 1
accepted), at every level, so a check that compares with ``>`` instead of ``>=``, or looks at
one level only, fails here.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from scenario_factory import ALL_LEVELS, make_scenario, per_level

from sim.scenario import Scenario

INTERVALS = {"very_high": 30, "high": 60, "medium": 90, "low": 120}


@pytest.mark.parametrize("section", ["visits", "assessments"])
@pytest.mark.parametrize("level", ALL_LEVELS)
def test_a_window_as_long_as_the_interval_is_refused(section, level):
    windows = {name: INTERVALS[name] - 1 for name in ALL_LEVELS}
    longest = make_scenario(**{section: {"interval_days": INTERVALS, "window_days": windows}})
    assert getattr(longest, section).window_days.as_tuple() == tuple(
        INTERVALS[name] - 1 for name in ALL_LEVELS
    )
    windows[level] = INTERVALS[level]
    with pytest.raises(ValidationError, match=f"window_days.{level} .* must be less than"):
        make_scenario(**{section: {"interval_days": INTERVALS, "window_days": windows}})


def test_one_window_for_every_level_is_checked_against_the_shortest_interval():
    make_scenario(visits={"interval_days": INTERVALS, "window_days": 29})
    with pytest.raises(ValidationError, match="window_days.very_high"):
        make_scenario(visits={"interval_days": INTERVALS, "window_days": 30})


NEVER_IN = {"out_probability": {**per_level(0.0), "low": 1.0}}
NO_TIME = {
    "travel_hours": 0.0,
    "failed_on_site_hours": 0.0,
    "write_up_hours": 0.0,
    "retry_delay_days": 0.0,
}


def test_an_endless_instant_of_failed_attempts_is_refused():
    with pytest.raises(ValidationError, match="must take some time"):
        make_scenario(visits={**NEVER_IN, **NO_TIME})


@pytest.mark.parametrize("takes_time", sorted(NO_TIME))
def test_any_part_of_a_failed_attempt_taking_time_is_enough(takes_time):
    scenario = make_scenario(visits={**NEVER_IN, **NO_TIME, takes_time: 0.5})
    assert isinstance(scenario, Scenario)


def test_zero_time_attempts_are_fine_when_nobody_is_always_out():
    # out 0.99 at every level: every visit is eventually completed, so nothing loops forever
    scenario = make_scenario(visits={"out_probability": per_level(0.99), **NO_TIME})
    assert isinstance(scenario, Scenario)


def test_the_starting_register_is_apportioned_by_largest_remainder():
    # 10 offenders at 12/28/35/25%: 1.2, 2.8, 3.5 and 2.5 give 1, 2, 3, 2 (8) and the two
    # left go to the largest remainders: high (0.8), then medium (0.5, before low's 0.5).
    scenario = make_scenario(
        population={
            "initial": {
                "size": 10,
                "risk_mix": {"very_high": 0.12, "high": 0.28, "medium": 0.35, "low": 0.25},
            }
        }
    )
    assert scenario.population.initial.level_counts() == (1, 3, 4, 2)


@pytest.mark.parametrize("count, accepted", [(20, True), (21, False)])
def test_a_starting_backlog_must_fit_the_levels_it_is_in(count, accepted):
    # 50 offenders, 40% low: 20 low-risk offenders, so at most 20 can start overdue there
    change = {
        "initial": {
            "risk_mix": {"very_high": 0.0, "high": 0.0, "medium": 0.6, "low": 0.4},
            "overdue_visits": {"count": count, "max_days_overdue": 5, "levels": ["low"]},
        }
    }
    if accepted:
        make_scenario(population=change)
    else:
        with pytest.raises(ValidationError, match="only 20 offenders are at levels"):
            make_scenario(population=change)


@pytest.mark.parametrize(
    "periods, accepted",
    [
        ({"indefinite": 0.5, "10": 0.5}, True),
        ({"indefinite": 0.5, "10": 0.49}, False),  # short of 1
        ({"indefinite": 0.5, "10": 0.51}, False),  # over 1
        ({"indefinite": 0.5, "100": 0.5}, True),
        ({"indefinite": 0.5, "0": 0.5}, False),
        ({"indefinite": 0.5, "100.5": 0.5}, False),
    ],
)
def test_notification_periods_are_shares_of_whole_positive_periods(periods, accepted):
    change = {"notification_periods": periods}
    if accepted:
        make_scenario(population=change)
    else:
        with pytest.raises(ValidationError, match="notification_periods"):
            make_scenario(population=change)


@pytest.mark.parametrize("very_high, accepted", [(0.0, True), (0.5, False), (100.0, False)])
def test_very_high_risk_cannot_escalate(very_high, accepted):
    change = {"escalation_rate_per_year": {**per_level(1.0), "very_high": very_high}}
    if accepted:
        make_scenario(population=change)
    else:
        with pytest.raises(ValidationError, match="very_high must be 0"):
            make_scenario(population=change)
