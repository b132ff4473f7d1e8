"""De-escalation: true risk falls one level at a yearly rate, unseen until the next contact.

With escalation and de-escalation, an offender's true level is a birth-death Markov chain on
the four levels, so over a long run the mix must settle at the chain's stationary mix, which
the test computes from the rates (detailed balance). The other tests are deterministic cases:
a found fall lowers the believed level, and the low-risk clock for reactive management starts
when the force learns of the fall.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import simulate
from pydantic import ValidationError
from scenario_factory import make_scenario, per_level

from sim.levels import LEVELS
from sim.model.offender import Offender
from sim.model.replication import Replication
from sim.records import DAILY_COLUMNS

# From very high (index 0) to low (index 3): rises from each level, falls from each level.
UP_PER_YEAR = (0.0, 2.0, 1.5, 1.0)
DOWN_PER_YEAR = (3.0, 2.5, 2.0, 0.0)


def _stationary_mix(up: tuple[float, ...], down: tuple[float, ...]) -> np.ndarray:
    """Detailed balance of the birth-death chain: pi[l] * down[l] = pi[l + 1] * up[l + 1]."""
    weights = [1.0]
    for level in range(len(up) - 1):
        weights.append(weights[-1] * down[level] / up[level + 1])
    pi = np.array(weights)
    return pi / pi.sum()


def _spectral_gap(up: tuple[float, ...], down: tuple[float, ...]) -> float:
    """The smallest non-zero rate at which the chain forgets where it started (per year)."""
    n = len(up)
    generator = np.zeros((n, n))
    for level in range(n):
        if level > 0:
            generator[level, level - 1] = up[level]
        if level < n - 1:
            generator[level, level + 1] = down[level]
        generator[level, level] = -generator[level].sum()
    rates = np.sort(-np.linalg.eigvals(generator).real)
    return float(rates[1])  # rates[0] is 0: the stationary mix


class _Watched(Replication):
    """A replication that keeps its offenders, so the test can read their true levels."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.offenders: list[Offender] = []

    def join(self, offender: Offender, *delays: float) -> None:
        self.offenders.append(offender)
        super().join(offender, *delays)


def test_true_risk_mix_converges_to_the_birth_death_chains_stationary_mix():
    # No staff, so nothing is ever found and nothing but the risk chain moves; no
    # registrations or exits. Offenders' chains are independent, so at the end the counts per
    # true level are multinomial(n, p) with p the chain's distribution at time T. Starting
    # from any mix, |p - pi| <= sqrt(pi_max / pi_min) * exp(-gap * T) (reversible chain), which
    # the test checks is negligible beside the sampling tolerance of 4.5 standard deviations.
    n, years = 3000, 10
    scenario = make_scenario(
        horizon_days=round(years * 365.25),
        population={
            "initial": {"size": n, "risk_mix": per_level(0.25)},
            "escalation_rate_per_year": dict(zip(LEVELS, UP_PER_YEAR, strict=True)),
            "deescalation_rate_per_year": dict(zip(LEVELS, DOWN_PER_YEAR, strict=True)),
        },
        staffing={"offender_managers": 0},
    )
    pi = _stationary_mix(UP_PER_YEAR, DOWN_PER_YEAR)
    gap = _spectral_gap(UP_PER_YEAR, DOWN_PER_YEAR)
    mixing_error = math.sqrt(pi.max() / pi.min()) * math.exp(-gap * (years - 0.01))
    sd = np.sqrt(pi * (1 - pi) / n)
    assert mixing_error < 0.05 * sd.min()

    world = _Watched(scenario, 0)
    world.populate()
    table = world.run()
    true_levels = np.array([offender.true_level for offender in world.offenders])
    observed = np.bincount(true_levels, minlength=len(LEVELS)) / n
    assert len(world.offenders) == n
    assert np.all(np.abs(observed - pi) < 4.5 * sd), (observed, pi)

    # Nothing was found, so every believed level is the starting one, and an offender is an
    # undetected escalation exactly when their true risk is above it (a fall back to the
    # believed level takes an unseen rise back).
    believed = np.array([offender.level for offender in world.offenders])
    assert np.array_equal(np.bincount(believed, minlength=4), [n // 4] * 4)
    undetected = table[-1, DAILY_COLUMNS.index("undetected_escalations")]
    assert undetected == int((true_levels < believed).sum())


def test_a_found_fall_lowers_the_believed_level():
    # Everyone starts high and falls to medium at 50 a year (no fall in the year has
    # probability exp(-50 * 360 / 365.25) ~ 1e-22); visits every 30 days find every fall, and
    # a fall is not an escalation, so none is counted.
    scenario = make_scenario(
        population={
            "initial": {"size": 50, "risk_mix": {"very_high": 0, "high": 1, "medium": 0, "low": 0}},
            "deescalation_rate_per_year": {**per_level(0.0), "high": 50.0},
        },
    )
    frame = simulate(scenario)
    last = frame.iloc[-1]
    assert last["population_medium"] == 50 and last["population_high"] == 0
    assert frame["escalations"].sum() == 0 and frame["escalations_detected"].sum() == 0
    assert (frame["undetected_escalations"] == 0).all()


def test_the_low_risk_clock_starts_when_the_force_learns_of_the_fall():
    # Everyone starts medium and falls to low at 50 a year, within days. Nobody is visited
    # until 100 officers join on day 200 (2024-07-19), when every (overdue) visit is done and
    # every fall found. Low risk for half a year (182.6 days) moves to reactive management:
    # counted from day 200, not from the fall or the start, nobody can be reactive before day
    # 382.6; visits every 30 days then make everyone reactive by day 200 + 182.6 + 30.
    scenario = make_scenario(
        horizon_days=450,
        population={
            "deescalation_rate_per_year": {**per_level(0.0), "medium": 50.0},
            "reactive_after_years": 0.5,
        },
        staffing={
            "offender_managers": 0,
            "changes": [{"date": "2024-07-19", "offender_managers": 100}],
        },
    )
    frame = simulate(scenario)
    found_day = 200
    before = frame["day"] < found_day
    assert (frame.loc[before, "population_medium"] == 50).all()
    assert (frame.loc[~before, "population_low"] == 50).all()
    assert (frame.loc[frame["day"] < found_day + 182.625, "reactive"] == 0).all()
    assert frame.iloc[-1]["reactive"] == 50


def test_low_risk_cannot_fall():
    with pytest.raises(ValidationError, match="low must be 0"):
        make_scenario(population={"deescalation_rate_per_year": per_level(0.1)})


def test_true_risk_paths_do_not_depend_on_staffing():
    # Common random numbers: rises and falls come from the offenders' own streams and are
    # booked whatever the force does, so two staffing levels see the same rises on the same
    # days (the believed levels, found at visits, differ).
    def run(managers: int):
        return simulate(
            make_scenario(
                horizon_days=720,
                population={
                    "initial": {"size": 200, "risk_mix": per_level(0.25)},
                    "registrations": {"per_year": 100, "risk_mix": per_level(0.25)},
                    "other_exit_rate_per_year": 0.2,
                    "escalation_rate_per_year": dict(zip(LEVELS, UP_PER_YEAR, strict=True)),
                    "deescalation_rate_per_year": dict(zip(LEVELS, DOWN_PER_YEAR, strict=True)),
                },
                visits={"out_probability": per_level(0.3)},
                staffing={"offender_managers": managers, "availability": 0.3},
            )
        )

    few, many = run(1), run(20)
    assert few["escalations"].sum() > 100
    assert few["escalations"].equals(many["escalations"])
    assert few["exits"].equals(many["exits"])
    assert not few["population_low"].equals(many["population_low"])
