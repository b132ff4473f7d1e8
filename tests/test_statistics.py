"""The statistics every table reports, checked against their closed forms on hand-made values.

A 95% confidence interval of a mean over n replications is mean +- t(0.975, n - 1) s / sqrt(n),
with s the sample standard deviation (ddof 1): Student's t, because s is estimated from the
same few replications. With n = 3 that quantile is 4.303, more than twice the normal 1.96, so
an interval built on 1.96 (or on n degrees of freedom, or on the population spread) is far too
narrow and only an exact check notices: ``low <= mean <= high`` holds for any symmetric
interval. Percentiles are numpy's linear interpolation: for 1, 2, 3 the 5th is 1.1.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis.comparison import compare_outcomes, mean_ci, mean_trajectory_band
from sim.analysis.outcomes import OUTCOME_NAMES, outcomes_frame, record_outcomes
from sim.analysis.summary import describe, summarise
from sim.records import DAILY_COLUMNS, DailyRecord

T_2 = stats.t.ppf(0.975, 2)  # 4.303: three replications
T_3 = stats.t.ppf(0.975, 3)  # 3.182: four replications


def test_the_summary_interval_is_student_t_with_n_minus_one_degrees_of_freedom():
    # 1, 2, 3: mean 2, s = 1 (sum of squares 2 over n - 1 = 2), so the half-width is
    # t(0.975, 2) / sqrt(3) = 2.484 (with 1.96 it would be 1.132)
    row = describe(np.array([1.0, 2.0, 3.0]))
    half = T_2 / math.sqrt(3)
    assert row["mean"] == 2.0
    assert row["ci95_low"] == pytest.approx(2.0 - half, rel=1e-12)
    assert row["ci95_high"] == pytest.approx(2.0 + half, rel=1e-12)
    assert (row["p5"], row["p50"], row["p95"]) == pytest.approx((1.1, 2.0, 2.9))
    assert row["replications"] == 3


def test_one_replication_has_no_interval():
    row = describe(np.array([4.0]))
    assert row["mean"] == 4.0 and math.isnan(row["ci95_low"]) and math.isnan(row["ci95_high"])


def test_the_comparison_interval_is_student_t_too():
    mean, low, high = mean_ci(np.array([1.0, 2.0, 3.0]))
    assert (mean, low, high) == pytest.approx((2.0, 2.0 - T_2 / 3**0.5, 2.0 + T_2 / 3**0.5))
    assert all(math.isnan(v) for v in mean_ci(np.array([1.0]))[1:])


def test_paired_differences_get_the_interval_of_the_differences():
    # b - a = 1, 2, 3, 4 replication by replication: mean 2.5, s = sqrt(5/3) = 1.291, so the
    # paired half-width is t(0.975, 3) x 1.291 / 2 = 2.054, whatever a's own spread; the
    # interval [0.446, 4.554] excludes 0, so the difference is significant.
    index = pd.Index([0, 1, 2, 3], name="replication")
    a = pd.DataFrame({"x": [10.0, 50.0, 20.0, 90.0]}, index=index)
    b = a + np.array([[1.0], [2.0], [3.0], [4.0]])
    rows = compare_outcomes([("a", a), ("b", b)], ["x"]).set_index("variant")
    half = T_3 * math.sqrt(5 / 3) / 2
    assert rows.loc["b", "difference"] == pytest.approx(2.5)
    assert rows.loc["b", "difference_ci95_low"] == pytest.approx(2.5 - half)
    assert rows.loc["b", "difference_ci95_high"] == pytest.approx(2.5 + half)
    assert bool(rows.loc["b", "significant"])
    # each variant's own mean and interval, from its own values
    a_mean, a_low, a_high = mean_ci(a["x"].to_numpy())
    assert rows.loc["a", "mean"] == a_mean == 42.5
    assert (rows.loc["a", "ci95_low"], rows.loc["a", "ci95_high"]) == (a_low, a_high)
    assert rows.loc["a", "difference"] == 0.0 and not bool(rows.loc["a", "significant"])


def test_a_paired_difference_whose_interval_holds_zero_is_not_significant():
    # b - a = -1, 1, -1, 1: mean 0, so the interval straddles 0
    index = pd.Index([0, 1, 2, 3], name="replication")
    a = pd.DataFrame({"x": [5.0, 5.0, 5.0, 5.0]}, index=index)
    b = a + np.array([[-1.0], [1.0], [-1.0], [1.0]])
    rows = compare_outcomes([("a", a), ("b", b)], ["x"]).set_index("variant")
    assert rows.loc["b", "difference"] == 0.0
    assert rows.loc["b", "difference_ci95_low"] < 0 < rows.loc["b", "difference_ci95_high"]
    assert not bool(rows.loc["b", "significant"])


def test_the_daily_band_is_the_t_half_width_day_by_day():
    # three replications of three days; day k's values are k + (0, 1, 2): s = 1 every day
    tables = [np.array([0.0, 1.0, 2.0]) + shift for shift in (0.0, 1.0, 2.0)]
    mean, half = mean_trajectory_band(tables)
    assert mean == pytest.approx([1.0, 2.0, 3.0])
    assert half == pytest.approx([T_2 / math.sqrt(3)] * 3)
    _, alone = mean_trajectory_band(tables[:1])
    assert (alone == 0).all()


def test_summary_reads_states_at_the_period_end_and_totals_flows():
    # Two replications, three days of January and one of February. Every column holds
    # 10 x replication + day, so a state read on the last day of January is 10 r + 2, a flow
    # totalled over January is 30 r + 3, and over the whole horizon the state is 10 r + 3
    # and the flow 40 r + 6.
    days = 4
    rows = []
    for replication in (0, 1):
        for day in range(days):
            rows.append(
                {
                    "replication": replication,
                    "day": day,
                    "date": date(2024, 1, 29) + pd.Timedelta(days=day),
                    **{column: 10.0 * replication + day for column in DAILY_COLUMNS},
                }
            )
    table = summarise(pd.DataFrame(rows)).set_index(["period", "metric"])
    # states: population; flows: visit_attempts
    assert table.loc[("2024-01", "population"), "mean"] == pytest.approx((2 + 12) / 2)
    assert table.loc[("2024-01", "visit_attempts"), "mean"] == pytest.approx((3 + 33) / 2)
    assert table.loc[("end", "population"), "mean"] == pytest.approx((3 + 13) / 2)
    assert table.loc[("end", "visit_attempts"), "mean"] == pytest.approx((6 + 46) / 2)
    assert table.loc[("2024-02", "population"), "mean"] == pytest.approx((3 + 13) / 2)
    assert table.loc[("end", "population"), "kind"] == "state"
    assert table.loc[("end", "visit_attempts"), "kind"] == "flow"
    # two replications 10 apart: s = 7.07, half-width t(0.975, 1) x 7.07 / sqrt 2 = 63.5
    half = stats.t.ppf(0.975, 1) * math.sqrt(50) / math.sqrt(2)
    assert table.loc[("end", "population"), "ci95_high"] == pytest.approx(8 + half)


def test_outcomes_read_states_at_the_end_and_on_average_and_total_flows():
    # Every column holds 1, 2, 3, 4 on days 0-3: a state ends at 4 and averages 2.5, a flow
    # totals 10.
    table = np.tile(np.arange(1.0, 5.0)[:, None], (1, len(DAILY_COLUMNS)))
    outcomes = dict(zip(OUTCOME_NAMES, record_outcomes(DailyRecord(0, table)), strict=True))
    assert outcomes["overdue_visits_end"] == 4.0
    assert outcomes["overdue_visits_average"] == 2.5
    assert outcomes["visit_attempts_total"] == 10.0
    assert {name for name in outcomes if name.startswith("visit_attempts_")} == {
        "visit_attempts_total"
    }
    values = record_outcomes(DailyRecord(0, table))
    frame = outcomes_frame([(3, values), (1, values + 1)])
    assert list(frame.index) == [1, 3]  # sorted by replication, each row its own
    assert frame.loc[1, "visit_attempts_total"] == 11.0
    assert frame.loc[3, "visit_attempts_total"] == 10.0
