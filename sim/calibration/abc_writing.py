"""Write what ``calibrate --method abc`` leaves behind (manifest.json last).

* ``parameter_sample.csv``: the sample, one row per parameter set: ``parameter_set``, one
  column per fitted field (dotted paths, as ``--set`` spells them) and ``weight`` (summing to
  1). This is the file ``run``, ``compare`` and ``plan`` take with ``--parameters``.
* ``reproduced_figures.csv``: the same sets with their weight, their distance (largest
  scaled error) and the simulated mean of every observed figure.
* ``generations.csv``: per generation the threshold, sets accepted and simulated, the
  acceptance rate and the effective sample size.
* ``pairs.png``: the sample's pairwise plot (seaborn; sets drawn by weight).
* ``calibration.csv`` / ``calibration.png``: the fit table of the sample as a whole (each
  replication with a set drawn by weight, as a forecast with ``--parameters`` runs).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration.writing import write_calibration
from sim.io.files import atomic_write, write_figure, write_manifest
from sim.io.folder import STUDY_FILES, begin_rewrite
from sim.scenario import Scenario

__all__ = ["pairs_figure", "sample_frame", "write_abc_folder"]

PAIR_DRAWS = 2000  # sets drawn by weight for the pairwise plot


def sample_frame(population: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """The columns of parameter_sample.csv from the final population."""
    return population[["parameter_set", *names, "weight"]]


def pairs_figure(population: pd.DataFrame, names: Sequence[str], title: str) -> Any:
    """Pairwise plot of the sample: histograms on the diagonal, scatter below it."""
    from sim.io.files import plain_text_figures

    plain_text_figures()
    import seaborn as sns

    rng = np.random.default_rng(0)  # the picture only: the same every time
    weights = population["weight"].to_numpy(dtype=float)
    drawn = rng.choice(len(population), size=PAIR_DRAWS, p=weights / weights.sum())
    frame = population.iloc[drawn][list(names)].reset_index(drop=True)
    if len(names) == 1:
        import matplotlib.pyplot as plt

        figure, axes = plt.subplots(figsize=(5, 4))
        sns.histplot(frame[names[0]], ax=axes, bins=20)
        axes.set_title(title, fontsize=9)
        return figure
    grid = sns.pairplot(frame, corner=True, diag_kind="hist", plot_kws={"s": 8, "alpha": 0.4})
    grid.figure.suptitle(title, fontsize=9)
    return grid.figure


def _csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, float_format="%.10g")


def write_abc_folder(
    *,
    target: Path,
    command: Sequence[str],
    population: pd.DataFrame,
    names: Sequence[str],
    generations: pd.DataFrame,
    fitted: Scenario,
    trajectories: pd.DataFrame,
    details: dict[str, Any],
) -> list[Path]:
    """Write the folder (manifest.json last); ``fitted`` is the scenario run with the sample
    and ``trajectories`` its replications (for the fit table)."""
    begin_rewrite(target, "manifest.json", STUDY_FILES["calibrate-abc"], derived=())
    files: list[Path] = []
    for name, frame in (
        ("parameter_sample.csv", sample_frame(population, names)),
        ("reproduced_figures.csv", population),
        ("generations.csv", generations),
    ):
        files.append(target / name)
        atomic_write(files[-1], partial(_csv, frame))
    files.append(target / "pairs.png")
    title = f"{fitted.name}: parameter sample ({len(population)} sets)"
    write_figure(files[-1], pairs_figure(population, names, title), dpi=100)
    files.extend(write_calibration(fitted, trajectories, target, title).values())
    files.append(target / "abc_history.db")
    write_manifest(target, command, files, **details)
    return files
