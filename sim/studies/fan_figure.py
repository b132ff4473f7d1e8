"""The fan chart of a forecast with a parameter sample: chance alone inside chance + calibration."""

from __future__ import annotations

from sim.charts import wrapped
from sim.io.files import plain_text_figures

plain_text_figures()  # files only; user text never read as mathematics

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

__all__ = ["fan_figure"]


def fan_figure(
    fan: pd.DataFrame,
    title: str,
    sentence: str,
    metric: str = "overdue_visits",
    actuals: pd.DataFrame | None = None,
) -> Figure:
    """Draw the 90% band from both parts, the 50% band, the band from chance alone and the
    mean; ``actuals`` (columns date, value) are drawn as black diamonds."""
    dates = pd.to_datetime(fan["date"])
    figure, axes = plt.subplots(figsize=(10, 5.5))
    axes.fill_between(
        dates, fan["both_p5"], fan["both_p95"], color="#9ecae1", label="90%: chance + calibration"
    )
    axes.fill_between(
        dates, fan["both_p25"], fan["both_p75"], color="#6baed6", label="50%: chance + calibration"
    )
    axes.plot(dates, fan["chance_p5"], color="#08306b", linestyle="--", label="90%: chance alone")
    axes.plot(dates, fan["chance_p95"], color="#08306b", linestyle="--")
    axes.plot(dates, fan["mean"], color="black", linewidth=1.5, label="mean")
    if actuals is not None and not actuals.empty:
        axes.scatter(
            pd.to_datetime(actuals["date"]),
            actuals["value"],
            marker="D",
            color="black",
            zorder=5,
            label="reported later",
        )
    locator = mdates.AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    axes.set_ylabel(metric.replace("_", " "))
    axes.set_title(wrapped(title, 100), fontsize=10)
    # off the plot, as every chart's legend (it would cover the band it explains)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    axes.set_ylim(bottom=0)
    figure.text(0.01, 0.01, wrapped(sentence, 150), fontsize=7, va="bottom")
    figure.tight_layout(rect=(0, 0.07, 1, 1))
    return figure
