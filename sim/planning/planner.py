"""The staffing planner: the least a force needs to meet a target by a date, with confidence.

Every option is evaluated on the same replications (same seeds, same per-offender streams), so
options differ only by the lever: common random numbers. Under them, more officers can only
help each replication meet the target (up to noise in the order work is done), so the share of
replications meeting it rises with the lever and a bisection finds the boundary in about
log2(range) evaluations instead of a sweep of the whole range.

* One ordered lever (a number or a date): :meth:`Planner.search` returns the value nearest the
  cheap end of the range (fewest officers, latest recruitment date) whose probability of meeting
  the target is at least the confidence, and the probability at its neighbour, which does not.
* Several levers: :meth:`Planner.pareto` bisects the first ordered lever for each combination of
  the others and returns every evaluated option, marking those no other option dominates in
  (staff hours per week lower, probability higher, lone visits fewer).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from scipy import stats

from sim.experiments.variants import apply_changes
from sim.planning.levers import Lever, apply_levers
from sim.planning.targets import Target, meets_targets
from sim.scenario import Scenario

__all__ = [
    "Evaluate",
    "Option",
    "SearchResult",
    "Planner",
    "serial_evaluate",
    "staff_hours_per_week",
    "non_dominated",
]

Evaluate = Callable[[Scenario, int], pd.DataFrame]
"""Run replications 0..n-1 of a scenario and return their trajectories (tidy frame)."""


def serial_evaluate(scenario: Scenario, replications: int) -> pd.DataFrame:
    """The plain evaluator: replications one after another in this process."""
    from sim.analysis.metrics import total_only, trajectories
    from sim.experiments.batch import run_replications

    records = run_replications(scenario, replications)
    return total_only(trajectories(records, scenario.start_date))


def staff_hours_per_week(scenario: Scenario, frame: pd.DataFrame) -> float:
    """Contracted casework hours per week, averaged over the simulated days and replications.

    Offender managers count in full, sergeants for the share of their time that may go to
    assessments; a week has as many working days as the scenario's calendar. This is before
    availability (leave, sickness, other duties): it is the staff a force pays for.
    """
    staffing = scenario.staffing
    per_day = frame["offender_managers"] + frame["sergeants"] * staffing.sergeant_assessment_share
    return float(per_day.mean() * staffing.hours_per_day * len(staffing.working_days))


@dataclass(frozen=True)
class Option:
    """One evaluated setting of the levers."""

    settings: tuple[tuple[str, Any], ...]
    replications: int
    met: int
    staff_hours_per_week: float
    lone_visits: float
    target_means: tuple[tuple[str, float], ...]

    @property
    def probability(self) -> float:
        return self.met / self.replications

    @property
    def interval(self) -> tuple[float, float]:
        """Exact (Clopper-Pearson) 95% interval of the probability."""
        ci = stats.binomtest(self.met, self.replications).proportion_ci(0.95, method="exact")
        return float(ci.low), float(ci.high)

    def value(self, lever: str) -> Any:
        return dict(self.settings)[lever]


@dataclass
class SearchResult:
    """What the search for one ordered lever found."""

    lever: Lever
    chosen: Option | None  # None: not even the best end of the range meets the target
    neighbour: Option | None  # the next value toward the cheap end, which does not meet it
    evaluated: list[Option] = field(default_factory=list)
    monotone: bool = True  # False if an evaluated pair contradicts the assumed order


def non_dominated(options: Sequence[Option], with_lone_visits: bool) -> list[Option]:
    """Options no other option beats on every objective and strictly on one.

    Objectives: fewer staff hours per week, a higher probability of meeting the target and,
    when visit policy is a lever, fewer lone visits.
    """

    def objectives(option: Option) -> tuple[float, ...]:
        values = (option.staff_hours_per_week, -option.probability)
        return values + ((option.lone_visits,) if with_lone_visits else ())

    keyed = [(objectives(o), o) for o in options]
    front = []
    for mine, option in keyed:
        dominated = any(
            all(a <= b for a, b in zip(theirs, mine, strict=True)) and theirs != mine
            for theirs, _ in keyed
        )
        if not dominated:
            front.append(option)
    return front


class Planner:
    """Evaluates lever settings for one scenario, target and date, remembering every result."""

    def __init__(
        self,
        scenario: Scenario,
        targets: Sequence[Target],
        by: date,
        confidence: float,
        replications: int,
        *,
        evaluate: Evaluate = serial_evaluate,
        on_evaluated: Callable[[Option], None] | None = None,
    ) -> None:
        if not 0 < confidence <= 1:
            raise ValueError("confidence must be in (0, 1]")
        self.scenario = _horizon_to(scenario, by)
        self.targets = tuple(targets)
        self.by = by
        self.confidence = confidence
        self.replications = replications
        self._evaluate = evaluate
        self._on_evaluated = on_evaluated
        self._cache: dict[tuple, Option] = {}

    @property
    def evaluations(self) -> int:
        """How many settings of the levers were evaluated."""
        return len(self._cache)

    @property
    def options(self) -> list[Option]:
        """Every evaluated option, in the order they were evaluated."""
        return list(self._cache.values())

    def option(self, settings: dict[Lever, Any]) -> Option:
        """Evaluate one setting of the levers (once; later calls reuse the result)."""
        key = tuple((lever.name, _hashable(value)) for lever, value in settings.items())
        if key not in self._cache:
            scenario = apply_levers(self.scenario, settings)
            frame = self._evaluate(scenario, self.replications)
            met = meets_targets(frame, self.targets, self.by)
            on_date = frame[pd.to_datetime(frame["date"]) == pd.Timestamp(self.by)]
            self._cache[key] = Option(
                settings=tuple((lever.name, value) for lever, value in settings.items()),
                replications=self.replications,
                met=int(met.sum()),
                staff_hours_per_week=staff_hours_per_week(scenario, frame),
                lone_visits=float(frame.groupby("replication")["lone_visit_attempts"].sum().mean()),
                target_means=tuple(
                    (target.metric, float(on_date[target.metric].mean())) for target in self.targets
                ),
            )
            if self._on_evaluated is not None:
                self._on_evaluated(self._cache[key])
        return self._cache[key]

    def meets(self, option: Option) -> bool:
        return option.probability >= self.confidence

    def search(self, lever: Lever, fixed: dict[Lever, Any] | None = None) -> SearchResult:
        """Bisect an ordered lever for the cheapest value meeting the target with confidence.

        The cheap end is the low end for numbers (fewer staff) and the late end for dates
        (recruiting later). The good end is the one with the higher probability; if the cheap end
        already meets the target it is the answer, and if the good end does not, nothing in the
        range does.
        """
        if not lever.ordered:
            raise ValueError(f"{lever.name} is a list of choices, not a range to search")
        fixed = dict(fixed or {})
        values = lever.values
        at = lambda i: self.option({**fixed, lever: values[i]})  # noqa: E731
        cheap, good = (len(values) - 1, 0) if lever.is_date else (0, len(values) - 1)
        evaluated_before = len(self._cache)
        cheap_option, good_option = at(cheap), at(good)
        if cheap_option.probability > good_option.probability:
            cheap, good = good, cheap
            cheap_option, good_option = good_option, cheap_option
        result = SearchResult(lever, None, None)
        if self.meets(cheap_option):
            result.chosen = cheap_option
        elif self.meets(good_option):
            failing, meeting = cheap, good
            while abs(meeting - failing) > 1:
                middle = (failing + meeting) // 2
                if self.meets(at(middle)):
                    meeting = middle
                else:
                    failing = middle
            result.chosen, result.neighbour = at(meeting), at(failing)
        result.evaluated = [self._cache[key] for key in list(self._cache)[evaluated_before:]] or [
            cheap_option,
            good_option,
        ]
        result.monotone = _is_monotone(result.evaluated, lever, cheap < good)
        return result

    def pareto(self, levers: Sequence[Lever]) -> tuple[list[Option], list[Option]]:
        """Every evaluated option and the non-dominated ones, over all lever combinations.

        The first ordered lever is bisected for each combination of the other levers' values,
        so the number of evaluations is (combinations of the others) x ~log2(its range).
        """
        searched = next((lever for lever in levers if lever.ordered), None)
        others = [lever for lever in levers if lever is not searched]
        for combination in itertools.product(*(lever.values for lever in others)):
            fixed = dict(zip(others, combination, strict=True))
            if searched is None:
                self.option(fixed)
            else:
                self.search(searched, fixed)
        options = self.options
        with_lone = any(lever.path[-1] == "officers_per_visit" for lever in levers)
        return options, non_dominated(options, with_lone)


def _hashable(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    return value


def _is_monotone(options: Sequence[Option], lever: Lever, good_is_high: bool) -> bool:
    """True if probability never falls as the lever moves toward its good end."""
    position = {_hashable(v): i for i, v in enumerate(lever.values)}
    ordered = sorted(options, key=lambda o: position[_hashable(o.value(lever.name))])
    if not good_is_high:
        ordered.reverse()
    probabilities = [o.probability for o in ordered]
    return all(a <= b for a, b in itertools.pairwise(probabilities))


def _horizon_to(scenario: Scenario, by: date) -> Scenario:
    """Simulate exactly up to the target date: later days cannot change whether it is met."""
    days = (by - scenario.start_date).days + 1
    if days < 1:
        raise ValueError(
            f"the target date {by} is before the scenario starts ({scenario.start_date})"
        )
    # a ScenarioError naming --by if the days break a limit (e.g. --by 2099-06-01)
    return apply_changes(scenario, {"horizon_days": days}, f"--by {by}")
