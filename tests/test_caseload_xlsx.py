"""A caseload given as an Excel workbook reads exactly as the same register given as CSV.

The workbook is made here from the shipped synthetic CSV, the way a force's Excel register
looks: dates as Excel date cells, blanks as empty cells, an id column. Same rows in, so the
checked rows must be identical; and a mistake in the workbook is reported like one in a CSV.
"""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from openpyxl import Workbook
from repo import ROOT

from sim.scenario.caseload_file import CaseloadError, read_caseload

CSV = ROOT / "scenarios" / "caseloads" / "synthetic_example.csv"
START = dt.date(2024, 4, 1)  # synthetic_caseload_example.yaml's start date
INTERVALS = (91, 91, 182, 365)


def _as_workbook(rows: list[list[str]], path):
    book = Workbook()
    sheet = book.active
    for row in rows:
        cells: list[object] = []
        for value in row:
            try:
                cells.append(dt.date.fromisoformat(value))  # a real Excel date cell
            except ValueError:
                cells.append(value or None)
        sheet.append(cells)
    book.save(path)
    return path


def _csv_rows() -> list[list[str]]:
    with CSV.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_a_workbook_gives_the_same_register_as_the_csv(tmp_path):
    workbook = _as_workbook(_csv_rows(), tmp_path / "caseload.xlsx")
    from_csv = read_caseload(CSV, START, INTERVALS)
    from_xlsx = read_caseload(workbook, START, INTERVALS)
    assert len(from_xlsx) == len(_csv_rows()) - 1  # every offender row, the header apart
    assert from_xlsx == from_csv


def test_a_mistake_in_a_workbook_names_its_row_and_column(tmp_path):
    rows = _csv_rows()
    level = rows[0].index("risk_level")
    rows[3][level] = "medum"  # the third offender (row 3 of the data, line 4 of the sheet)
    workbook = _as_workbook(rows, tmp_path / "caseload.xlsx")
    with pytest.raises(CaseloadError) as raised:
        read_caseload(workbook, START, INTERVALS)
    (where, given, allowed), *_ = raised.value.problems
    assert where.startswith("row 3 (line 4)")
    assert "risk_level" in where + allowed


def test_a_file_that_is_not_a_workbook_is_refused_clearly(tmp_path):
    fake = tmp_path / "caseload.xlsx"
    fake.write_bytes(b"id,risk_level\n1,low\n")  # a CSV renamed .xlsx
    with pytest.raises(CaseloadError) as raised:
        read_caseload(fake, START, INTERVALS)
    assert raised.value.problems == [("file", "", "not a readable .xlsx workbook (BadZipFile)")]
