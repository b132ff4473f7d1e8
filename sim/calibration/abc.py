"""Every parameter set the observed figures allow: ABC-SMC with pyabc (``calibrate --method abc``).

Approximate Bayesian computation by sequential Monte Carlo (pyabc's ``ABCSMC``):

* **Prior**: uniform over each ``--param`` range (integers rounded, as in the point fit).
* **Model**: a parameter set runs the scenario's replications ``0..n-1`` with the scenario's
  seed: *every* set, in every generation, runs the same replications (common random numbers),
  so two sets differ only through their parameters and the accept/reject decision is not a
  matter of luck.
* **Distance**: the largest absolute scaled error over the observations (sim/calibration/
  fit_table.py): each figure's error in units of its own tolerance. A distance of 1 or less
  means *every* figure is within tolerance, so the final ``--epsilon 1`` sample is the
  prior restricted to the parameter sets that reproduce every figure, weighted by pyabc's
  importance weights.
* **Schedule**: the first generation is a sample of the prior (every valid set accepted);
  each later generation's threshold is the weighted median distance of the one before, never
  below ``epsilon`` (:func:`next_epsilon`); the run stops at ``epsilon``, after
  ``generations`` generations, or after ``max_simulations`` parameter sets.

The run is kept in an SQLite file (pyabc's History), one generation at a time, so a killed
calibration started again with the same settings continues from its last whole generation
(:func:`open_run`). Parameters are named ``p0, p1 ...`` inside pyabc (dotted paths are not
safe SQL names) and mapped back when the sample is written.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.metrics import trajectories as to_trajectories
from sim.calibration.fit_table import fit_table
from sim.calibration.fitting import Objective, Parameter
from sim.experiments.batch import run_replications
from sim.io.files import write_json
from sim.io.folder import TOOL
from sim.scenario.file import ScenarioError

__all__ = [
    "AbcRun",
    "AbcSettings",
    "INVALID_DISTANCE",
    "SettingsMismatch",
    "figure_labels",
    "open_run",
    "run_generations",
]

INVALID_DISTANCE = 1e6  # a set that gives an invalid scenario, or a figure not computable
HISTORY_FILE = "abc_history.db"


@dataclass(frozen=True)
class AbcSettings:
    """What decides an ABC run: a folder's history is continued only with the same ones."""

    population_size: int = 100
    generations: int = 8  # at most (a resumed run may ask for more)
    epsilon: float = 1.0  # stop when every accepted set is within this many tolerances
    max_simulations: int = 3000  # parameter sets simulated, in all generations
    seed: int = 0

    def fingerprint(self, objective: Objective) -> str:
        """What must match for a history to be continued (not ``generations``, nor the
        simulation cap, which a user raises to continue)."""
        text = json.dumps(
            {
                "scenario": objective.scenario_at(
                    [p.value_at(0.5) for p in objective.parameters]
                ).model_dump(mode="json", exclude={"name", "description", "variants"}),
                "parameters": [[p.path, p.low, p.high, p.integer] for p in objective.parameters],
                "replications": objective.replications,
                "population_size": self.population_size,
                "seed": self.seed,
            },
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(text.encode()).hexdigest()[:20]


class SettingsMismatch(Exception):
    """The folder holds an ABC history made with other settings."""


def figure_labels(objective: Objective) -> list[str]:
    """``metric [period]`` for each observation, in order (column names of the figures)."""
    observations = objective.scenario_at(
        [p.value_at(0.5) for p in objective.parameters]
    ).observations
    return [f"{o.metric} [{o.period_label()}]" for o in observations]


def _model(objective: Objective) -> Callable[[dict[str, float]], dict[str, float]]:
    """pyabc's model: a parameter set -> each figure's scaled error and simulated mean."""
    parameters = objective.parameters

    def model(par: dict[str, float]) -> dict[str, float]:
        values = [p.value_at(p.unit_of(float(par[f"p{i}"]))) for i, p in enumerate(parameters)]
        try:
            scenario = objective.scenario_at(values)
        except ScenarioError:
            return {"invalid": 1.0}
        records = run_replications(scenario, objective.replications)
        table = fit_table(scenario.observations, to_trajectories(records, scenario.start_date))
        stats: dict[str, float] = {"invalid": 0.0}
        errors = table["scaled_error"].to_numpy(dtype=float)
        means = table["simulated_mean"].to_numpy(dtype=float)
        for i in range(len(table)):
            stats[f"e{i}"] = float(errors[i])
            stats[f"m{i}"] = float(means[i])
        return stats

    return model


def _distance(x: dict[str, float], x_0: dict[str, float]) -> float:
    """The largest absolute scaled error (``x_0`` is a placeholder: errors are already
    measured against the observations)."""
    if x.get("invalid", 0.0):
        return INVALID_DISTANCE
    errors = np.array([value for key, value in x.items() if key.startswith("e")], dtype=float)
    if errors.size == 0 or not np.all(np.isfinite(errors)):
        return INVALID_DISTANCE
    return float(np.max(np.abs(errors)))


@dataclass
class AbcRun:
    """An ABC-SMC run bound to its history file."""

    abc: Any  # pyabc.ABCSMC
    history: Any  # pyabc.History
    objective: Objective
    settings: AbcSettings
    resumed_generations: int  # whole generations found in the folder

    @property
    def generations_done(self) -> int:
        return int(self.history.max_t) + 1 if self.history.max_t is not None else 0

    def last_epsilon(self) -> float:
        populations = self.history.get_all_populations()
        done = populations[populations["t"] >= 0]
        return float(done["epsilon"].iloc[-1]) if len(done) else float("inf")

    def simulations(self) -> int:
        return int(self.history.total_nr_simulations)

    def finished(self) -> bool:
        """Reached epsilon, the generations asked for or the simulation cap."""
        return (
            self.last_epsilon() <= self.settings.epsilon
            or self.generations_done >= self.settings.generations
            or self.simulations() >= self.settings.max_simulations
        )


def _sampler(workers: int, scheduler: str | None) -> Any:
    from pyabc.sampler import (
        DaskDistributedSampler,
        MulticoreEvalParallelSampler,
        SingleCoreSampler,
    )

    if scheduler is not None:
        from distributed import Client

        return DaskDistributedSampler(Client(scheduler), batch_size=1)
    if workers <= 1:
        return SingleCoreSampler()
    return MulticoreEvalParallelSampler(n_procs=workers)


def open_run(
    objective: Objective,
    folder: Path,
    settings: AbcSettings,
    *,
    workers: int = 1,
    scheduler: str | None = None,
) -> AbcRun:
    """A new run in ``folder``, or the one already there (same settings) to continue.

    Raises SettingsMismatch if the folder's history was made with other settings.
    """
    import pyabc

    logging.getLogger("ABC").setLevel(logging.WARNING)  # pyabc narrates every generation
    logging.getLogger("pyabc").setLevel(logging.WARNING)
    priors = pyabc.Distribution(
        **{
            f"p{i}": pyabc.RV("uniform", p.low, p.high - p.low)
            for i, p in enumerate(objective.parameters)
        }
    )
    abc = pyabc.ABCSMC(
        _model(objective),
        priors,
        _distance,
        population_size=settings.population_size,
        eps=pyabc.ConstantEpsilon(INVALID_DISTANCE / 2),  # replaced every generation
        sampler=_sampler(workers, scheduler),
    )
    database = folder / HISTORY_FILE
    stamp = folder / "abc_settings.json"
    fingerprint = settings.fingerprint(objective)
    if database.exists() and stamp.exists():
        recorded = json.loads(stamp.read_text(encoding="utf-8")).get("fingerprint")
        if recorded != fingerprint:
            raise SettingsMismatch(
                f"{database} holds a calibration with other settings (scenario, --param, "
                "--replications, --population-size or --seed); use another --out, or --force "
                "to start again"
            )
        history = abc.load(f"sqlite:///{database}", 1)
        run = AbcRun(abc, history, objective, settings, 0)
        run.resumed_generations = run.generations_done
        return run
    database.unlink(missing_ok=True)
    write_json(stamp, {"tool": TOOL, "fingerprint": fingerprint})  # "tool": the folder's own
    observed = {f"e{i}": 0.0 for i in range(len(figure_labels(objective)))}
    history = abc.new(f"sqlite:///{database}", observed)
    return AbcRun(abc, history, objective, settings, 0)


def next_epsilon(run: AbcRun) -> float:
    """The next generation's threshold: any valid set for the first (a sample of the prior),
    then the weighted median distance of the last generation, never below ``epsilon``."""
    if run.generations_done == 0:
        return INVALID_DISTANCE / 2
    frame = run.history.get_weighted_distances(t=run.history.max_t)
    order = np.argsort(frame["distance"].to_numpy())
    distances = frame["distance"].to_numpy()[order]
    weights = frame["w"].to_numpy()[order]
    cumulative = np.cumsum(weights) / weights.sum()
    median = float(distances[np.searchsorted(cumulative, 0.5)])
    return max(run.settings.epsilon, median)


def run_generations(run: AbcRun, on_generation: Callable[[int, float], None] | None = None) -> None:
    """Run generations one at a time until :meth:`AbcRun.finished`; ``on_generation(t, eps)``
    hears of each one (a progress bar). Each finished generation is in the history file."""
    try:
        _generations(run, on_generation)
    finally:
        client = getattr(run.abc.sampler, "client", None)  # a Dask client we opened
        if client is not None:
            client.close()


def _generations(run: AbcRun, on_generation: Callable[[int, float], None] | None) -> None:
    import pyabc

    while not run.finished():
        # the threshold is set here, generation by generation, so a resumed run continues the
        # same schedule (pyabc's own schedule restarts when run() is called again)
        run.abc.eps = pyabc.ConstantEpsilon(next_epsilon(run))
        before = run.generations_done
        # pyabc draws from numpy's global generator: seeded per generation, so a serial run
        # resumed after generation t gives what the uninterrupted run would have
        np.random.seed([run.settings.seed % 2**32, before])
        run.abc.run(max_nr_populations=1, max_total_nr_simulations=run.settings.max_simulations)
        if run.generations_done == before:  # pyabc stopped without a generation: do not spin
            break
        if on_generation is not None:
            on_generation(run.generations_done - 1, run.last_epsilon())


def final_population(run: AbcRun) -> pd.DataFrame:
    """The last generation: one row per accepted set with its weight, distance, values (named
    by dotted path) and the simulated mean of every figure."""
    population = run.history.get_population(t=run.history.max_t)
    labels = figure_labels(run.objective)
    parameters: tuple[Parameter, ...] = run.objective.parameters
    rows = []
    for particle in population.particles:
        row: dict[str, Any] = {}
        for i, p in enumerate(parameters):
            row[p.path] = p.value_at(p.unit_of(float(particle.parameter[f"p{i}"])))
        row["weight"] = float(particle.weight)
        row["distance"] = float(particle.distance)
        for i, label in enumerate(labels):
            row[label] = float(particle.sum_stat.get(f"m{i}", np.nan))
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["weight"] = frame["weight"] / frame["weight"].sum()
    frame.insert(0, "parameter_set", range(len(frame)))
    return frame


def generations_table(run: AbcRun) -> pd.DataFrame:
    """One row per generation: epsilon, sets accepted, sets simulated, acceptance rate and the
    effective sample size of the weights (Kish: 1 / sum of squared normalised weights)."""
    populations = run.history.get_all_populations()
    rows = []
    for record in populations[populations["t"] >= 0].itertuples():
        t = int(record.t)
        _, weights = run.history.get_distribution(m=0, t=t)
        w = np.asarray(weights, dtype=float)
        w = w / w.sum()
        rows.append(
            {
                "generation": t,
                "epsilon": float(record.epsilon),
                "accepted": int(record.particles),
                "simulated": int(record.samples),
                "acceptance_rate": int(record.particles) / max(int(record.samples), 1),
                "effective_sample_size": float(1.0 / np.sum(w**2)),
            }
        )
    return pd.DataFrame(rows)
