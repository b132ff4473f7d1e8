"""Random streams: one uniform per draw, per-offender streams, luck kept in step across variants.

These properties are what make common random numbers work: if two variants of a scenario
consume an offender's numbers differently, their comparison mixes policy with chance.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import simulate
from scenario_factory import make_scenario, per_level

from sim.model.streams import Streams
from sim.scenario.distributions import Exponential, Fixed, LogNormal, Triangular, Uniform


class CountingUniforms:
    """A uniform source that counts how many numbers were taken from it."""

    def __init__(self) -> None:
        self.taken = 0
        self._rng = np.random.default_rng(0)

    def random(self) -> float:
        self.taken += 1
        return float(self._rng.random())


@pytest.mark.parametrize(
    "distribution",
    [
        Fixed(value=2.0),
        Uniform(dist="uniform", low=1.0, high=3.0),
        Triangular(dist="triangular", low=1.0, mode=2.0, high=3.0),
        Triangular(dist="triangular", low=2.0, mode=2.0, high=2.0),
        Exponential(dist="exponential", mean=2.0),
        LogNormal(dist="lognormal", mean=2.0, sd=0.5),
    ],
    ids=lambda d: f"{d.dist}",
)
def test_every_distribution_takes_exactly_one_number_per_draw(distribution):
    # One number per draw whatever the shape: swapping a fixed duration for a random one
    # must not shift the numbers that later draws of the same stream receive.
    source = CountingUniforms()
    for _ in range(50):
        distribution.sample(source)
    assert source.taken == 50


def test_inverse_transform_draws_have_the_stated_means():
    # By the law of large numbers the mean of 40,000 draws is within a few standard errors
    # (sd / 200) of the stated mean: exponential sd = mean, lognormal sd given, uniform
    # sd = 2 / sqrt(12), triangular sd = sqrt(1/6) for (1, 2, 3).
    rng = np.random.default_rng(1)
    for distribution, sd in [
        (Uniform(dist="uniform", low=1.0, high=3.0), 2 / 12**0.5),
        (Triangular(dist="triangular", low=1.0, mode=2.0, high=3.0), (1 / 6) ** 0.5),
        (Exponential(dist="exponential", mean=2.0), 2.0),
        (LogNormal(dist="lognormal", mean=2.0, sd=0.5), 0.5),
    ]:
        draws = np.array([distribution.sample(rng) for _ in range(40_000)])
        assert abs(draws.mean() - distribution.mean) < 4 * sd / 200, distribution
        assert abs(draws.std() - sd) < 0.05 * sd, distribution


def test_offender_streams_are_keyed_by_name_and_id():
    streams = Streams(seed=5, replication=0)
    first = [streams.offender("visit", 17).random() for _ in range(3)]
    again = [Streams(seed=5, replication=0).offender("visit", 17).random() for _ in range(3)]
    assert first == again  # the same key gives the same stream, whatever was created before
    others = [
        streams.offender("visit", 18).random(),
        streams.offender("assessment.work", 17).random(),
        Streams(seed=5, replication=1).offender("visit", 17).random(),
        Streams(seed=6, replication=0).offender("visit", 17).random(),
    ]
    assert len({first[0], *others}) == 5  # another id, name, replication or seed differs


def _luck_scenario(**visit_changes):
    """Half the attempts fail; ample staff, so every attempt happens as soon as it may."""
    return make_scenario(
        population={"initial": {"size": 80}},
        visits={
            "out_probability": per_level(0.5),
            "retry_delay_days": {"dist": "uniform", "low": 1, "high": 5},
            **visit_changes,
        },
        horizon_days=200,
    )


def test_visit_luck_does_not_depend_on_police_action_probability():
    # Police action adds hours to a completed visit and brings an assessment forward, but with
    # ample staff nobody waits, so each offender's attempts happen on the same days and find
    # them in or out with the same numbers: identical attempts and completions, day by day.
    # (If police-action draws were taken only when needed, every later retry delay would
    # shift and the days would differ.)
    without = simulate(_luck_scenario(police_action_probability=per_level(0.0)))
    with_action = simulate(_luck_scenario(police_action_probability=per_level(0.6)))
    assert with_action["police_actions"].sum() > 0
    for column in ("visit_attempts", "visits_completed"):
        assert (without[column].to_numpy() == with_action[column].to_numpy()).all(), column
