"""Figures of the experiment commands: comparison, sweep, tornado, sensitivity.

Each function takes finished tables (or the daily records already run) and returns a
matplotlib figure; none runs the model. Bands and error bars are 95% confidence intervals of
the mean, because these figures compare means across variants or parameter values.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sim.io.files import plain_text_figures

plain_text_figures()  # files only; user text never read as mathematics

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
from matplotlib.typing import ColorType  # noqa: E402

from sim.analysis.comparison import mean_trajectory_band  # noqa: E402
from sim.analysis.outcomes import describe_outcome  # noqa: E402
from sim.charts import month_axis, wrapped  # noqa: E402
from sim.levels import LEVEL_NAMES, LEVELS  # noqa: E402
from sim.records import DAILY_COLUMNS, DailyRecord  # noqa: E402

__all__ = ["comparison_figure", "sensitivity_figure", "sweep_figure", "tornado_figure"]


def comparison_figure(
    arms: Sequence[tuple[str, Sequence[DailyRecord]]],
    start_date: date,
    lone_by_level: pd.DataFrame,
    title: str,
) -> plt.Figure:
    """Overdue visits and assessments over time per variant, and lone visits by risk level.

    ``lone_by_level`` has columns variant, level, mean, ci95_low, ci95_high (horizon totals).
    """
    sns.set_theme(style="whitegrid")
    # one panel under another, so the figure stays legible at the width of a report column
    figure, axes = plt.subplots(3, 1, figsize=(10, 13))
    palette = sns.color_palette(n_colors=len(arms))
    for panel, metric in zip(axes[:2], ("overdue_visits", "overdue_assessments"), strict=True):
        column = DAILY_COLUMNS.index(metric)
        for colour, (name, records) in zip(palette, arms, strict=True):
            mean, half = mean_trajectory_band([record.table[:, column] for record in records])
            days = pd.date_range(start_date, periods=len(mean), freq="D")
            panel.plot(days, mean, color=colour, label=name)
            low = np.clip(mean - half, 0, None)  # a count's band stops at 0
            panel.fill_between(days, low, mean + half, color=colour, alpha=0.25)
        panel.set_title(metric.replace("_", " ").capitalize())
        panel.set_ylim(bottom=0)
        month_axis(panel)  # 'Mar 2023', one tick a month at most
        panel.tick_params(axis="x", labelrotation=30)
    axes[0].legend(
        title="variant (band: 95% CI of the mean)",
        fontsize=10,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
    )
    _lone_visit_bars(axes[2], lone_by_level, [name for name, _ in arms], palette)
    n = len(arms[0][1]) if arms else 0
    figure.suptitle(
        f"{wrapped(title, 80)}\nMean of {n} replications per variant\nBands and error bars: "
        "95% CI of the mean (not the spread of runs)"
    )
    figure.tight_layout()
    return figure


def _lone_visit_bars(
    axes: Axes, table: pd.DataFrame, names: list[str], palette: Sequence[ColorType]
) -> None:
    """Lone visit attempts by risk level: a bar per variant, its 95% CI as an error bar."""
    width = 0.8 / max(len(names), 1)
    x = np.arange(len(LEVELS))
    for i, (name, colour) in enumerate(zip(names, palette, strict=True)):
        rows = table[table["variant"] == name].set_index("level").reindex(list(LEVELS))
        means = rows["mean"].to_numpy(dtype=float)
        low = np.clip(rows["ci95_low"].to_numpy(dtype=float), 0, None)  # counts stop at 0
        errors = np.vstack([means - low, rows["ci95_high"] - means])
        errors = np.nan_to_num(errors)
        axes.bar(x + (i - (len(names) - 1) / 2) * width, means, width, color=colour, label=name)
        axes.errorbar(
            x + (i - (len(names) - 1) / 2) * width, means, yerr=errors, fmt="none", c="black"
        )
    axes.set_xticks(x, list(LEVEL_NAMES))
    axes.set_title("Lone visit attempts over the horizon\n(one officer at the door)")
    axes.set_ylabel("attempts")
    # counts start at 0; with none at all the axis shows 0 to 1, not -0.04 to 0.04 (audit)
    axes.set_ylim(bottom=0, top=max(axes.get_ylim()[1], 1.0))


def sweep_figure(
    table: pd.DataFrame, parameters: Sequence[str], outcomes: Sequence[str], title: str
) -> plt.Figure:
    """Each outcome against the first parameter, one line per value of the second (if any).

    An outcome that is zero at every point (lone visit attempts when every visit takes two
    officers) gets no panel of its own; the title names it instead."""
    sns.set_theme(style="whitegrid")
    everywhere_zero = [
        outcome
        for outcome in outcomes
        if (table.loc[table["outcome"] == outcome, ["mean", "ci95_high"]] == 0).all().all()
    ]
    if len(everywhere_zero) < len(outcomes):
        outcomes = [outcome for outcome in outcomes if outcome not in everywhere_zero]
    else:
        everywhere_zero = []
    columns = min(len(outcomes), 3)
    rows = int(np.ceil(len(outcomes) / columns))
    figure, axes = plt.subplots(rows, columns, figsize=(5.2 * columns, 4.2 * rows), squeeze=False)
    x_name = parameters[0]
    group_names = list(parameters[1:])
    for panel, outcome in zip(axes.flat, outcomes, strict=False):
        part = table[table["outcome"] == outcome]
        groups = part.groupby(group_names, sort=True) if group_names else [("", part)]
        for key, group in groups:
            group = group.sort_values(x_name)
            x = group[x_name].to_numpy()
            label = ", ".join(
                f"{n}={v}"
                for n, v in zip(group_names, np.atleast_1d(np.asarray(key)), strict=False)
            )
            line = panel.plot(x, group["mean"], marker="o", label=label or None)[0]
            panel.fill_between(
                x,
                group["ci95_low"].clip(lower=0),  # every outcome is a count, hours or days
                group["ci95_high"],
                color=line.get_color(),
                alpha=0.2,
            )
        panel.set_xlabel(x_name)
        panel.set_title(describe_outcome(outcome), fontsize=10)
        values = part[x_name].to_numpy(dtype=float)
        if np.all(np.equal(np.mod(values, 1), 0)):  # staff counts: no ticks at 22.5
            panel.xaxis.set_major_locator(MaxNLocator(integer=True))
        # counts, hours and days: the axis starts at 0 (and a flat 0 is not drawn at +-0.04)
        top = max(panel.get_ylim()[1], 1.0)
        panel.set_ylim(bottom=-0.03 * top, top=top)  # a hair below 0 so a line at 0 shows
        if group_names:
            panel.legend(fontsize=7)
    for panel in list(axes.flat)[len(outcomes) :]:
        panel.set_visible(False)
    zero_note = (
        f"\nZero at every value, not drawn: {', '.join(map(describe_outcome, everywhere_zero))}"
        if everywhere_zero
        else ""
    )
    figure.suptitle(
        f"{wrapped(title, 120)}\nMean and 95% CI of the mean at each value (band; common "
        f"random numbers){zero_note}"
    )
    figure.tight_layout()
    return figure


def tornado_figure(table: pd.DataFrame, outcome: str, base_mean: float, title: str) -> plt.Figure:
    """Horizontal bars: the outcome at -X% and +X% of each parameter, widest swing on top."""
    sns.set_theme(style="whitegrid")
    ordered = table.assign(swing=(table["high_mean"] - table["low_mean"]).abs())
    ordered = ordered.sort_values("swing", ascending=True)
    figure, axes = plt.subplots(figsize=(11, 0.38 * len(ordered) + 2.2))
    y = np.arange(len(ordered))
    for column, colour, label, offset in (
        ("low_mean", "tab:blue", "parameter lowered", 0.2),
        ("high_mean", "tab:red", "parameter raised", -0.2),
    ):
        values = ordered[column].to_numpy(dtype=float)
        axes.barh(y + offset, values - base_mean, 0.4, left=base_mean, color=colour, label=label)
    axes.axvline(base_mean, color="black", linewidth=1)
    axes.set_yticks(y, ordered["parameter"])
    axes.set_xlabel(describe_outcome(outcome))
    axes.legend(loc="lower right", fontsize=10)
    axes.set_title(wrapped(title), fontsize=10)
    figure.tight_layout()
    return figure


def sensitivity_figure(table: pd.DataFrame, method: str, outcome: str, title: str) -> plt.Figure:
    """Morris mu* (with sigma) or Sobol S1 and ST, with their 95% confidence intervals."""
    sns.set_theme(style="whitegrid")
    part = table[table["outcome"] == outcome]
    indices = ("mu_star", "sigma") if method == "morris" else ("S1", "ST")
    pivot = part.pivot(index="parameter", columns="index", values="value")
    conf = part.pivot(index="parameter", columns="index", values="conf")
    ranking = "mu_star" if method == "morris" else "ST"  # overall influence
    order = pivot[ranking].sort_values(ascending=True, na_position="first").index
    figure, axes = plt.subplots(figsize=(10, 0.45 * len(order) + 2.0))
    y = np.arange(len(order))
    height = 0.4
    for offset, index in zip((-height / 2, height / 2), indices, strict=True):
        values = pivot.loc[order, index].to_numpy(dtype=float)
        errors = conf.loc[order, index].to_numpy(dtype=float)
        errors = np.nan_to_num(errors)
        # mu*, sigma and the Sobol indices are never negative: the interval stops at 0
        below = np.minimum(errors, np.clip(values, 0, None))
        axes.barh(y + offset, values, height, xerr=[below, errors], label=index)
    axes.set_yticks(y, order)
    axes.legend(fontsize=10)
    axes.set_xlabel("index (error bars: 95% CI of the index, cut at 0)")
    axes.set_title(f"{wrapped(title)}\n{method}: {describe_outcome(outcome)}", fontsize=10)
    figure.tight_layout()
    return figure
