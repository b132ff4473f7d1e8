"""Read a results folder and derive the tables the HTML report shows (pure pandas).

The report is built from the files a run leaves behind (manifest.json, trajectories.csv,
summary.csv, and when present calibration.csv and comparison.csv), never from the model, so
``python run_sim.py report DIR`` can rebuild it at any time from any finished run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from sim.analysis.metrics import total_only
from sim.analysis.summary import describe
from sim.report.folder import ReportError, check_folder
from sim.scenario import TOTAL_AREA
from sim.titles import add_months, run_title, study_title

__all__ = [
    "COMPARISON_COLUMNS",
    "ComparisonResults",
    "Milestone",
    "ReportError",
    "Results",
    "load_results",
    "milestones",
    "month_days",
    "monthly",
    "observed_points",
]

# comparison.csv as `compare` writes it: one row per outcome and variant
COMPARISON_COLUMNS = {
    "outcome",
    "variant",
    "mean",
    "difference",
    "difference_ci95_low",
    "difference_ci95_high",
    "significant",
}


@dataclass(frozen=True)
class Results:
    """A run's folder: its manifest, daily trajectories, summary and calibration table (the
    rows of the whole scenario when it has areas)."""

    path: Path
    manifest: dict
    trajectories: pd.DataFrame
    summary: pd.DataFrame
    calibration: pd.DataFrame | None
    # summary.csv's rows of each area (a scenario with areas), else None
    area_summary: pd.DataFrame | None = None

    @property
    def scenario(self) -> dict:
        return self.manifest.get("scenario", {})

    @property
    def start_date(self) -> date:
        return date.fromisoformat(str(self.scenario["start_date"]))

    @property
    def replications(self) -> int:
        return int(self.trajectories["replication"].nunique())

    @property
    def title(self) -> str:
        """The run's heading, naming any ``--set`` it was run with (:mod:`sim.titles`)."""
        return run_title(self.scenario, self.manifest.get("command", [])).splitlines()[0]


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path)
    except (OSError, ValueError, pd.errors.ParserError) as error:
        raise ReportError(f"{path}: cannot be read as a table ({error})") from None


@dataclass(frozen=True)
class ComparisonResults:
    """A folder written by ``compare``: comparison.csv, comparison.png and its manifest."""

    path: Path
    manifest: dict
    table: pd.DataFrame
    figure_png: bytes | None

    @property
    def variants(self) -> dict[str, dict]:
        return self.manifest.get("variants", {})

    @property
    def reference(self) -> str:
        return self.manifest.get("reference_variant") or str(self.table["variant"].iloc[0])

    @property
    def names(self) -> list[str]:
        return list(dict.fromkeys(self.table["variant"].astype(str)))

    @property
    def scenario(self) -> dict:
        return self.variants.get(self.reference, {})

    @property
    def replications(self) -> int:
        return int(self.manifest.get("replications") or self.table["replications"].max())

    @property
    def title(self) -> str:
        """'<name>: N variants compared (...)', as comparison.png is headed."""
        what = f"{len(self.names)} variants compared ({', '.join(self.names)})"
        return study_title(self.scenario, what, self.manifest.get("command", [])).splitlines()[0]

    def value(self, outcome: str, variant: str, column: str = "mean") -> float:
        rows = self.table[(self.table["outcome"] == outcome) & (self.table["variant"] == variant)]
        return float(rows[column].iloc[0]) if len(rows) else float("nan")

    def has(self, outcome: str) -> bool:
        return bool((self.table["outcome"] == outcome).any())


def _load_comparison(path: Path, manifest: dict) -> ComparisonResults:
    if not (path / "comparison.csv").is_file():
        raise ReportError(
            f"{path}: the manifest is a comparison's but comparison.csv is missing; run the "
            "comparison again: python run_sim.py compare SCENARIO.yaml --variant ..."
        )
    table = _read_csv(path / "comparison.csv")
    lacking = COMPARISON_COLUMNS - set(table.columns)
    if lacking or table.empty:
        raise ReportError(
            f"{path / 'comparison.csv'}: lacks the columns {sorted(lacking)} or has no rows; "
            "was it written by this version of compare?"
        )
    table["variant"] = table["variant"].astype(str)
    figure = path / "comparison.png"
    return ComparisonResults(
        path=path,
        manifest=manifest,
        table=table,
        figure_png=figure.read_bytes() if figure.is_file() else None,
    )


def load_results(path: Path | str) -> Results | ComparisonResults:
    """Load a finished run's (or comparison's) folder, or raise :class:`ReportError`."""
    path = Path(path)
    kind, manifest = check_folder(path)
    if kind == "compare":
        return _load_comparison(path, manifest)
    # The report describes the whole scenario: for one with areas, the total rows.
    trajectories = total_only(_read_csv(path / "trajectories.csv"))
    full_summary = _read_csv(path / "summary.csv")
    summary = total_only(full_summary)
    area_summary = None
    if "area" in full_summary.columns:
        area_summary = full_summary[full_summary["area"] != TOTAL_AREA].reset_index(drop=True)
    for name, frame, needed in (
        ("trajectories.csv", trajectories, {"replication", "day", "date", "overdue_visits"}),
        ("summary.csv", summary, {"period", "metric", "mean", "p5", "p95"}),
    ):
        lacking = needed - set(frame.columns)
        if lacking or frame.empty:
            raise ReportError(
                f"{path / name}: lacks the columns {sorted(lacking)} or has no rows; "
                "was it written by this version of run?"
            )
    calibration = path / "calibration.csv"
    return Results(
        path=path,
        manifest=manifest,
        trajectories=trajectories,
        summary=summary,
        calibration=_read_csv(calibration) if calibration.is_file() else None,
        area_summary=area_summary,
    )


@dataclass(frozen=True)
class Milestone:
    """A metric on one day across replications (mean, 95% CI of the mean, 90% of runs)."""

    label: str
    day: int
    date: date
    stats: dict[str, dict[str, float]]  # metric -> describe()


def milestones(results: Results, metrics: tuple[str, ...]) -> tuple[list[Milestone], list[str]]:
    """The backlog at the start, in 6 and 12 months, and at the end of the run.

    Returns the milestones inside the horizon and the labels of those beyond it (the report
    says plainly that the run does not reach them rather than guessing).
    """
    frame = results.trajectories
    last_day = int(frame["day"].max())
    start = results.start_date
    wanted = [("At the start", 0)]
    beyond = []
    for months in (6, 12):
        when = add_months(start, months)
        day = (when - start).days
        label = f"In {months} months"
        if day <= last_day:
            wanted.append((label, day))
        else:
            beyond.append(f"{label.lower()} ({when:%-d %B %Y})")
    if wanted[-1][1] != last_day:
        wanted.append(("End of the run", last_day))
    found = []
    for label, day in wanted:
        today = frame[frame["day"] == day]
        stats = {metric: describe(today[metric].to_numpy()) for metric in metrics}
        found.append(Milestone(label, day, date.fromordinal(start.toordinal() + day), stats))
    return found, beyond


def month_days(results: Results) -> dict[str, int]:
    """Simulated days in each calendar month (to mark part months)."""
    frame = results.trajectories
    first_replication = frame[frame["replication"] == frame["replication"].iloc[0]]
    dates = pd.to_datetime(first_replication["date"])
    return dates.dt.strftime("%Y-%m").value_counts().sort_index().to_dict()


def monthly(results: Results, metrics: list[str], column: str = "mean") -> pd.DataFrame:
    """Months as rows, metrics as columns, from summary.csv (states at month end, flows totals)."""
    rows = results.summary[results.summary["period"] != "end"]
    rows = rows[rows["metric"].isin(metrics)]
    table = rows.pivot(index="period", columns="metric", values=column)
    return table.reindex(columns=[m for m in metrics if m in table.columns]).sort_index()


def observed_points(results: Results) -> pd.DataFrame:
    """Observed figures that are one state metric on one date: columns date, metric, observed.

    From calibration.csv when the run wrote one (columns metric, period, observed), else from
    the scenario's ``observations`` in the manifest. Figures over a period or ratios are kept
    out: they are not a point on a daily trajectory (the calibration table lists them all).
    """
    rows = []
    if results.calibration is not None and {"metric", "period", "observed"} <= set(
        results.calibration.columns
    ):
        for _, row in results.calibration.iterrows():
            rows.append((str(row["period"]), str(row["metric"]), row["observed"]))
    else:
        for item in results.scenario.get("observations", []) or []:
            if isinstance(item, dict) and not item.get("from_date"):
                rows.append((str(item.get("date")), str(item.get("metric")), item.get("value")))
    states = set(results.trajectories.columns)
    points = [
        {"date": date.fromisoformat(when), "metric": metric.strip(), "observed": float(value)}
        for when, metric, value in rows
        if _is_iso_date(when) and metric.strip() in states and value is not None
    ]
    return pd.DataFrame(points, columns=["date", "metric", "observed"])


def _is_iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
