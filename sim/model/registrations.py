"""New registrations: a Poisson process whose rate may grow or follow a dated schedule.

The rate is ``per_year`` at the start date growing by ``growth_per_year`` compounded (or, with a
schedule, stepping to each period's rate on its date). Arrivals are drawn by thinning: candidate
times at the highest rate over the horizon, each kept with probability rate(t) / highest rate,
which gives an exact non-homogeneous Poisson process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sim.scenario import DAYS_PER_YEAR, Scenario

if TYPE_CHECKING:
    from sim.model.replication import World

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

    def rate(t: float) -> float:
        return base * growth ** (t / DAYS_PER_YEAR)

    return rate, max(rate(0.0), rate(float(horizon)))


def registration_arrivals(world: World):
    """SimPy process: register new offenders at the scenario's (time-varying) rate."""
    env = world.env
    rate, highest = rate_per_day(world.scenario)
    if highest <= 0:
        return
    rng = world.streams.process("registrations.arrivals")
    while True:
        gap = rng.exponential(1.0 / highest)
        if env.now + gap >= world.horizon_days:
            return
        yield env.timeout(gap)
        if rng.random() * highest < rate(env.now):
            world.register_new()
