"""Observations refuse NaN, infinity and numbers as dates (red-team finding 9): a figure that is
not finite can never be "within" anything, and 1714521600 is not 2024-05-01."""

from __future__ import annotations

import pytest
from repo import SMALL

from sim.scenario.file import ScenarioError, load_scenario


@pytest.mark.parametrize(
    ("observation", "field"),
    [
        ("{metric: overdue_visits, date: 2024-05-01, value: .nan}", "observations.0.value"),
        ("{metric: overdue_visits, date: 2024-05-01, value: -.inf}", "observations.0.value"),
        (
            "{metric: overdue_visits, date: 2024-05-01, value: 3, tolerance: {absolute: .inf}}",
            "observations.0.tolerance.absolute",
        ),
        (
            "{metric: overdue_visits, date: 2024-05-01, value: 3, tolerance: {relative: .nan}}",
            "observations.0.tolerance.relative",
        ),
        ("{metric: overdue_visits, date: 1714521600, value: 3}", "observations.0.date"),
        (
            "{metric: visit_attempts, from_date: 1714000000.5, date: 2024-05-01, value: 3}",
            "observations.0.from_date",
        ),
    ],
)
def test_observations_refuse_non_finite_values_and_numeric_dates(observation, field):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(SMALL, [f"observations=[{observation}]"])
    assert field in str(caught.value)


def test_a_finite_observation_still_validates():
    load_scenario(
        SMALL,
        ["observations=[{metric: overdue_visits, date: 2024-05-01, value: 3, tolerance: 0.2}]"],
    )
