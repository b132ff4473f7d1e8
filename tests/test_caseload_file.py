"""Starting from a force's caseload CSV: the register it gives, and the errors a bad file gets.

The scenarios are the factory's deterministic base. With no staff nobody does any work, so
the end of day 0 shows the register exactly as the file gives it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from helpers import simulate
from repo import runner
from scenario_factory import scenario_dict

from run_sim import app
from sim.scenario.file import ScenarioError, load_scenario

HEADER = "id,risk_level,last_visit,next_visit_due,next_assessment_due,notification_end,reactive"
# start date 2024-01-01; visit interval 30 days at every level in the factory's base
ROWS = [
    "SECRET-A1,very_high,2023-12-20,2024-01-19,2024-03-01,,",  # on time
    "SECRET-B2,high,2023-10-01,2023-12-01,2024-06-01,,no",  # visit overdue since December
    "SECRET-C3,medium,2023-11-15,,2023-12-31,2024-01-11,",  # due = 2023-12-15: overdue;
    # assessment overdue (due 2023-12-31); notification ends on day 10
    "SECRET-D4,Low,,2024-02-01,2024-02-01,2030-01-01,",  # never visited, capitalised level
    "SECRET-E5,low,2022-06-01,,2024-05-01,,yes",  # reactive: no planned visit
]


def _write_case(folder: Path, rows: list[str], header: str = HEADER, **changes) -> Path:
    """A scenario file in ``folder`` whose caseload sits in folder/data/caseload.csv."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "data" / "caseload.csv").write_text("\n".join([header, *rows]) + "\n")
    data = scenario_dict(**changes)
    data["population"]["initial"] = None
    data["population"]["initial_caseload"] = "data/caseload.csv"
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_day_zero_is_the_register_in_the_file(tmp_path):
    path = _write_case(tmp_path, ROWS, staffing={"offender_managers": 0}, horizon_days=20)
    run = simulate(load_scenario(path))
    day0 = run.iloc[0]
    assert day0["population"] == 5
    assert [day0[f"population_{lv}"] for lv in ("very_high", "high", "medium", "low")] == [
        1,
        1,
        1,
        2,
    ]
    assert day0["reactive"] == 1
    # overdue visits: the high-risk one (due 2023-12-01) and the medium one whose due date
    # is last_visit + 30 days = 2023-12-15; the reactive offender is never counted
    assert day0["overdue_visits"] == 2
    assert day0["overdue_visits_high"] == 1 and day0["overdue_visits_medium"] == 1
    assert day0["overdue_assessments"] == 1 and day0["overdue_assessments_medium"] == 1
    # the medium offender's notification ends on 2024-01-11 (day 10): gone from day 10 on
    assert run.loc[run["day"] == 9, "population"].item() == 5
    assert run.loc[run["day"] == 10, "population"].item() == 4
    assert run["exits"].sum() == 1


def test_identifiers_never_reach_any_output(tmp_path):
    path = _write_case(tmp_path, ROWS, horizon_days=40)
    out = tmp_path / "results"
    result = runner.invoke(app, ["run", str(path), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "SECRET" not in result.output
    written = sorted(p for p in out.rglob("*") if p.is_file())  # the replication store too
    assert {p.name for p in written} >= {"trajectories.csv", "summary.csv", "manifest.json"}
    for file in written:
        assert b"SECRET" not in file.read_bytes(), file.name


def test_the_path_is_relative_to_the_scenario_file_and_kept_absolute(tmp_path):
    path = _write_case(tmp_path / "deep" / "folder", ROWS)
    scenario = load_scenario(path)
    kept = Path(scenario.population.initial_caseload)
    assert kept.is_absolute() and kept == (tmp_path / "deep/folder/data/caseload.csv").resolve()


def test_the_same_file_gives_the_same_run(tmp_path):
    path = _write_case(tmp_path, ROWS, horizon_days=60)
    first, second = simulate(load_scenario(path), 2), simulate(load_scenario(path), 2)
    assert first.equals(second)


BAD_ROWS = {
    "unknown level": (
        "x,severe,2023-12-01,2024-01-10,2024-02-01,,",
        "row 1 (line 2), column risk_level",
    ),
    "bad date": ("x,high,2023-12-01,10/01/2024,2024-02-01,,", "column next_visit_due"),
    "visit in the future": ("x,high,2024-03-01,2024-04-01,2024-02-01,,", "column last_visit"),
    "no visit date at all": ("x,high,,,2024-02-01,,", "column next_visit_due"),
    "no assessment date": ("x,high,2023-12-01,2024-01-10,,,", "column next_assessment_due"),
    "already left": ("x,high,2023-12-01,2024-01-10,2024-02-01,2023-06-01,", "notification_end"),
    "reactive high risk": ("x,high,2023-12-01,,2024-02-01,,yes", "only low-risk"),
    "reactive with a visit": ("x,low,2023-12-01,2024-02-01,2024-02-01,,yes", "blank for a"),
    "reactive typo": ("x,low,2023-12-01,2024-02-01,2024-02-01,,perhaps", "yes or no"),
    "too many values": ("x,low,2023-12-01,2024-02-01,2024-02-01,,,extra", "more values"),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS), ids=str)
def test_bad_rows_name_the_file_row_and_column(tmp_path, case):
    row, expected = BAD_ROWS[case]
    good = ROWS[0]
    path = _write_case(tmp_path, [row.replace("x,", "SECRET-Z9,", 1), good])
    out = tmp_path / "results"
    for command in (["validate", str(path)], ["run", str(path), "--out", str(out)]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, (case, result.output)
        assert "Traceback" not in result.output
        assert "caseload.csv" in result.output and "row 1 (line 2)" in result.output
        assert expected in result.output, result.output
        assert "SECRET" not in result.output  # identifiers are not echoed in errors either
    assert not out.exists()


@pytest.mark.parametrize(
    "header, expected",
    [
        (HEADER.replace("risk_level", "risk"), "missing column(s) risk_level"),
        (HEADER + ",name", "unknown column(s)"),
    ],
)
def test_bad_headers_are_refused(tmp_path, header, expected):
    rows = [row + ",Jane Doe" if "name" in header else row for row in ROWS]
    path = _write_case(tmp_path, rows, header=header)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    text = str(caught.value)
    assert "caseload.csv" in text and "header (line 1)" in text and expected in text


def test_missing_caseload_file_and_both_registers_are_refused(tmp_path):
    path = _write_case(tmp_path, ROWS)
    (tmp_path / "data" / "caseload.csv").unlink()
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario(path)
    data = yaml.safe_load(path.read_text())
    data["population"]["initial"] = scenario_dict()["population"]["initial"]
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ScenarioError, match="exactly one of them"):
        load_scenario(path)


def test_many_bad_rows_are_all_reported_up_to_a_limit(tmp_path):
    rows = ["x,severe,2023-12-01,2024-01-10,2024-02-01,,"] * 50
    with pytest.raises(ScenarioError) as caught:
        load_scenario(_write_case(tmp_path, rows))
    problems = caught.value.problems
    assert len(problems) == 21 and "stopped after 20 problems" in problems[20].allowed
    assert problems[0].field == "row 1 (line 2), column risk_level"
    assert problems[19].field == "row 20 (line 21), column risk_level"
