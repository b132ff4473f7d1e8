"""Write the fit of a run to its results folder: calibration.csv and calibration.png.

Used by ``run`` (when the scenario has observations) and by ``calibrate`` (for the fitted
scenario). Files are written atomically, like every other result file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.calibration.fit_table import fit_table
from sim.io.files import atomic_write
from sim.scenario import Scenario

__all__ = ["CALIBRATION_FILES", "write_calibration"]

CALIBRATION_FILES = ("calibration.csv", "calibration.png")


def write_calibration(
    scenario: Scenario, trajectories: pd.DataFrame, out_dir: Path
) -> dict[str, Path]:
    """Write the fit table and its figure; returns {file name: path}."""
    from sim.calibration.figures import calibration_figure  # matplotlib only when drawing

    paths = {name: out_dir / name for name in CALIBRATION_FILES}
    table = fit_table(scenario.observations, trajectories)
    atomic_write(
        paths["calibration.csv"],
        lambda tmp: table.to_csv(tmp, index=False, float_format="%.4f"),
    )
    figure = calibration_figure(
        scenario.observations, trajectories, scenario.description or scenario.name
    )
    try:
        atomic_write(
            paths["calibration.png"], lambda tmp: figure.savefig(tmp, dpi=110, format="png")
        )
    finally:
        import matplotlib.pyplot as plt

        plt.close(figure)
    return paths
