"""The command line as a newcomer meets it: examples in --help, hints that name the fix,
JSON for scripts, and a starter scenario that works as written."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import click
import pandas as pd
import pytest
import typer
from repo import ROOT, SMALL, runner

from run_sim import app
from sim.scenario.file import load_scenario
from sim.scenario.schema import scenario_json_schema

COMMANDS = sorted(typer.main.get_command(app).commands)


def test_the_commands_a_newcomer_needs_are_there():
    assert {"run", "validate", "report", "schema", "new-scenario"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_has_an_example(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())  # the help is wrapped to the terminal's width
    assert re.search(rf"Examples?: python run_sim\.py {re.escape(command)}\b", text), text


@pytest.mark.parametrize(
    "args, hint",
    [
        (["rn"], "Did you mean 'run'?"),
        (["run", str(SMALL), "--replication", "2"], "--replications"),
        (["validate", str(ROOT / "scenarios" / "small_exampel.yaml")], "did you mean"),
        (["validate", str(SMALL), "--set", "staffing.sergents=1"], "did you mean 'sergeants'"),
        (["report", str(ROOT / "no_such_results")], "python run_sim.py run"),
    ],
)
def test_errors_suggest_the_fix(args, hint):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert hint in result.output
    assert "Traceback" not in result.output


def test_a_misspelt_scenario_file_name_suggests_the_real_one():
    result = runner.invoke(app, ["validate", str(ROOT / "scenarios" / "small_exampel.yaml")])
    assert f"did you mean {SMALL}?" in result.output


def test_run_json_prints_only_json_with_the_summary_numbers(tmp_path):
    out = tmp_path / "json_run"
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
            "--json",
            "--no-report",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)  # the whole of stdout is one JSON document
    summary = pd.read_csv(out / "summary.csv")
    end = summary[summary["period"] == "end"].set_index("metric")
    assert data["replications"] == 2 and data["scenario"] == "small_example"
    for metric in ("overdue_visits", "visit_attempts", "population"):
        assert data["end_of_horizon"][metric]["mean"] == pytest.approx(end.loc[metric, "mean"])
        assert data["end_of_horizon"][metric]["p95"] == pytest.approx(end.loc[metric, "p95"])
    used, available = (
        end.loc["officer_hours_used", "mean"],
        end.loc["officer_hours_available", "mean"],
    )
    assert data["officer_utilisation"] == pytest.approx(used / available, abs=1e-4)
    assert data["report"] is None and not (out / "report.html").exists()  # --no-report


def test_run_json_with_one_replication_gives_null_intervals(tmp_path):
    # one replication has no confidence interval: JSON has null there, never NaN (invalid JSON)
    result = runner.invoke(
        app,
        [
            "run",
            str(SMALL),
            "--replications",
            "1",
            "--out",
            str(tmp_path / "o"),
            "--json",
            "--no-report",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["end_of_horizon"]["overdue_visits"]["ci95_low"] is None


def test_new_scenario_writes_a_starter_that_validates_and_never_overwrites(tmp_path):
    target = tmp_path / "scenarios" / "my_force.yaml"
    result = runner.invoke(app, ["new-scenario", "my_force", "--out", str(target)])
    assert result.exit_code == 0, result.output
    scenario = load_scenario(target)  # the starter validates as written
    assert scenario.name == "my_force"
    written = target.read_text()
    again = runner.invoke(app, ["new-scenario", "my_force", "--out", str(target)])
    assert again.exit_code == 2 and "already exists" in again.output
    assert target.read_text() == written


def test_new_scenario_defaults_to_the_scenarios_folder_and_points_at_the_schema(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["new-scenario", "force_b"])
    assert result.exit_code == 0, result.output
    target = tmp_path / "scenarios" / "force_b.yaml"
    first = target.read_text().splitlines()[0]
    # the editor modeline's relative path leads to the shipped schema file
    prefix = "# yaml-language-server: $schema="
    assert first.startswith(prefix)
    schema_file = (target.parent / first.removeprefix(prefix)).resolve()
    assert schema_file == ROOT / "docs" / "scenario.schema.json" and schema_file.is_file()


def test_new_scenario_refuses_a_name_the_scenario_would_refuse(tmp_path):
    result = runner.invoke(app, ["new-scenario", "my force!", "--out", str(tmp_path / "x.yaml")])
    assert result.exit_code == 2 and "letters, digits" in result.output
    assert not (tmp_path / "x.yaml").exists()


def test_starter_explains_every_field(tmp_path):
    # every field of every section appears in the starter, set or shown with its default,
    # with the schema's description as the comment above it
    target = tmp_path / "s.yaml"
    runner.invoke(app, ["new-scenario", "s", "--out", str(target)])
    text = target.read_text()
    schema = scenario_json_schema(units_in_descriptions=False)
    defs = schema["$defs"]
    for section in ("Population", "Visits", "Assessments", "Staffing", "InitialCaseload"):
        for field, prop in defs[section]["properties"].items():
            assert f" {field}:" in text or f"\n{field}:" in text, field
            first_words = " ".join(prop["description"].split()[:4])
            assert first_words in text.replace("\n  ", " ").replace("# ", ""), field


def test_click_reports_bad_option_values_with_exit_code_2():
    # typer/click usage errors (not our code) also use exit code 2, as the README promises
    result = runner.invoke(app, ["run", str(SMALL), "--replications", "0"])
    assert result.exit_code == click.UsageError.exit_code == 2
