"""The look every chart shares, and the mean-and-band line the backlog charts draw.

seaborn's "whitegrid" look as matplotlib ships it (the ``seaborn-v0_8`` styles) with seaborn's
colour-blind palette for series that are not risk levels (risk levels take :mod:`sim.palette`).
Importing seaborn itself would load scipy.stats too: most of a second of every ``run`` and
every report rebuild, for a theme and one kind of line (docs/performance.md, start-up).
"""

from __future__ import annotations

import textwrap

from sim.io.files import plain_text_figures

plain_text_figures()  # files only; user text never read as mathematics

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from cycler import cycler  # noqa: E402
from matplotlib.typing import ColorType  # noqa: E402

from sim.palette import LEVEL_STYLES  # noqa: E402

__all__ = [
    "SERIES_COLOURS",
    "THEME",
    "draw_band",
    "mean_and_band",
    "month_axis",
    "use_theme",
    "wrapped",
]

# seaborn's "colorblind" palette, for series that are not risk levels
SERIES_COLOURS = (
    "#0173b2",
    "#de8f05",
    "#029e73",
    "#d55e00",
    "#cc78bc",
    "#ca9161",
    "#fbafe4",
    "#949494",
    "#ece133",
    "#56b4e9",
)
THEME = (
    "seaborn-v0_8-whitegrid",
    "seaborn-v0_8-notebook",
    {
        "axes.prop_cycle": cycler(color=SERIES_COLOURS),
        "legend.frameon": True,  # as seaborn's current theme: a legend outside the plot boxed
        "lines.markeredgewidth": 1.0,  # the 0.8 style's 0 hides error-bar caps
    },
)


def use_theme() -> None:
    """Apply :data:`THEME` to the figures created from now on."""
    plt.style.use(THEME)


def month_axis(axes: plt.Axes, most_ticks: int = 8) -> None:
    """Date ticks on the first of months, labelled 'Mar 2023', every n-th month so that at most
    ``most_ticks`` show. matplotlib's own locator puts two ticks in a month on a short run, and
    a month label under each of them read 'Apr 2024, Apr 2024, May 2024' (seen in comparison.png).
    """
    first, last = (mdates.num2date(x) for x in axes.get_xlim())
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    step = max(1, -(-months // most_ticks))
    axes.xaxis.set_major_locator(mdates.MonthLocator(bymonthday=1, interval=step))
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))


def wrapped(title: str, width: int = 90) -> str:
    """A title with each line folded at ``width`` characters, so a long scenario title stays
    inside the image instead of running off both edges (it is centred)."""
    return "\n".join(textwrap.fill(line, width) for line in title.splitlines())


def mean_and_band(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per date: the mean over replications and the 5th and 95th percentiles (90% of runs).

    Percentiles interpolate linearly, as numpy's do in summary.csv.
    """
    grouped = frame.groupby("date")[column]
    return pd.DataFrame(
        {"mean": grouped.mean(), "low": grouped.quantile(0.05), "high": grouped.quantile(0.95)}
    )


def draw_band(axes: plt.Axes, band: pd.DataFrame, label: str, color: ColorType) -> None:
    """The mean as a line (styled by risk level) and the band of 90% of runs, clipped at 0."""
    dates = pd.to_datetime(band.index)
    style = LEVEL_STYLES.get(label, "-")
    axes.plot(dates, band["mean"], label=label, color=color, linewidth=2, linestyle=style)
    low = band["low"].clip(lower=0)
    axes.fill_between(dates, low, band["high"], color=color, alpha=0.2, linewidth=0)
