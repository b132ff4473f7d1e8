"""Where replications run must not change what they give: serial, local processes, Dask.

A replication is a pure function of (scenario, replication index), so every executor must
give byte-identical trajectories.csv files. The Dask tests use a real local cluster
(distributed.LocalCluster, 2 worker processes), started once for this module.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from repo import SMALL, runner

from run_sim import app
from sim.experiments.batch import evaluate
from sim.experiments.executors import DaskExecutor, ExecutorError, ProcessExecutor, SerialExecutor
from sim.scenario.file import load_scenario


@pytest.fixture(scope="module")
def dask_scheduler():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


def _run(out: Path, *options: str) -> Path:
    args = ["run", str(SMALL), "--replications", "3", "--seed", "11", "--out", str(out)]
    args += ["--set", "horizon_days=60"]
    result = runner.invoke(app, [*args, "--quiet", "--no-cache", *options])
    assert result.exit_code == 0, result.output
    return out / "trajectories.csv"


def test_serial_processes_and_dask_give_identical_files(tmp_path, dask_scheduler):
    serial = _run(tmp_path / "serial", "--workers", "1").read_bytes()
    processes = _run(tmp_path / "processes", "--workers", "2").read_bytes()
    dask = _run(tmp_path / "dask", "--scheduler", dask_scheduler).read_bytes()
    assert serial == processes == dask
    manifests = [
        json.loads((tmp_path / name / "manifest.json").read_text())["executor"]
        for name in ("serial", "processes", "dask")
    ]
    assert manifests == ["serial", "2 local processes", f"Dask scheduler {dask_scheduler}"]


def test_one_batch_of_several_scenarios_keeps_each_scenario_in_order(dask_scheduler):
    # Results arrive in any order; evaluate() must put each back with its scenario and
    # replication. Two scenarios that differ (2 and 6 officers) must not swap records.
    base = load_scenario(SMALL)
    scenarios = [base.with_changes({"staffing.offender_managers": n}) for n in (2, 6)]
    with SerialExecutor() as serial, DaskExecutor(dask_scheduler) as dask:
        expected = evaluate(scenarios, 3, serial)
        got = evaluate(scenarios, 3, dask)
    for want, have in zip(expected, got, strict=True):
        assert [r.replication for r in have.records] == [0, 1, 2]
        for a, b in zip(want.records, have.records, strict=True):
            assert (a.table == b.table).all()
    # and the two scenarios really differ, so a swap would have been caught
    assert not (expected[0].records[0].table == expected[1].records[0].table).all()


def test_process_pool_is_reused_and_closed():
    base = load_scenario(SMALL).with_changes({"horizon_days": 20})
    with ProcessExecutor(2) as executor:
        first = evaluate([base], 2, executor)
        second = evaluate([base], [2, 3], executor)  # same pool, further replications
        assert executor._pool is not None
    assert executor._pool is None
    assert [r.replication for r in first[0].records + second[0].records] == [0, 1, 2, 3]


def test_an_unreachable_scheduler_is_a_clear_error():
    with pytest.raises(ExecutorError, match="cannot reach a Dask scheduler"):
        with DaskExecutor("tcp://127.0.0.1:9", connect_timeout_s=2) as executor:
            evaluate([load_scenario(SMALL)], 1, executor)


def test_sensitivity_runs_on_the_dask_cluster(tmp_path, dask_scheduler):
    ranges = tmp_path / "ranges.yaml"
    ranges.write_text("parameters:\n  staffing.offender_managers: [2, 6]\n")
    args = ["sensitivity", str(SMALL), "--ranges", str(ranges), "--samples", "2"]
    options = ["--replications", "1", "--set", "horizon_days=30", "--quiet"]
    results = {}
    for name, where in (("dask", ["--scheduler", dask_scheduler]), ("local", ["--workers", "1"])):
        out = tmp_path / name
        result = runner.invoke(app, [*args, *options, *where, "--out", str(out)])
        assert result.exit_code == 0, result.output
        results[name] = (out / "samples.csv").read_bytes()
    assert results["dask"] == results["local"]


def _die(_argument: int) -> None:
    """A task whose worker process dies at once (as if killed for lack of memory)."""
    import os

    os._exit(1)


def test_a_dead_worker_process_is_a_clear_error():
    with ProcessExecutor(1) as executor:
        with pytest.raises(ExecutorError, match="run the same command again to resume"):
            list(executor.map_unordered(_die, [(1,)]))


def test_executors_say_how_many_tasks_run_at_once(dask_scheduler):
    # --precision adds replications in batches of this size; the local cluster has 2 workers
    # of 1 thread each.
    with DaskExecutor(dask_scheduler) as dask:
        assert dask.parallelism == 2
    assert SerialExecutor().parallelism == 1 and ProcessExecutor(3).parallelism == 3


def _three_areas(tmp_path: Path) -> Path:
    """The small example split into three areas of different sizes (one short of staff)."""
    import yaml

    data = yaml.safe_load(SMALL.read_text())
    data["horizon_days"] = 60
    data["areas"] = [
        {"name": "north", "population": {"initial": {"size": 120}}},
        {"name": "south", "population": {"initial": {"size": 80}}},
        {
            "name": "west",
            "population": {"initial": {"size": 50}},
            "staffing": {"offender_managers": 2},
        },
    ]
    path = tmp_path / "three_areas.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_one_replication_with_areas_spreads_its_areas_over_the_workers(tmp_path):
    # One replication of a scenario with three areas is three pieces of work: with --workers 2
    # it runs on two worker processes (it used to say "serial"), and every table is the same
    # byte for byte as the serial run's.
    scenario = _three_areas(tmp_path)
    folders = {}
    for workers in ("1", "2"):
        out = tmp_path / f"workers{workers}"
        args = ["run", str(scenario), "--replications", "1", "--seed", "3", "--out", str(out)]
        options = ["--quiet", "--no-cache", "--no-report", "--workers", workers]
        result = runner.invoke(app, [*args, *options])
        assert result.exit_code == 0, result.output
        folders[workers] = out
    for name in ("trajectories.csv", "summary.csv", "trajectories.parquet", "summary.parquet"):
        assert (folders["1"] / name).read_bytes() == (folders["2"] / name).read_bytes(), name
    executors = [
        json.loads((folders[w] / "manifest.json").read_text())["executor"] for w in ("1", "2")
    ]
    assert executors == ["serial", "2 local processes"]


def test_progress_counts_areas_and_a_replication_once_all_its_areas_are_in(tmp_path):
    # on_done hears of each area as it ends (3 areas x 2 replications = 6), and replications
    # come back whole: each record holds all three areas' tables.
    from sim.experiments.batch import work_units

    scenario = load_scenario(_three_areas(tmp_path))
    counted: list[int] = []
    with ProcessExecutor(2) as executor:
        records = evaluate([scenario], 2, executor, on_done=counted.append)[0].records
    assert work_units([scenario], 2) == 6 == sum(counted)
    assert [list(record.area_tables) for record in records] == [["north", "south", "west"]] * 2
