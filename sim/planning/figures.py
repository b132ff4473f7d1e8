"""Figures for the staffing planner (from its option table only; never runs the model)."""

from __future__ import annotations

from sim.io.files import plain_text_figures

plain_text_figures()  # files only; user text never read as mathematics
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

__all__ = ["plan_figure"]


def plan_figure(table: pd.DataFrame, levers: list[str], confidence: float, title: str) -> Figure:
    """Probability of meeting the target against the lever (one lever) or staff hours (several).

    Bars are exact 95% intervals of the probability; the dashed line is the required
    confidence. One lever: a line per demand-growth case, the chosen value circled. Several
    levers: a colour per combination of the levers other than the first, the Pareto front
    circled (with lone visits as a third objective it need not rise with hours).
    """
    sns.set_theme(style="whitegrid")
    figure, axis = plt.subplots(figsize=(9, 5.5))
    one_lever = len(levers) == 1
    x_column = levers[0] if one_lever else "staff_hours_per_week"
    series = ["growth"] if one_lever else ["growth", *levers[1:]]
    several = table[series].drop_duplicates().shape[0] > 1
    for key, rows in table.groupby(series, sort=False):
        rows = rows.sort_values(x_column)
        key = key if isinstance(key, tuple) else (key,)
        label = ", ".join(
            f"{name.split('.')[-1]} {value}"
            for name, value in zip(series, key, strict=True)
            if table[name].nunique() > 1
        )
        axis.errorbar(
            _x(rows[x_column]),
            rows["probability"],
            yerr=[rows["probability"] - rows["ci95_low"], rows["ci95_high"] - rows["probability"]],
            fmt="o",  # points only: a bisection evaluates some values, a line would imply all
            capsize=3,
            alpha=0.8,
            label=label if several else None,
        )
        if one_lever:
            chosen = rows[rows["chosen"]]
            axis.scatter(
                _x(chosen[x_column]),
                chosen["probability"],
                s=160,
                facecolors="none",
                edgecolors="k",
                zorder=3,
            )
    if not one_lever:
        for _growth, rows in table[table["pareto"]].groupby("growth", sort=False):
            rows = rows.sort_values(x_column)
            axis.scatter(
                rows[x_column],
                rows["probability"],
                s=160,
                facecolors="none",
                edgecolors="k",
                zorder=3,
                label="Pareto front",
            )
    axis.axhline(confidence, linestyle="--", color="grey", label=f"required {confidence:.0%}")
    axis.set_ylim(-0.03, 1.03)
    axis.set_xlabel(x_column if one_lever else "staff hours per week")  # a lever: its path
    values = pd.to_numeric(table[x_column], errors="coerce")
    if values.notna().all() and (values % 1 == 0).all():  # staff counts: no ticks at 22.5
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    axis.set_ylabel("probability of meeting the target")
    axis.set_title(title)
    axis.legend(loc="lower right")
    figure.tight_layout()
    return figure


def _x(column: pd.Series) -> pd.Series:
    """Dates as dates (so the axis is a time axis), anything else as it is."""
    if column.astype(str).str.match(r"^\d{4}-\d{2}-\d{2}$").all():
        return pd.to_datetime(column)
    return column
