"""Titles that tell the truth (audit D1, D2): overrides named, calendar arithmetic right.

A report or chart titled "two officers on every visit" for a one-officer run misleads a
briefing pack, so the title is built from the scenario as run and the command's changes; and
"in 12 months" from 1 March 2023 is 1 March 2024, day 366, so a run must cover 367 days.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import matplotlib
import pytest
from repo import SMALL, runner

from run_sim import app
from sim.report.build import REPORT_NAME
from sim.titles import (
    add_months,
    changes_from_command,
    days_to_reach,
    describe_change,
    period_text,
    run_title,
    study_title,
)

matplotlib.use("Agg")

SCENARIO = {
    "name": "avon",
    "description": "Avon, 1 March 2023 to 31 January 2024, two officers on every visit.",
    "start_date": "2023-03-01",
    "horizon_days": 337,
}


def test_twelve_months_from_1_march_2023_needs_367_days_because_of_the_leap_day():
    assert add_months(date(2023, 3, 1), 12) == date(2024, 3, 1)
    assert days_to_reach(date(2023, 3, 1), 12) == 367
    assert days_to_reach(date(2024, 4, 1), 12) == 366  # no 29 February in between


def test_a_month_end_is_clipped_to_the_shorter_month():
    assert add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)


def test_the_period_ends_on_the_last_simulated_day():
    assert period_text(date(2023, 3, 1), 337) == "1 March 2023 to 31 January 2024 (337 days)"
    assert period_text(date(2023, 3, 1), 367).startswith("1 March 2023 to 1 March 2024")


def test_changes_are_read_from_both_spellings_and_seed_is_not_a_change():
    command = ["run_sim.py", "run", "x.yaml", "--set", "a.b=1", "--seed", "3", "--set=c = 2"]
    assert changes_from_command([*command, "--months", "12"]) == [
        ("a.b", "1"),
        ("c", "2"),
        ("months", "12"),
    ]


def test_a_run_without_changes_keeps_the_files_description():
    title = run_title(SCENARIO, ["run_sim.py", "run", "x.yaml", "--seed", "4"])
    assert title.splitlines() == [
        SCENARIO["description"],
        "1 March 2023 to 31 January 2024 (337 days)",
    ]


def test_a_set_replaces_the_description_and_names_the_change():
    command = ["run_sim.py", "run", "x.yaml", "--set", "visits.officers_per_visit=1"]
    heading, dates = run_title(SCENARIO, command).splitlines()
    assert "two officers" not in heading
    assert heading == "avon with one officer on every visit (visits.officers_per_visit = 1)"
    assert dates.startswith("1 March 2023 to 31 January 2024")


def test_a_changed_horizon_gives_the_new_end_date():
    scenario = {**SCENARIO, "horizon_days": 60}
    title = run_title(scenario, ["run", "--set", "horizon_days=60"])
    assert "31 January 2024" not in title
    assert "1 March 2023 to 29 April 2023 (60 days)" in title


def test_a_study_title_never_claims_the_files_policy():
    title = study_title(SCENARIO, "sweep of staffing.offender_managers", ["sweep"])
    assert "two officers" not in title
    assert title.startswith("avon: sweep of staffing.offender_managers\n1 March 2023")
    based = study_title(SCENARIO, "tornado", ["x", "--set", "visits.officers_per_visit=3"])
    assert "base with three officers on every visit" in based


def test_describe_change_falls_back_to_key_equals_value():
    assert describe_change("staffing.sergeants", "4") == "staffing.sergeants = 4"
    assert describe_change("months", "12") == "a 12-month horizon"


@pytest.fixture(scope="module")
def one_officer(tmp_path_factory) -> tuple[Path, list[str]]:
    """A run of the small example with one officer per visit, its charts' titles captured."""
    out = tmp_path_factory.mktemp("titles") / "one"
    args = ["run", str(SMALL), "--replications", "2", "--workers", "1", "--out", str(out)]
    args += ["--set", "visits.officers_per_visit=1", "--quiet"]
    titles: list[str] = []
    import sim.studies.run as run_module

    real = run_module.write_figure

    def capture(path, figure, **kwargs):
        titles.extend(axis.get_title() for axis in figure.axes)
        titles.append(figure._suptitle.get_text() if figure._suptitle else "")
        return real(path, figure, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "argv", ["run_sim.py", *args])
        patch.setattr(run_module, "write_figure", capture)
        result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return out, titles


def test_the_one_officer_report_and_backlog_chart_say_one_officer(one_officer):
    out, titles = one_officer
    html = (out / REPORT_NAME).read_text(encoding="utf-8")
    h1 = html.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert "one officer on every visit" in h1
    assert "one officer on every visit" in html.split("<title>", 1)[1].split("</title>")[0]
    backlog_title = " ".join(titles)
    assert "one officer on every visit" in backlog_title
    assert "Small fictional force" not in backlog_title  # the file's sentence is not reused


def test_the_reports_advice_for_12_months_is_the_calendar_count(one_officer):
    out, _ = one_officer
    html = (out / REPORT_NAME).read_text(encoding="utf-8")
    # 1 April 2024 + 12 months = 1 April 2025, day 365: a run of 366 days shows it
    assert "--months 12 (the same as --set horizon_days=366 from this start date" in html


def test_months_sets_the_horizon_to_reach_that_date(tmp_path):
    import json

    import pandas as pd

    out = tmp_path / "month"
    args = ["run", str(SMALL), "--replications", "1", "--workers", "1", "--months", "2"]
    result = runner.invoke(app, [*args, "--out", str(out), "--quiet", "--no-report"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"]["horizon_days"] == 62  # 1 April to 1 June 2024, both shown
    last = pd.read_csv(out / "trajectories.csv")["date"].max()
    assert last == "2024-06-01"
    clash = runner.invoke(app, [*args, "--set", "horizon_days=5", "--out", str(out / "x")])
    assert clash.exit_code == 2
    assert "not both" in clash.output


@pytest.mark.parametrize(("study", "marker"), [("sweep", "manifest.json"), ("plan", "plan.json")])
def test_report_on_a_sweep_or_plan_folder_says_what_it_holds(tmp_path, study, marker):
    import json

    folder = tmp_path / study
    folder.mkdir()
    (folder / marker).write_text(json.dumps({"tool": "offender-visit-sim", "study": study}))
    result = runner.invoke(app, ["report", str(folder)])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert f"a finished {study} folder" in text
    assert f"{study}.csv" in text
    assert "python run_sim.py run" not in text  # no advice to write a run into it


def test_a_comparison_report_is_titled_by_what_it_compares():
    import pandas as pd

    from sim.report.data import ComparisonResults

    table = pd.DataFrame({"variant": ["two", "one"], "outcome": ["x", "x"], "mean": [1, 2]})
    manifest = {
        "variants": {"two": SCENARIO, "one": SCENARIO},
        "reference_variant": "two",
        "command": ["run_sim.py", "compare", "x.yaml", "--set", "horizon_days=60"],
    }
    results = ComparisonResults(Path("."), manifest, table, None)
    assert results.title == ("avon: 2 variants compared (two, one); base with horizon_days = 60")
