"""One writer per results folder, manifests of the bytes written, reports only of matching
files, and --out checked before any simulation (red-team findings 3, 11 and 14)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from repo import SMALL, runner

from run_sim import app
from sim.io.files import atomic_write, manifest
from sim.io.folder import file_sha256, folder_lock, is_complete


def _run(out: Path, *extra: str):
    args = ["run", str(SMALL), "--replications", "2", "--workers", "1", "--out", str(out)]
    return runner.invoke(app, [*args, "--quiet", "--no-report", *extra])


def test_a_second_run_into_a_locked_folder_is_refused_at_once(tmp_path):
    out = tmp_path / "shared"
    assert _run(out).exit_code == 0
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    with folder_lock(out):  # another run holds the folder
        result = _run(out, "--seed", "2")
    assert result.exit_code == 2, result.output
    assert "another run of this tool is writing to" in result.output
    assert "Traceback" not in result.output
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    assert is_complete(out)


def test_a_refused_run_into_a_new_folder_leaves_nothing(tmp_path):
    out = tmp_path / "new"
    result = _run(out, "--set", "visits.travel_hours=-1")
    assert result.exit_code == 2 and not out.exists()


def test_the_manifest_certifies_the_bytes_this_run_wrote(tmp_path):
    path = tmp_path / "table.csv"
    atomic_write(path, lambda tmp: tmp.write_text("ours\n"))
    ours = file_sha256(path)
    path.write_text("someone else's\n")  # another process replaces the file meanwhile
    assert manifest(["run"], [path])["file_sha256"]["table.csv"] == ours


def _report(folder: Path):
    return runner.invoke(app, ["report", str(folder)])


def test_report_refuses_files_that_do_not_match_the_manifest(tmp_path):
    out = tmp_path / "r"
    assert _run(out).exit_code == 0
    assert _report(out).exit_code == 0
    table = out / "trajectories.csv"
    table.write_text(table.read_text().replace("\n0,0,2024-04-01,", "\n0,0,2024-04-01,9", 1))
    result = _report(out)
    assert result.exit_code == 2, result.output
    assert "trajectories.csv is not the file its manifest.json describes" in result.output


@pytest.mark.parametrize(
    "edit",
    [
        lambda m: m.pop("tool"),
        lambda m: m["scenario"].update(start_date="garbage"),
        lambda m: m["scenario"].update(start_date=5),
        lambda m: m["scenario"].update(staffing="text"),
        lambda m: m.update(files="not a list"),
    ],
)
def test_report_of_a_malformed_manifest_exits_2_without_a_traceback(tmp_path, edit):
    out = tmp_path / "r"
    assert _run(out).exit_code == 0
    path = out / "manifest.json"
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))
    result = _report(out)
    assert result.exit_code == 2, result.output
    assert (
        "Traceback" not in result.output
        and result.exception is None
        or isinstance(result.exception, SystemExit)
    )


def _refused_before_simulating(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Cannot write results" in result.output
    assert "Running" not in result.output and "Traceback" not in result.output
    for word in words:
        assert word in result.output


def test_out_under_a_file_is_refused_before_simulating(tmp_path):
    (tmp_path / "afile.txt").write_text("x")
    _refused_before_simulating(_run(tmp_path / "afile.txt" / "sub"), "cannot create")


def test_out_with_a_name_too_long_is_refused_before_simulating(tmp_path):
    _refused_before_simulating(_run(tmp_path / ("d" * 300)), "cannot use")


def test_out_holding_a_folder_named_like_a_result_file_is_refused(tmp_path):
    out = tmp_path / "r"
    (out / "trajectories.csv").mkdir(parents=True)
    _refused_before_simulating(_run(out), "is a folder")


def test_out_that_cannot_be_written_is_refused_before_simulating(tmp_path, monkeypatch):
    out = tmp_path / "r"
    out.mkdir()
    if os.geteuid() == 0:  # root writes anywhere: make the folder refuse new files instead
        import tempfile

        def refuse(*args, **kwargs):
            raise PermissionError(1, "Operation not permitted")

        monkeypatch.setattr(tempfile, "mkstemp", refuse)
    else:
        out.chmod(0o555)
    try:
        _refused_before_simulating(_run(out, "--no-cache"), "cannot write in")
    finally:
        out.chmod(0o755)


def test_two_real_runs_into_one_folder_the_second_is_refused(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    from repo import ROOT

    out = tmp_path / "shared"
    command = [sys.executable, str(ROOT / "run_sim.py"), "run", str(SMALL), "--out", str(out)]
    first = subprocess.Popen(
        [
            *command,
            "--workers",
            "1",
            "--quiet",
            "--no-report",
            "--replications",
            "200",
            "--set",
            "horizon_days=2000",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not list(out.glob(".replications/*/rep-*.npz")):
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        second = _run(out, "--seed", "2")
        assert second.exit_code == 2, second.output
        assert "another run of this tool is writing to" in second.output
        assert first.poll() is None  # the first run goes on, untouched
    finally:
        os.killpg(first.pid, signal.SIGINT)
        first.communicate(timeout=60)
    assert first.returncode == 130
