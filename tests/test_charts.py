"""backlog.png as people read it (audit D3, D4; the palette): reasoned checks on the figure.

A hand-made trajectory (two replications, 60 days, a backlog of 10 falling to 0) and an
observed figure of 50 on day 30: the observed point must be inside the y-axis (D3), the
legend outside the plotting area so it cannot cover the end of the horizon (D4), and very
high and medium must be drawn in clearly different colours.
"""

from __future__ import annotations

import re
from datetime import date

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.colors import to_rgb

from sim.calibration.figures import mark_observations
from sim.levels import LEVELS
from sim.palette import LEVEL_COLOURS
from sim.scenario.observations import Observation
from sim.studies.backlog_figure import backlog_figure

matplotlib.use("Agg")


def _trajectories() -> pd.DataFrame:
    rows = []
    for replication in (0, 1):
        for day in range(60):
            backlog = max(10 - day // 6, 0)
            row = {"replication": replication, "date": date(2024, 1, 1) + pd.Timedelta(days=day)}
            row["overdue_visits"] = backlog
            row |= {f"overdue_visits_{level}": 0 for level in LEVELS}
            row["overdue_visits_medium"] = backlog
            rows.append(row)
    return pd.DataFrame(rows)


def _figure():
    figure = backlog_figure(_trajectories(), "title\n1 January 2024 to 29 February 2024")
    observation = Observation.model_validate(
        {"metric": "overdue_visits", "date": "2024-01-31", "value": 50}
    )
    mark_observations(figure, [observation])
    figure.canvas.draw()
    return figure


def test_the_observed_point_is_inside_the_axis():  # D3: the axis stopped at the lines' top
    axes = _figure().axes[0]
    assert axes.get_ylim()[1] >= 50


def test_the_legend_is_outside_the_plot():  # D4: it covered the end of the horizon
    figure = _figure()
    axes = figure.axes[0]
    legend = axes.get_legend().get_window_extent()
    plot = axes.get_window_extent()
    assert legend.x0 >= plot.x1  # entirely to the right of the plotting area


def test_very_high_and_medium_are_far_apart_in_colour():
    very_high, medium = (np.array(to_rgb(LEVEL_COLOURS[name])) for name in ("very high", "medium"))
    assert np.linalg.norm(very_high - medium) > 0.5  # the old palette: two oranges


def test_a_sweep_outcome_zero_everywhere_gets_no_panel_but_is_named():
    # two officers on every visit: lone visit attempts are 0 at every point (audit rough edge)
    from sim.analysis.outcomes import describe_outcome
    from sim.studies.figures import sweep_figure

    rows = []
    for managers in (20, 25, 30):
        for outcome, mean in (
            ("overdue_visits_end", 300 - 5 * managers),
            ("lone_visit_attempts_total", 0),
        ):
            rows.append(
                {
                    "staffing.offender_managers": managers,
                    "outcome": outcome,
                    "mean": mean,
                    "ci95_low": max(mean - 10, 0),
                    "ci95_high": mean + 10 if mean else 0,
                }
            )
    table = pd.DataFrame(rows)
    figure = sweep_figure(
        table,
        ["staffing.offender_managers"],
        ["overdue_visits_end", "lone_visit_attempts_total"],
        "t",
    )
    visible = [axes for axes in figure.axes if axes.get_visible()]
    assert [axes.get_title() for axes in visible] == [describe_outcome("overdue_visits_end")]
    assert describe_outcome("lone_visit_attempts_total") in figure.texts[0].get_text()


def test_plan_chart_shows_evaluated_points_only_on_a_whole_number_axis():
    # a bisection evaluates 2, 5, 6 and 8 managers: nothing is drawn between them, the axis is
    # named by the lever's path and has no tick at 2.5 (audit rough edges)
    from sim.planning.figures import plan_figure

    lever = "staffing.offender_managers"
    table = pd.DataFrame(
        {
            lever: [2, 5, 6, 8],
            "growth": [0.0] * 4,
            "probability": [0.0, 0.5, 1.0, 1.0],
            "ci95_low": [0.0, 0.1, 0.3, 0.3],
            "ci95_high": [0.7, 0.9, 1.0, 1.0],
            "chosen": [False, False, True, False],
            "pareto": [False] * 4,
        }
    )
    figure = plan_figure(table, [lever], 0.9, "P(target)")
    axes = figure.axes[0]
    figure.canvas.draw()
    assert axes.get_xlabel() == lever
    data_lines = [line for line in axes.get_lines() if len(line.get_xdata()) == 4]
    assert data_lines and all(line.get_linestyle() == "None" for line in data_lines)
    assert all(float(tick).is_integer() for tick in axes.get_xticks())


def test_a_short_run_has_one_month_label_per_tick_and_no_repeats():
    # a 60-day run: matplotlib's own locator put two ticks in a month, both labelled 'Jan 2024'
    figure = _figure()
    labels = [tick.get_text() for tick in figure.axes[0].get_xticklabels() if tick.get_text()]
    assert labels and len(labels) == len(set(labels))
    assert all(re.fullmatch(r"[A-Z][a-z]{2} \d{4}", label) for label in labels)


def test_the_tolerance_bar_of_a_reported_zero_stops_at_zero():
    # "no very high risk overdue visits, within 10": the bar ran to -10 (audit: bands below 0)
    from matplotlib.collections import LineCollection

    from sim.calibration.figures import calibration_figure

    observation = Observation.model_validate(
        {
            "metric": "overdue_visits",
            "date": "2024-01-31",
            "value": 0,
            "tolerance": {"absolute": 10},
        }
    )
    figure = calibration_figure([observation], _trajectories(), "title")
    bars = [c for c in figure.axes[0].collections if isinstance(c, LineCollection)]
    lows = [min(y for _x, y in segment) for c in bars for segment in c.get_segments()]
    highs = [max(y for _x, y in segment) for c in bars for segment in c.get_segments()]
    assert min(lows) == 0 and max(highs) == 10
