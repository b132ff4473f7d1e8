"""The whole-array summaries (sim/analysis/periods.py) give what one row or one area alone gives.

``summary.csv`` used to be built area by area, month by month and metric by metric; it is now
computed over the whole daily table at once. The definitions did not change, so: the
statistics of a row of an array are those of ``describe`` on that row's values (bit for bit,
missing values skipped), and a table with areas summarises each area as that area's rows
alone would be summarised, in the order the areas first appear.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from helpers import simulate
from scenario_factory import make_scenario

from sim.analysis.inspectorate import measures_summary
from sim.analysis.periods import STATISTICS, describe_rows
from sim.analysis.summary import describe, summarise


def test_each_row_is_described_as_describe_describes_it_alone():
    rng = np.random.default_rng(5)
    values = rng.normal(100.0, 30.0, size=(4, 3, 11))
    values[0, 1, [2, 7]] = np.nan  # a ragged row: 9 values
    values[2, 0, :10] = np.nan  # a single value: no interval
    values[3, 2, :] = np.nan  # nothing to describe
    statistics, counts = describe_rows(values)
    assert counts[0, 1] == 9 and counts[2, 0] == 1 and counts[3, 2] == 0
    for index in np.ndindex(values.shape[:-1]):
        row = values[index]
        row = row[~np.isnan(row)]
        if len(row) == 0:
            assert all(np.isnan(statistics[name][index]) for name in STATISTICS)
            continue
        alone = describe(row)
        for name in STATISTICS:
            got, want = statistics[name][index], alone[name]
            assert got == want or (np.isnan(got) and np.isnan(want)), (index, name)


def _two_areas() -> pd.DataFrame:
    frame = simulate(
        make_scenario(
            horizon_days=75,
            areas=[
                {"name": "b", "population": {"initial": {"size": 30}}},
                {"name": "a", "population": {"initial": {"size": 20}}},
            ],
        ),
        replications=3,
    )
    return frame


def test_with_areas_each_area_is_summarised_as_its_rows_alone():
    frame = _two_areas()
    for build in (summarise, measures_summary):
        together = build(frame)
        assert list(dict.fromkeys(together["area"])) == ["total", "b", "a"]  # file order
        for area, rows in frame.groupby("area", sort=False):
            alone = build(rows.drop(columns="area")).reset_index(drop=True)
            part = together[together["area"] == area].drop(columns="area")
            pd.testing.assert_frame_equal(part.reset_index(drop=True), alone, check_exact=True)


def test_the_order_of_days_and_replications_does_not_change_the_summary():
    # States are read on each period's last day and flows totalled, whatever the row order;
    # only the areas' order (as they first appear) is kept.
    frame = _two_areas()
    rank = frame["area"].map({"total": 0, "b": 1, "a": 2})
    noise = np.random.default_rng(3).random(len(frame))
    shuffled = frame.assign(_rank=rank, _noise=noise).sort_values(["_rank", "_noise"])
    shuffled = shuffled.drop(columns=["_rank", "_noise"])
    assert not shuffled["day"].is_monotonic_increasing
    for build in (summarise, measures_summary):
        pd.testing.assert_frame_equal(build(shuffled), build(frame), check_exact=True)
