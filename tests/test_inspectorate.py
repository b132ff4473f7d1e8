"""The inspectorate's measures (sim/analysis/inspectorate.py) against reasoned cases.

A hand-made daily table whose late and on-time completions can be counted by hand, and the
model's ample-staff case, in which every visit is done on its due date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import simulate
from scenario_factory import make_scenario

from sim.analysis.inspectorate import daily_due, measures_summary, on_time_share

DATES = ["2024-01-30", "2024-01-31", "2024-02-01", "2024-02-02"]


def _table() -> pd.DataFrame:
    """Two replications of four days (30 January to 2 February).

    Replication 0, visits: overdue 5, 6, 4, 4; became overdue 0, 2, 0, 1; completed 3, 4, 5, 2.
      day 1: late = 5 + 2 - 6 = 1, on time = 4 - 1 = 3, fell due = 3 + 2 = 5
      day 2: late = 6 + 0 - 4 = 2, on time = 5 - 2 = 3, fell due = 3
      day 3: late = 4 + 1 - 4 = 1, on time = 2 - 1 = 1, fell due = 2
      whole run 7 / 10 = 0.7; January (day 1) 3 / 5; February (days 2, 3) 4 / 5.
    Replication 1: no backlog and nothing becomes overdue: every completion is on time (1.0).
    Assessments mirror visits with nothing overdue (1.0) except replication 0 day 3, where one
    becomes overdue and stays: 1 on time of 2 due that day.
    """
    rows = []
    for replication, overdue, became, completed, vh, high in (
        (0, [5, 6, 4, 4], [0, 2, 0, 1], [3, 4, 5, 2], 1, 2),
        (1, [0, 0, 0, 0], [0, 0, 0, 0], [1, 2, 2, 2], 0, 0),
    ):
        for day, when in enumerate(DATES):
            late_assessment = 1 if (replication == 0 and day == 3) else 0
            rows.append(
                {
                    "replication": replication,
                    "day": day,
                    "date": when,
                    "overdue_visits": overdue[day],
                    "visits_became_overdue": became[day],
                    "visits_completed": completed[day],
                    "overdue_visits_very_high": vh,
                    "overdue_visits_high": high,
                    "overdue_assessments": late_assessment,
                    "assessments_became_overdue": late_assessment,
                    "assessments_completed": 1,
                    "overdue_assessments_very_high": late_assessment,
                    "overdue_assessments_high": 0,
                }
            )
    return pd.DataFrame(rows)


def test_on_time_and_due_counts_follow_the_hand_count():
    due = daily_due(_table(), "visits")
    first = due[due["replication"] == 0]
    assert first["day"].tolist() == [1, 2, 3]  # day 0's backlog is inherited
    assert first["on_time"].tolist() == [3, 3, 1]
    assert first["fell_due"].tolist() == [5, 3, 2]


def test_share_on_time_per_replication():
    shares = on_time_share(_table(), "visits")
    assert shares.to_dict() == pytest.approx({0: 0.7, 1: 1.0})


def test_summary_rows_for_the_run_and_each_month():
    summary = measures_summary(_table()).set_index(["period", "metric"])
    assert summary.loc[("end", "visits_on_time_share"), "mean"] == pytest.approx(0.85)
    assert summary.loc[("2024-01", "visits_on_time_share"), "mean"] == pytest.approx(0.8)
    # February's first day is measured against 31 January's backlog (6), not left out
    assert summary.loc[("2024-02", "visits_on_time_share"), "mean"] == pytest.approx(0.9)
    assert summary.loc[("end", "assessments_on_time_share"), "mean"] == pytest.approx(
        (3 / 4 + 1.0) / 2
    )
    high = summary.loc[("end", "overdue_visits_high_risk")]
    assert high["mean"] == pytest.approx(1.5)  # 3 in replication 0, 0 in replication 1
    assert high["kind"] == "state"
    assert summary.loc[("end", "overdue_assessments_high_risk"), "mean"] == pytest.approx(0.5)


def test_a_period_in_which_nothing_fell_due_has_no_share_row():
    table = _table()
    table["visits_completed"] = 0
    table["visits_became_overdue"] = 0
    table["overdue_visits"] = 0
    metrics = set(measures_summary(table)["metric"])
    assert "visits_on_time_share" not in metrics
    assert "assessments_on_time_share" in metrics


def test_areas_get_their_own_blocks():
    table = pd.concat([_table().assign(area="total"), _table().assign(area="north")])
    summary = measures_summary(table)
    assert list(dict.fromkeys(summary["area"])) == ["total", "north"]


def test_with_ample_staff_every_visit_is_on_time_and_nothing_is_overdue():
    frame = simulate(make_scenario(horizon_days=120))
    shares = on_time_share(frame, "visits")
    assert shares.to_numpy() == pytest.approx([1.0])
    summary = measures_summary(frame).set_index(["period", "metric"])
    assert summary.loc[("end", "overdue_visits_high_risk"), "mean"] == 0
    assert np.isclose(summary.loc[("end", "visits_on_time_share"), "p5"], 1.0)


def test_areas_are_ranked_by_overdue_visits_at_the_end():
    from pathlib import Path

    from sim.report.data import Results
    from sim.report.measures import areas_section

    rows = []
    for area, overdue, share in (("north", 5.0, 0.9), ("south", 40.0, 0.5), ("east", 12.0, 1.0)):
        for metric, mean in (("overdue_visits", overdue), ("visits_on_time_share", share)):
            rows.append(
                {"area": area, "period": "end", "metric": metric, "mean": mean}
                | {"p5": mean - 1, "p95": mean + 1}
            )
        # a month's row must not be read as the end of the run
        rows.append(
            {"area": area, "period": "2024-01", "metric": "overdue_visits", "mean": 999.0}
            | {"p5": 0.0, "p95": 0.0}
        )
    results = Results(Path("."), {}, pd.DataFrame(), pd.DataFrame(), None, pd.DataFrame(rows))
    section = areas_section(results)
    assert section is not None
    assert [row[:3] for row in section["rows"]] == [
        ["1", "south", "40 (39 to 41)"],
        ["2", "east", "12 (11 to 13)"],
        ["3", "north", "5 (4 to 6)"],
    ]
    assert [row[4] for row in section["rows"]] == ["50%", "100%", "90%"]
    assert section["ranked"]["area"].tolist() == ["south", "east", "north"]
