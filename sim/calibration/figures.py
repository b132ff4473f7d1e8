"""Figures of observed against simulated figures (drawn from tables only, never the model).

* :func:`calibration_figure`: ``calibration.png``, one panel per observation: each
  replication's value as a dot, the 90% interval of replications as a bar, the mean as a line,
  and the observed value as a black diamond with its tolerance as an error bar.
* :func:`mark_observations`: the observed points on ``backlog.png`` (overdue visits, all levels
  or one level, on a single date), in black with their tolerance as an error bar.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sim.io.files import plain_text_figures

plain_text_figures()  # files only; user text never read as mathematics

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.calibration.fit_table import scale_of  # noqa: E402
from sim.levels import LEVEL_NAMES, LEVELS  # noqa: E402
from sim.scenario.observations import Observation, replication_values  # noqa: E402

__all__ = ["calibration_figure", "mark_observations"]

OBSERVED_STYLE: dict[str, Any] = {"marker": "D", "color": "black", "markersize": 7, "zorder": 5}
SERIES_NAMES = {
    "overdue_visits": "all levels",
    **{f"overdue_visits_{level}": name for level, name in zip(LEVELS, LEVEL_NAMES, strict=True)},
}


def _tolerance_halfwidth(observation: Observation) -> float | None:
    tolerance = observation.tolerance
    if tolerance is None or (tolerance.relative is None and tolerance.absolute is None):
        return None
    return scale_of(observation)


def calibration_figure(
    observations: Sequence[Observation], trajectories: pd.DataFrame, title: str
) -> plt.Figure:
    """A panel per observation: the replications' values against the observed figure."""
    n = len(observations)
    columns = min(3, max(n, 1))
    rows = max(1, math.ceil(n / columns))
    figure, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.6 * rows), squeeze=False)
    rng = np.random.default_rng(0)  # jitter only: the figure is the same every time
    for panel, observation in zip(axes.flat, observations, strict=False):
        values = replication_values(observation, trajectories)
        finite = values[np.isfinite(values)]
        jitter = rng.uniform(-0.15, 0.15, size=len(finite))
        panel.scatter(np.zeros(len(finite)) + jitter, finite, s=12, alpha=0.5, label="replications")
        if len(finite):
            p5, p95 = np.percentile(finite, [5, 95])
            panel.vlines(0.35, p5, p95, linewidth=6, alpha=0.35, label="90% of runs")
            panel.hlines(finite.mean(), -0.25, 0.45, color="black", label="simulated mean")
        halfwidth = _tolerance_halfwidth(observation)
        # every metric is a count, hours, days or a share: the tolerance stops at 0
        below = None if halfwidth is None else min(halfwidth, max(observation.value, 0.0))
        panel.errorbar(
            [0.6],
            [observation.value],
            yerr=None if halfwidth is None else [[below], [halfwidth]],
            capsize=5,
            linestyle="none",
            label="observed ± tolerance",
            **OBSERVED_STYLE,
        )
        panel.set_xlim(-0.5, 1.0)
        panel.set_xticks([])
        panel.set_title(f"{observation.metric}\n{observation.period_label()}", fontsize=9)
    for panel in list(axes.flat)[n:]:
        panel.set_visible(False)
    if n:
        handles, labels = axes.flat[0].get_legend_handles_labels()
        figure.legend(handles, labels, loc="lower center", ncol=4, frameon=False)
    replications = trajectories["replication"].nunique()
    figure.suptitle(f"{title}\nObserved figures against {replications} replications")
    figure.tight_layout(rect=(0, 0.06, 1, 1))
    return figure


def mark_observations(figure: plt.Figure, observations: Sequence[Observation]) -> None:
    """Draw observed overdue-visit figures (single dates) on the backlog figure."""
    axes = figure.axes[0]
    labelled: set[str] = set()
    tops: list[float] = []
    for observation in observations:
        series = SERIES_NAMES.get(observation.metric.strip())
        if series is None or observation.from_date not in (None, observation.date):
            continue
        halfwidth = _tolerance_halfwidth(observation)
        axes.errorbar(
            # matplotlib's stubs omit the dates its unit converters take
            [pd.Timestamp(observation.date)],  # type: ignore[arg-type]
            [observation.value],
            yerr=None if halfwidth is None else [[halfwidth], [halfwidth]],
            capsize=4,
            linestyle="none",
            label=None if series in labelled else f"observed: {series}",
            **OBSERVED_STYLE,
        )
        labelled.add(series)
        tops.append(observation.value + (halfwidth or 0.0))
    if labelled:
        old_legend = axes.get_legend()
        title = old_legend.get_title().get_text() if old_legend is not None else None
        axes.legend(title=title, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        # the y-axis was fixed at 0 before the points were drawn: make room for them
        bottom, top = axes.get_ylim()
        axes.set_ylim(bottom, max(top, max(tops) * 1.05))
        figure.tight_layout()
