"""Write what a run with a parameter sample adds: parameter_sets.csv, fan.csv and fan.png.

``parameter_sets.csv`` says which parameter set each replication ran (so a backtest or a
reader can split the spread); ``fan.csv`` is the daily decomposition of the spread of overdue
visits into chance and calibration (sim/analysis/uncertainty.py); ``fan.png`` draws it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.analysis.metrics import total_only
from sim.analysis.uncertainty import spread_parts, spread_sentence
from sim.experiments.parameter_sample import parameter_sets
from sim.io.files import atomic_write, write_figure
from sim.scenario import Scenario

__all__ = ["FAN_METRIC", "write_fan"]

FAN_METRIC = "overdue_visits"


def write_fan(
    scenario: Scenario, trajectories: pd.DataFrame, out_dir: Path, title: str
) -> dict[str, Path]:
    """Write the three files; returns {file name: path}."""
    from sim.studies.fan_figure import fan_figure  # matplotlib only when drawing

    frame = total_only(trajectories)
    replications = sorted(int(r) for r in frame["replication"].unique())
    sets = parameter_sets(scenario, replications)
    fan = spread_parts(frame, sets, FAN_METRIC)
    paths = {name: out_dir / name for name in ("parameter_sets.csv", "fan.csv", "fan.png")}
    atomic_write(paths["parameter_sets.csv"], lambda tmp: sets.to_csv(tmp, index=False))
    atomic_write(paths["fan.csv"], lambda tmp: fan.to_csv(tmp, index=False, float_format="%.4f"))
    figure = fan_figure(fan, title, spread_sentence(fan, FAN_METRIC), FAN_METRIC)
    write_figure(paths["fan.png"], figure, dpi=110)
    return paths
