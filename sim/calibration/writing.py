"""Write calibration results: the fit of a run, and the whole `calibrate` results folder.

* :func:`write_calibration`: calibration.csv and calibration.png, the fit of one scenario's
  trajectories to its observations. Used by ``run`` (when the scenario has observations) and
  by ``calibrate`` (for the fitted scenario).
* :func:`write_calibration_folder`: everything ``calibrate`` leaves behind:
  ``<name>_calibrated.yaml`` (the scenario with the fitted values), fitted_parameters.csv,
  evaluations.csv (every point tried), the fit above, and manifest.json last.

Files are written atomically, like every other result file, and the old manifest is removed
before the first one, so a folder whose writing was cut short reads as incomplete.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from functools import partial
from pathlib import Path

import pandas as pd

from sim.calibration.fit_table import fit_table
from sim.calibration.fitting import FitResult
from sim.calibration.scenario_writer import calibrated_yaml
from sim.io.files import atomic_write, write_figure, write_manifest
from sim.io.folder import CALIBRATION_FILES, STUDY_FILES, begin_rewrite
from sim.scenario import Scenario

__all__ = ["CALIBRATION_FILES", "write_calibration", "write_calibration_folder"]


def write_calibration(
    scenario: Scenario, trajectories: pd.DataFrame, out_dir: Path, title: str | None = None
) -> dict[str, Path]:
    """Write the fit table and its figure (headed ``title``, by default the scenario's
    description); returns {file name: path}."""
    from sim.calibration.figures import calibration_figure  # matplotlib only when drawing

    paths = {name: out_dir / name for name in CALIBRATION_FILES}
    table = fit_table(scenario.observations, trajectories)
    atomic_write(
        paths["calibration.csv"],
        lambda tmp: table.to_csv(tmp, index=False, float_format="%.4f"),
    )
    figure = calibration_figure(
        scenario.observations, trajectories, title or scenario.description or scenario.name
    )
    write_figure(paths["calibration.png"], figure, dpi=110)
    return paths


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, float_format="%.10g")


def write_calibration_folder(
    result: FitResult,
    trajectories: pd.DataFrame,
    *,
    original: Path,
    target: Path,
    command: Sequence[str],
    started_at: str,
) -> Path:
    """Write the results of a fit to ``target`` (manifest.json last); returns the path of the
    calibrated copy of the scenario file ``original``.

    ``trajectories`` are the fitted scenario's; ``command`` is what ran (recorded in the
    copy's header and the manifest), ``started_at`` when.
    """
    begin_rewrite(target, "manifest.json", STUDY_FILES["calibrate"])  # old manifest first
    copy_path = target / f"{result.scenario.name}_calibrated.yaml"
    text = calibrated_yaml(
        result, original, copy_path, " ".join(shlex.quote(a) for a in command), started_at
    )
    atomic_write(copy_path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    files = [copy_path]
    for name, frame in (
        ("fitted_parameters.csv", result.parameters_frame()),
        ("evaluations.csv", result.evaluations_frame()),
    ):
        files.append(target / name)
        atomic_write(files[-1], partial(_write_csv, frame))
    files.extend(write_calibration(result.scenario, trajectories, target).values())
    write_manifest(
        target,
        command,
        files,
        started_at=started_at,
        fit_seconds=round(result.seconds, 3),
        replications_per_evaluation=result.replications,
        evaluations=len(result.evaluations),
        loss=result.best_loss,
        fitted={p.path: v for p, v in zip(result.parameters, result.best, strict=True)},
        ranges={p.path: [p.low, p.high] for p in result.parameters},
        scenario=result.scenario.model_dump(mode="json"),
    )
    return copy_path
