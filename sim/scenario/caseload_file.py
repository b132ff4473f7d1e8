"""A force's own caseload as the starting register: read and check a CSV, one row per offender.

``population.initial_caseload: caseload.csv`` (relative to the scenario file) starts the model
from the register as the force holds it, instead of from counts. An Excel workbook
(``caseload.xlsx``) works too: its first sheet is read exactly as the CSV would be
(``caseload_xlsx.py``). Columns (header row required, any order):

===================== ======== =================================================================
column                required meaning
===================== ======== =================================================================
risk_level            yes      ``very_high``, ``high``, ``medium`` or ``low`` (``very high`` and
                               capitals are accepted)
last_visit            yes      date of the last completed visit; blank if never visited
next_visit_due        yes      due date of the next visit; blank = ``last_visit`` + the level's
                               visit interval, or no planned visit if ``reactive`` is yes
next_assessment_due   yes      due date of the next risk assessment
notification_end      yes      date the notification period ends; blank = indefinite
reactive              no       ``yes``/``no`` (blank = no): low risk under reactive management
id                    no       ignored: it is never read into the model, so it reaches no output
===================== ======== =================================================================

Dates are ``YYYY-MM-DD``. Due dates before the start date are overdue on day 0. Any other
column is refused, so personal data cannot slip in unnoticed. Every mistake is reported with
the file, the row (and its line in the file) and the column, through the same
:class:`~sim.scenario.problems.Problem` list as the scenario itself.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, TextIO

from sim.levels import LEVEL_INDEX, LOW
from sim.scenario.caseload_xlsx import UnreadableWorkbook, xlsx_as_csv_text
from sim.scenario.fields import EARLIEST_START_DATE, LATEST_END_DATE

__all__ = [
    "CASELOAD_COLUMNS",
    "CaseloadError",
    "CaseloadRow",
    "read_caseload",
]

REQUIRED_COLUMNS = (
    "risk_level",
    "last_visit",
    "next_visit_due",
    "next_assessment_due",
    "notification_end",
)
OPTIONAL_COLUMNS = ("reactive", "id")
CASELOAD_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
MAX_PROBLEMS = 20
MAX_ROWS = 2_000_000
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}


@dataclass(frozen=True, slots=True)
class CaseloadRow:
    """One offender on the start date, in days from the start date (negative = before it)."""

    level: int
    visit_due_day: int | None  # None: reactive management, no planned visit
    assessment_due_day: int
    notification_end_day: float  # math.inf = indefinite


class CaseloadError(Exception):
    """The caseload file cannot be used; ``problems`` holds (row, column, given, allowed)."""

    def __init__(self, path: str, problems: list[tuple[str, str, str]]) -> None:
        self.path = path
        self.problems = problems  # (where, given, allowed)
        super().__init__("; ".join(f"{path}: {w}: {a} (given: {g})" for w, g, a in problems))


def _date(text: str) -> dt.date:
    date = dt.date.fromisoformat(text)
    if not EARLIEST_START_DATE <= date <= LATEST_END_DATE:
        raise ValueError(f"{date} is outside {EARLIEST_START_DATE} to {LATEST_END_DATE}")
    return date


# A caseload value is shown back in an error only if it cannot identify anyone: a value of a
# column's own vocabulary, or something shaped like a date. A row missing a delimiter shifts
# the id (or a name) into another column, and stderr is often logged.
_SAFE_VOCABULARY = set(LEVEL_INDEX) | {"very high", "very-high"} | _YES | _NO
_DATE_SHAPED = re.compile(r"^[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}$")


def _shown(text: str) -> str:
    if text.lower() in _SAFE_VOCABULARY or _DATE_SHAPED.match(text):
        return repr(text)
    return f"a value of {len(text)} characters (not shown: it may identify a person)"


class _RowReader:
    """Parses one row at a time, collecting problems instead of stopping at the first."""

    def __init__(self, start_date: dt.date, visit_interval_days: tuple[int, ...]) -> None:
        self.start_date = start_date
        self.visit_interval_days = visit_interval_days
        self.problems: list[tuple[str, str, str]] = []

    def _problem(self, where: str, column: str, given: str, allowed: str) -> None:
        self.problems.append((f"{where}, column {column}", _shown(given), allowed))

    def _optional_date(
        self, row: Mapping[str, str | None], where: str, column: str
    ) -> dt.date | None | Literal[False]:
        """The date in ``column``; None if blank; False if unreadable (a problem is noted)."""
        text = (row.get(column) or "").strip()
        if not text:
            return None
        try:
            return _date(text)
        except ValueError:
            self._problem(
                where,
                column,
                text,
                f"a date written YYYY-MM-DD from {EARLIEST_START_DATE} to {LATEST_END_DATE}, "
                "or blank",
            )
            return False

    def row(self, row: Mapping[str, str | None], where: str) -> CaseloadRow | None:
        """The row as days from the start date, or None if anything in it is wrong."""
        before = len(self.problems)
        start = self.start_date
        level_text = (row.get("risk_level") or "").strip()
        level = LEVEL_INDEX.get(level_text.lower().replace(" ", "_").replace("-", "_"))
        if level is None:
            self._problem(where, "risk_level", level_text, "one of very_high, high, medium, low")
        reactive_text = (row.get("reactive") or "").strip().lower()
        reactive = reactive_text in _YES
        if reactive_text not in _YES | _NO:
            self._problem(where, "reactive", reactive_text, "yes or no (blank = no)")
        elif reactive and level is not None and level != LOW:
            self._problem(
                where, "reactive", reactive_text, "only low-risk offenders can be reactive"
            )
        last_visit = self._optional_date(row, where, "last_visit")
        if last_visit and last_visit > start:
            self._problem(
                where, "last_visit", str(last_visit), f"a date on or before the start {start}"
            )
        next_visit = self._optional_date(row, where, "next_visit_due")
        if reactive and next_visit:
            self._problem(where, "next_visit_due", str(next_visit), "blank for a reactive offender")
        elif not reactive and next_visit is None and last_visit is None:
            self._problem(
                where,
                "next_visit_due",
                "",
                "a date (it may be blank only if last_visit is given or reactive is yes)",
            )
        elif next_visit and last_visit and next_visit <= last_visit:
            self._problem(
                where, "next_visit_due", str(next_visit), f"a date after last_visit {last_visit}"
            )
        assessment = self._optional_date(row, where, "next_assessment_due")
        if assessment is None:
            self._problem(where, "next_assessment_due", "", "a date written YYYY-MM-DD")
        notification_end = self._optional_date(row, where, "notification_end")
        if notification_end and notification_end <= start:
            self._problem(
                where,
                "notification_end",
                str(notification_end),
                f"a date after the start {start} (the offender is still registered), "
                "or blank for indefinite",
            )
        # Without a problem the level is known, every date was readable (no False), the
        # assessment is due on a date, and a visit is due on next_visit, or after last_visit,
        # or not at all (reactive): the checks below only tell the type checker so.
        if len(self.problems) > before or level is None or not assessment:
            return None
        visit_due_day: int | None
        if reactive:
            visit_due_day = None
        elif next_visit:
            visit_due_day = (next_visit - start).days
        elif last_visit:
            visit_due_day = (last_visit - start).days + self.visit_interval_days[level]
        else:  # pragma: no cover - reported above: a visit date or a last visit is required
            return None
        return CaseloadRow(
            level=level,
            visit_due_day=visit_due_day,
            assessment_due_day=(assessment - start).days,
            notification_end_day=(
                float((notification_end - start).days) if notification_end else math.inf
            ),
        )


def _open_as_csv(path: Path) -> TextIO:
    """The file as CSV text: a CSV file itself, or an Excel workbook's first sheet."""
    if path.suffix.lower() == ".xlsx":
        return io.StringIO(xlsx_as_csv_text(path, MAX_ROWS), newline="")
    return path.open(newline="", encoding="utf-8-sig")


def _read(
    path: Path, start_date: dt.date, visit_interval_days: tuple[int, ...]
) -> tuple[CaseloadRow, ...]:
    source = str(path)
    if not path.is_file():
        raise CaseloadError(source, [("file", "", "the caseload file was not found")])
    reader_state = _RowReader(start_date, visit_interval_days)
    rows: list[CaseloadRow] = []
    try:
        with _open_as_csv(path) as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in (reader.fieldnames or [])]
            missing = [c for c in REQUIRED_COLUMNS if c not in header]
            unknown = [c for c in header if c not in CASELOAD_COLUMNS]
            problems: list[tuple[str, str, str]] = []
            if missing:
                missing_text = ", ".join(missing)
                problems.append(
                    ("header (line 1)", ", ".join(header), f"missing column(s) {missing_text}")
                )
            repeated = sorted(c for c, n in Counter(header).items() if n > 1)
            if repeated:
                problems.append(
                    ("header (line 1)", ", ".join(repeated), "each column may appear only once")
                )
            if unknown:
                problems.append(
                    (
                        "header (line 1)",
                        ", ".join(unknown),
                        "unknown column(s); allowed: " + ", ".join(CASELOAD_COLUMNS),
                    )
                )
            if problems:
                raise CaseloadError(source, problems)
            reader.fieldnames = header
            for number, raw in enumerate(reader, start=1):
                where = f"row {number} (line {reader.line_num})"
                if number > MAX_ROWS:  # refused, never silently cut short
                    reader_state.problems.append(
                        (where, "", f"at most {MAX_ROWS:,} offenders (rows) in a caseload file")
                    )
                    break
                if None in raw:
                    reader_state.problems.append((where, "", "more values than columns"))
                    continue
                if any(value is None for value in raw.values()):  # restval: a short row
                    reader_state.problems.append(
                        (where, "", f"fewer values than columns ({len(header)} expected)")
                    )
                    continue
                row = reader_state.row(raw, where)
                if row is not None:
                    rows.append(row)
                if len(reader_state.problems) >= MAX_PROBLEMS:
                    break
    except UnreadableWorkbook as error:
        raise CaseloadError(source, [("file", "", str(error))]) from None
    except UnicodeDecodeError:
        raise CaseloadError(source, [("file", "", "not a UTF-8 text (CSV) file")]) from None
    except csv.Error as error:
        raise CaseloadError(source, [("file", "", f"not a readable CSV file ({error})")]) from None
    if reader_state.problems:
        if len(reader_state.problems) >= MAX_PROBLEMS:
            reader_state.problems.append(
                ("file", "", f"stopped after {MAX_PROBLEMS} problems; fix these and check again")
            )
        raise CaseloadError(source, reader_state.problems)
    return tuple(rows)


@lru_cache(maxsize=8)
def _cached(
    key: tuple[int | None, int | None], path: str, start_date: dt.date, intervals: tuple[int, ...]
) -> tuple[CaseloadRow, ...]:
    """``_read``, remembered while the file's modification time and size (``key``) stay."""
    return _read(Path(path), start_date, intervals)


def read_caseload(
    path: Path | str, start_date: dt.date, visit_interval_days: tuple[int, ...]
) -> tuple[CaseloadRow, ...]:
    """The checked rows of a caseload file (raises :class:`CaseloadError`).

    Read once per process and cached while the file is unchanged, so every replication (and
    every evaluation of a calibration) starts from the same rows without re-reading.
    """
    path = Path(path)
    key: tuple[int | None, int | None]
    try:
        stat = path.stat()
        key = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = (None, None)
    return _cached(key, str(path), start_date, tuple(visit_interval_days))
