"""`backtest`: score a forecast (a run's results folder) against figures reported later.

Example:
    python run_sim.py backtest --forecast results/avon_somerset_2024 --actuals actuals.yaml

Prints, for each figure, the forecast's mean, its 50% and 90% intervals, whether the figure
fell inside and the error; then the coverage. Writes backtest.csv and backtest.png into the
forecast's folder (or --out). A bad actuals file or forecast folder exits with code 2 naming
the file, line and field, and nothing is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from sim.format import human_number
from sim.io.folder import (
    BACKTEST_FILES,
    CALIBRATION_FILES,
    DERIVED_FILES,
    MANAGER_FILES,
    RUN_FILES,
    SAMPLE_FILES,
)
from sim.scenario.file import ScenarioError

from .app import ForceOption, app, fail, fail_with, out
from .session import SessionOptions, study_session

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["backtest"]


@app.command()
def backtest(
    forecast: Annotated[
        Path, typer.Option("--forecast", help="A forecast's results folder (written by run).")
    ],
    actuals: Annotated[
        Path,
        typer.Option(
            "--actuals",
            help="YAML file with an 'actuals:' list of figures reported later, written as a "
            "scenario's observations: are.",
        ),
    ],
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for backtest.csv/png (default: the forecast's)."),
    ] = None,
    force: ForceOption = False,
) -> None:
    """Score a forecast (a run's folder) against figures reported later.

    For each figure: the forecast's mean, 50% and 90% intervals, inside or not, the error;
    then the coverage over the figures. Writes backtest.csv and backtest.png.

    Example: python run_sim.py backtest --forecast results/avon_somerset_2024
    --actuals actuals_2025.yaml
    """
    from sim.calibration.actuals import read_actuals
    from sim.studies.backtest import (
        ForecastError,
        backtest_table,
        coverage,
        read_forecast,
        write_backtest,
    )

    try:
        figures = read_actuals(actuals)
    except ScenarioError as error:
        fail(error)
    try:
        trajectories, manifest = read_forecast(forecast)
    except ForecastError as error:
        fail_with(str(error))
    try:
        table = backtest_table(figures, trajectories)
    except ScenarioError as error:
        fail(error)
    names = (
        BACKTEST_FILES
        + RUN_FILES
        + CALIBRATION_FILES
        + MANAGER_FILES
        + SAMPLE_FILES
        + DERIVED_FILES
    )
    options = SessionOptions(force=force)
    scenario = manifest.get("scenario", {})
    made = str(manifest.get("finished_at") or manifest.get("started_at") or "?")[:10]
    title = f"Backtest of {scenario.get('name', forecast.name)} (forecast made {made})"
    with study_session(
        out_dir or forecast, "backtest", names, options, marker="backtest.csv"
    ) as session:
        written = write_backtest(
            table, [f for _, f in figures], trajectories, session.target, title, forecast
        )
    _print(table, title, coverage(table))
    shown = ", ".join(path.name for path in written)
    out.print(f"Written in {session.target}/: {shown}", markup=False, highlight=False)
    if out_dir is None and (forecast / "report.html").is_file():
        # the forecast's own report now shows the fan with the reported figures on it
        from sim.report.build import write_report_or_warn

        if write_report_or_warn(forecast, out) is not None:
            out.print(f"Report updated: {forecast / 'report.html'}", markup=False)


def _print(table_frame: pd.DataFrame, title: str, summary: dict[str, float]) -> None:
    """The backtest table, then the coverage."""
    table = Table(title=title)
    for column in ("metric", "period", "actual", "forecast mean", "50%", "90%", "inside", "error"):
        table.add_column(column, justify="left" if column in ("metric", "period") else "right")
    for row in table_frame.to_dict("records"):
        inside = "90% and 50%" if row["inside_50"] else ("90%" if row["inside_90"] else "no")
        table.add_row(
            str(row["metric"]),
            str(row["period"]),
            human_number(row["actual"]),
            human_number(row["forecast_mean"]),
            f"{human_number(row['p25'])} - {human_number(row['p75'])}",
            f"{human_number(row['p5'])} - {human_number(row['p95'])}",
            inside,
            f"{row['error']:+.3g}",
        )
    out.print(table)
    n = int(summary["figures"])
    out.print(
        f"Coverage over {n} figure(s): {summary['inside_50']:.0%} inside the 50% intervals "
        f"(nominal 50%), {summary['inside_90']:.0%} inside the 90% intervals (nominal 90%).",
        highlight=False,
    )
