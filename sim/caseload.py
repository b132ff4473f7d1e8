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

import numpy as np

from .caseload_file import read_caseload
from .config import InitialOverdue, Scenario
from .levels import LEVEL_INDEX, LOW, N_LEVELS
from .offender import Offender

__all__ = ["LifeDraws", "initial_offenders"]

DAYS_PER_YEAR = 365.25


class LifeDraws:
    """Draws an offender's notification end and other-exit time, and first escalation time."""

    def __init__(self, scenario: Scenario) -> None:
        population = scenario.population
        periods = population.period_years()
        self._period_years = np.array([years for years, _ in periods])
        self._period_shares = np.array([share for _, share in periods])
        self._exit_rate_per_day = population.other_exit_rate_per_year / DAYS_PER_YEAR
        self._escalation_per_day = tuple(
            rate / DAYS_PER_YEAR for rate in population.escalation_rate_per_year.as_tuple()
        )

    def exit_time(self, rng: np.random.Generator, now: float, already_served: bool) -> float:
        """When the offender leaves the register (``math.inf`` if never).

        New registrations serve their whole notification period; for the starting caseload
        the time already served is unknown, so the time left is uniform over the period.
        """
        years = self._period_years[rng.choice(len(self._period_years), p=self._period_shares)]
        if math.isinf(years):
            notification_end = math.inf
        else:
            left = years * (rng.random() if already_served else 1.0)
            notification_end = now + left * DAYS_PER_YEAR
        return min(notification_end, self.other_exit_time(rng, now))

    def other_exit_time(self, rng: np.random.Generator, now: float) -> float:
        """When the offender leaves for another reason (death, moving away, custody)."""
        if self._exit_rate_per_day > 0:
            return now + rng.exponential(1 / self._exit_rate_per_day)
        return math.inf

    def escalation_delay(self, rng: np.random.Generator, level: int) -> float:
        """Days until the true risk rises from ``level`` (``math.inf`` if it never does)."""
        rate = self._escalation_per_day[level]
        return rng.exponential(1 / rate) if rate > 0 else math.inf


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

    offenders = []
    for index, level in enumerate(levels.tolist()):
        offender = Offender(index, level, life.exit_time(rng, 0.0, already_served=True))
        if index in overdue_visit:
            offender.visit_due_day = -overdue_visit[index]
        else:
            offender.visit_due_day = int(rng.integers(0, visit_intervals[level]))
        if index in overdue_assessment:
            offender.assessment_due_day = -overdue_assessment[index]
        else:
            offender.assessment_due_day = int(rng.integers(0, assessment_intervals[level]))
        if level == LOW:
            offender.reactive = index in reactive
            if reactive_after_days is not None:
                offender.low_since_day = -rng.random() * reactive_after_days
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
    rows = read_caseload(
        scenario.population.initial_caseload,
        scenario.start_date,
        scenario.visits.interval_days.as_tuple(),
    )
    years = scenario.population.reactive_after_years
    reactive_after_days = None if years is None else years * DAYS_PER_YEAR
    offenders = []
    for index, row in enumerate(rows):
        exit_time = min(row.notification_end_day, life.other_exit_time(rng, 0.0))
        offender = Offender(index, row.level, exit_time)
        offender.reactive = row.visit_due_day is None
        offender.visit_due_day = 0 if row.visit_due_day is None else row.visit_due_day
        offender.assessment_due_day = row.assessment_due_day
        if row.level == LOW and reactive_after_days is not None:
            offender.low_since_day = -rng.random() * reactive_after_days
        offenders.append(offender)
    return offenders
