"""Caseload files (red-team finding 15): identifiers never reach an error message, short rows and
duplicate columns are refused, and dates must lie in the calendar scenarios use (1900-2200)."""

from __future__ import annotations

import pytest
from repo import runner
from test_caseload_file import HEADER, ROWS, _write_case

from run_sim import app

GOOD = ROWS[0]


def _refused(tmp_path, rows, header=HEADER) -> str:
    path = _write_case(tmp_path, rows, header=header)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "caseload.csv" in result.output
    return result.output


def test_an_identifier_shifted_into_another_column_is_not_echoed(tmp_path):
    # one delimiter missing: the id lands in 'reactive' (and the row is short)
    for row in (
        "medium,2023-12-20,2024-01-19,2024-03-01,,ZQX-JANE-DOE-1981",
        "ZQX-JANE-DOE-1981,ZQX-JANE-DOE-1981,2023-12-20,2024-01-19,2024-03-01,,maybe",
    ):
        output = _refused(tmp_path, [GOOD, row])
        assert "jane" not in output.lower() and "zqx" not in output.lower()


def test_short_rows_are_refused(tmp_path):
    output = _refused(tmp_path, [GOOD, "SECRET-Z,low,2023-12-20,2024-01-19,2024-03-01"])
    assert "fewer values than columns" in output and "row 2" in output


@pytest.mark.parametrize("extra", [",reactive", ",id"])
def test_duplicate_columns_are_refused(tmp_path, extra):
    output = _refused(tmp_path, [GOOD + ","], header=HEADER + extra)
    assert "only once" in output


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_dates_outside_the_calendar_are_refused(tmp_path, date):
    row = f"SECRET-Z,low,2023-12-20,{date},2024-03-01,,"
    output = _refused(tmp_path, [GOOD, row])
    assert "next_visit_due" in output and "1900-01-01" in output
