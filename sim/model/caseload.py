"""Who is on the register: the starting caseload and the attributes of new registrations.

The starting caseload reproduces a force's position on the start date: the exact number of
offenders at each risk level (apportioned from the mix), the exact number already overdue for a
visit and for an assessment (spread from 1 day up to the oldest reported age, only at the levels
named), and everyone else with a next due date spread evenly over their coming interval (the
steady state of a periodic schedule). Alternatively ``population.initial_caseload`` names a
CSV of the force's own register (sim/caseload_file.py), which fixes all of that. Draws come
from process streams in offender-id order, so the same seed gives the same offenders whatever
policy is simulated.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from itertools import accumulate

import numpy as np

from sim.levels import LEVEL_INDEX, LOW, N_LEVELS
from sim.model.offender import Offender
from sim.scenario import DAYS_PER_YEAR, InitialOverdue, Scenario
from sim.scenario.caseload_file import read_caseload
from sim.scenario.distributions import UniformSource

__all__ = ["LifeDraws", "initial_offenders", "pick"]


def pick(cumulative_shares: tuple[float, ...], u: float) -> int:
    """The index a uniform ``u`` falls in, given cumulative shares (inverse of a discrete CDF)."""
    return min(bisect_right(cumulative_shares, u), len(cumulative_shares) - 1)


class LifeDraws:
    """Draws an offender's notification end and other-exit time, and risk-change times.

    The scalar draws (one new registration, one escalation) use only ``rng.random()``, so they
    work with a process stream or an offender stream alike; the array draws are for the
    starting caseload, drawn all at once from its numpy stream.
    """

    def __init__(self, scenario: Scenario) -> None:
        population = scenario.population
        periods = population.period_years()
        self._period_years = np.array([years for years, _ in periods])
        self._period_shares = np.array([share for _, share in periods])
        self._period_cumulative = tuple(accumulate(share for _, share in periods))
        self._exit_rate_per_day = population.other_exit_rate_per_year / DAYS_PER_YEAR
        self._escalation_per_day = np.array(
            [rate / DAYS_PER_YEAR for rate in population.escalation_rate_per_year.as_tuple()]
        )
        self._escalation_per_day_tuple = tuple(self._escalation_per_day.tolist())
        self._deescalation_per_day = np.array(
            [rate / DAYS_PER_YEAR for rate in population.deescalation_rate_per_year.as_tuple()]
        )
        self._deescalation_per_day_tuple = tuple(self._deescalation_per_day.tolist())
        # With no de-escalation the model draws and books nothing for it (old results kept).
        self.deescalates = any(rate > 0 for rate in self._deescalation_per_day_tuple)

    def exit_time(self, rng: UniformSource, now: float) -> float:
        """When a new registration leaves the register (``math.inf`` if never).

        The offender serves the whole notification period unless another exit (exponential
        at ``other_exit_rate_per_year``) comes first.
        """
        years = float(self._period_years[pick(self._period_cumulative, rng.random())])
        notification_end = now + years * DAYS_PER_YEAR
        if self._exit_rate_per_day > 0:
            other_exit = now - math.log(1.0 - rng.random()) / self._exit_rate_per_day
            return min(notification_end, other_exit)
        return notification_end

    def initial_exit_times(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Exit times of the starting caseload, whose time already served is unknown.

        The time left of each notification period is uniform over the period.
        """
        years = self._period_years[
            rng.choice(len(self._period_years), size=n, p=self._period_shares)
        ]
        served = rng.random(n)
        with np.errstate(invalid="ignore"):  # inf * 0 for an indefinite period drawn at 0
            left_days = np.where(np.isinf(years), np.inf, years * served * DAYS_PER_YEAR)
        if self._exit_rate_per_day > 0:
            other_exit = rng.exponential(1 / self._exit_rate_per_day, size=n)
            return np.minimum(left_days, other_exit)
        return left_days

    def other_exit_times(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Days until each of ``n`` offenders leaves for another reason (death, moving away)."""
        if self._exit_rate_per_day > 0:
            return rng.exponential(1 / self._exit_rate_per_day, size=n)
        return np.full(n, np.inf)

    def escalation_delay(self, rng: UniformSource, level: int) -> float:
        """Days until the true risk rises from ``level`` (``math.inf`` if it never does)."""
        rate = self._escalation_per_day_tuple[level]
        return -math.log(1.0 - rng.random()) / rate if rate > 0 else math.inf

    def escalation_delays(self, rng: np.random.Generator, levels: np.ndarray) -> np.ndarray:
        """First escalation delays for offenders at ``levels`` (``inf`` where the rate is 0)."""
        return self._delays(rng, self._escalation_per_day[levels])

    def deescalation_delay(self, rng: UniformSource, level: int) -> float:
        """Days until the true risk falls from ``level`` (``math.inf`` if it never does)."""
        rate = self._deescalation_per_day_tuple[level]
        return -math.log(1.0 - rng.random()) / rate if rate > 0 else math.inf

    def deescalation_delays(self, rng: np.random.Generator, levels: np.ndarray) -> np.ndarray:
        """First de-escalation delays for offenders at ``levels`` (``inf`` where the rate is 0)."""
        return self._delays(rng, self._deescalation_per_day[levels])

    @staticmethod
    def _delays(rng: np.random.Generator, rates: np.ndarray) -> np.ndarray:
        standard = rng.standard_exponential(len(rates))
        with np.errstate(divide="ignore"):
            delays: np.ndarray = np.where(rates > 0, standard / rates, np.inf)
        return delays


def _overdue_days(rng: np.random.Generator, spec: InitialOverdue) -> np.ndarray:
    """Days overdue for each overdue item: the oldest exactly ``max_days_overdue``."""
    days = rng.integers(1, spec.max_days_overdue + 1, size=spec.count)
    if spec.count:
        days[0] = spec.max_days_overdue
    return days


def _choose_overdue(
    rng: np.random.Generator, levels: np.ndarray, spec: InitialOverdue | None
) -> dict[int, int]:
    """Map offender index -> days overdue for the offenders chosen to start overdue."""
    if spec is None or spec.count == 0:
        return {}
    allowed = np.isin(levels, [LEVEL_INDEX[name] for name in spec.levels])
    chosen = rng.choice(np.flatnonzero(allowed), size=spec.count, replace=False)
    return dict(zip(chosen.tolist(), _overdue_days(rng, spec).tolist(), strict=True))


def initial_offenders(
    scenario: Scenario, rng: np.random.Generator, life: LifeDraws
) -> list[Offender]:
    """The register on day 0, due dates set; overdue flags are applied by the model."""
    if scenario.population.initial_caseload is not None:
        return _offenders_from_file(scenario, rng, life)
    initial = scenario.population.initial
    if initial is None:  # pragma: no cover - the scenario requires counts or a caseload file
        raise ValueError("the scenario gives neither population.initial nor a caseload file")
    levels = np.repeat(np.arange(N_LEVELS), initial.level_counts())
    visit_intervals = scenario.visits.interval_days.as_tuple()
    assessment_intervals = scenario.assessments.interval_days.as_tuple()
    overdue_visit = _choose_overdue(rng, levels, initial.overdue_visits)
    overdue_assessment = _choose_overdue(rng, levels, initial.overdue_assessments)

    low_candidates = [i for i in np.flatnonzero(levels == LOW).tolist() if i not in overdue_visit]
    n_reactive = round(initial.reactive_share_of_low * int((levels == LOW).sum()))
    n_reactive = min(n_reactive, len(low_candidates))
    reactive = set(
        rng.choice(low_candidates, size=n_reactive, replace=False).tolist() if n_reactive else []
    )
    reactive_after_days = (
        None
        if scenario.population.reactive_after_years is None
        else scenario.population.reactive_after_years * DAYS_PER_YEAR
    )

    # Everyone's draws at once (a national caseload is tens of thousands of offenders).
    n = len(levels)
    exit_times = life.initial_exit_times(rng, n).tolist()
    visit_due = rng.integers(0, np.array(visit_intervals)[levels]).tolist()
    assessment_due = rng.integers(0, np.array(assessment_intervals)[levels]).tolist()
    low_since = (
        None if reactive_after_days is None else (-reactive_after_days * rng.random(n)).tolist()
    )

    offenders = []
    for index, level in enumerate(levels.tolist()):
        offender = Offender(index, level, exit_times[index])
        days_overdue = overdue_visit.get(index)
        offender.visit_due_day = visit_due[index] if days_overdue is None else -days_overdue
        days_overdue = overdue_assessment.get(index)
        offender.assessment_due_day = (
            assessment_due[index] if days_overdue is None else -days_overdue
        )
        if level == LOW:
            offender.reactive = index in reactive
            if low_since is not None:
                offender.low_since_day = low_since[index]
        offenders.append(offender)
    return offenders


def _offenders_from_file(
    scenario: Scenario, rng: np.random.Generator, life: LifeDraws
) -> list[Offender]:
    """The register as the force's caseload file gives it (see sim/caseload_file.py).

    The file fixes each offender's level, due dates, notification end and reactive status.
    What it cannot know is drawn as for a register given by counts: other exits (death,
    moving away) and, for low-risk offenders, how long they have been low risk.
    """
    caseload_path = scenario.population.initial_caseload
    if caseload_path is None:  # pragma: no cover - only called when the scenario names a file
        raise ValueError("the scenario names no caseload file")
    rows = read_caseload(
        caseload_path,
        scenario.start_date,
        scenario.visits.interval_days.as_tuple(),
    )
    n = len(rows)
    other_exits = life.other_exit_times(rng, n).tolist()
    years = scenario.population.reactive_after_years
    low_since = None if years is None else (-years * DAYS_PER_YEAR * rng.random(n)).tolist()
    offenders = []
    for index, row in enumerate(rows):
        offender = Offender(index, row.level, min(row.notification_end_day, other_exits[index]))
        offender.reactive = row.visit_due_day is None
        offender.visit_due_day = 0 if row.visit_due_day is None else row.visit_due_day
        offender.assessment_due_day = row.assessment_due_day
        if row.level == LOW and low_since is not None:
            offender.low_since_day = low_since[index]
        offenders.append(offender)
    return offenders
