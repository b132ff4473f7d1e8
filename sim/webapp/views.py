"""What the app's pages show, taken from a finished results folder by the report's own code.

Every number and chart here comes from sim/report (``load_results`` and the section builders
that fill report.html), so the page and the report cannot disagree. These functions return
plain tables (pandas DataFrames with the report's column headings), sentences and PNG bytes;
the Streamlit script only lays them out.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.format import human_number
from sim.levels import LEVELS
from sim.report.compare import compare_context
from sim.report.data import ComparisonResults, Results, load_results
from sim.report.sections import assessments_section, backlog_section, headline_section

__all__ = ["ComparisonView", "RunView", "comparison_view", "png_bytes", "run_view"]

WHEN = ["when", "date"]
STATS = ["mean", "95% CI of mean", "90% of runs"]


@dataclass(frozen=True)
class RunView:
    """A run's headline, fan chart of overdue visits by level, and monthly tables."""

    sentences: list[str]
    note: str
    headline: pd.DataFrame
    backlog_chart: bytes
    backlog_alt: str
    backlog_months: pd.DataFrame
    assessment_months: pd.DataFrame


@dataclass(frozen=True)
class ComparisonView:
    """A comparison's headline, paired differences and lone-officer exposure by level."""

    reference: str
    sentences: list[str]
    headline: pd.DataFrame
    differences: pd.DataFrame
    lone_visits: pd.DataFrame
    chart: bytes | None = None
    differences_chart: bytes | None = None
    notes: list[str] = field(default_factory=list)


def png_bytes(data_uri: str | None) -> bytes | None:
    """The PNG inside a ``data:image/png;base64,...`` URI (as the report embeds charts)."""
    if not data_uri:
        return None
    return base64.b64decode(data_uri.split(",", 1)[1])


def _month_table(section: dict) -> pd.DataFrame:
    columns = [
        "month end",
        "all levels (mean)",
        "all levels, 90% of runs",
        *section["level_names"],
        "oldest (days overdue)",
    ]
    return pd.DataFrame(section["rows"], columns=columns)


def run_view(folder: Path) -> RunView:
    """The page of a finished run folder (raises ReportError if it is not one)."""
    results = load_results(folder)
    if not isinstance(results, Results):
        raise TypeError(f"{folder} holds a comparison, not a run")
    headline = headline_section(results)
    columns = pd.MultiIndex.from_tuples(
        [("", name) for name in WHEN]
        + [("overdue visits", name) for name in STATS]
        + [("overdue risk assessments", name) for name in STATS]
    )
    backlog = backlog_section(results)
    chart = png_bytes(backlog["chart"])
    assert chart is not None  # a run's backlog chart is always drawn
    return RunView(
        sentences=headline["sentences"],
        note=headline["note"],
        headline=pd.DataFrame(headline["rows"], columns=columns),
        backlog_chart=chart,
        backlog_alt=backlog["alt"],
        backlog_months=_month_table(backlog),
        assessment_months=_month_table(assessments_section(results)),
    )


def _lone_visits(results: ComparisonResults) -> pd.DataFrame:
    """Lone-officer visit attempts per level: each variant's mean and change (95% CI)."""
    rows = []
    for level in LEVELS:
        outcome = f"lone_visit_attempts_{level}_total"
        if not results.has(outcome):
            continue
        row: dict[str, str] = {"risk level": level.replace("_", " ")}
        for name in results.names:
            part = results.table[
                (results.table["outcome"] == outcome) & (results.table["variant"] == name)
            ].iloc[0]
            row[f"{name}: mean"] = human_number(float(part["mean"]))
            if name != results.reference:
                low, high = float(part["difference_ci95_low"]), float(part["difference_ci95_high"])
                row[f"{name}: change (95% CI)"] = (
                    f"{human_number(float(part['difference']), sign=True)} "
                    f"({human_number(low, sign=True)} to {human_number(high, sign=True)})"
                )
        rows.append(row)
    return pd.DataFrame(rows)


def comparison_view(folder: Path) -> ComparisonView:
    """The page of a finished comparison folder (raises ReportError if it is not one)."""
    results = load_results(folder)
    if not isinstance(results, ComparisonResults):
        raise TypeError(f"{folder} holds a run, not a comparison")
    context = compare_context(results)
    headline = context["headline"]
    differences = context["differences"]
    columns = ["outcome", f"{results.reference}: mean"]
    for name in differences["others"]:
        columns += [f"{name}: mean", f"{name}: change (95% CI)"]
    return ComparisonView(
        reference=results.reference,
        sentences=headline["sentences"],
        headline=pd.DataFrame(
            headline["rows"],
            columns=[
                "variant",
                "overdue visits at the end",
                "change at the end (95% CI)",
                "clear",
                "overdue visits, average",
                "change in the average (95% CI)",
                "overdue assessments at the end",
                "change in assessments (95% CI)",
            ],
        ),
        differences=pd.DataFrame(differences["rows"], columns=columns),
        lone_visits=_lone_visits(results),
        chart=png_bytes(context["backlog"]["chart"]),
        differences_chart=png_bytes(differences["chart"]),
        notes=[headline["note"]],
    )
