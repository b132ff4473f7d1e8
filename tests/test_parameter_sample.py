"""Forecasts with a parameter sample (--parameters): one weighted set per replication, paired.

Expected results come from reasoning, not from recorded output:

* a sample holding one set is the scenario with those values set directly, replication by
  replication (the set is applied before the replication runs; the random streams are the
  model's own);
* the sets are drawn with the weights' frequencies (binomial bounds), never a set of weight 0;
* two arms that are the same scenario give paired differences of exactly 0 in every
  replication while the replications themselves differ (same set, same random numbers in
  replication k), and the differences are the same serially, on 2 processes and on Dask;
* the replication store never serves one set's replication for another;
* the variance decomposition of the fan recovers known shares on synthetic data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from repo import SMALL, runner
from scenario_factory import make_scenario, per_level

from run_sim import app
from sim.analysis.uncertainty import spread_parts
from sim.experiments.batch import evaluate, evaluate_outcomes, run_replications
from sim.experiments.executors import DaskExecutor, ProcessExecutor, SerialExecutor
from sim.experiments.parameter_sample import (
    parameter_sets,
    read_sample,
    scenario_for_replication,
    set_index,
)
from sim.experiments.store import ReplicationStore
from sim.io.folder import is_complete
from sim.scenario.file import ScenarioError, load_scenario


def _sample(path, rows, names=("staffing.availability",)):
    lines = [",".join([*names, "weight"])]
    lines += [",".join(str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def _tight(**changes):
    """A scarce team with chance in it (offenders sometimes out), 40 days: a few ms a run."""
    base = {
        "horizon_days": 40,
        "population": {"initial": {"size": 40}},
        "visits": {"out_probability": per_level(0.3)},
        "staffing": {"offender_managers": 1, "availability": 0.6},
    }
    base.update(changes)
    return make_scenario(**base)


def test_a_one_set_sample_is_the_scenario_with_those_values(tmp_path):
    sample = _sample(tmp_path / "one.csv", [(0.45, 1)])
    with_sample = _tight(parameter_sample=str(sample))
    direct = _tight(staffing={"offender_managers": 1, "availability": 0.45})
    got = run_replications(with_sample, 3)
    expected = run_replications(direct, 3)
    for a, b in zip(got, expected, strict=True):
        assert np.array_equal(a.table, b.table)
    # and it is not simply the scenario's own value (0.6): the sample did change something
    own = run_replications(_tight(), 3)
    assert any(not np.array_equal(a.table, b.table) for a, b in zip(got, own, strict=True))


def test_sets_are_drawn_by_weight_and_never_with_weight_zero():
    weights = np.array([0.0, 0.2, 0.8])
    draws = np.array([set_index(5, k, weights) for k in range(2000)])
    assert not (draws == 0).any()
    share = (draws == 2).mean()
    # binomial(2000, 0.8): standard deviation 0.0089; 5 of them either side
    assert abs(share - 0.8) < 5 * np.sqrt(0.8 * 0.2 / 2000)
    # the draw of replication k depends on (seed, k) only
    assert set_index(5, 17, weights) == set_index(5, 17, weights)
    assert [set_index(6, k, weights) for k in range(50)] != list(draws[:50])


def _paired(executor, base, twin, other, replications=6):
    tables = evaluate_outcomes([base, twin, other], replications, executor)
    outcome = "overdue_visits_end"
    return [t[outcome].to_numpy(dtype=float) for t in tables]


@pytest.fixture(scope="module")
def dask_scheduler():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


def test_paired_differences_are_the_same_serially_on_two_workers_and_on_dask(
    tmp_path, dask_scheduler
):
    sample = _sample(tmp_path / "s.csv", [(0.35, 1), (0.6, 1), (0.9, 1)])
    base = _tight(parameter_sample=str(sample))
    twin = base.with_changes({"name": "twin"})
    more = base.with_changes({"staffing.offender_managers": 2})
    results = {}
    with SerialExecutor() as serial:
        results["serial"] = _paired(serial, base, twin, more)
    with ProcessExecutor(2) as processes:
        results["2 processes"] = _paired(processes, base, twin, more)
    with DaskExecutor(dask_scheduler) as dask:
        results["dask"] = _paired(dask, base, twin, more)
    differences = {where: (arms[1] - arms[0], arms[2] - arms[0]) for where, arms in results.items()}
    for where in ("2 processes", "dask"):
        for got, expected in zip(differences[where], differences["serial"], strict=True):
            assert np.array_equal(got, expected), where
    same, extra_staff = differences["serial"]
    # the same scenario twice: the same set and random numbers in every replication ...
    assert np.all(same == 0)
    # ... although the replications differ (three availabilities from 0.35 to 0.9)
    assert np.ptp(results["serial"][0]) > 0
    # a second offender manager never leaves more overdue visits here (paired, same set)
    assert np.all(extra_staff <= 0) and extra_staff.sum() < 0
    sets = parameter_sets(base, range(6))
    assert sets.equals(parameter_sets(more, range(6)))


def test_the_store_keys_the_set_so_a_changed_sample_is_never_served_stale(tmp_path):
    sample = _sample(tmp_path / "s.csv", [(0.4, 1)])
    scenario = _tight(parameter_sample=str(sample))
    store = ReplicationStore(tmp_path / "store")
    first = evaluate([scenario], 2, store=store)[0].records
    _sample(sample, [(0.9, 1)])  # same path, other values
    import os

    os.utime(sample, ns=(1, 1))  # a new modification time even on a coarse clock
    second = evaluate([scenario], 2, store=store)[0].records
    fresh = run_replications(_tight(staffing={"offender_managers": 1, "availability": 0.9}), 2)
    for got, expected in zip(second, fresh, strict=True):
        assert np.array_equal(got.table, expected.table)
    assert not np.array_equal(first[0].table, second[0].table)
    keys = {p.name for p in (tmp_path / "store").iterdir()}
    assert len(keys) == 2  # one folder per parameter set
    assert scenario_for_replication(scenario, 0).parameter_sample is None


def test_the_variance_decomposition_recovers_known_shares():
    rng = np.random.default_rng(1)
    n = 4000
    theta = rng.uniform(0, 1, n)  # variance 1/12
    noise = rng.normal(0, 0.5, (n, 3))  # variance 0.25
    y = 6 * theta[:, None] + noise  # calibration variance 36/12 = 3
    dates = pd.date_range("2024-01-01", periods=3)
    frame = pd.DataFrame(
        {
            "replication": np.repeat(np.arange(n), 3),
            "date": np.tile(dates, n),
            "overdue_visits": y.ravel(),
        }
    )
    sets = pd.DataFrame({"replication": np.arange(n), "staffing.availability": theta})
    fan = spread_parts(frame, sets)
    assert np.allclose(fan["chance_share"], 0.25 / 3.25, atol=0.02)
    # the band from chance alone is about mean +- 1.645 x 0.5, inside the band from both
    width = (fan["chance_p95"] - fan["chance_p5"]).to_numpy()
    assert np.allclose(width, 2 * 1.645 * 0.5, rtol=0.1)
    assert np.all(fan["chance_p5"] > fan["both_p5"]) and np.all(fan["chance_p95"] < fan["both_p95"])


def test_the_band_from_chance_alone_is_cut_at_zero_for_a_count_near_its_floor():
    # a backlog that is often empty: Poisson with mean 3 x theta. The straight-line fit leaves
    # residuals of about -3 where a high theta met an empty backlog, so mean (1.5) plus the
    # residuals' 5th percentile lies well below zero; a count's band must stop at zero.
    rng = np.random.default_rng(2)
    n = 2000
    theta = rng.uniform(0, 1, n)
    y = rng.poisson(3 * theta[:, None], (n, 2)).astype(float)
    dates = pd.date_range("2024-01-01", periods=2)
    frame = pd.DataFrame(
        {
            "replication": np.repeat(np.arange(n), 2),
            "date": np.tile(dates, n),
            "overdue_visits": y.ravel(),
        }
    )
    sets = pd.DataFrame({"replication": np.arange(n), "staffing.availability": theta})
    fan = spread_parts(frame, sets)
    assert (fan["chance_p5"] == 0).all()
    assert (fan["chance_p95"] > fan["mean"]).all()


def test_run_with_parameters_writes_the_sets_and_the_fan(tmp_path):
    sample = _sample(tmp_path / "s.csv", [(0.5, 1), (0.9, 3)])
    out = tmp_path / "run"
    result = runner.invoke(
        app,
        [
            "run",
            str(SMALL),
            "--parameters",
            str(sample),
            "--replications",
            "6",
            "--set",
            "horizon_days=40",
            "--out",
            str(out),
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    assert is_complete(out)
    report = (out / "report.html").read_text()
    assert "Chance and calibration" in report and "of the variance comes from chance" in report
    sets = pd.read_csv(out / "parameter_sets.csv")
    assert list(sets["replication"]) == list(range(6))
    assert set(sets["staffing.availability"]) <= {0.5, 0.9}
    fan = pd.read_csv(out / "fan.csv")
    assert (fan["both_p5"] <= fan["mean"]).all() and (fan["mean"] <= fan["both_p95"]).all()
    shares = fan["chance_share"].dropna()
    assert len(shares) and ((shares >= 0) & (shares <= 1)).all()
    assert (out / "fan.png").stat().st_size > 0
    scenario = load_scenario(SMALL)
    assert scenario.parameter_sample is None  # the file itself is unchanged
    # a backtest of this forecast overlays the actuals on its fan
    actuals = tmp_path / "actuals.yaml"
    actuals.write_text("actuals:\n  - {metric: overdue_visits, date: 2024-05-01, value: 12}\n")
    scored = runner.invoke(
        app,
        [
            "backtest",
            "--forecast",
            str(out),
            "--actuals",
            str(actuals),
            "--out",
            str(tmp_path / "scored"),
        ],
    )
    assert scored.exit_code == 0, scored.output
    assert (tmp_path / "scored" / "backtest_fan.png").stat().st_size > 0
    assert "Black diamonds" not in (out / "report.html").read_text()  # scored elsewhere
    # scored in the forecast's own folder, its report shows the fan with the actuals on it
    in_place = runner.invoke(
        app, ["backtest", "--forecast", str(out), "--actuals", str(actuals)]
    )
    assert in_place.exit_code == 0, in_place.output
    assert "Report updated" in in_place.output
    assert "Black diamonds: the figures reported later" in (out / "report.html").read_text()


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("staffing.availability,weight\n0.5,1\n0.6,x\n", "line 3, column weight"),
        ("staffing.availability\n0.5\n", "line 1 (header)"),
        ("staffing.availability,weight\n0.5,-1\n", "line 2, column weight"),
        ("staffing.availability,weight\n1.7,1\n", "parameter set on line 2"),
    ],
)
def test_a_bad_sample_is_a_clear_error_and_nothing_is_written(tmp_path, text, where):
    sample = tmp_path / "bad.csv"
    sample.write_text(text)
    out = tmp_path / "run"
    result = runner.invoke(
        app, ["run", str(SMALL), "--parameters", str(sample), "--out", str(out), "--quiet"]
    )
    assert result.exit_code == 2, result.output
    assert str(sample) in result.output and where in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_a_variant_that_changes_a_sampled_field_is_refused(tmp_path):
    sample = _sample(tmp_path / "s.csv", [(0.5, 1)])
    result = runner.invoke(
        app,
        [
            "compare",
            str(SMALL),
            "--parameters",
            str(sample),
            "--variant",
            "busy:staffing.availability=0.8",
            "--out",
            str(tmp_path / "c"),
            "--quiet",
        ],
    )
    assert result.exit_code == 2, result.output
    assert "staffing.availability" in result.output


def test_read_sample_normalises_weights(tmp_path):
    sample = read_sample(_sample(tmp_path / "s.csv", [(0.5, 2), (0.7, 6)]))
    assert sample.weights.tolist() == [0.25, 0.75]
    with pytest.raises(ScenarioError):
        read_sample(_sample(tmp_path / "z.csv", [(0.5, 0), (0.7, 0)]))


def test_a_scenario_with_a_sample_cannot_be_calibrated(tmp_path):
    sample = _sample(tmp_path / "s.csv", [(0.5, 1)])
    data = yaml.safe_load(SMALL.read_text())
    data["parameter_sample"] = str(sample)
    data["observations"] = [{"metric": "population", "date": "2024-05-01", "value": 200}]
    path = tmp_path / "with_sample.yaml"
    path.write_text(yaml.safe_dump(data))
    result = runner.invoke(
        app,
        ["calibrate", str(path), "--param", "staffing.availability=0.4:0.9", "--out",
         str(tmp_path / "fit"), "--quiet"],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "parameter_sample" in result.output and not (tmp_path / "fit").exists()
