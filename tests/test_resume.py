"""Resumable batches: finished replications are stored at once and reused after a crash.

A replication is a pure function of (scenario, replication index), so a stored one is as good
as a recomputed one: a batch killed part-way and started again must run only the missing
replications and give the same files as a batch that was never interrupted.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from repo import ROOT, SMALL, runner
from scenario_factory import make_scenario

from run_sim import app
from sim.experiments.batch import BatchStats, evaluate
from sim.experiments.store import (
    CACHE_FOLDER_NAME,
    ReplicationStore,
    referenced_file_digests,
    scenario_key,
)

ARGS = ["--replications", "20", "--set", "horizon_days=60", "--workers", "1", "--quiet"]


def _stored(out: Path) -> list[Path]:
    return sorted((out / CACHE_FOLDER_NAME).glob("*/rep-*.npz"))


def test_a_batch_killed_with_sigkill_resumes_and_equals_an_uninterrupted_run(tmp_path):
    out = tmp_path / "killed"
    command = [sys.executable, str(ROOT / "run_sim.py"), "run", str(SMALL), *ARGS]
    process = subprocess.Popen([*command, "--out", str(out)], cwd=ROOT)
    deadline = time.monotonic() + 120
    while len(_stored(out)) < 3 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    done_before = {path: path.stat().st_ino for path in _stored(out)}
    assert 3 <= len(done_before) < 20, "the kill must land part-way through the batch"
    assert not (out / "manifest.json").exists()  # the results are written only at the end
    assert not (out / "trajectories.csv").exists()

    resumed = runner.invoke(app, ["run", str(SMALL), *ARGS, "--out", str(out)])
    assert resumed.exit_code == 0, resumed.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["replications_from_store"] == len(done_before)  # only the rest were run
    for path, inode in done_before.items():
        assert path.stat().st_ino == inode  # stored replications were not rewritten
    assert len(_stored(out)) == 20

    fresh = tmp_path / "fresh"
    result = runner.invoke(app, ["run", str(SMALL), *ARGS, "--out", str(fresh), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert (out / "trajectories.csv").read_bytes() == (fresh / "trajectories.csv").read_bytes()
    assert (out / "summary.csv").read_bytes() == (fresh / "summary.csv").read_bytes()
    assert not (fresh / CACHE_FOLDER_NAME).exists()


def test_the_key_ignores_what_cannot_change_a_replication():
    base = make_scenario()
    same = [
        make_scenario(name="other"),
        make_scenario(description="words"),
        make_scenario(replications=50),
        make_scenario(variants={"x": {"staffing.offender_managers": 3}}),
    ]
    assert all(scenario_key(s) == scenario_key(base) for s in same)
    different = [make_scenario(seed=8), make_scenario(staffing={"offender_managers": 99})]
    assert all(scenario_key(s) != scenario_key(base) for s in different)


def test_more_replications_reuse_the_stored_ones(tmp_path):
    scenario = make_scenario(horizon_days=30)
    store = ReplicationStore(tmp_path)
    evaluate([scenario], 2, store=store)
    stats = BatchStats()
    records = evaluate(
        [scenario.model_copy(update={"replications": 4})], 4, None, store, None, stats
    )
    assert (stats.from_store, stats.computed) == (2, 2)
    assert [r.replication for r in records[0].records] == [0, 1, 2, 3]


def test_an_unreadable_stored_replication_is_recomputed(tmp_path):
    scenario = make_scenario(horizon_days=30, population={"initial": {"size": 5}})
    store = ReplicationStore(tmp_path)
    good = evaluate([scenario], 1, store=store)[0].records[0]
    path = store.path(scenario, 0)
    path.write_bytes(b"not an npz file")
    assert store.load(scenario, 0) is None
    stats = BatchStats()
    again = evaluate([scenario], 1, None, store, None, stats)[0].records[0]
    assert (stats.from_store, stats.computed) == (0, 1)
    assert (again.table == good.table).all()
    assert store.load(scenario, 0) is not None  # rewritten whole
    assert not [p for p in os.listdir(path.parent) if p.endswith(".tmp")]


def test_a_named_caseload_file_enters_the_key_by_its_contents(tmp_path):
    # Same path, edited file: a different scenario for the store (never stale results).
    caseload = tmp_path / "caseload.csv"
    caseload.write_text("risk_level\nhigh\n")
    resolved = {"population": {"initial_caseload": str(caseload)}}
    before = referenced_file_digests(resolved)
    caseload.write_text("risk_level\nlow\n")
    after = referenced_file_digests(resolved)
    assert before != after and set(before) == {"population.initial_caseload"}
    assert referenced_file_digests({"population": {"initial": {"size": 3}}}) == {}
