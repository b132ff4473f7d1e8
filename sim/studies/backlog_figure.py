"""Figures drawn from result tables only (this module never runs the model)."""

from __future__ import annotations

from sim.io.files import plain_text_figures

plain_text_figures()  # files only; user text never read as mathematics

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sim.charts import draw_band, mean_and_band, month_axis, use_theme, wrapped  # noqa: E402
from sim.levels import LEVEL_NAMES, LEVELS  # noqa: E402
from sim.palette import colour_of  # noqa: E402

__all__ = ["backlog_figure"]

LEVEL_LABELS = {
    "overdue_visits": "all levels",
    **{f"overdue_visits_{level}": name for level, name in zip(LEVELS, LEVEL_NAMES, strict=True)},
}


def backlog_figure(trajectories: pd.DataFrame, title: str) -> plt.Figure:
    """Overdue visits by risk level over time: mean line and 90% band across replications."""
    use_theme()
    figure, axes = plt.subplots(figsize=(10, 5.5))
    for column, label in LEVEL_LABELS.items():
        draw_band(axes, mean_and_band(trajectories, column), label, colour_of(label))
    n = trajectories["replication"].nunique()
    what = f"Overdue visits: mean of {n} replications, band = 90% of runs"
    axes.set_title(f"{wrapped(title)}\n{what}")
    axes.set_xlabel("")
    axes.set_ylabel("overdue visits")
    axes.set_ylim(bottom=0)
    # outside the plot, so it never covers the end of the horizon (the answer)
    axes.legend(title="risk level", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    month_axis(axes)  # 'Mar 2023', one tick a month at most
    figure.autofmt_xdate()
    figure.tight_layout()
    return figure
