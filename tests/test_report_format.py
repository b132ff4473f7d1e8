"""Rounding for people: the rules the report promises in docs/reporting.md."""

from __future__ import annotations

from datetime import date

import pytest

from sim.report.format import (
    human_count,
    human_date,
    human_month,
    human_number,
    human_range,
    human_share,
)


@pytest.mark.parametrize(
    "value, text",
    [
        (1523.4, "1,523"),  # whole numbers with a thousands separator
        (189.7, "190"),
        (10.0, "10"),
        (9.96, "10"),  # rounds up into the whole-number range, not "10.0"
        (4.25, "4.2"),  # one decimal below 10 (round half to even: 4.25 -> 4.2)
        (0.44, "0.4"),  # a mean of 0.4 is not shown as 0
        (3.0, "3"),  # no trailing ".0"
        (-0.04, "0"),  # no "-0"
        (-69.6, "-70"),
        (float("nan"), "–"),
    ],
)
def test_counts(value, text):
    assert human_count(value) == text


def test_shares_dates_ranges_and_parameters():
    assert human_share(0.6789) == "68%"
    assert human_share(0.004) == "<1%" and human_share(0.0) == "0%"
    assert human_range(160.2, 219.8) == "160 to 220"
    assert human_range(float("nan"), 3.0) == "–"  # one replication: no interval
    assert human_date(date(2023, 3, 1)) == "1 March 2023"
    assert human_month("2023-11") == "November 2023"
    assert human_month("2023-11", short=True) == "Nov 2023"
    assert human_number(20230301) == "20,230,301" and human_number(0.025) == "0.025"
