"""Tornado: each numeric parameter lowered and raised by X%, one at a time, under CRN.

Which parameters: every number a user would tune, found by walking the scenario --
staffing, rates, probabilities, intervals, windows and durations. A per-level field
(``visits.interval_days``) moves as one parameter (every level by the same share); a
distribution (``visits.travel_hours``) is scaled as a whole (every one of its numbers, so its
mean moves by X% and its shape is kept). Whole-number fields are rounded; a field that X% does
not move (``officers_per_visit`` 2 at 10%) is skipped, as is a change the scenario rules refuse
(a probability above 1), each with its reason in ``tornado.csv``. Left out on purpose: the seed,
horizon, dates, replications, mixes that must add up to 1, and the shift's start hour.

Every run uses replications 0..n-1 with the scenario's seed, so the bars show the parameter's
effect, not luck; each bar's paired difference against the base has a 95% CI in the CSV.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from sim.analysis.comparison import mean_ci
from sim.experiments.batch import BatchStats, Engine, OnDone, Ran, evaluate_outcomes
from sim.experiments.executors import Executor
from sim.experiments.store import ReplicationStore
from sim.io.files import atomic_write, write_figure, write_manifest
from sim.io.folder import STUDY_FILES, begin_rewrite
from sim.levels import LEVELS
from sim.scenario import Scenario
from sim.scenario.file import Problem, ScenarioError
from sim.studies.workbook import write_workbook
from sim.titles import study_title

__all__ = [
    "TornadoResult",
    "numeric_parameters",
    "run_tornado",
    "scaled",
    "tornado_arms",
    "tornado_study",
    "write_tornado",
]

NOT_VARIED = {
    "seed",
    "replications",
    "horizon_days",
    "start_date",
    "name",
    "description",
    "priority",
    "variants",
    "risk_mix",
    "notification_periods",
    "shift_start_hour",
    "working_days",
    "holidays",
    "changes",
    "schedule",
    "levels",
}


TORNADO_COLUMNS = [
    "parameter",
    "base_value",
    "low_value",
    "high_value",
    "low_mean",
    "high_mean",
    "swing",
    "low_difference_ci95_low",
    "low_difference_ci95_high",
    "high_difference_ci95_low",
    "high_difference_ci95_high",
    "low_note",
    "high_note",
]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def numeric_parameters(scenario: Scenario) -> list[str]:
    """Dotted paths of every parameter a tornado varies (see the module docstring)."""
    found: list[str] = []

    def walk(node: Any, path: tuple[str, ...]) -> None:
        if path and path[-1] in NOT_VARIED:
            return
        if _is_number(node):
            if node != 0:
                found.append(".".join(path))
            return
        if not isinstance(node, dict):
            return
        if set(node) == set(LEVELS) or "dist" in node:
            if any(_is_number(v) and v != 0 for v in node.values()):
                found.append(".".join(path))
            return
        for key, value in node.items():
            walk(value, (*path, str(key)))

    walk(scenario.model_dump(mode="json", by_alias=True, exclude={"variants"}), ())
    return found


def _value_at(data: dict[str, Any], key: str) -> Any:
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(key)
        node = node[part]
    return node


def scaled(value: Any, factor: float) -> Any:
    """``value`` times ``factor``: numbers (ints stay ints), per-level maps, distributions."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(round(value * factor))
    if isinstance(value, float):
        return value * factor
    if isinstance(value, dict):
        return {k: v if k == "dist" else scaled(v, factor) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class TornadoResult:
    """The tornado table (one row per parameter, widest swing first) and how it was run."""

    base: Scenario
    share: float
    outcome: str
    replications: int
    table: pd.DataFrame
    base_mean: float
    ran: Ran


def tornado_arms(
    base: Scenario, keys: Sequence[str], share: float
) -> tuple[list[tuple[str, str, Any, Scenario]], dict[tuple[str, str], str]]:
    """(key, 'low'|'high', value, scenario) for each valid change, and why others were skipped."""
    data = base.model_dump(mode="json", by_alias=True, exclude={"variants"})
    arms, skipped, problems = [], {}, []
    for key in keys:
        try:
            current = _value_at(data, key)
        except KeyError:
            problems.append(Problem(f"--vary {key}", key, "", "no such field in the scenario"))
            continue
        if not (_is_number(current) or isinstance(current, dict)):
            problems.append(Problem(f"--vary {key}", key, repr(current), "not a number"))
            continue
        for side, factor in (("low", 1 - share), ("high", 1 + share)):
            value = scaled(current, factor)
            if value == current:
                skipped[(key, side)] = "not moved: a whole number"
                continue
            try:
                arms.append((key, side, value, base.with_changes({key: value})))
            except ValidationError as error:
                first = error.errors()[0]
                where = ".".join(str(part) for part in first["loc"])
                skipped[(key, side)] = f"not allowed: {where}: {first['msg']}"
    if problems:
        raise ScenarioError(problems)
    return arms, skipped


def run_tornado(
    base: Scenario,
    share: float,
    outcome: str,
    replications: int,
    keys: Sequence[str] | None = None,
    *,
    executor: Executor | None = None,
    store: ReplicationStore | None = None,
    on_done: OnDone | None = None,
) -> TornadoResult:
    """Run the base and each parameter at -share and +share (one batch, same replications).

    ``tornado.csv`` rows, widest swing first: the parameter, its base, low and high values, the
    outcome's mean at each, the paired difference's 95% CI against the base, and a note for a
    side that was skipped (its mean is then the base mean).
    """
    stats = BatchStats()
    base = base.model_copy(update={"variants": {}})
    keys = list(keys or numeric_parameters(base))
    arms, skipped = tornado_arms(base, keys, share)
    frames = evaluate_outcomes(
        [base, *(scenario for *_, scenario in arms)], replications, executor, store, on_done, stats
    )
    base_values = frames[0][outcome].to_numpy(dtype=float)
    base_mean = float(base_values.mean())
    rows = {key: {"parameter": key, "base_value": _text(_base(base, key))} for key in keys}
    for (key, side, value, _), frame in zip(arms, frames[1:], strict=True):
        values = frame[outcome].to_numpy(dtype=float)
        difference = mean_ci(values - base_values)
        rows[key].update(
            {
                f"{side}_value": _text(value),
                f"{side}_mean": float(values.mean()),
                f"{side}_difference_ci95_low": difference[1],
                f"{side}_difference_ci95_high": difference[2],
            }
        )
    for (key, side), reason in skipped.items():
        rows[key].update({f"{side}_mean": base_mean, f"{side}_note": reason})
    table = pd.DataFrame(list(rows.values()), columns=TORNADO_COLUMNS)
    table["swing"] = (table["high_mean"] - table["low_mean"]).abs()
    table = table.sort_values("swing", ascending=False, ignore_index=True)
    return TornadoResult(
        base=base,
        share=share,
        outcome=outcome,
        replications=replications,
        table=table,
        base_mean=base_mean,
        ran=stats.ran(executor),
    )


def _base(base: Scenario, key: str) -> Any:
    return _value_at(base.model_dump(mode="json", by_alias=True), key)


def _text(value: Any) -> Any:
    if isinstance(value, dict):
        return ", ".join(
            f"{k}: {v:.4g}" if _is_number(v) else f"{k}: {v}" for k, v in value.items()
        )
    return value


def tornado_study(
    base: Scenario,
    keys: Sequence[str],
    *,
    share: float,
    outcome: str,
    target: Path,
    command: Sequence[str],
    engine: Engine,
) -> TornadoResult:
    """A whole tornado (`sweep --tornado`): the base and each of ``keys`` at -share and
    +share, ``base.replications`` each, then the folder ``target``."""
    result = run_tornado(
        base,
        share,
        outcome,
        base.replications,
        keys,
        executor=engine.executor,
        store=engine.store,
        on_done=engine.on_done,
    )
    write_tornado(result, target, command)
    return result


def write_tornado(result: TornadoResult, out_dir: Path, command: Sequence[str]) -> list[Path]:
    """Write tornado.csv, tornado.png, summary.xlsx and manifest.json (last)."""
    from sim.studies.figures import tornado_figure

    begin_rewrite(out_dir, "manifest.json", STUDY_FILES["tornado"])  # old manifest goes first
    paths = [out_dir / name for name in STUDY_FILES["tornado"]]
    atomic_write(paths[0], lambda tmp: result.table.to_csv(tmp, index=False, float_format="%.4f"))
    both_skipped = result.table["low_note"].notna() & result.table["high_note"].notna()
    drawn = result.table[~both_skipped]
    title = (
        f"{study_title(result.base, 'one parameter at a time', command)}\n"
        f"Each parameter -{result.share:.0%} "
        f"(blue) and +{result.share:.0%} (red); mean of {result.replications} replications"
    )
    figure = tornado_figure(drawn, result.outcome, result.base_mean, title)
    write_figure(paths[1], figure, dpi=110)
    write_workbook(
        paths[2],
        title=study_title(result.base, "one parameter at a time", command),
        start=result.base.start_date,
        comparison=result.table,
        sheet_name="Tornado",
    )
    write_manifest(
        out_dir,
        command,
        paths,
        study="tornado",
        share=result.share,
        outcome=result.outcome,
        base_mean=result.base_mean,
        replications=result.replications,
        common_random_numbers=True,
        scenario=result.base.model_dump(mode="json", by_alias=True),
        **result.ran.manifest(),
    )
    return paths
