"""calibrate --method abc: inference on a synthetic truth, narrowing, resuming, the folder.

The synthetic truth: one offender manager (availability 0.6) for 70 medium-risk offenders
due every 30 days (about 2.3 visits a day), who can make 7.5 x availability / 2.5 attempts a
day (1.8 at the truth): visit attempts are limited by the hours available and grow with
availability up to about 0.78; offenders are out 30% of the time, so there is chance. The
figure observed is the number of visit attempts from day 10 to day 45, taken from
replications the calibration never runs (seed 1000 + trial, not the scenario's seed 7): like
a force's figure, it carries chance the calibration cannot reproduce exactly.

Coverage: in each trial the truth should lie in the sample's 90% interval (weighted 5th to
95th percentiles). If the interval's coverage is at least the nominal 90%, the number of
trials out of ``TRIALS`` covering the truth is at least Binomial(TRIALS, 0.9); the test
requires at least the count below which that binomial falls with probability under 5%.
"""

from __future__ import annotations

import copy
import json

import numpy as np
import pandas as pd
import pytest
import yaml
from repo import runner
from scenario_factory import per_level, scenario_dict
from scipy.stats import binom

from run_sim import app
from sim.analysis.metrics import trajectories
from sim.calibration.abc import AbcSettings, final_population, open_run, run_generations
from sim.calibration.fitting import Objective, parse_parameter
from sim.experiments.batch import run_replications
from sim.io.folder import is_complete
from sim.scenario.file import parse_scenario
from sim.scenario.observations import Observation, replication_values

TRUE_AVAILABILITY = 0.6
TRIALS = 6
ATTEMPTS = {"metric": "visit_attempts", "from_date": "2024-01-11", "date": "2024-02-15"}


def _truth(seed: int = 7) -> dict:
    return scenario_dict(
        horizon_days=46,
        seed=seed,
        replications=2,
        population={"initial": {"size": 70}},
        visits={"out_probability": per_level(0.3)},
        staffing={"offender_managers": 1, "availability": TRUE_AVAILABILITY},
    )


def _observed(seed: int, tolerance: float) -> dict:
    """The scenario (seed 7) with the figure simulated from the truth under ``seed``."""
    truth = parse_scenario(_truth(seed), "truth")
    frame = trajectories(run_replications(truth, 2), truth.start_date)
    value = replication_values(Observation.model_validate({**ATTEMPTS, "value": 0}), frame)
    data = copy.deepcopy(_truth())
    data["observations"] = [{**ATTEMPTS, "value": float(value.mean()), "tolerance": tolerance}]
    return data


def _sample(data: dict, folder, generations: int = 6) -> pd.DataFrame:
    parameter = parse_parameter("staffing.availability=0.2:1.0", data)
    objective = Objective(data, "synthetic", [parameter], 2)
    settings = AbcSettings(population_size=25, generations=generations, max_simulations=600)
    run = open_run(objective, folder, settings, workers=1)
    run_generations(run)
    return final_population(run)


def _interval(sample: pd.DataFrame, level: float = 0.9) -> tuple[float, float]:
    values = sample["staffing.availability"].to_numpy()
    weights = sample["weight"].to_numpy()
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order]) / weights.sum()
    tail = (1 - level) / 2
    low = values[order][np.searchsorted(cumulative, tail)]
    high = values[order][min(np.searchsorted(cumulative, 1 - tail), len(values) - 1)]
    return float(low), float(high)


def test_the_sample_covers_the_truth_at_least_as_often_as_its_level_says(tmp_path):
    covered = 0
    widths = []
    for trial in range(TRIALS):
        sample = _sample(_observed(1000 + trial, 0.1), tmp_path / f"trial{trial}")
        low, high = _interval(sample)
        covered += low <= TRUE_AVAILABILITY <= high
        widths.append(high - low)
    required = int(binom.ppf(0.05, TRIALS, 0.9))
    assert covered >= required, (covered, required)
    # and the sample learned something: narrower than the prior's 90% interval (0.72 wide)
    assert max(widths) < 0.5


def test_a_tighter_tolerance_narrows_the_sample(tmp_path):
    loose = _interval(_sample(_observed(1000, 0.15), tmp_path / "loose"))
    tight = _interval(_sample(_observed(1000, 0.04), tmp_path / "tight"))
    assert tight[1] - tight[0] < 0.75 * (loose[1] - loose[0])


def _calibrate(path, out, *extra):
    return runner.invoke(
        app,
        [
            "calibrate",
            str(path),
            "--method",
            "abc",
            "--param",
            "staffing.availability=0.2:1.0",
            "--population-size",
            "20",
            "--replications",
            "2",
            "--out",
            str(out),
            "--workers",
            "1",
            "--quiet",
            *extra,
        ],
    )


def test_a_stopped_calibration_continues_where_it_stopped(tmp_path):
    import pyabc

    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(_observed(1000, 0.05), sort_keys=False))
    out = tmp_path / "abc"
    first = _calibrate(path, out, "--generations", "1")
    assert first.exit_code == 0, first.output
    history = pyabc.History(f"sqlite:///{out / 'abc_history.db'}")
    generation0 = history.get_distribution(m=0, t=0)[0].sort_index()
    simulated_first = int(history.total_nr_simulations)
    second = _calibrate(path, out, "--generations", "3")
    assert second.exit_code == 0, second.output
    assert "Continued from 1 generation" in second.output
    generations = pd.read_csv(out / "generations.csv")
    assert list(generations["generation"]) == [0, 1, 2]
    # generation 0 is the one the first call made, not a new one
    history = pyabc.History(f"sqlite:///{out / 'abc_history.db'}")
    again = history.get_distribution(m=0, t=0)[0].sort_index()
    assert again.equals(generation0)
    assert int(history.total_nr_simulations) == generations["simulated"].sum()
    assert generations["simulated"].iloc[0] == simulated_first
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["resumed_generations"] == 1 and manifest["generations"] == 3
    # the thresholds fall, generation by generation, and acceptance is a share
    assert generations["epsilon"].is_monotonic_decreasing
    assert generations["acceptance_rate"].between(0, 1).all()
    # one worker: the same sample as a calibration that was never stopped
    whole = _calibrate(path, tmp_path / "whole", "--generations", "3")
    assert whole.exit_code == 0, whole.output
    assert (tmp_path / "whole" / "parameter_sample.csv").read_bytes() == (
        out / "parameter_sample.csv"
    ).read_bytes()
    # other settings on the same folder: refused, not mixed
    other = _calibrate(path, out, "--generations", "3", "--population-size", "30")
    assert other.exit_code == 2 and "other settings" in other.output
    assert is_complete(out)  # and the finished calibration in the folder is left as it was


def test_the_folder_holds_the_sample_its_diagnostics_and_the_figures(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(_observed(1001, 0.1), sort_keys=False))
    out = tmp_path / "abc"
    result = _calibrate(path, out, "--generations", "3")
    assert result.exit_code == 0, result.output
    assert is_complete(out)
    sample = pd.read_csv(out / "parameter_sample.csv")
    assert list(sample.columns) == ["parameter_set", "staffing.availability", "weight"]
    assert len(sample) == 20 and sample["weight"].sum() == pytest.approx(1.0)
    assert sample["staffing.availability"].between(0.2, 1.0).all()
    figures = pd.read_csv(out / "reproduced_figures.csv")
    label = "visit_attempts [2024-01-11..2024-02-15]"
    assert label in figures.columns and len(figures) == 20
    generations = pd.read_csv(out / "generations.csv")
    assert (generations["effective_sample_size"] <= 20 + 1e-9).all()
    assert (generations["effective_sample_size"] >= 1).all()
    assert (out / "pairs.png").stat().st_size > 0
    assert (out / "calibration.csv").is_file()
    # the sample is what run --parameters takes
    run = runner.invoke(
        app,
        [
            "run",
            str(path),
            "--parameters",
            str(out / "parameter_sample.csv"),
            "--out",
            str(tmp_path / "forecast"),
            "--quiet",
            "--no-report",
            "--replications",
            "4",
        ],
    )
    assert run.exit_code == 0, run.output
    assert (tmp_path / "forecast" / "fan.png").is_file()


def _done_generations(database) -> list[tuple[int, float]]:
    import sqlite3

    if not database.exists():
        return []
    try:
        with sqlite3.connect(database, timeout=1) as connection:
            rows = connection.execute("SELECT t, epsilon FROM populations WHERE t >= 0").fetchall()
    except sqlite3.Error:  # the file is being created
        return []
    return sorted(rows)


def test_a_killed_calibration_started_again_continues(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from repo import ROOT

    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(_observed(1002, 0.01), sort_keys=False))
    out = tmp_path / "abc"
    arguments = [
        "calibrate", str(path), "--method", "abc", "--param", "staffing.availability=0.2:1.0",
        "--population-size", "20", "--replications", "2", "--generations", "5",
        "--epsilon", "0.01", "--out", str(out), "--workers", "1", "--quiet",
    ]  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "run_sim.py", *arguments], cwd=ROOT, start_new_session=True
    )
    deadline = time.monotonic() + 90
    while len(_done_generations(out / "abc_history.db")) < 2 and time.monotonic() < deadline:
        assert process.poll() is None, "the calibration ended before it could be killed"
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)  # no chance to clean up, as a power cut
    process.wait()
    before = _done_generations(out / "abc_history.db")
    assert 2 <= len(before) < 5
    assert not (out / "manifest.json").exists()  # the folder reads as incomplete
    again = runner.invoke(app, arguments)
    assert again.exit_code == 0, again.output
    assert f"Continued from {len(before)} generation" in again.output
    after = _done_generations(out / "abc_history.db")
    assert after[: len(before)] == before and len(after) == 5
    assert is_complete(out)


def test_the_calibration_runs_on_a_dask_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(_observed(1003, 0.1), sort_keys=False))
    out = tmp_path / "abc"
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        result = runner.invoke(
            app,
            ["calibrate", str(path), "--method", "abc", "--param",
             "staffing.availability=0.2:1.0", "--population-size", "20", "--replications", "2",
             "--generations", "2", "--out", str(out), "--scheduler", cluster.scheduler_address,
             "--quiet"],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert is_complete(out)
    generations = pd.read_csv(out / "generations.csv")
    assert list(generations["accepted"]) == [20, 20]
    sample = pd.read_csv(out / "parameter_sample.csv")
    assert sample["staffing.availability"].between(0.2, 1.0).all()
