"""Ctrl-C with worker processes stops within seconds and keeps every finished replication.

A real ``run_sim.py run --workers 2`` with replications that take seconds each gets a real
SIGINT sent to its process group (as a terminal's Ctrl-C is) once some replications are stored.
Workers ignore SIGINT, so the main process must stop them itself rather than wait for the
replications in progress: it exits 130 within 10 s, the finished replications stay in
``.replications``, and it says how many.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from repo import ROOT, SMALL


def _stored(out: Path) -> list[Path]:
    return sorted((out / ".replications").rglob("rep-*.npz")) if out.exists() else []


def test_ctrl_c_with_workers_exits_130_within_seconds_keeping_finished_replications(tmp_path):
    out = tmp_path / "results"
    command = [
        sys.executable,
        str(ROOT / "run_sim.py"),
        "run",
        str(SMALL),
        "--out",
        str(out),
        "--no-report",
        "--quiet",
        "--workers",
        "2",
        "--replications",
        "100",
        "--set",
        "horizon_days=9000",
    ]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while not _stored(out):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "no replication finished in time"
            time.sleep(0.05)
        time.sleep(0.5)  # the next replications are under way in both workers
        os.killpg(process.pid, signal.SIGINT)
        sent = time.monotonic()
        stdout, stderr = process.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, stderr
    assert took < 10, f"took {took:.1f} s to stop"
    assert "Traceback" not in stdout + stderr
    kept = _stored(out)
    assert kept
    assert f"{len(kept)} finished replications of this run are kept" in stderr
