"""The results folder: never someone else's, never written outside, never mistaken for complete.

Guard (sim/output_folder.py): ``--out`` refuses a folder holding files the tool did not write
unless ``--force``, and then replaces only its own files. Crash safety: every file is written
to a temporary name and renamed; ``manifest.json`` goes first when a rewrite starts and comes
back last, listing each file's SHA-256, so a folder is complete exactly when its manifest says
so. Ctrl-C and SIGKILL are sent to real processes at the moments that matter: while
simulating, and while writing. Like a terminal's Ctrl-C, they go to the whole process group
(the run and its worker processes).

Finished replications are kept in ``<out>/.replications`` for resuming (replication_store.py);
that folder is the tool's own, and is not a result file.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from repo import ROOT, SMALL, runner

from run_sim import app
from sim.experiments.store import CACHE_FOLDER_NAME
from sim.io.folder import (
    OWN_FOLDERS,
    RUN_FILES,
    OutputFolderError,
    file_sha256,
    is_complete,
    prepare_output_folder,
)

STORE = ".replications"
PNG_END = b"IEND\xaeB`\x82"  # the last chunk of every complete PNG file


def _run(out: Path, *extra: str, report: bool = False):
    args = ["run", str(SMALL), "--replications", "2", "--out", str(out), "--quiet", *extra]
    return runner.invoke(app, args if report else [*args, "--no-report"])


# -- the guard -------------------------------------------------------------------------------


def test_a_folder_with_someone_elses_files_is_refused_and_left_alone(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes")
    result = _run(out)
    assert result.exit_code == 2
    assert str(out) in result.output and "notes.txt" in result.output
    assert "--force" in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]  # nothing written


def test_force_writes_only_the_tools_own_files(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes")
    result = _run(out, "--force")
    assert result.exit_code == 0, result.output
    assert (out / "notes.txt").read_text() == "my notes"
    assert sorted(p.name for p in out.iterdir()) == sorted([*RUN_FILES, "notes.txt", STORE])


def test_rerunning_into_the_tools_own_folder_needs_no_force(tmp_path):
    out = tmp_path / "results"
    assert _run(out).exit_code == 0
    first = (out / "manifest.json").read_bytes()
    result = _run(out, "--seed", "3")
    assert result.exit_code == 0, result.output
    assert (out / "manifest.json").read_bytes() != first


def test_out_naming_a_file_is_refused(tmp_path):
    a_file = tmp_path / "results.csv"
    a_file.write_text("x")
    result = _run(a_file)
    assert result.exit_code == 2 and "is a file" in result.output
    assert a_file.read_text() == "x"


def test_nothing_is_written_outside_the_folder_given(tmp_path):
    # The run's only trace anywhere under tmp_path is the folder it was given, holding the
    # four result files and the replication store, and no temporary file anywhere.
    out = tmp_path / "deep" / "results"
    assert _run(out).exit_code == 0
    for path in tmp_path.rglob("*"):
        assert path in (tmp_path / "deep", out) or out in path.parents, path
        assert not path.name.endswith(".tmp"), path
    assert sorted(p.name for p in out.iterdir()) == sorted([*RUN_FILES, STORE])


def test_what_counts_as_the_tools_own(tmp_path):
    # empty, missing, our files, our leftover temporary files and our results in subfolders
    # (one result folder per variant, as a sweep writes) are ours; anything else is not.
    assert prepare_output_folder(tmp_path / "missing") == tmp_path / "missing"
    folder = tmp_path / "f"
    folder.mkdir()
    prepare_output_folder(folder)
    for name in RUN_FILES:
        (folder / name).write_text("x")
    (folder / "manifest.json").write_text(json.dumps({"tool": "offender-visit-sim"}))
    (folder / ".trajectories.csv.a1B2c3D4.tmp").write_text("half")
    (folder / "variant_1").mkdir()
    (folder / "variant_1" / "summary.csv").write_text("x")
    assert OWN_FOLDERS == (CACHE_FOLDER_NAME,) == (STORE,)  # the store is the tool's own
    (folder / STORE / "0123abcd").mkdir(parents=True)
    (folder / STORE / "0123abcd" / "rep-00000.npz").write_text("x")
    prepare_output_folder(folder)
    # a manifest.json from another program is not ours
    (folder / "manifest.json").write_text(json.dumps({"tool": "other"}))
    with pytest.raises(OutputFolderError, match="manifest.json"):
        prepare_output_folder(folder)
    # files listed by one of our manifests are ours (other commands write other names)
    (folder / "manifest.json").write_text(
        json.dumps({"tool": "offender-visit-sim", "files": ["plan.csv"]})
    )
    (folder / "plan.csv").write_text("x")
    prepare_output_folder(folder)
    (folder / "variant_1" / "data.xlsx").write_text("x")
    with pytest.raises(OutputFolderError, match="variant_1/data.xlsx"):
        prepare_output_folder(folder)
    assert prepare_output_folder(folder, force=True) == folder


def test_the_manifest_marks_a_complete_folder_and_its_exact_files(tmp_path):
    out = tmp_path / "results"
    assert _run(out).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["files"] == sorted(RUN_FILES)
    assert set(manifest["file_sha256"]) == set(RUN_FILES) - {"manifest.json"}
    assert is_complete(out)
    with (out / "summary.csv").open("a") as handle:
        handle.write("tampered\n")
    assert not is_complete(out)  # a file that is not the one the manifest describes
    (out / "manifest.json").unlink()
    assert not is_complete(out)


# -- interruptions of a real process ---------------------------------------------------------


def _start(out: Path, *extra: str) -> subprocess.Popen:
    """run_sim.py run in a new process group, so a signal can reach it and its workers."""
    command = ["run", str(SMALL), "--out", str(out), "--no-report", *extra]
    return subprocess.Popen(
        [sys.executable, str(ROOT / "run_sim.py"), *command],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    os.killpg(process.pid, signum)


def _wait_for(condition, process: subprocess.Popen, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def _assert_whole_files(out: Path, rows: int) -> None:
    """Every file under a final name is whole: a reader never meets half a file."""
    if (out / "trajectories.csv").exists():
        assert len(pd.read_csv(out / "trajectories.csv")) == rows
    if (out / "summary.csv").exists():
        assert pd.read_csv(out / "summary.csv")["metric"].notna().all()
    if (out / "backlog.png").exists():
        assert (out / "backlog.png").read_bytes().endswith(PNG_END)


def test_ctrl_c_while_simulating_exits_130_and_writes_no_results(tmp_path):
    # Minutes of work, stopped a second in: whatever moment the Ctrl-C lands (workers still
    # starting, or replications running), the run stops within seconds, exits 130 without a
    # traceback, writes no result file, and says what it kept: nothing, or the finished
    # replications in the store (the exact number that are there), for a rerun to resume.
    out = tmp_path / "results"
    process = _start(out, "--replications", "2000")
    assert "Running 2000 replications" in process.stderr.readline()
    time.sleep(1.0)
    _signal_group(process, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr + stdout
    kept = sorted((out / STORE).rglob("rep-*.npz")) if out.exists() else []
    if kept:
        assert f"{len(kept)} finished replications of this run are kept" in stderr
        assert sorted(p.name for p in out.iterdir()) == [STORE]
    else:
        assert "Interrupted: nothing was saved" in stderr


def test_ctrl_c_while_writing_says_which_files_were_saved(tmp_path):
    # 200 days x 3 replications: the figure takes seconds to draw, after the two tables.
    out = tmp_path / "results"
    process = _start(out, "--replications", "3", "--set", "horizon_days=200")
    _wait_for(lambda: (out / "summary.parquet").exists(), process)
    _signal_group(process, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr + stdout
    tables = ["trajectories.csv", "trajectories.parquet", "summary.csv", "summary.parquet"]
    assert f"saved {', '.join(tables)}" in stderr and "incomplete" in stderr
    assert not (out / "manifest.json").exists()
    assert not is_complete(out)
    assert sorted(p.name for p in out.iterdir()) == sorted([STORE, *tables])
    _assert_whole_files(out, rows=3 * 200)


def test_sigkill_while_writing_leaves_no_file_a_reader_would_take_for_complete(tmp_path):
    # First a complete run (with its report); then a new run into the same folder is killed
    # (SIGKILL cannot be caught) the moment it starts writing. Its first act was to remove the
    # old manifest and the report built from the old results, so the folder -- old files,
    # maybe some new ones -- no longer claims to be complete; every file under a final name
    # is whole; and the next run tidies up and completes it.
    out = tmp_path / "results"
    assert _run(out, "--set", "horizon_days=200", report=True).exit_code == 0
    assert is_complete(out) and (out / "report.html").exists()
    process = _start(out, "--replications", "3", "--set", "horizon_days=200", "--seed", "8")
    _wait_for(lambda: not (out / "manifest.json").exists(), process)
    _signal_group(process, signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert not is_complete(out)
    assert not (out / "report.html").exists()
    rows = len(pd.read_csv(out / "trajectories.csv"))
    assert rows in (2 * 200, 3 * 200)  # the old file or the new one, never a mixture
    _assert_whole_files(out, rows)
    # a later run into the folder needs no --force, clears leftovers, and completes it
    result = _run(out, "--set", "horizon_days=200")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted([*RUN_FILES, STORE])
    assert is_complete(out)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["file_sha256"]["trajectories.csv"] == file_sha256(out / "trajectories.csv")


# -- the experiment commands share the guard and the completeness rule ---------------------

STUDIES = {
    "sweep": ["sweep", str(SMALL), "--param", "staffing.offender_managers=5,6"],
    "compare": ["compare", str(SMALL), "--variant", "more:staffing.offender_managers=8"],
}


@pytest.mark.parametrize("study", sorted(STUDIES))
def test_experiment_commands_guard_their_folder_and_mark_it_complete(tmp_path, study):
    out = tmp_path / study
    args = [*STUDIES[study], "--replications", "2", "--set", "horizon_days=30", "--workers", "1"]
    args += ["--out", str(out), "--quiet"]
    assert runner.invoke(app, args).exit_code == 0
    assert is_complete(out)  # its manifest lists every file with its SHA-256
    again = runner.invoke(app, args)  # its own folder: no --force needed
    assert again.exit_code == 0, again.output
    (out / "notes.txt").write_text("mine")
    refused = runner.invoke(app, args)
    assert refused.exit_code == 2 and "notes.txt" in refused.output
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0
    assert (out / "notes.txt").read_text() == "mine" and is_complete(out)


def test_ctrl_c_during_a_c_extensions_import_is_still_an_interrupt(tmp_path):
    # A Ctrl-C that lands while matplotlib's renderer initialises reaches Python as an
    # ImportError caused by the KeyboardInterrupt (seen in CI: the first chart is drawn, and
    # so matplotlib imported, just after the tables are written). It must end like any
    # Ctrl-C (code 130, no traceback); an ImportError of another cause must not be swallowed.
    import typer

    from sim.cli.session import interruptible

    def interrupted_import():
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as interrupt:
            raise ImportError("initialization failed") from interrupt

    with pytest.raises(typer.Exit) as ended:
        with interruptible(tmp_path, ["summary.csv"]):
            interrupted_import()
    assert ended.value.exit_code == 130
    with pytest.raises(ImportError, match="no module"):
        with interruptible(tmp_path, ["summary.csv"]):
            raise ImportError("no module named nowhere")
