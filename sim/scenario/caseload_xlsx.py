"""A caseload given as an Excel workbook (.xlsx): its first sheet, read as the CSV would be.

Forces keep registers in Excel, so ``population.initial_caseload`` may name a ``.xlsx`` file.
Its first sheet is turned into CSV text (header row first, one row per offender) and then read
by exactly the same checks as a CSV file (``caseload_file.py``): the same columns, the same
problems, the same limits. Dates typed as Excel dates become ISO dates (2024-01-17); whole
numbers lose Excel's ".0"; empty cells are empty. Nothing in the workbook is evaluated:
formulas are read as the values Excel last saved (openpyxl's ``data_only``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

__all__ = ["MAX_XLSX_BYTES", "UnreadableWorkbook", "xlsx_as_csv_text"]

MAX_XLSX_BYTES = 50_000_000  # a 2,000,000-row register is about 40 MB as .xlsx


class UnreadableWorkbook(ValueError):
    """The file is not a workbook this reader can use; the message says why."""


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def xlsx_as_csv_text(path: Path, max_rows: int) -> str:
    """The first sheet of ``path`` as CSV text (at most ``max_rows`` + 2 lines are read)."""
    from openpyxl import load_workbook  # only when a workbook is given

    if path.stat().st_size > MAX_XLSX_BYTES:
        raise UnreadableWorkbook(f"larger than {MAX_XLSX_BYTES:,} bytes")
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        why = type(error).__name__
        raise UnreadableWorkbook(f"not a readable .xlsx workbook ({why})") from None
    try:
        sheet = workbook.worksheets[0]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        # one row past the limit, so the CSV checks refuse an over-long file rather than cut it
        width = 0  # the header's: Excel pads every row with empty cells to the widest one
        for number, row in enumerate(sheet.iter_rows(values_only=True)):
            if number > max_rows + 1:
                break
            cells = [_cell_text(value) for value in row]
            while len(cells) > width and cells and cells[-1] == "":
                cells.pop()
            if number == 0:
                width = len(cells)
            writer.writerow(cells + [""] * (width - len(cells)))
        return out.getvalue()
    finally:
        workbook.close()
