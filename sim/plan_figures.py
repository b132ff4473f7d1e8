"""Figures for the staffing planner (from its option table only; never runs the model)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

__all__ = ["plan_figure"]


def plan_figure(table: pd.DataFrame, levers: list[str], confidence: float, title: str):
    """Probability of meeting the target against the lever (one lever) or staff hours (several).

    Bars are exact 95% intervals of the probability; the dashed line is the required
    confidence; circled points are the chosen value (one lever) or the Pareto front (several).
    """
    sns.set_theme(style="whitegrid")
    figure, axis = plt.subplots(figsize=(9, 5.5))
    one_lever = len(levers) == 1
    x_column = levers[0] if one_lever else "staff_hours_per_week"
    for growth, rows in table.groupby("growth", sort=False):
        rows = rows.sort_values(x_column)
        x = pd.to_datetime(rows[x_column]) if _is_dates(rows[x_column]) else rows[x_column]
        label = None if table["growth"].nunique() == 1 else f"growth {growth}"
        axis.errorbar(
            x,
            rows["probability"],
            yerr=[rows["probability"] - rows["ci95_low"], rows["ci95_high"] - rows["probability"]],
            fmt="o-" if one_lever else "o",
            capsize=3,
            alpha=0.8,
            label=label,
        )
        marked = rows[rows["chosen"]] if one_lever else rows[rows["pareto"]]
        marked_x = (
            pd.to_datetime(marked[x_column]) if _is_dates(marked[x_column]) else marked[x_column]
        )
        axis.scatter(marked_x, marked["probability"], s=160, facecolors="none", edgecolors="k")
    axis.axhline(confidence, linestyle="--", color="grey", label=f"required {confidence:.0%}")
    axis.set_ylim(-0.03, 1.03)
    axis.set_xlabel(x_column.replace("_", " "))
    axis.set_ylabel("probability of meeting the target")
    axis.set_title(title)
    axis.legend(loc="lower right")
    figure.tight_layout()
    return figure


def _is_dates(column: pd.Series) -> bool:
    return column.astype(str).str.match(r"^\d{4}-\d{2}-\d{2}$").all()
