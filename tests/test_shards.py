"""Shard mode (``run --shard i/N``) and a cluster started with Dask's own command-line tools.

A replication is a pure function of (scenario, replication index), so the shards of a run
(separate processes, as a Slurm job array would start them) followed by one run that
assembles their replications from the store must give the same folder as one run did, byte
for byte apart from what says when and how the run went (the manifest's timing, the command,
the workbook's creation time).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from repo import ROOT, SMALL, runner

from run_sim import app
from sim.experiments.shards import Shard, ShardError

# What may differ between two runs giving the same results: when, how long, where from, the
# command (its --out), and summary.xlsx, whose properties hold the time it was written.
RUN_DETAILS = ("command", "started_at", "run_seconds", "replications_from_store", "executor")


def _areas_scenario(tmp_path: Path) -> Path:
    data = yaml.safe_load(SMALL.read_text())
    data["horizon_days"] = 45
    data["areas"] = [
        {"name": "north", "population": {"initial": {"size": 90}}},
        {
            "name": "south",
            "population": {"initial": {"size": 60}},
            "staffing": {"offender_managers": 2},
        },
    ]
    path = tmp_path / "areas.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _command(scenario: Path, out: Path, *options: str) -> list[str]:
    return [
        sys.executable,
        str(ROOT / "run_sim.py"),
        "run",
        str(scenario),
        "--replications",
        "5",
        "--seed",
        "7",
        "--out",
        str(out),
        "--quiet",
        "--no-report",
        "--workers",
        "1",
        *options,
    ]


def _same_results(one: Path, other: Path) -> None:
    """Every file the same, byte for byte, but for the manifest's run details and the
    workbook's timestamp."""
    names = sorted(p.name for p in one.iterdir() if p.is_file())
    assert names == sorted(p.name for p in other.iterdir() if p.is_file())
    for name in names:
        if name not in ("manifest.json", "summary.xlsx"):
            assert (one / name).read_bytes() == (other / name).read_bytes(), name
    manifests = [json.loads((folder / "manifest.json").read_text()) for folder in (one, other)]
    for manifest in manifests:
        for key in RUN_DETAILS:
            manifest.pop(key)
        manifest["file_sha256"].pop("summary.xlsx")
    assert manifests[0] == manifests[1]


def test_two_shards_then_assembly_give_the_folder_of_a_single_run(tmp_path):
    scenario = _areas_scenario(tmp_path)
    sharded, single = tmp_path / "sharded", tmp_path / "single"
    # the two shards at once, as separate processes sharing the folder
    shards = [
        subprocess.Popen(
            _command(scenario, sharded, "--shard", f"{i}/2"),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    outputs = [shard.communicate(timeout=300) for shard in shards]
    for shard, (_stdout, stderr) in zip(shards, outputs, strict=True):
        assert shard.returncode == 0, stderr
    assert "Shard 0/2: replications 0, 2, 4 are in" in outputs[0][0]
    assert "Shard 1/2: replications 1, 3 are in" in outputs[1][0]
    # shards write no tables: only the replication store, with all five replications
    assert [p.name for p in sharded.iterdir()] == [".replications"]
    assert len(list((sharded / ".replications").rglob("rep-*.npz"))) == 5

    assembled = subprocess.run(
        _command(scenario, sharded), cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert assembled.returncode == 0, assembled.stderr
    assert json.loads((sharded / "manifest.json").read_text())["replications_from_store"] == 5
    alone = subprocess.run(
        _command(scenario, single, "--no-cache"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert alone.returncode == 0, alone.stderr
    _same_results(sharded, single)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("2/2", "out of range"),
        ("0/0", "out of range"),
        ("-1/2", "not of the form i/N"),
        ("1", "not of the form i/N"),
        ("a/b", "not of the form i/N"),
    ],
)
def test_a_bad_shard_is_a_clear_error(tmp_path, value, why):
    out = tmp_path / "out"
    args = ["run", str(SMALL), "--replications", "2", "--shard", value, "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert why in result.output and "--shard" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()  # nothing written


@pytest.mark.parametrize(
    ("option", "words"),
    [
        (["--no-cache"], "drop --no-cache"),
        (["--precision", "0.1"], "not --precision"),
        (["--json"], "drop --json"),
    ],
)
def test_shard_refuses_options_it_cannot_honour(tmp_path, option, words):
    args = ["run", str(SMALL), "--shard", "0/2", "--out", str(tmp_path / "out"), *option]
    if "--precision" not in option:
        args += ["--replications", "2"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert words in result.output


def test_shard_i_of_n_takes_every_nth_replication():
    # 10 replications over 3 shards: each exactly once
    shards = [Shard.parse(f"{i}/3").replications(10) for i in range(3)]
    assert shards == [[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]]
    assert sorted(sum(shards, [])) == list(range(10))
    with pytest.raises(ShardError):
        Shard.parse("3/3")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen, limit_s: float = 60.0) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"dask scheduler stopped: {process.stderr.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"no dask scheduler on port {port} after {limit_s} s")


def test_a_cluster_started_with_the_dask_command_line_gives_the_serial_result(tmp_path):
    # The way a cluster is started by hand or by a batch system: `dask scheduler` and
    # `dask worker ADDRESS` as their own processes (here on 127.0.0.1, random ports).
    dask = shutil.which("dask", path=str(Path(sys.executable).parent)) or shutil.which("dask")
    if dask is None:
        pytest.skip("the dask command-line tool is not installed")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    started: list[subprocess.Popen] = []
    try:
        scheduler = subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port)]
            + ["--dashboard-address", ":0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        started.append(scheduler)
        _wait_for_port(port, scheduler)
        worker = subprocess.Popen(
            [dask, "worker", address, "--nworkers", "1", "--nthreads", "1"]
            + ["--host", "127.0.0.1", "--dashboard-address", ":0", "--no-nanny"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
        )
        started.append(worker)
        from distributed import Client

        with Client(address, timeout=30) as client:
            client.wait_for_workers(1, timeout=60)
        scenario = _areas_scenario(tmp_path)
        cluster, serial = tmp_path / "cluster", tmp_path / "serial"
        for out, where in ((cluster, ["--scheduler", address]), (serial, ["--workers", "1"])):
            args = ["run", str(scenario), "--replications", "2", "--seed", "4", "--out", str(out)]
            result = runner.invoke(app, [*args, "--quiet", "--no-cache", "--no-report", *where])
            assert result.exit_code == 0, result.output
        for name in ("trajectories.csv", "summary.csv"):
            assert (cluster / name).read_bytes() == (serial / name).read_bytes(), name
        manifest = json.loads((cluster / "manifest.json").read_text())
        assert manifest["executor"] == f"Dask scheduler {address}"
    finally:
        for process in reversed(started):
            process.terminate()
        for process in reversed(started):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.mark.parametrize(
    ("command", "files"),
    [
        (
            ["compare", str(SMALL), "--variant", "fewer:staffing.offender_managers=3"],
            ("comparison.csv", "outcomes.csv"),
        ),
        (["sweep", str(SMALL), "--param", "staffing.offender_managers=2,5"], ("sweep.csv",)),
    ],
)
def test_compare_and_sweep_shards_assemble_into_the_single_run(tmp_path, command, files):
    # Every arm (or grid point) gets the shard's replications; the assembly finds them all.
    common = ["--replications", "3", "--seed", "2", "--set", "horizon_days=40", "--quiet"]
    if command[0] == "compare":
        common.append("--no-report")
    sharded, single = tmp_path / "sharded", tmp_path / "single"
    for i in range(2):
        result = runner.invoke(app, [*command, *common, "--shard", f"{i}/2", "--out", str(sharded)])
        assert result.exit_code == 0, result.output
    stored = list((sharded / ".replications").rglob("rep-*.npz"))
    assert len(stored) == 2 * 3  # two arms or points x three replications, nothing else
    assert [p.name for p in sharded.iterdir()] == [".replications"]
    for out, extra in ((sharded, []), (single, ["--no-cache"])):
        result = runner.invoke(app, [*command, *common, *extra, "--out", str(out)])
        assert result.exit_code == 0, result.output
    assert json.loads((sharded / "manifest.json").read_text())["replications_from_store"] == 6
    for name in files:
        assert (sharded / name).read_bytes() == (single / name).read_bytes(), name
