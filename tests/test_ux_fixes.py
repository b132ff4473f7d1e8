"""Small defects of the UX audit (../shared/reviews/ux-audit.md), one test each."""

from __future__ import annotations

from repo import runner

from run_sim import app
from sim.analysis.summary import few_replications
from sim.report.build import SECTIONS


def test_sensitivity_help_shows_the_ranges_format():  # D5: rich markup ate "[low, high]"
    result = runner.invoke(app, ["sensitivity", "--help"], env={"COLUMNS": "200"})
    assert "{dotted.key: [low, high]}" in result.output


def test_calibrate_writes_to_a_hyphenated_folder_like_every_study():  # D10
    result = runner.invoke(app, ["calibrate", "--help"], env={"COLUMNS": "200"})
    assert "results/<name>-calibration/" in result.output


def test_contents_label_is_the_sections_heading():  # D12
    from pathlib import Path

    import sim.report

    templates = Path(sim.report.__file__).parent / "templates"
    for anchor, label in SECTIONS:
        for page in ("run.html", "compare.html"):
            text = (templates / page).read_text(encoding="utf-8")
            heading = f'<h2 id="{anchor}-h">'
            if heading in text:
                assert text.split(heading, 1)[1].startswith(label + "</h2>"), (page, anchor)


def test_fewer_than_ten_replications_are_called_a_first_look():
    assert few_replications(10) is None
    assert "Only 3 replications" in (few_replications(3) or "")
    assert "no confidence interval" in (few_replications(1) or "")


def test_an_empty_mapping_is_said_not_left_blank():  # D12: "two_officers: ;"
    from sim.report.text import format_value

    assert format_value({"two_officers": {}, "one": {"visits.officers_per_visit": 1}}) == (
        "two_officers: none; one: visits.officers_per_visit: 1"
    )


def test_validate_says_1_sergeant_not_1_sergeants():
    from repo import SMALL

    result = runner.invoke(app, ["validate", str(SMALL), "--set", "staffing.sergeants=1"])
    assert result.exit_code == 0, result.output
    assert "1 sergeant," in result.output


def test_a_list_of_records_is_one_line_each_without_unset_entries():
    # the Assumptions' observations were one paragraph joined with " | " (audit, rough edges)
    from sim.report.text import format_value

    observations = [
        {"metric": "overdue_visits", "date": "2024-01-17", "from_date": None, "value": 273},
        {"metric": "population", "date": "2024-01-17", "from_date": None, "value": 1500},
    ]
    assert format_value(observations).splitlines() == [
        "metric: overdue_visits; date: 2024-01-17; value: 273",
        "metric: population; date: 2024-01-17; value: 1,500",
    ]
