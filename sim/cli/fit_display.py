"""Print a fit table (observed against simulated) as a rich table; shared by run and calibrate."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import TYPE_CHECKING

from rich.console import JustifyMethod
from rich.table import Table

from sim.format import human_observed

from .app import out

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["print_fit_table"]

COLUMNS: tuple[tuple[str, JustifyMethod], ...] = (
    ("metric", "left"),
    ("period", "left"),
    ("observed", "right"),
    ("simulated mean", "right"),
    ("90% of runs", "right"),
    ("tolerance", "left"),
    ("within", "center"),
)


def _compact_period(period: str) -> str:
    """``2023-11-01..2023-11-30`` -> ``2023-11`` (a whole calendar month)."""
    first, dots, last = period.partition("..")
    if not dots:
        return period
    start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    month_days = calendar.monthrange(start.year, start.month)[1]
    if start.day == 1 and end == start.replace(day=month_days):
        return start.strftime("%Y-%m")
    return period


def _compact_tolerance(text: str) -> str:
    """``mean within 15%; 90% interval covers`` -> ``±15%, 90% covers``."""
    return text.replace("mean within ", "±").replace("; ", ", ").replace(" interval", "")


def print_fit_table(table: pd.DataFrame, title: str) -> None:
    """One row per observation: observed, simulated mean and 90% interval, within or not."""
    shown = Table(title=title, pad_edge=False, collapse_padding=True)
    for column, justify in COLUMNS:
        shown.add_column(column, justify=justify, overflow="fold")
    for row in table.to_dict("records"):
        shown.add_row(
            str(row["metric"]).replace(" ", ""),
            _compact_period(str(row["period"])),
            human_observed(row["observed"], str(row["metric"])),
            human_observed(row["simulated_mean"], str(row["metric"])),
            f"{human_observed(row['simulated_p5'], str(row['metric']))} - "
            f"{human_observed(row['simulated_p95'], str(row['metric']))}",
            _compact_tolerance(str(row["tolerance"])),
            "[green]yes[/]" if row["within"] else "[bold red]NO[/]",
        )
    out.print(shown)
