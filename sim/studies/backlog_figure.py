"""Figures drawn from result tables only (this module never runs the model)."""

from __future__ import annotations

from sim.io.files import plain_text_figures

plain_text_figures()  # files only; user text never read as mathematics

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from sim.levels import LEVEL_NAMES, LEVELS  # noqa: E402
from sim.palette import LEVEL_STYLES, colour_of  # noqa: E402

__all__ = ["backlog_figure"]

LEVEL_LABELS = {
    "overdue_visits": "all levels",
    **{f"overdue_visits_{level}": name for level, name in zip(LEVELS, LEVEL_NAMES, strict=True)},
}


_DASHES: dict[str, tuple[float, ...] | str] = {
    "-": "",
    "--": (4, 2),
    "-.": (4, 1.5, 1, 1.5),
    ":": (1, 1.5),
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
    order = list(LEVEL_LABELS.values())
    sns.lineplot(
        data=long,
        x="date",
        y="overdue visits",
        hue="risk level",
        hue_order=order,
        style="risk level",
        style_order=order,
        dashes={label: _DASHES[LEVEL_STYLES[label]] for label in order},
        palette={label: colour_of(label) for label in order},
        estimator="mean",
        errorbar=("pi", 90),
        ax=axes,
    )
    n = trajectories["replication"].nunique()
    axes.set_title(f"{title}\nOverdue visits: mean of {n} replications, band = 90% of runs")
    axes.set_xlabel("")
    axes.set_ylim(bottom=0)
    # outside the plot, so it never covers the end of the horizon (the answer)
    axes.legend(title="risk level", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))  # 'Mar 2023', as the report
    figure.autofmt_xdate()
    figure.tight_layout()
    return figure
