"""summary.xlsx: the results as a workbook a police analyst can open in Excel.

Forces pass results on as spreadsheets, so ``run``, ``compare``, ``sweep`` and ``--tornado``
write one beside
the CSV files, from the same finished tables (never from the model):

* **Headline**: what was run (the title from :mod:`sim.titles`), then overdue visits and
  assessments at the start, in 6 and 12 months and at the end (mean, 95% CI of the mean, 90%
  of runs), the backlog by risk level, the high-risk backlog and the shares done on time;
  from results that have them, the backlog by days overdue at the end with the oldest item and
  the share done on time, by risk level, and work needed against capacity;
* **Monthly**: each calendar month's mean of the key figures, by risk level (states at the
  month end, flows totalled over the month);
* **Areas** (a scenario with areas): each area at the end of the run, most overdue first;
* **Comparison**, **Sweep** or **Tornado**: the study's own table (comparison.csv, sweep.csv,
  tornado.csv);
* **Notes**: what the columns mean.

Numbers are stored as numbers (not text) with Excel number formats, so they can be charted or
summed; the CSV files keep every number in full.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.analysis.inspectorate import (
    CAPACITY_MEASURE,
    LEVEL_SHARE_MEASURES,
    SHARE_MEASURES,
    capacity_share,
    has_exact_shares,
    on_time_share,
)
from sim.analysis.metrics import total_only
from sim.analysis.summary import describe
from sim.io.files import atomic_write
from sim.levels import LEVEL_NAMES, LEVELS
from sim.records import AGE_BANDS
from sim.titles import add_months

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["MONTHLY_METRICS", "WORKBOOK_NAME", "milestone_days", "write_workbook"]

WORKBOOK_NAME = "summary.xlsx"
MONTHLY_METRICS: tuple[str, ...] = (
    "overdue_visits",
    *(f"overdue_visits_{level}" for level in LEVELS),
    "overdue_visits_high_risk",
    "oldest_overdue_visit_days",
    "visits_on_time_share",
    *(f"visits_on_time_share_{level}" for level in LEVELS),
    *(f"overdue_visits_age_{band}" for band, _, _ in AGE_BANDS),
    *(f"oldest_overdue_visit_days_{level}" for level in LEVELS),
    "overdue_assessments",
    *(f"overdue_assessments_{level}" for level in LEVELS),
    "oldest_overdue_assessment_days",
    "assessments_on_time_share",
    *(f"assessments_on_time_share_{level}" for level in LEVELS),
    *(f"overdue_assessments_age_{band}" for band, _, _ in AGE_BANDS),
    "visit_attempts",
    "visits_completed",
    "assessments_completed",
    "population",
    "officer_hours_used",
    "officer_hours_available",
    "scheduled_hours_demand",
    CAPACITY_MEASURE,
    "offender_managers",
    "offender_managers_in_post",
    "sergeants",
    "sergeants_in_post",
)
NOTES = (
    ("mean", "The average over the replications (simulated years)."),
    ("95% CI of mean", "How precisely the replications pin down the mean."),
    ("90% of runs", "5th to 95th percentile: the spread one real year could show."),
    ("overdue", "A visit or assessment is overdue from the day after its due date until done."),
    ("high risk", "Very high and high risk together."),
    (
        "on time share",
        "Of the items that fell due, the share done by their due date: done on time over done "
        "on time plus became overdue, overall and by risk level (results from older versions "
        "give a lower bound overall only).",
    ),
    ("age 1 30 ... over 180", "Items overdue at the end of the period by days overdue."),
    (
        "scheduled hours demand",
        "Officer-hours the schedule asks for: offenders on the community caseload times their "
        "level's visit and assessment hours (failed attempts included) over the intervals.",
    ),
    (
        "work needed share of capacity",
        "Scheduled hours demand over officer hours available, as probation's workload tool "
        "states capacity: above 100% the schedule cannot be kept.",
    ),
    (
        "in post",
        "Productive officers plus recruits in training (in post, no hours yet); "
        "offender managers and sergeants alone count productive officers.",
    ),
    ("states and flows", "Backlogs are read at the month end; work done is the month's total."),
)


def _label(metric: str) -> str:
    """'overdue_visits_very_high' -> 'overdue visits very high'."""
    return metric.replace("_", " ")


def milestone_days(trajectories: pd.DataFrame, start: Any) -> list[tuple[str, int]]:
    """(label, day) for the start, in 6 and 12 months when the run reaches them, and the end."""
    last = int(trajectories["day"].max())
    wanted = [("At the start", 0)]
    for months in (6, 12):
        day = (add_months(start, months) - start).days
        if day <= last:
            wanted.append((f"In {months} months", day))
    if wanted[-1][1] != last:
        wanted.append(("End of the run", last))
    return wanted


def write_workbook(
    path: Path,
    *,
    title: str,
    start: Any,
    trajectories: pd.DataFrame | None = None,
    summary: pd.DataFrame | None = None,
    comparison: pd.DataFrame | None = None,
    sheet_name: str = "Comparison",
) -> Path:
    """Write ``summary.xlsx`` at ``path`` (atomically) and return the path. ``comparison``
    (a study's own table: comparison.csv, sweep.csv, tornado.csv) goes on a sheet ``sheet_name``."""
    from openpyxl import Workbook  # only when writing: keeps start-up fast

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Headline"
    _write_lines(sheet, title.splitlines())
    if trajectories is not None:
        _headline(sheet, total_only(trajectories), start)
    if summary is not None:
        _monthly(book.create_sheet("Monthly"), total_only(summary))
        if "area" in summary.columns:
            _areas(book.create_sheet("Areas"), summary)
    if comparison is not None:
        _table(book.create_sheet(sheet_name), comparison, start_row=1)
    notes = book.create_sheet("Notes")
    _table(notes, pd.DataFrame(NOTES, columns=["term", "meaning"]), start_row=1)
    atomic_write(path, lambda tmp: book.save(tmp))
    return path


def _write_lines(sheet: Worksheet, lines: Sequence[str]) -> None:
    from openpyxl.styles import Font

    for row, line in enumerate(lines, start=1):
        cell = sheet.cell(row=row, column=1, value=line)
        cell.font = Font(bold=row == 1, size=14 if row == 1 else 11)


def _headline(sheet: Worksheet, frame: pd.DataFrame, start: Any) -> None:
    """Milestones of the whole scenario: mean, 95% CI and 90% of runs of each key figure."""
    from openpyxl.styles import Font

    metrics = (
        "overdue_visits",
        *(f"overdue_visits_{level}" for level in LEVELS),
        "oldest_overdue_visit_days",
        "overdue_assessments",
        *(f"overdue_assessments_{level}" for level in LEVELS),
    )
    rows = []
    for label, day in milestone_days(frame, start):
        today = frame[frame["day"] == day]
        for metric in metrics:
            stats = describe(today[metric].to_numpy(dtype=float))
            rows.append(
                {
                    "when": label,
                    "date": str(today["date"].iloc[0]),
                    "figure": _label(metric).replace(" very high", " (very high)"),
                    "mean": stats["mean"],
                    "95% CI low": max(stats["ci95_low"], 0.0),
                    "95% CI high": stats["ci95_high"],
                    "90% of runs from": stats["p5"],
                    "90% of runs to": stats["p95"],
                }
            )
    table = pd.DataFrame(rows)
    first = sheet.max_row + 2
    sheet.cell(row=first, column=1, value="The backlog, by risk level").font = Font(bold=True)
    _table(sheet, table, start_row=first + 1, number_format="#,##0.0")
    shares = []
    for work, label in (("visits", "visits"), ("assessments", "risk assessments")):
        values = on_time_share(frame, work).dropna().to_numpy(dtype=float)
        if len(values):
            stats = describe(values)
            shares.append(
                {
                    "work": label,
                    "done by the due date (mean)": stats["mean"],
                    "90% of runs from": stats["p5"],
                    "90% of runs to": stats["p95"],
                }
            )
    exact = has_exact_shares(frame)
    if shares:
        first = sheet.max_row + 2
        heading = "Done by the due date over the whole run" + (
            "" if exact else " (a lower bound; see Notes)"
        )
        sheet.cell(row=first, column=1, value=heading).font = Font(bold=True)
        _table(sheet, pd.DataFrame(shares), start_row=first + 1, number_format="0%")
    if exact:
        _ages_and_capacity(sheet, frame)
    sheet.freeze_panes = None  # several tables on one sheet: nothing to freeze


def _ages_and_capacity(sheet: Worksheet, frame: pd.DataFrame) -> None:
    """The backlog by days overdue at the end, the oldest and the share done on time, by
    risk level (means; the share with 90% of runs); then work needed against capacity."""
    from openpyxl.styles import Font

    last = frame[frame["day"] == frame["day"].max()]
    rows = []
    works: list[tuple[str, str, str | None, str]] = [
        ("visits", "visit", level, name) for level, name in zip(LEVELS, LEVEL_NAMES, strict=True)
    ]
    works += [("visits", "visit", None, "all levels"), ("assessments", "assessment", None, "all")]
    for work, one, level, name in works:
        suffix = "" if level is None else f"_{level}"
        shares = on_time_share(frame, work, level).dropna().to_numpy(dtype=float)
        stats = describe(shares) if len(shares) else None
        row: dict[str, Any] = {"work": f"{work}, {name}"}
        for band, first_day, last_day in AGE_BANDS:
            label = f"over {first_day - 1}" if last_day is None else f"{first_day}-{last_day}"
            column = f"overdue_{work}{suffix}_age_{band}"  # by level: visits only
            row[f"{label} days overdue"] = float(last[column].mean())
        row["oldest (days)"] = float(last[f"oldest_overdue_{one}_days{suffix}"].mean())
        for key, stat in (("done on time", "mean"), ("from", "p5"), ("to", "p95")):
            row[key] = None if stats is None else stats[stat]
        rows.append(row)
    first = sheet.max_row + 2
    heading = "At the end of the run: overdue by days overdue, the oldest; done on time (run)"
    sheet.cell(row=first, column=1, value=heading).font = Font(bold=True)
    formats = {"done on time": "0%", "from": "0%", "to": "0%"}
    _table(sheet, pd.DataFrame(rows), start_row=first + 1, number_format="#,##0.0", formats=formats)
    values = capacity_share(frame).dropna().to_numpy(dtype=float)
    if len(values):
        stats = describe(values)
        capacity = {"mean": stats["mean"], "90% of runs from": stats["p5"], "to": stats["p95"]}
        first = sheet.max_row + 2
        heading = "Work needed against capacity over the whole run (hours asked for / available)"
        sheet.cell(row=first, column=1, value=heading).font = Font(bold=True)
        _table(sheet, pd.DataFrame([capacity]), start_row=first + 1, number_format="0%")


def _monthly(sheet: Worksheet, summary: pd.DataFrame) -> None:
    months = summary[summary["period"] != "end"]
    table = months.pivot(index="period", columns="metric", values="mean")
    present = [metric for metric in MONTHLY_METRICS if metric in table.columns]
    table = table[present].sort_index().reset_index()
    table.columns = ["month", *(_label(metric) for metric in present)]
    shares = (*SHARE_MEASURES, *LEVEL_SHARE_MEASURES, CAPACITY_MEASURE)
    formats = {_label(metric): "0%" for metric in shares}
    _table(sheet, table, start_row=1, number_format="#,##0.0", formats=formats)


def _areas(sheet: Worksheet, summary: pd.DataFrame) -> None:
    end = summary[(summary["period"] == "end") & (summary["area"] != "total")]
    wanted = [
        "overdue_visits",
        "overdue_visits_high_risk",
        "oldest_overdue_visit_days",
        "overdue_assessments",
        "visits_on_time_share",
        CAPACITY_MEASURE,
        "population",
    ]
    table = end[end["metric"].isin(wanted)].pivot(index="area", columns="metric", values="mean")
    table = table.reindex(columns=[m for m in wanted if m in table.columns])
    table = table.sort_values("overdue_visits", ascending=False).reset_index()
    table.columns = ["area", *(_label(metric) for metric in table.columns[1:])]
    formats = {_label(metric): "0%" for metric in ("visits_on_time_share", CAPACITY_MEASURE)}
    _table(sheet, table, start_row=1, number_format="#,##0.0", formats=formats)


def _table(
    sheet: Worksheet,
    table: pd.DataFrame,
    *,
    start_row: int,
    number_format: str = "#,##0.0###",
    formats: dict[str, str] | None = None,
) -> None:
    """``table`` with a bold header row, numbers as numbers, widths to fit, header frozen."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    formats = formats or {}
    for column, name in enumerate(table.columns, start=1):
        sheet.cell(row=start_row, column=column, value=str(name)).font = Font(bold=True)
    for row_index, row in enumerate(table.itertuples(index=False), start=start_row + 1):
        for column, (name, value) in enumerate(zip(table.columns, row, strict=True), start=1):
            if isinstance(value, float) and pd.isna(value):
                value = None
            elif hasattr(value, "item"):
                value = value.item()  # numpy scalar -> Python number
            cell = sheet.cell(row=row_index, column=column, value=value)
            if isinstance(value, float):
                cell.number_format = formats.get(str(name), number_format)
    for column, name in enumerate(table.columns, start=1):
        values = [str(name), *(str(v) for v in table.iloc[:, column - 1].head(200))]
        width = min(max(len(v) for v in values) + 2, 60)
        letter = get_column_letter(column)
        current = sheet.column_dimensions[letter].width or 0
        sheet.column_dimensions[letter].width = max(width, min(current, 60))
    sheet.freeze_panes = sheet.cell(row=start_row + 1, column=1)
