"""Figures drawn from result tables only (this module never runs the model)."""

from __future__ import annotations

from sim.io.files import plain_text_figures

plain_text_figures()  # files only; user text never read as mathematics

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from sim.levels import LEVEL_NAMES, LEVELS  # noqa: E402

__all__ = ["backlog_figure"]

LEVEL_LABELS = {
    "overdue_visits": "all levels",
    **{f"overdue_visits_{level}": name for level, name in zip(LEVELS, LEVEL_NAMES, strict=True)},
}


def backlog_figure(trajectories: pd.DataFrame, title: str) -> plt.Figure:
    """Overdue visits by risk level over time: mean line and 90% band across replications."""
    long = trajectories.melt(
        id_vars=["replication", "date"],
        value_vars=list(LEVEL_LABELS),
        var_name="series",
        value_name="overdue visits",
    )
    long["risk level"] = long["series"].map(LEVEL_LABELS)
    long["date"] = pd.to_datetime(long["date"])
    sns.set_theme(style="whitegrid")
    figure, axes = plt.subplots(figsize=(10, 5.5))
    sns.lineplot(
        data=long,
        x="date",
        y="overdue visits",
        hue="risk level",
        hue_order=list(LEVEL_LABELS.values()),
        estimator="mean",
        errorbar=("pi", 90),
        ax=axes,
    )
    n = trajectories["replication"].nunique()
    axes.set_title(f"{title}\nOverdue visits: mean of {n} replications, band = 90% of runs")
    axes.set_xlabel("")
    axes.set_ylim(bottom=0)
    figure.autofmt_xdate()
    figure.tight_layout()
    return figure
