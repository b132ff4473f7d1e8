"""Fit unknown scenario parameters to the scenario's observations (the calibrate command).

The objective is the loss of sim/calibration.py: the sum over observations of the squared
error of the simulated mean, in units of each observation's tolerance. Every evaluation runs
the *same* replications (same seed, replications 0..n-1), so two evaluations differ only
through the parameters and not through luck: common random numbers. That turns a noisy
objective into a deterministic one that is smooth at the scale that matters (it still moves in
tiny steps, because the order of events changes discretely).

The search, in the unit box of the parameter ranges:

1. **Screening**: a scrambled Latin hypercube of points (scipy.stats.qmc), plus the
   scenario's own values when they lie in the ranges, so a poor starting guess cannot trap the
   fit in a far-off valley.
2. **Polishing**: Nelder-Mead (scipy.optimize.minimize, with bounds) from the best point
   found, with a simplex a fifth of each range wide. Nelder-Mead needs no gradients and
   tolerates the small steps of a simulated objective; with the few parameters a force does
   not know (2 to 5), it converges in a few dozen evaluations.

docs/calibration.md explains why this was chosen over approximate Bayesian computation.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.metrics import trajectories as to_trajectories
from sim.calibration.fit_table import UNDEFINED_PENALTY, fit_table, loss
from sim.experiments.batch import run_replications
from sim.records import DailyRecord
from sim.scenario import Scenario
from sim.scenario.file import Problem, ScenarioError, apply_overrides, parse_scenario

__all__ = [
    "Evaluation",
    "FitResult",
    "Objective",
    "Parameter",
    "fit",
    "parse_parameter",
    "start_values",
]

Simulator = Callable[[Scenario, int], list[DailyRecord]]


@dataclass(frozen=True)
class Parameter:
    """A scenario field to fit, searched between ``low`` and ``high``."""

    path: str
    low: float
    high: float
    integer: bool = False

    def value_at(self, unit: float) -> float | int:
        """The parameter's value at position ``unit`` (0 to 1) of its range."""
        value = self.low + float(np.clip(unit, 0.0, 1.0)) * (self.high - self.low)
        return int(round(value)) if self.integer else float(value)

    def unit_of(self, value: float) -> float:
        return (value - self.low) / (self.high - self.low)


def _lookup(data: dict, path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def parse_parameter(text: str, data: dict[str, Any]) -> Parameter:
    """Parse ``KEY=LOW:HIGH`` against the scenario's data (the field must hold a number)."""
    source = f"--param {text}"
    key, sep, bounds = text.partition("=")
    key = key.strip()
    low_text, colon, high_text = bounds.partition(":")
    if not sep or not key or not colon:
        raise ScenarioError([Problem(source, key, text, "write --param dotted.key=LOW:HIGH")])
    try:
        low, high = float(low_text), float(high_text)
    except ValueError:
        raise ScenarioError(
            [Problem(source, key, bounds, "LOW and HIGH must be numbers, e.g. 0.4:0.9")]
        ) from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ScenarioError([Problem(source, key, bounds, "LOW must be less than HIGH")])
    current = _lookup(data, key)
    if current is None:
        parent, _, last = key.rpartition(".")
        holder = _lookup(data, parent) if parent else data
        if not (isinstance(holder, (int, float)) and not isinstance(holder, bool)):
            raise ScenarioError(
                [Problem(source, key, "", "no such field holds a number in the scenario")]
            )
        current = holder  # one number for every level, fitted at one level
    if isinstance(current, bool) or not isinstance(current, (int, float)):
        raise ScenarioError(
            [
                Problem(
                    source,
                    key,
                    repr(current),
                    "the field must be a number (for a distribution, fit one of its "
                    "numbers, e.g. visits.travel_hours.mean)",
                )
            ]
        )
    integer = isinstance(current, int) and low.is_integer() and high.is_integer()
    return Parameter(key, low, high, integer)


@dataclass(frozen=True)
class Evaluation:
    """One run of the objective."""

    index: int
    stage: str
    values: tuple[float, ...]
    loss: float


@dataclass
class FitResult:
    parameters: tuple[Parameter, ...]
    start: tuple[float, ...]
    best: tuple[float, ...]
    best_loss: float
    table: pd.DataFrame
    scenario: Scenario
    data: dict[str, Any]
    replications: int
    evaluations: list[Evaluation] = field(default_factory=list)
    seconds: float = 0.0

    def evaluations_frame(self) -> pd.DataFrame:
        names = [p.path for p in self.parameters]
        return pd.DataFrame(
            [
                {
                    "evaluation": e.index,
                    "stage": e.stage,
                    **dict(zip(names, e.values, strict=True)),
                    "loss": e.loss,
                }
                for e in self.evaluations
            ]
        )

    def parameters_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "parameter": [p.path for p in self.parameters],
                "fitted": list(self.best),
                "start": list(self.start),
                "low": [p.low for p in self.parameters],
                "high": [p.high for p in self.parameters],
            }
        )


class Objective:
    """Loss of the scenario with given parameter values, on the same replications each time."""

    def __init__(
        self,
        data: dict[str, Any],
        source: str,
        parameters: Sequence[Parameter],
        replications: int,
        *,
        simulate: Simulator = run_replications,
        on_evaluation: Callable[[Evaluation], None] | None = None,
    ) -> None:
        self.data = data
        self.source = source
        self.parameters = tuple(parameters)
        self.replications = replications
        self.simulate = simulate
        self.on_evaluation = on_evaluation
        self.evaluations: list[Evaluation] = []
        self._cache: dict[tuple, tuple[float, pd.DataFrame | None]] = {}
        self.stage = "start"

    def data_at(self, values: Sequence[float]) -> dict[str, Any]:
        """The scenario data with the parameters set to ``values``."""
        overrides = [f"{p.path}={v!r}" for p, v in zip(self.parameters, values, strict=True)]
        data, _ = apply_overrides(copy.deepcopy(self.data), overrides)
        return data

    def scenario_at(self, values: Sequence[float]) -> Scenario:
        data = self.data_at(values)
        origin = {tuple(p.path.split(".")): f"--param {p.path}" for p in self.parameters}
        return parse_scenario(data, self.source, origin)

    def values_at(self, unit: Iterable[float]) -> tuple[float, ...]:
        return tuple(p.value_at(u) for p, u in zip(self.parameters, unit, strict=True))

    def table_at(self, values: Sequence[float]) -> tuple[float, pd.DataFrame | None]:
        """(loss, fit table) at ``values``; an invalid combination costs a large penalty."""
        key = tuple(values)
        if key not in self._cache:
            try:
                scenario = self.scenario_at(values)
            except ScenarioError:
                self._cache[key] = (UNDEFINED_PENALTY * len(self.parameters), None)
            else:
                records = self.simulate(scenario, self.replications)
                frame = to_trajectories(records, scenario.start_date)
                table = fit_table(scenario.observations, frame)
                self._cache[key] = (loss(table), table)
            evaluation = Evaluation(len(self.evaluations), self.stage, key, self._cache[key][0])
            self.evaluations.append(evaluation)
            if self.on_evaluation is not None:
                self.on_evaluation(evaluation)
        return self._cache[key]

    def __call__(self, unit: np.ndarray) -> float:
        return self.table_at(self.values_at(unit))[0]


def start_values(parameters: Sequence[Parameter], data: dict) -> tuple[float, ...]:
    """The scenario's own values, clipped into the ranges (the middle if not a number)."""
    start = []
    for p in parameters:
        current = _lookup(data, p.path)
        if not isinstance(current, (int, float)) or isinstance(current, bool):
            parent = _lookup(data, p.path.rpartition(".")[0])
            current = parent if isinstance(parent, (int, float)) else (p.low + p.high) / 2
        start.append(p.value_at(p.unit_of(float(current))))
    return tuple(start)


def fit(
    objective: Objective,
    max_evaluations: int = 60,
    screening_points: int | None = None,
    seed: int = 0,
) -> FitResult:
    """Screen the ranges with a Latin hypercube, then polish the best point with Nelder-Mead."""
    # imported here: every run writes its fit table with this module's FitResult, and scipy's
    # optimizers and samplers would add most of a second to each
    from scipy.optimize import minimize
    from scipy.stats import qmc

    clock = time.perf_counter()
    parameters = objective.parameters
    dims = len(parameters)
    start = start_values(parameters, objective.data)
    n_screen = screening_points if screening_points is not None else max(4, 3 * dims)
    n_screen = min(n_screen, max(max_evaluations - 1, 1))
    objective.stage = "start"
    objective(np.array([p.unit_of(v) for p, v in zip(parameters, start, strict=True)]))
    objective.stage = "screening"
    sampler = qmc.LatinHypercube(d=dims, seed=seed)
    for point in sampler.random(n_screen):
        objective(point)
    best = min(objective.evaluations, key=lambda e: e.loss)
    best_unit = np.array([p.unit_of(v) for p, v in zip(parameters, best.values, strict=True)])
    remaining = max_evaluations - len(objective.evaluations)
    if remaining > 0:
        objective.stage = "polishing"
        simplex = [best_unit]
        for axis in range(dims):
            vertex = best_unit.copy()
            step = 0.2 if vertex[axis] + 0.2 <= 1.0 else -0.2
            vertex[axis] += step
            simplex.append(vertex)
        minimize(
            objective,
            best_unit,
            method="Nelder-Mead",
            bounds=[(0.0, 1.0)] * dims,
            options={
                "initial_simplex": np.array(simplex),
                "maxfev": remaining,
                "xatol": 0.002,
                "fatol": 1e-3,
            },
        )
    # the best point that gave a valid scenario (an invalid one only costs a penalty); the
    # starting point is one (the scenario's own values, or range ends checked beforehand)
    valid = [e for e in objective.evaluations if objective.table_at(e.values)[1] is not None]
    if not valid:
        raise ValueError("no point tried gives a valid scenario")
    best = min(valid, key=lambda e: e.loss)
    best_loss, table = objective.table_at(best.values)
    assert table is not None  # valid points have a fit table
    return FitResult(
        parameters=parameters,
        start=start,
        best=best.values,
        best_loss=best_loss,
        table=table,
        scenario=objective.scenario_at(best.values),
        data=objective.data_at(best.values),
        replications=objective.replications,
        evaluations=list(objective.evaluations),
        seconds=time.perf_counter() - clock,
    )
