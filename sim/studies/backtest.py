"""Score a forecast against what happened: the ``backtest`` command's tables and files.

A forecast's results folder keeps its daily table (trajectories.csv, one row per replication
and day) and its manifest (the scenario, seed, replications, parameter sample, when it was
made), so it can be scored whenever figures arrive. For each figure reported later (an
*actual*, read exactly as an observation is, sim/scenario/observations.py) the forecast's
replications give a distribution: its mean, its 50% interval (25th to 75th percentile) and
its 90% interval (5th to 95th); the table says whether the actual fell inside each and the
error of the mean (forecast minus actual, and as a share of the actual). Coverage over the
figures summarises it: a well-calibrated forecast has about half of the actuals inside its
50% intervals and nine in ten inside its 90% intervals (with few figures, only roughly).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.metrics import total_only
from sim.io.files import atomic_write, write_figure
from sim.io.folder import manifest_problem
from sim.scenario.file import Problem, ScenarioError
from sim.scenario.observations import Observation, replication_values

__all__ = [
    "BACKTEST_COLUMNS",
    "ForecastError",
    "backtest_table",
    "coverage",
    "read_forecast",
    "write_backtest",
]

BACKTEST_COLUMNS = (
    "metric",
    "period",
    "actual",
    "forecast_mean",
    "p5",
    "p25",
    "p75",
    "p95",
    "inside_50",
    "inside_90",
    "error",
    "relative_error",
    "replications",
    "source",
)


class ForecastError(Exception):
    """The forecast folder cannot be scored; the message says why."""


def read_forecast(folder: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The forecast's daily table (whole scenario) and its manifest."""
    import json

    if not folder.is_dir():
        raise ForecastError(f"--forecast {folder}: no such folder (a results folder of run)")
    problem = manifest_problem(folder)
    if problem is not None:
        raise ForecastError(f"--forecast {folder}: not a complete results folder ({problem})")
    if not (folder / "trajectories.csv").is_file():
        raise ForecastError(
            f"--forecast {folder}: it has no trajectories.csv (a folder written by run)"
        )
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    frame = total_only(pd.read_csv(folder / "trajectories.csv", parse_dates=["date"]))
    return frame, manifest


def backtest_table(
    actuals: list[tuple[str, Observation]], trajectories: pd.DataFrame
) -> pd.DataFrame:
    """One row per actual (see the module docstring); a ScenarioError names each actual
    (file, line, field) that the forecast does not cover."""
    rows = []
    problems = []
    first, last = trajectories["date"].min().date(), trajectories["date"].max().date()
    for index, (where, actual) in enumerate(actuals):
        if actual.first_day < first or actual.date > last:
            problems.append(
                Problem(
                    where,
                    f"actuals[{index}].date",
                    actual.period_label(),
                    f"a day the forecast covers: {first} to {last}",
                )
            )
            continue
        values = replication_values(actual, trajectories)
        finite = values[np.isfinite(values)]
        if len(finite) == 0:
            problems.append(
                Problem(
                    where,
                    f"actuals[{index}].metric",
                    actual.metric,
                    "a figure the forecast can compute (its denominator is 0 in every replication)",
                )
            )
            continue
        p5, p25, p75, p95 = (float(v) for v in np.percentile(finite, [5, 25, 75, 95]))
        mean = float(finite.mean())
        value = actual.value
        rows.append(
            {
                "metric": actual.metric,
                "period": actual.period_label(),
                "actual": value,
                "forecast_mean": mean,
                "p5": p5,
                "p25": p25,
                "p75": p75,
                "p95": p95,
                "inside_50": bool(p25 <= value <= p75),
                "inside_90": bool(p5 <= value <= p95),
                "error": mean - value,
                "relative_error": (mean - value) / abs(value) if value else float("nan"),
                "replications": len(finite),
                "source": actual.source,
            }
        )
    if problems:
        raise ScenarioError(problems)
    return pd.DataFrame(rows, columns=list(BACKTEST_COLUMNS))


def coverage(table: pd.DataFrame) -> dict[str, float]:
    """Share of actuals inside the 50% and the 90% intervals, and how many were scored."""
    return {
        "figures": float(len(table)),
        "inside_50": float(table["inside_50"].mean()) if len(table) else float("nan"),
        "inside_90": float(table["inside_90"].mean()) if len(table) else float("nan"),
    }


def write_backtest(
    table: pd.DataFrame,
    actuals: list[Observation],
    trajectories: pd.DataFrame,
    out_dir: Path,
    title: str,
    forecast: Path | None = None,
) -> list[Path]:
    """Write backtest.csv and backtest.png (each actual against the forecast's replications,
    drawn as calibration.png draws observations); and, when the forecast has a fan
    (``run --parameters``) and overdue visits on a day among the actuals, backtest_fan.png:
    the fan with those actuals on it."""
    from sim.calibration.figures import calibration_figure  # matplotlib only when drawing

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "backtest.csv", out_dir / "backtest.png"]
    atomic_write(paths[0], lambda tmp: table.to_csv(tmp, index=False, float_format="%.4f"))
    write_figure(paths[1], calibration_figure(actuals, trajectories, title), dpi=110)
    on_fan = [
        {"date": a.date, "value": a.value}
        for a in actuals
        if a.metric.replace(" ", "") == "overdue_visits" and a.from_date in (None, a.date)
    ]
    fan_path = forecast / "fan.csv" if forecast is not None else None
    if fan_path is not None and fan_path.is_file() and on_fan:
        from sim.analysis.uncertainty import spread_sentence
        from sim.studies.fan_figure import fan_figure

        fan = pd.read_csv(fan_path, parse_dates=["date"])
        figure = fan_figure(fan, title, spread_sentence(fan), actuals=pd.DataFrame(on_fan))
        paths.append(out_dir / "backtest_fan.png")
        write_figure(paths[-1], figure, dpi=110)
    return paths
