"""A whole ``calibrate --method abc``: generations (resumable), then the sample's folder.

:func:`abc_study` continues the history in the folder if there is one with the same settings
(a killed calibration started again goes on from its last whole generation), runs
generations until the threshold, the generation count or the simulation cap is reached,
runs the scenario with the sample for the fit table, and writes the folder
(sim/calibration/abc_writing.py).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pandas as pd

from sim.analysis.metrics import trajectories as to_trajectories
from sim.calibration.abc import (
    AbcSettings,
    final_population,
    generations_table,
    open_run,
    run_generations,
)
from sim.calibration.abc_writing import sample_frame, write_abc_folder
from sim.calibration.fit_table import fit_table
from sim.calibration.fitting import Objective, start_values
from sim.experiments.batch import run_replications
from sim.experiments.executors import Executor
from sim.io.files import atomic_write

__all__ = ["AbcResult", "abc_study"]


@dataclass(frozen=True)
class AbcResult:
    """What an ABC calibration found."""

    population: pd.DataFrame  # final generation: sets, weights, distances, figures
    generations: pd.DataFrame
    table: pd.DataFrame  # the fit table of the sample as a whole
    resumed_generations: int
    sample_path: Path
    seconds: float


def abc_study(
    objective: Objective,
    settings: AbcSettings,
    *,
    target: Path,
    command: Sequence[str],
    workers: int = 1,
    scheduler: str | None = None,
    executor: Executor | None = None,
    check_replications: int = 20,
    on_generation: Callable[[int, float], None] | None = None,
    on_resumed: Callable[[int], None] | None = None,
) -> AbcResult:
    """Calibrate into ``target``; ``workers`` processes (or a Dask ``scheduler``) run the
    parameter sets, ``executor`` the final check of the sample (``check_replications``)."""
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    clock = time.perf_counter()
    target.mkdir(parents=True, exist_ok=True)
    run = open_run(objective, target, settings, workers=workers, scheduler=scheduler)
    (target / "manifest.json").unlink(missing_ok=True)  # incomplete until written again
    if on_resumed is not None and run.resumed_generations:
        on_resumed(run.resumed_generations)
    run_generations(run, on_generation)
    population = final_population(run)
    names = [p.path for p in objective.parameters]
    sample_path = target / "parameter_sample.csv"
    atomic_write(
        sample_path,
        lambda tmp: sample_frame(population, names).to_csv(tmp, index=False, float_format="%.10g"),
    )
    base = objective.scenario_at(start_values(objective.parameters, objective.data))
    fitted = base.model_copy(update={"parameter_sample": str(sample_path.resolve())})
    records = run_replications(fitted, check_replications, executor=executor)
    frame = to_trajectories(records, fitted.start_date)
    generations = generations_table(run)
    last = generations.iloc[-1]
    details = {
        "method": f"ABC-SMC (pyabc {metadata.version('pyabc')})",
        "started_at": started_at,
        "seconds": round(time.perf_counter() - clock, 3),
        "settings": json.loads(json.dumps(settings.__dict__)),
        "replications_per_set": objective.replications,
        "generations": int(len(generations)),
        "resumed_generations": run.resumed_generations,
        "simulated_sets": run.simulations(),
        "final_epsilon": float(last["epsilon"]),
        "effective_sample_size": float(last["effective_sample_size"]),
        "ranges": {p.path: [p.low, p.high] for p in objective.parameters},
        "check_replications": check_replications,
        "scenario": base.model_dump(mode="json"),
    }
    write_abc_folder(
        target=target,
        command=command,
        population=population,
        names=names,
        generations=generations,
        fitted=fitted,
        trajectories=frame,
        details=details,
    )
    return AbcResult(
        population,
        generations,
        fit_table(fitted.observations, frame),
        run.resumed_generations,
        sample_path,
        time.perf_counter() - clock,
    )
