"""Sweeps: one parameter over a range, or a grid of several, under common random numbers.

``--param KEY=START:STOP:STEP`` gives START, START+STEP, ... up to and including STOP (whole
numbers stay whole); ``--param KEY=A,B,C`` gives the listed values (YAML each, so
``visits.officers_per_visit=1,2`` or ``priority=highest_risk_first,most_overdue_first``). Several
``--param`` make a grid (every combination). Every point runs replications 0..n-1 with the
scenario's seed, so neighbouring points differ only by the parameter, not by luck, and the
curve is smooth.

``sweep.csv`` has one row per point and outcome: the parameter values, the mean with its 95%
CI, the 5th and 95th percentiles, and the number of replications.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.analysis.comparison import mean_ci
from sim.analysis.outcomes import OUTCOME_NAMES
from sim.experiments.batch import BatchStats, Engine, OnDone, Ran, evaluate_outcomes
from sim.experiments.executors import Executor
from sim.experiments.store import ReplicationStore
from sim.experiments.variants import apply_changes, split_outside_brackets
from sim.io.files import atomic_write, write_figure, write_manifest
from sim.io.folder import STUDY_FILES, begin_rewrite
from sim.scenario import Scenario
from sim.scenario.file import Problem, ScenarioError
from sim.scenario.untrusted_yaml import UnreadableValue, read_value
from sim.studies.workbook import write_workbook
from sim.titles import study_title

__all__ = [
    "MAX_POINTS",
    "SweepParameter",
    "SweepResult",
    "grid_scenarios",
    "parse_sweep_parameter",
    "run_sweep",
    "summarise_outcomes",
    "sweep_study",
    "write_sweep",
]

MAX_POINTS = 10_000
SWEEP_COLUMNS = ("outcome", "mean", "ci95_low", "ci95_high", "p5", "p95", "replications")


@dataclass(frozen=True)
class SweepParameter:
    """A scenario field (dotted key) and the values a sweep gives it."""

    key: str
    values: tuple[Any, ...]


def _number(text: str) -> int | float:
    value = read_value(text)  # an UnreadableValue is a ValueError
    if isinstance(value, str):  # YAML 1.1 reads 1e-12 (no dot) as text
        try:
            value = float(value)
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{text.strip()!r} is not a finite number")
    return value


def parse_sweep_parameter(text: str) -> SweepParameter:
    """``KEY=START:STOP:STEP`` or ``KEY=A,B,C`` -> the key and its values."""
    source = f"--param {text[:100]}"
    key, eq, body = text.partition("=")
    key = key.strip()
    usage = "write --param dotted.key=START:STOP:STEP or dotted.key=A,B,C"
    if not eq or not key or not body.strip():
        raise ScenarioError([Problem(source, key, text, usage)])
    if ":" in body and not body.strip().startswith(("{", "[")):
        parts = body.split(":")
        try:
            start, stop, step = (_number(part) for part in parts)
        except ValueError as error:
            raise ScenarioError([Problem(source, key, body, f"{usage} ({error})")]) from None
        if len(parts) != 3 or step <= 0 or stop < start:
            raise ScenarioError(
                [Problem(source, key, body, "need START <= STOP and STEP > 0: " + usage)]
            )
        steps = (stop - start) / step
        if not math.isfinite(steps) or steps + 1 > MAX_POINTS:
            raise ScenarioError([Problem(source, key, body, f"more than {MAX_POINTS} values")])
        count = math.floor(steps + 1e-9) + 1
        whole = all(isinstance(v, int) for v in (start, stop, step))
        values = tuple(
            start + i * step if whole else round(start + i * step, 12) for i in range(count)
        )
        return SweepParameter(key, values)
    try:
        values = tuple(read_value(part) for part in split_outside_brackets(body))
    except UnreadableValue as error:
        raise ScenarioError([Problem(source, key, body[:80], f"a value: {error}")]) from None
    return SweepParameter(key, values)


def grid_scenarios(
    base: Scenario, parameters: Sequence[SweepParameter]
) -> list[tuple[dict[str, Any], Scenario]]:
    """Every combination of the parameters' values, as (values, scenario); all validated."""
    points = list(itertools.product(*(p.values for p in parameters)))
    if len(points) > MAX_POINTS:
        raise ScenarioError(
            [Problem("--param", "", str(len(points)), f"the grid has more than {MAX_POINTS}")]
        )
    base = base.model_copy(update={"variants": {}})
    result, problems = [], []
    for point in points:
        changes = {p.key: value for p, value in zip(parameters, point, strict=True)}
        source = "--param " + ", ".join(f"{k}={v}" for k, v in changes.items())
        try:
            result.append((changes, apply_changes(base, changes, source)))
        except ScenarioError as error:
            problems += error.problems
    if problems:
        raise ScenarioError(problems)
    return result


def summarise_outcomes(frame: pd.DataFrame, outcomes: Sequence[str]) -> list[dict[str, Any]]:
    """Mean, 95% CI, 5th/95th percentiles of each outcome over replications."""
    rows = []
    for outcome in outcomes:
        values = frame[outcome].to_numpy(dtype=float)
        mean, low, high = mean_ci(values)
        p5, p95 = np.percentile(values, [5, 95]) if len(values) else (np.nan, np.nan)
        rows.append(
            {
                "outcome": outcome,
                "mean": mean,
                "ci95_low": low,
                "ci95_high": high,
                "p5": float(p5),
                "p95": float(p95),
                "replications": len(values),
            }
        )
    return rows


@dataclass(frozen=True)
class SweepResult:
    """The sweep table (one row per point and outcome) and how it was run."""

    base: Scenario
    parameters: list[SweepParameter]
    replications: int
    table: pd.DataFrame
    ran: Ran


def run_sweep(
    base: Scenario,
    parameters: Sequence[SweepParameter],
    replications: int,
    outcomes: Sequence[str],
    *,
    executor: Executor | None = None,
    store: ReplicationStore | None = None,
    on_done: OnDone | None = None,
) -> SweepResult:
    """Run every grid point (one batch, same replications) and tabulate the outcomes."""
    stats = BatchStats()
    points = grid_scenarios(base, parameters)
    frames = evaluate_outcomes(
        [scenario for _, scenario in points], replications, executor, store, on_done, stats
    )
    rows = []
    for (changes, _), frame in zip(points, frames, strict=True):
        for row in summarise_outcomes(frame, outcomes):
            rows.append({**{k: _cell(v) for k, v in changes.items()}, **row})
    table = pd.DataFrame(rows, columns=[p.key for p in parameters] + list(SWEEP_COLUMNS))
    return SweepResult(
        base=base,
        parameters=list(parameters),
        replications=replications,
        table=table,
        ran=stats.ran(executor),
    )


def _cell(value: Any) -> Any:
    """A parameter value as one CSV cell (maps and lists as compact YAML)."""
    if isinstance(value, (dict, list)):
        return yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    return value


def sweep_study(
    base: Scenario,
    parameters: Sequence[SweepParameter],
    *,
    plotted: Sequence[str],
    outcomes: Sequence[str] = OUTCOME_NAMES,
    target: Path,
    command: Sequence[str],
    engine: Engine,
) -> SweepResult:
    """A whole `sweep`: every point's ``base.replications`` replications, tabulated for every
    outcome in ``outcomes`` (default all), then the folder ``target`` (``plotted`` drawn)."""
    result = run_sweep(
        base,
        parameters,
        base.replications,
        outcomes,
        executor=engine.executor,
        store=engine.store,
        on_done=engine.on_done,
    )
    write_sweep(result, target, command, plotted)
    return result


def write_sweep(
    result: SweepResult, out_dir: Path, command: Sequence[str], plotted: Sequence[str]
) -> list[Path]:
    """Write sweep.csv, sweep.png (the ``plotted`` outcomes), summary.xlsx and manifest.json
    (last)."""
    from sim.studies.figures import sweep_figure

    begin_rewrite(out_dir, "manifest.json", STUDY_FILES["sweep"])  # old manifest goes first
    paths = [out_dir / name for name in STUDY_FILES["sweep"]]
    atomic_write(paths[0], lambda tmp: result.table.to_csv(tmp, index=False, float_format="%.4f"))
    keys = [p.key for p in result.parameters]
    title = study_title(result.base, "sweep of " + ", ".join(keys), command)
    figure = sweep_figure(result.table, keys, plotted, title)
    write_figure(paths[1], figure, dpi=110)
    write_workbook(
        paths[2],
        title=title,
        start=result.base.start_date,
        comparison=result.table,
        sheet_name="Sweep",
    )
    write_manifest(
        out_dir,
        command,
        paths,
        study="sweep",
        parameters={p.key: list(p.values) for p in result.parameters},
        replications=result.replications,
        common_random_numbers=True,
        scenario=result.base.model_dump(mode="json", by_alias=True, exclude={"variants"}),
        **result.ran.manifest(),
    )
    return paths
