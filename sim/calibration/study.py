"""A whole `calibrate`: fit on an executor, simulate the fitted scenario, write the folder.

The command line builds the objective with :func:`calibration_objective` (the scenario and
every ``--param`` range checked before anything runs), then calls :func:`calibration_study`
once. Every evaluation runs the same replications on the executor given; nothing is written
until the fit and the fitted scenario's replications have finished, so an interrupted fit
leaves the folder as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.metrics import trajectories as to_trajectories
from sim.calibration.fitting import (
    Evaluation,
    FitResult,
    Objective,
    Parameter,
    fit,
    parse_parameter,
    start_values,
)
from sim.calibration.writing import write_calibration_folder
from sim.experiments.batch import run_replications
from sim.experiments.executors import Executor
from sim.records import DailyRecord
from sim.scenario import Scenario
from sim.scenario.file import (
    Problem,
    ScenarioError,
    apply_overrides,
    check_caseload,
    parse_scenario,
    read_yaml_mapping,
    resolve_caseload_path,
)

__all__ = ["Calibration", "calibration_objective", "calibration_study"]


@dataclass(frozen=True)
class Calibration:
    """What a calibration found and where it wrote the calibrated copy of the scenario."""

    result: FitResult
    trajectories: pd.DataFrame  # the fitted scenario's, as in calibration.csv
    copy_path: Path


def calibration_objective(
    scenario: Path, overrides: list[str], parameters: Sequence[str], replications: int | None
) -> tuple[Objective, Scenario]:
    """The objective of a fit, checked before anything runs, and the scenario as given.

    ``scenario`` is the file (after ``overrides``, each ``dotted.key=value``); it must have
    observations. ``parameters`` are ``dotted.key=LOW:HIGH`` texts; every end of every range
    must give a valid scenario. ``replications`` per evaluation (None: the file's).
    Raises ScenarioError listing the problems.
    """
    data, loaded = _read(scenario, overrides)
    fitted = [parse_parameter(text, data) for text in parameters]
    objective = Objective(data, str(scenario), fitted, replications or loaded.replications)
    _check_ranges(objective, fitted, start_values(fitted, data))
    return objective, loaded


def _read(scenario: Path, overrides: list[str]) -> tuple[dict[str, Any], Scenario]:
    """The scenario's data (after --set, caseload path made absolute) and its validation."""
    data = read_yaml_mapping(scenario)
    data, origin = apply_overrides(data, overrides)
    shown = resolve_caseload_path(data, scenario.parent, origin)
    loaded = parse_scenario(data, str(scenario), origin)
    check_caseload(loaded, shown)
    if not loaded.observations:
        raise ScenarioError(
            [Problem(str(scenario), "observations", "", "the scenario has no observations to fit")]
        )
    if loaded.parameter_sample is not None:
        raise ScenarioError(
            [
                Problem(
                    str(scenario),
                    "parameter_sample",
                    loaded.parameter_sample,
                    "a calibration fits the parameters itself; remove parameter_sample",
                )
            ]
        )
    return data, loaded


def _check_ranges(
    objective: Objective, parameters: Sequence[Parameter], start: tuple[float, ...]
) -> None:
    """Every range end must give a valid scenario (others at their starting values)."""
    problems: list[Problem] = []
    for index, parameter in enumerate(parameters):
        for end in (parameter.low, parameter.high):
            values = list(start)
            values[index] = parameter.value_at(parameter.unit_of(end))
            try:
                objective.scenario_at(values)
            except ScenarioError as error:
                first = error.problems[0]
                problems.append(
                    Problem(
                        f"--param {parameter.path}={parameter.low:g}:{parameter.high:g}",
                        first.field,
                        f"{end:g}",
                        f"the range must give a valid scenario: {first.allowed}",
                    )
                )
    if problems:
        raise ScenarioError(problems)


def calibration_study(
    objective: Objective,
    *,
    max_evaluations: int,
    seed: int,
    original: Path,
    target: Path,
    command: Sequence[str],
    executor: Executor | None = None,
    on_evaluation: Callable[[Evaluation], None] | None = None,
) -> Calibration:
    """Fit ``objective`` (at most ``max_evaluations``, screening drawn with ``seed``), run the
    fitted scenario's replications, then write the results folder ``target``.

    ``original`` is the scenario file the objective was read from (named in the calibrated
    copy's header); every replication runs on ``executor`` (None: here, one after another);
    ``on_evaluation`` hears of every evaluation (a progress bar).
    """
    started_at = datetime.now(UTC).isoformat(timespec="seconds")

    def simulate(scenario: Scenario, replications: int) -> list[DailyRecord]:
        return run_replications(scenario, replications, executor=executor)

    objective.simulate = simulate
    objective.on_evaluation = on_evaluation
    result = fit(objective, max_evaluations=max_evaluations, seed=seed)
    records = simulate(result.scenario, objective.replications)
    frame = to_trajectories(records, result.scenario.start_date)
    copy_path = write_calibration_folder(
        result, frame, original=original, target=target, command=command, started_at=started_at
    )
    return Calibration(result, frame, copy_path)
