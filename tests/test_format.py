"""Rounding for people: the rules the report promises in docs/reporting.md, used everywhere."""

from __future__ import annotations

from datetime import date

import pytest

from sim.format import (
    counted,
    human_date,
    human_hours,
    human_month,
    human_number,
    human_observed,
    human_range,
    human_share,
)
from sim.levels import LEVEL_NAMES, LEVELS


@pytest.mark.parametrize(
    "value, text",
    [
        (1523.4, "1,523"),  # whole numbers with a thousands separator
        (189.7, "190"),
        (45.3, "45"),  # whole from 10 up (the compare command showed "45.3" before)
        (10.0, "10"),
        (9.96, "10"),  # rounds up into the whole-number range, not "10.0"
        (9.94, "9.9"),
        (4.25, "4.2"),  # one decimal below 10 (round half to even: 4.25 -> 4.2)
        (0.44, "0.4"),  # a mean of 0.4 is not shown as 0
        (3.0, "3"),  # no trailing ".0"
        (-0.04, "0"),  # no "-0"
        (-69.6, "-70"),
        (float("nan"), "–"),
        (None, "–"),
    ],
)
def test_measured_values(value, text):
    assert human_number(value) == text


@pytest.mark.parametrize(
    "value, text",
    [
        (40.2, "+40"),
        (-4.25, "-4.2"),
        (1523.4, "+1,523"),
        (0.04, "+0"),  # a rise too small to show is still a rise
        (-0.04, "-0"),  # and a fall a fall
        (0.0, "0"),  # no change has no sign
        (float("nan"), "–"),  # one replication: no difference
    ],
)
def test_changes_carry_their_sign(value, text):
    assert human_number(value, sign=True) == text


@pytest.mark.parametrize(
    "value, text",
    [
        (20230301, "20,230,301"),  # whole numbers in full
        (30.0, "30"),
        (0.025, "0.025"),  # a probability as written, not rounded to 0
        (1.5, "1.5"),
        (2 / 3, "0.6667"),  # four significant figures
        (1234.5, "1,234"),  # 1234.5 to 4 figures: half to even
        (12345.6, "12,346"),  # never '1.235e+04': a large number keeps its whole figures
        (True, "yes"),
        (False, "no"),
    ],
)
def test_values_as_written(value, text):
    assert human_number(value, significant=4) == text


def test_shares_hours_and_ranges():
    assert human_share(0.6789) == "68%"
    assert human_share(0.004) == "<1%" and human_share(0.0) == "0%"
    assert human_share(0.6789, decimals=1) == "67.9%" and human_share(0.68, decimals=1) == "68.0%"
    assert human_share(0.0004, decimals=1) == "<0.1%" and human_share(0.0006, decimals=1) == "0.1%"
    assert human_hours(1234.4) == "1,234 h" and human_hours(4.5) == "4.5 h"
    assert human_hours(float("nan")) == "–"  # no unit on a dash
    assert human_range(160.2, 219.8) == "160 to 220"
    assert human_range(float("nan"), 3.0) == "–"  # one replication: no interval
    assert human_range(0.25, 0.5, human_share) == "25% to 50%"


def test_observed_figures_in_the_unit_of_their_metric():
    ratio = "visits_completed / visit_attempts"
    assert human_observed(0.6834, ratio) == "68.3%"  # a fit is judged to a point or two
    assert human_observed(1.0, ratio) == "100.0%"  # every attempt a contact: a share still
    assert human_observed(0.4, "overdue_visits_very_high") == "0.4"  # a mean count, not 40%
    assert human_observed(273.0, "overdue_visits + overdue_assessments") == "273"
    assert human_observed(float("nan"), ratio) == "–"


def test_dates():
    assert human_date(date(2023, 3, 1)) == "1 March 2023"
    assert human_month("2023-11") == "November 2023"
    assert human_month("2023-11", short=True) == "Nov 2023"


def test_level_names_follow_the_levels():
    assert len(LEVEL_NAMES) == len(LEVELS)
    assert [name.replace(" ", "_") for name in LEVEL_NAMES] == list(LEVELS)


@pytest.mark.parametrize(
    "count, noun, plural, text",
    [
        (1, "problem", None, "1 problem"),
        (0, "problem", None, "0 problems"),
        (2, "sergeant", None, "2 sergeants"),
        (1, "replication", None, "1 replication"),
        (1500, "offender", None, "1,500 offenders"),
        (3, "analysis", "analyses", "3 analyses"),
    ],
)
def test_a_count_has_its_noun_in_the_right_number(count, noun, plural, text):
    assert counted(count, noun, plural) == text
