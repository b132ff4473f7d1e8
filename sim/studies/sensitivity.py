"""Global sensitivity with SALib: Morris elementary effects, Sobol first-order and total indices.

A *ranges file* (YAML) names the parameters and the range each may take::

    parameters:
      staffing.offender_managers: [20, 34]        # absolute values (whole numbers stay whole)
      staffing.availability: [0.55, 0.75]
      visits.travel_hours: {scale: [0.8, 1.2]}    # a multiple of the scenario's value: works
                                                  # for distributions and per-level maps too

SALib draws the samples (Morris trajectories, or Sobol' sequences for Saltelli's estimators);
each sample is the scenario with those values, run for replications 0..R-1 with the
scenario's seed (common random numbers: samples differ by their parameters, not by luck), and
its outcome is the mean over the R replications. SALib then estimates, with bootstrap 95%
confidence intervals:

- Morris: ``mu_star`` (mean absolute elementary effect: overall influence, with ``mu_star_conf``)
  and ``sigma`` (spread of the effects: interactions or non-linearity); cheap, for screening.
- Sobol: ``S1`` (share of the outcome's variance due to the parameter alone) and ``ST`` (its
  share including interactions), with ``S1_conf`` and ``ST_conf``. Sobol needs N a power of 2
  and N * (D + 2) samples for D parameters.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.experiments.batch import BatchStats, Engine, OnDone, Ran, evaluate_outcomes
from sim.experiments.executors import Executor
from sim.experiments.store import ReplicationStore
from sim.io.files import atomic_write, write_figure, write_manifest
from sim.io.folder import STUDY_FILES, begin_rewrite
from sim.scenario import Scenario
from sim.scenario.file import Problem, ScenarioError, read_yaml_mapping
from sim.studies.tornado import scaled
from sim.titles import study_title

__all__ = [
    "METHODS",
    "Method",
    "Ranges",
    "ScaleRange",
    "SensitivityResult",
    "analyse",
    "draw_samples",
    "load_ranges",
    "run_sensitivity",
    "salib_problem",
    "sample_scenarios",
    "sensitivity_study",
    "write_sensitivity",
]

Method = Literal["morris", "sobol"]
METHODS: tuple[Method, ...] = ("morris", "sobol")
MORRIS_LEVELS = 4
BOOTSTRAP_RESAMPLES = 1000


class ScaleRange(BaseModel):
    """A range given as multiples of the scenario's own value."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    scale: tuple[float, float]

    @model_validator(mode="after")
    def _ordered(self) -> ScaleRange:
        low, high = self.scale
        if not 0 <= low < high:
            raise ValueError("scale must be [low, high] with 0 <= low < high")
        return self


class Ranges(BaseModel):
    """The parameters of a sensitivity study and their ranges."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    parameters: dict[str, tuple[float, float] | ScaleRange] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Ranges:
        for key, bounds in self.parameters.items():
            if isinstance(bounds, tuple) and not bounds[0] < bounds[1]:
                raise ValueError(f"{key}: give [low, high] with low < high, not {list(bounds)}")
        return self


def load_ranges(path: Path, base: Scenario) -> Ranges:
    """Read and check a ranges file against the scenario; ScenarioError names file and field."""
    data = read_yaml_mapping(path)
    try:
        ranges = Ranges.model_validate(data)
    except ValidationError as err:
        problems = [
            Problem(
                str(path),
                ".".join(str(p) for p in item["loc"]),
                "" if item["type"] == "missing" else repr(item.get("input"))[:80],
                item["msg"].removeprefix("Value error, "),
            )
            for item in err.errors()
        ]
        raise ScenarioError(problems) from None
    dumped = base.model_dump(mode="json", by_alias=True, exclude={"variants"})
    problems = []
    for key, bounds in ranges.parameters.items():
        current = _value_at(dumped, key)
        if current is _MISSING:
            problems.append(Problem(str(path), f"parameters.{key}", "", "no such scenario field"))
        elif isinstance(bounds, tuple) and not _is_number(current):
            problems.append(
                Problem(
                    str(path),
                    f"parameters.{key}",
                    repr(current)[:80],
                    "is not a single number: give {scale: [low, high]} to scale it",
                )
            )
    if problems:
        raise ScenarioError(problems)
    return ranges


_MISSING = object()


def _value_at(data: dict[str, Any], key: str) -> Any:
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def salib_problem(ranges: Ranges) -> dict[str, Any]:
    names = list(ranges.parameters)
    bounds = [
        list(b.scale) if isinstance(b, ScaleRange) else list(b) for b in ranges.parameters.values()
    ]
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def draw_samples(problem: dict[str, Any], method: str, samples: int, seed: int) -> np.ndarray:
    """SALib's sample matrix: one row per model evaluation, one column per parameter."""
    seed = seed % 2**32
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, samples, num_levels=MORRIS_LEVELS, seed=seed)
    from SALib.sample import sobol

    return sobol.sample(problem, samples, calc_second_order=False, seed=seed)


def sample_scenarios(
    base: Scenario, ranges: Ranges, matrix: np.ndarray, source: str
) -> list[Scenario]:
    """One validated scenario per row of the sample matrix (ScenarioError if any is invalid)."""
    dumped = base.model_dump(mode="json", by_alias=True, exclude={"variants"})
    scenarios, problems = [], []
    for row in matrix:
        changes = {}
        for (key, bounds), x in zip(ranges.parameters.items(), row, strict=True):
            current = _value_at(dumped, key)
            if isinstance(bounds, ScaleRange):
                changes[key] = scaled(current, float(x))
            else:
                changes[key] = int(round(x)) if isinstance(current, int) else float(x)
        try:
            scenarios.append(base.with_changes(changes))
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            problems.append(
                Problem(source, where, repr(changes)[:120], f"a sample is invalid: {first['msg']}")
            )
            if len(problems) >= 5:
                break
    if problems:
        raise ScenarioError(problems)
    return scenarios


def analyse(
    problem: dict[str, Any], method: str, matrix: np.ndarray, y: np.ndarray, seed: int
) -> list[dict[str, Any]]:
    """SALib's indices for one outcome, as rows (parameter, index, value, conf)."""
    names = problem["names"]
    if not np.all(np.isfinite(y)) or np.ptp(y) == 0:
        return [
            {"parameter": name, "index": index, "value": math.nan, "conf": math.nan}
            for name in names
            for index in (("mu_star", "sigma") if method == "morris" else ("S1", "ST"))
        ]
    seed = seed % 2**32
    if method == "morris":
        from SALib.analyze import morris

        found = morris.analyze(
            problem,
            matrix,
            y,
            num_resamples=BOOTSTRAP_RESAMPLES,
            conf_level=0.95,
            num_levels=MORRIS_LEVELS,
            seed=seed,
        )
        pairs: tuple[tuple[str, str | None], ...] = (
            ("mu_star", "mu_star_conf"),
            ("sigma", None),
            ("mu", None),
        )
    else:
        from SALib.analyze import sobol

        found = sobol.analyze(
            problem,
            y,
            calc_second_order=False,
            num_resamples=BOOTSTRAP_RESAMPLES,
            conf_level=0.95,
            seed=seed,
        )
        pairs = (("S1", "S1_conf"), ("ST", "ST_conf"))
    rows = []
    for i, name in enumerate(names):
        for index, conf in pairs:
            rows.append(
                {
                    "parameter": name,
                    "index": index,
                    "value": float(found[index][i]),
                    "conf": float(found[conf][i]) if conf else math.nan,
                }
            )
    return rows


@dataclass(frozen=True)
class SensitivityResult:
    """SALib's indices per outcome, the samples with their outcome means, how it was run."""

    base: Scenario
    method: str
    samples: int
    replications: int
    problem: dict[str, Any]
    table: pd.DataFrame  # method, outcome, parameter, index, value, conf
    sample_table: pd.DataFrame  # one row per sample: parameter values and outcome means
    ran: Ran


def run_sensitivity(
    base: Scenario,
    ranges: Ranges,
    method: Method,
    samples: int,
    replications: int,
    outcomes: Sequence[str],
    *,
    executor: Executor | None = None,
    store: ReplicationStore | None = None,
    on_done: OnDone | None = None,
    source: str = "ranges",
) -> SensitivityResult:
    """Sample, run every sample's replications (one batch), average, and analyse."""
    stats = BatchStats()
    base = base.model_copy(update={"variants": {}})
    problem = salib_problem(ranges)
    matrix = draw_samples(problem, method, samples, base.seed)
    scenarios = sample_scenarios(base, ranges, matrix, source)
    frames = evaluate_outcomes(scenarios, replications, executor, store, on_done, stats)
    means = pd.DataFrame([frame[list(outcomes)].mean() for frame in frames])
    rows = []
    for outcome in outcomes:
        y = means[outcome].to_numpy(dtype=float)
        for row in analyse(problem, method, matrix, y, base.seed):
            rows.append({"method": method, "outcome": outcome, **row})
    sample_table = pd.concat(
        [pd.DataFrame(matrix, columns=problem["names"]), means.add_prefix("mean_")], axis=1
    )
    return SensitivityResult(
        base=base,
        method=method,
        samples=samples,
        replications=replications,
        problem=problem,
        table=pd.DataFrame(rows),
        sample_table=sample_table,
        ran=stats.ran(executor),
    )


def sensitivity_study(
    base: Scenario,
    ranges: Ranges,
    *,
    method: Method,
    samples: int,
    outcomes: Sequence[str],
    ranges_file: Path,
    target: Path,
    command: Sequence[str],
    engine: Engine,
) -> SensitivityResult:
    """A whole `sensitivity`: ``samples`` drawn by ``method`` over ``ranges`` (read from
    ``ranges_file``), ``base.replications`` each, analysed, then the folder ``target``."""
    result = run_sensitivity(
        base,
        ranges,
        method,
        samples,
        base.replications,
        outcomes,
        executor=engine.executor,
        store=engine.store,
        on_done=engine.on_done,
        source=str(ranges_file),
    )
    write_sensitivity(result, target, command, ranges_file)
    return result


def write_sensitivity(
    result: SensitivityResult, out_dir: Path, command: Sequence[str], ranges_file: Path
) -> list[Path]:
    """Write sensitivity.csv, samples.csv, one sensitivity[_<outcome>].png, manifest.json."""
    from sim.studies.figures import sensitivity_figure

    begin_rewrite(out_dir, "manifest.json", STUDY_FILES["sensitivity"])  # old manifest first
    outcomes = list(dict.fromkeys(result.table["outcome"]))
    paths = [out_dir / "sensitivity.csv", out_dir / "samples.csv"]
    atomic_write(paths[0], lambda tmp: result.table.to_csv(tmp, index=False, float_format="%.5g"))
    atomic_write(
        paths[1], lambda tmp: result.sample_table.to_csv(tmp, index=False, float_format="%.6g")
    )
    title = study_title(result.base, f"{result.method} sensitivity", command)
    for i, outcome in enumerate(outcomes):
        path = out_dir / ("sensitivity.png" if i == 0 else f"sensitivity_{outcome}.png")
        write_figure(path, sensitivity_figure(result.table, result.method, outcome, title))
        paths.append(path)
    write_manifest(
        out_dir,
        command,
        paths,
        study="sensitivity",
        method=result.method,
        samples=result.samples,
        evaluations=len(result.sample_table),
        replications_per_sample=result.replications,
        common_random_numbers=True,
        ranges_file=str(ranges_file),
        problem=result.problem,
        scenario=result.base.model_dump(mode="json", by_alias=True),
        **result.ran.manifest(),
    )
    return paths
