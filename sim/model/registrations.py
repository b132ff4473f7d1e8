"""New registrations: a Poisson process whose rate may grow or follow a dated schedule.

The rate is ``per_year`` at the start date growing by ``growth_per_year`` compounded (or, with a
schedule, stepping to each period's rate on its date). Arrivals are drawn by thinning: candidate
times at the highest rate over the horizon, each kept with probability rate(t) / highest rate,
which gives an exact non-homogeneous Poisson process.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import simpy

from sim.model.immediate import ProcessGenerator
from sim.scenario import DAYS_PER_YEAR, Scenario

__all__ = ["rate_per_day", "registration_arrivals"]


def rate_per_day(scenario: Scenario) -> tuple[Callable[[float], float], float]:
    """The registration rate as a function of simulated time, and its maximum on the horizon."""
    registrations = scenario.population.registrations
    horizon = scenario.horizon_days
    if registrations.schedule:
        steps = [(0.0, registrations.per_year / DAYS_PER_YEAR)] + [
            ((p.from_date - scenario.start_date).days, p.per_year / DAYS_PER_YEAR)
            for p in registrations.schedule
        ]

        def rate(t: float) -> float:
            current = steps[0][1]
            for start, value in steps:
                if t >= start:
                    current = value
            return current

        in_horizon = [value for start, value in steps if start < horizon]
        return rate, max([rate(0.0), *in_horizon])

    base = registrations.per_year / DAYS_PER_YEAR
    growth = 1.0 + registrations.growth_per_year

    def growing_rate(t: float) -> float:
        return float(base * growth ** (t / DAYS_PER_YEAR))

    return growing_rate, max(growing_rate(0.0), growing_rate(float(horizon)))


def registration_arrivals(
    env: simpy.Environment,
    scenario: Scenario,
    rng: np.random.Generator,
    register_new: Callable[[], None],
) -> ProcessGenerator:
    """SimPy process: call ``register_new()`` at each new registration, at the scenario's rate."""
    rate, highest = rate_per_day(scenario)
    if highest <= 0:
        return
    while True:
        gap = rng.exponential(1.0 / highest)
        if env.now + gap >= scenario.horizon_days:
            return
        yield env.timeout(gap)
        if rng.random() * highest < rate(env.now):
            register_new()
