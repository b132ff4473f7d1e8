"""summary.xlsx (sim/studies/workbook.py): numbers an analyst can use, in the right places.

The ample-staff case of tests/test_deterministic_cases.py: 50 medium-risk offenders first due
on days 0..29 and visited on their due date every 30 days: in 120 days (d0, d0 + 30, d0 + 60,
d0 + 90) four visits each, 200 in all over the four months of 2024 it covers. Nothing is
ever overdue, so every visit that falls due is done on time (100%).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from helpers import simulate
from openpyxl import load_workbook
from scenario_factory import make_scenario

from sim.analysis.inspectorate import measures_summary
from sim.analysis.summary import summarise
from sim.studies.workbook import milestone_days, write_workbook


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    frame = simulate(make_scenario(horizon_days=120), replications=2)
    summary = pd.concat([summarise(frame), measures_summary(frame)], ignore_index=True)
    path = tmp_path_factory.mktemp("xlsx") / "summary.xlsx"
    write_workbook(
        path,
        title="test run\n1 January 2024 to 29 April 2024",
        start=date(2024, 1, 1),
        trajectories=frame,
        summary=summary,
    )
    return load_workbook(path)


def _rows(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_monthly_sheet_has_numbers_by_month(book):
    rows = _rows(book["Monthly"])
    header, january = rows[0], rows[1]
    assert january[0] == "2024-01"
    visits = header.index("visits completed")
    assert sum(row[visits] for row in rows[1:]) == 200
    assert january[header.index("overdue visits very high")] == 0
    share = header.index("visits on time share")
    assert january[share] == pytest.approx(1.0)
    assert book["Monthly"].cell(row=2, column=share + 1).number_format == "0%"
    assert [row[0] for row in rows[1:]] == ["2024-01", "2024-02", "2024-03", "2024-04"]


def test_headline_sheet_gives_the_title_and_the_backlog_at_milestones(book):
    rows = _rows(book["Headline"])
    assert rows[0][0] == "test run"
    assert rows[1][0] == "1 January 2024 to 29 April 2024"
    table = [row for row in rows if row and row[2] == "overdue visits"]
    # 120 days: the start, in 6 months is beyond the run, so the end (29 April) closes it
    assert [(row[0], row[1]) for row in table] == [
        ("At the start", "2024-01-01"),
        ("End of the run", "2024-04-29"),
    ]
    assert all(row[3] == 0 for row in table)


def test_milestones_count_calendar_months():
    frame = pd.DataFrame({"day": range(367)})
    assert milestone_days(frame, date(2023, 3, 1)) == [
        ("At the start", 0),
        ("In 6 months", 184),
        ("In 12 months", 366),
    ]


def test_a_comparison_sheet_holds_the_table(tmp_path):
    table = pd.DataFrame({"outcome": ["x"], "variant": ["a"], "mean": [2.5]})
    path = write_workbook(tmp_path / "c.xlsx", title="t", start=date(2024, 1, 1), comparison=table)
    assert _rows(load_workbook(path)["Comparison"]) == [
        ["outcome", "variant", "mean"],
        ["x", "a", 2.5],
    ]


def test_a_sweep_writes_its_table_to_a_sweep_sheet(tmp_path):
    from repo import SMALL, runner

    from run_sim import app

    out = tmp_path / "sweep"
    args = ["sweep", str(SMALL), "--param", "staffing.offender_managers=4:6:2"]
    result = runner.invoke(app, [*args, "--replications", "2", "--workers", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = _rows(load_workbook(out / "summary.xlsx")["Sweep"])
    sweep = pd.read_csv(out / "sweep.csv")
    assert rows[0] == list(sweep.columns)
    assert len(rows) == len(sweep) + 1
    assert sorted({row[0] for row in rows[1:]}) == [4, 6]  # the staff counts swept


def test_headline_sheet_gives_the_share_done_on_time(book):
    rows = _rows(book["Headline"])
    shares = {row[0]: row[1] for row in rows if row and row[0] in ("visits", "risk assessments")}
    assert shares["visits"] == pytest.approx(1.0)  # ample staff: every visit on its due date
