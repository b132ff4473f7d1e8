"""The command line as a user meets it: validate, run, outputs, and errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from repo import ROOT, SHIPPED, SMALL, runner

from run_sim import app
from sim.io.folder import is_complete

REQUIRED_COLUMNS = [
    "replication",
    "day",
    "date",
    "population",
    "overdue_visits",
    "overdue_visits_very_high",
    "overdue_visits_high",
    "overdue_visits_medium",
    "overdue_visits_low",
    "overdue_assessments",
    "oldest_overdue_visit_days",
    "visit_attempts",
    "visits_completed",
    "police_actions",
    "officer_hours_used",
    "undetected_escalations",
]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_scenario_validates(path):
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK ")


def test_run_writes_the_four_files_with_the_named_columns(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["run", str(SMALL), "--replications", "3", "--out", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        ".replications",  # finished replications, kept so an interrupted run can resume
        "backlog.png",
        "manifest.json",
        "report.html",
        "summary.csv",
        "summary.parquet",
        "summary.xlsx",
        "trajectories.csv",
        "trajectories.parquet",
    ]
    frame = pd.read_csv(out / "trajectories.csv")
    # the Parquet twins hold the same tables, typed (dates as dates) and numbers in full
    typed = pd.read_parquet(out / "trajectories.parquet")
    pd.testing.assert_frame_equal(typed.assign(date=typed["date"].astype(str)), frame)
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "summary.parquet"),
        pd.read_csv(out / "summary.csv"),
        check_exact=False,
        atol=5e-5,
    )
    assert set(REQUIRED_COLUMNS) <= set(frame.columns)
    assert len(frame) == 3 * 120  # replications x days
    summary = pd.read_csv(out / "summary.csv")
    assert {"period", "metric", "mean", "ci95_low", "ci95_high", "p5", "p50", "p95"} <= set(
        summary.columns
    )
    end = summary[(summary["period"] == "end") & (summary["metric"] == "overdue_visits")].iloc[0]
    last_day = frame[frame["day"] == frame["day"].max()]["overdue_visits"]
    # summary.csv is written with 4 decimals, so a mean such as 2/3 reads back as 0.6667
    assert end["mean"] == pytest.approx(last_day.mean(), abs=5e-5)
    assert end["ci95_low"] <= end["mean"] <= end["ci95_high"]
    # monthly flows are totals of the days in the month
    april = summary[(summary["period"] == "2024-04") & (summary["metric"] == "visit_attempts")]
    april_days = frame[pd.to_datetime(frame["date"]).dt.month == 4]
    assert april["mean"].item() == pytest.approx(
        april_days.groupby("replication")["visit_attempts"].sum().mean(), abs=5e-5
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["replications"] == 3 and manifest["seed"] == 42
    assert manifest["scenario"]["name"] == "small_example"
    assert "simpy" in manifest["versions"]
    assert (out / "backlog.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_seed_gives_identical_trajectories_file(tmp_path):
    for name in ("a", "b"):
        result = runner.invoke(
            app,
            [
                "run",
                str(SMALL),
                "--replications",
                "2",
                "--seed",
                "9",
                "--out",
                str(tmp_path / name),
                "--quiet",
                "--no-report",
            ],
        )
        assert result.exit_code == 0, result.output
    first = (tmp_path / "a" / "trajectories.csv").read_bytes()
    assert first == (tmp_path / "b" / "trajectories.csv").read_bytes()
    runner.invoke(
        app,
        [
            "run",
            str(SMALL),
            "--replications",
            "2",
            "--seed",
            "10",
            "--out",
            str(tmp_path / "c"),
            "--quiet",
            "--no-report",
        ],
    )
    assert first != (tmp_path / "c" / "trajectories.csv").read_bytes()


def test_set_overrides_change_the_run(tmp_path):
    result = _run_small_once(tmp_path / "o", "staffing.offender_managers=0", "staffing.changes=[]")
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(tmp_path / "o" / "trajectories.csv")
    assert frame["visit_attempts"].sum() == 0
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert manifest["scenario"]["staffing"]["offender_managers"] == 0


def _run_small_once(out: Path, *overrides: str):
    """One quiet replication of small_example with --set overrides."""
    args = ["run", str(SMALL), "--replications", "1", "--out", str(out), "--quiet", "--no-report"]
    for override in overrides:
        args += ["--set", override]
    return runner.invoke(app, args)


def _broken(tmp_path, text: str) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    return path


# Broken and hostile scenarios (the corpus of bad files and --set values): test_hostile_input.py


def test_real_process_run_exits_cleanly(tmp_path):
    # The command as a user types it, in a separate process: exit code, files, no traceback.
    broken = _broken(tmp_path, "name: x\n")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "run_sim.py"), "validate", str(broken)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr + proc.stdout
    assert "required field is missing" in proc.stderr
    out = tmp_path / "res"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "run_sim.py"),
            "run",
            str(SMALL),
            "--replications",
            "2",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "overdue_visits" in proc.stdout
    # complete: the manifest lists every file with the SHA-256 it has
    manifest = json.loads((out / "manifest.json").read_text())
    assert {"trajectories.csv", "summary.csv"} <= set(manifest["files"])
    assert is_complete(out)
    assert "report.html" in proc.stdout
    trajectories = pd.read_csv(out / "trajectories.csv")
    assert sorted(trajectories["replication"].unique()) == [0, 1]
    assert len(trajectories) == 2 * manifest["scenario"]["horizon_days"]
    report = (out / "report.html").read_text(encoding="utf-8")
    assert report.startswith("<!DOCTYPE html>") and report.rstrip().endswith("</html>")
    assert manifest["scenario"]["name"] in report  # the report is of this run's scenario


def test_set_one_level_of_a_single_number_field(tmp_path):
    # small_example has officers_per_visit: 2 (all levels); setting one level keeps the others.
    result = _run_small_once(tmp_path / "o", "visits.officers_per_visit.low=1")
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert manifest["scenario"]["visits"]["officers_per_visit"] == {
        "very_high": 2,
        "high": 2,
        "medium": 2,
        "low": 1,
    }
