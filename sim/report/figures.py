"""The report's charts, drawn from result tables and embedded as base64 PNG data URIs.

Embedding keeps report.html a single file that opens offline (no image files, no web
fonts, no scripts). The look and colours are :mod:`sim.charts`' (risk levels: :mod:`sim.palette`),
and every chart has a table with the same numbers beside it in the report, so nothing is shown
only as colour.
"""

from __future__ import annotations

import base64
import io

from sim.io.files import plain_text_figures

plain_text_figures()  # files only; user text never read as mathematics

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.charts import SERIES_COLOURS, draw_band, mean_and_band, month_axis, use_theme  # noqa: E402
from sim.format import human_month  # noqa: E402
from sim.levels import LEVEL_NAMES, LEVELS  # noqa: E402
from sim.palette import colour_of  # noqa: E402

__all__ = [
    "activity_chart",
    "areas_chart",
    "comparison_chart",
    "data_uri",
    "levels_chart",
    "single_series_chart",
    "utilisation_chart",
]

DPI = 100


def data_uri(figure: plt.Figure) -> str:
    """The figure as a ``data:image/png;base64,...`` URI (and the figure is closed)."""
    buffer = io.BytesIO()
    try:
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    finally:
        plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _axes(height: float = 4.2) -> tuple[plt.Figure, plt.Axes]:
    use_theme()
    return plt.subplots(figsize=(9, height))


def levels_chart(
    trajectories: pd.DataFrame, prefix: str, y_label: str, observed: pd.DataFrame | None = None
) -> plt.Figure:
    """All levels and each risk level over time: mean line, band of 90% of runs.

    ``observed`` (date, metric, observed) adds the force's reported figures as black
    markers on the matching line.
    """
    labels = {
        prefix: "all levels",
        **{f"{prefix}_{level}": name for level, name in zip(LEVELS, LEVEL_NAMES, strict=True)},
    }
    labels = {column: label for column, label in labels.items() if column in trajectories}
    figure, axes = _axes()
    for column, label in labels.items():
        draw_band(axes, mean_and_band(trajectories, column), label, colour_of(label))
    if observed is not None and not observed.empty:
        mine = observed[observed["metric"].isin(list(labels))]
        if not mine.empty:
            axes.scatter(
                pd.to_datetime(mine["date"]),
                mine["observed"],
                marker="D",
                s=50,
                color="black",
                zorder=5,
                label="observed (reported)",
            )
    axes.legend(
        title="risk level (band: 90% of runs)", loc="upper left", bbox_to_anchor=(1.01, 1.0)
    )
    axes.set_ylabel(y_label)
    axes.set_xlabel("")
    axes.set_ylim(bottom=0)
    month_axis(axes)  # 'Mar 2023', one tick a month at most
    figure.autofmt_xdate()
    figure.tight_layout()
    return figure


def single_series_chart(trajectories: pd.DataFrame, column: str, y_label: str) -> plt.Figure:
    """One daily state over time: mean line and band of 90% of runs."""
    figure, axes = _axes(3.6)
    draw_band(axes, mean_and_band(trajectories, column), "mean", SERIES_COLOURS[0])
    axes.set_ylabel(y_label)
    axes.set_xlabel("")
    axes.set_ylim(bottom=0)
    month_axis(axes)  # 'Mar 2023', one tick a month at most
    figure.autofmt_xdate()
    figure.tight_layout()
    return figure


def activity_chart(months: pd.DataFrame, labels: dict[str, str]) -> plt.Figure:
    """Monthly totals (mean over replications) as grouped bars, one group per month."""
    figure, axes = _axes()
    positions = np.arange(len(months))
    width = 0.8 / len(labels)
    for index, (column, label) in enumerate(labels.items()):
        offset = (index - (len(labels) - 1) / 2) * width
        axes.bar(positions + offset, months[column].to_numpy(dtype=float), width, label=label)
    axes.set_xticks(positions, [human_month(str(period), short=True) for period in months.index])
    axes.grid(axis="x", visible=False)
    axes.set_xlabel("")
    axes.set_ylabel("per month (mean of runs)")
    axes.legend(title="", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    axes.tick_params(axis="x", labelrotation=45)
    figure.tight_layout()
    return figure


def utilisation_chart(share_by_month: pd.Series) -> plt.Figure:
    """Officer hours used as a share of hours available, by month; 100% marked."""
    figure, axes = _axes(3.6)
    axes.plot(share_by_month.index, share_by_month.to_numpy() * 100, marker="o")
    axes.axhline(100, color="grey", linestyle="--", linewidth=1)
    axes.set_ylabel("hours used / available (%)")
    axes.set_ylim(bottom=0, top=max(110.0, float(share_by_month.max() * 100) + 10))
    axes.tick_params(axis="x", labelrotation=45)
    figure.tight_layout()
    return figure


def comparison_chart(rows: pd.DataFrame, metric_label: str) -> plt.Figure:
    """Paired differences against the first variant with their 95% CIs (a forest plot)."""
    figure, axes = _axes(0.6 * len(rows) + 1.6)
    positions = range(len(rows))
    difference = rows["difference"].to_numpy(dtype=float)
    low = rows["low"].to_numpy(dtype=float)
    high = rows["high"].to_numpy(dtype=float)
    axes.errorbar(
        difference,
        list(positions),
        xerr=[difference - low, high - difference],
        fmt="o",
        capsize=4,
    )
    axes.axvline(0, color="grey", linestyle="--", linewidth=1)
    axes.set_yticks(list(positions), rows["variant"].astype(str).tolist())
    axes.invert_yaxis()
    axes.set_xlabel(f"difference in {metric_label} against the first variant (95% CI)")
    figure.tight_layout()
    return figure


def areas_chart(ranked: pd.DataFrame) -> plt.Figure:
    """Overdue visits at the end of the run by area, most first, bars for 90% of runs."""
    figure, axes = _axes(0.28 * len(ranked) + 1.4)
    positions = list(range(len(ranked)))
    means = ranked["mean"].to_numpy(dtype=float)
    below = (means - ranked["low"].clip(lower=0).to_numpy(dtype=float)).clip(min=0)
    above = (ranked["high"].to_numpy(dtype=float) - means).clip(min=0)
    axes.barh(positions, means, color=colour_of("all levels"), alpha=0.75)
    axes.errorbar(means, positions, xerr=[below, above], fmt="none", ecolor="grey", capsize=2)
    axes.set_yticks(positions, ranked["area"].astype(str).tolist(), fontsize=9)
    axes.invert_yaxis()
    axes.set_xlabel("overdue visits at the end of the run (mean; bars: 90% of runs)")
    axes.set_xlim(left=0)
    figure.tight_layout()
    return figure
