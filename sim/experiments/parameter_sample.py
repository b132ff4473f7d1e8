"""Forecasts that carry a calibration's uncertainty: one parameter set per replication.

``calibrate --method abc`` writes ``parameter_sample.csv``: one row per parameter set, a
column per fitted field (dotted paths, as for ``--set``) and a ``weight``. A scenario whose
``parameter_sample`` names such a file (``run/compare/plan --parameters FILE``) runs
replication ``k`` with the set drawn by weight from a stream that depends only on
``(seed, k)`` (the named stream ``parameter_sample`` of replication ``k``, as the model's own
streams are keyed). So:

* the bands of a run combine the uncertainty of what was fitted with chance;
* every variant of a comparison (same seed, same ``k``) runs the same parameter set and the
  same random numbers in replication ``k``: the comparison stays paired;
* the replication ``k`` of a scenario is still a pure function of (scenario, k), wherever it
  runs: :func:`scenario_for_replication` is called where the tasks are made, before any
  executor sees them, and the replication store keys the scenario *with the set applied*, so
  a cached replication of one set is never served for another.

A file is read once per process (cached by path and modification time).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import ValidationError

from sim.model.streams import stream_code
from sim.scenario import Scenario
from sim.scenario.dotted import DottedPathError
from sim.scenario.file import Problem, ScenarioError

__all__ = [
    "WEIGHT_COLUMN",
    "ParameterSample",
    "check_sample",
    "parameter_sets",
    "read_sample",
    "scenario_for_replication",
    "set_index",
]

WEIGHT_COLUMN = "weight"
NOT_PARAMETERS = {WEIGHT_COLUMN, "parameter_set"}  # columns of the file that are not fields
STREAM = stream_code("parameter_sample")  # a new named stream: no existing draw changes
MAX_SETS = 100_000


@dataclass(frozen=True, eq=False)
class ParameterSample:
    """Parameter sets (rows) of named fields (columns), with weights summing to 1."""

    path: str
    names: tuple[str, ...]
    values: np.ndarray  # sets x parameters
    weights: np.ndarray
    integer: tuple[bool, ...]  # a column of whole numbers is applied as integers

    def changes(self, index: int) -> dict[str, float | int]:
        """``{dotted.path: value}`` of set ``index``."""
        row = self.values[index]
        return {
            name: (int(round(value)) if whole else float(value))
            for name, value, whole in zip(self.names, row, self.integer, strict=True)
        }


def _problem(path: str, where: str, given: str, allowed: str) -> ScenarioError:
    return ScenarioError([Problem(path, where, given, allowed)])


def read_sample(path: Path | str) -> ParameterSample:
    """Read and check a sample file; a ScenarioError names the file, line and column."""
    file = Path(path)
    shown = str(path)
    if not file.is_file():
        raise _problem(shown, "", "", "no such file (a parameter_sample.csv from calibrate)")
    try:
        with file.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise _problem(shown, "", "", f"cannot be read as a CSV file ({error})") from None
    if not rows:
        raise _problem(shown, "line 1", "", "the file is empty; it needs a header row")
    header = [name.strip() for name in rows[0]]
    names = tuple(name for name in header if name not in NOT_PARAMETERS)
    if WEIGHT_COLUMN not in header or not names:
        raise _problem(
            shown,
            "line 1 (header)",
            ",".join(header)[:100],
            f"columns: one per parameter (dotted paths) and '{WEIGHT_COLUMN}'",
        )
    body = [row for row in rows[1:] if any(cell.strip() for cell in row)]
    if not body or len(body) > MAX_SETS:
        raise _problem(shown, "", str(len(body)), f"from 1 to {MAX_SETS:,} parameter sets")
    values = np.empty((len(body), len(names)))
    weights = np.empty(len(body))
    index = -1
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        index += 1
        if len(row) != len(header):
            raise _problem(
                shown, f"line {number}", str(len(row)), f"{len(header)} values, as the header"
            )
        cells = dict(zip(header, row, strict=True))
        for column in (*names, WEIGHT_COLUMN):
            try:
                value = float(cells[column])
            except ValueError:
                value = math.nan
            if not math.isfinite(value) or (column == WEIGHT_COLUMN and value < 0):
                allowed = "a number >= 0" if column == WEIGHT_COLUMN else "a finite number"
                raise _problem(shown, f"line {number}, column {column}", cells[column], allowed)
            if column == WEIGHT_COLUMN:
                weights[index] = value
            else:
                values[index, names.index(column)] = value
    if weights.sum() <= 0:
        raise _problem(shown, f"column {WEIGHT_COLUMN}", "all 0", "at least one weight above 0")
    integer = tuple(bool(np.all(values[:, j] == np.round(values[:, j]))) for j in range(len(names)))
    return ParameterSample(shown, names, values, weights / weights.sum(), integer)


@lru_cache(maxsize=8)
def _cached(path: str, modified_ns: int) -> ParameterSample:
    return read_sample(path)


def sample_of(scenario: Scenario) -> ParameterSample | None:
    """The scenario's parameter sample (read once per process), or None."""
    if scenario.parameter_sample is None:
        return None
    path = scenario.parameter_sample
    try:
        modified = Path(path).stat().st_mtime_ns
    except OSError:
        modified = 0
    return _cached(path, modified)


def set_index(seed: int, replication: int, weights: np.ndarray) -> int:
    """The set replication ``replication`` runs: drawn by weight from its own stream."""
    sequence = np.random.SeedSequence(seed, spawn_key=(replication, STREAM))
    rng = np.random.Generator(np.random.PCG64(sequence))
    return int(rng.choice(len(weights), p=weights))


# (scenario, sample, set) -> the scenario with the set applied; identities are checked, so an
# edited sample file (a new ParameterSample object) is never answered from here
_RESOLVED: dict[tuple[int, int, int], tuple[Scenario, ParameterSample, Scenario]] = {}


def _with_set(scenario: Scenario, sample: ParameterSample, index: int) -> Scenario:
    key = (id(scenario), id(sample), index)
    cached = _RESOLVED.get(key)
    if cached is not None and cached[0] is scenario and cached[1] is sample:
        return cached[2]
    changes: dict[str, object] = {**sample.changes(index), "parameter_sample": None}
    try:
        resolved = scenario.with_changes(changes)
    except (ValidationError, DottedPathError) as error:
        raise _problem(
            sample.path,
            f"parameter set on line {index + 2}",
            ", ".join(f"{k}={v}" for k, v in sample.changes(index).items())[:200],
            f"each set must give a valid scenario: {str(error).splitlines()[-1].strip()}",
        ) from None
    if len(_RESOLVED) > 4096:
        _RESOLVED.clear()
    _RESOLVED[key] = (scenario, sample, resolved)
    return resolved


def scenario_for_replication(scenario: Scenario, replication: int) -> Scenario:
    """The scenario replication ``replication`` runs: with its parameter set applied (and no
    sample of its own), or the scenario itself when it has no parameter sample."""
    sample = sample_of(scenario)
    if sample is None:
        return scenario
    return _with_set(scenario, sample, set_index(scenario.seed, replication, sample.weights))


def check_sample(scenario: Scenario) -> None:
    """Check before anything runs that every set of the sample gives a valid scenario."""
    sample = sample_of(scenario)
    if sample is None:
        return
    for index in range(len(sample.weights)):
        if sample.weights[index] > 0:
            _with_set(scenario, sample, index)


def parameter_sets(scenario: Scenario, replications: Sequence[int]) -> pd.DataFrame:
    """Which set each replication ran and its values (empty frame without a sample)."""
    sample = sample_of(scenario)
    if sample is None:
        return pd.DataFrame(columns=["replication", "parameter_set"])
    rows = []
    for replication in replications:
        index = set_index(scenario.seed, replication, sample.weights)
        rows.append({"replication": replication, "parameter_set": index, **sample.changes(index)})
    return pd.DataFrame(rows)
