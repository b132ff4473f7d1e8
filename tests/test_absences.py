"""Whole days away (staffing.absences, sim/model/absences.py): leave, sickness, court, training.

Every expected number is reasoned from the rules in absences.py's docstring: leave is exactly
``workdays_per_year`` working days in each leave year, sickness spells start on each working day
with probability ``p = spells_per_year / W`` and last ``L`` working days (so a day is sick with
probability ``1 - (1 - p) ** L``), court and training days come with probability
``c = court_training_workdays_per_year / W``, the three independent of each other.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from statistics import mean, stdev

import numpy as np
import pytest
from scenario_factory import make_scenario
from scipy import stats
from test_workforce import HOUR, build, flow, task

from sim.model.absences import LEAVE_YEAR_DAYS, AbsencePlan
from sim.model.calendar import WorkingCalendar
from sim.model.replication import single_run
from sim.model.streams import Streams
from sim.model.workforce import MANAGER
from sim.records import DAILY_COLUMNS
from sim.scenario import Staffing

START = date(2024, 1, 1)
WEEKDAYS_ONLY = ["mon", "tue", "wed", "thu", "fri"]


def staffing(**absences: object) -> Staffing:
    return Staffing(
        offender_managers=1,
        hours_per_day=8,
        availability=1.0,
        working_days=WEEKDAYS_ONLY,
        absences=absences,
    )


def test_an_absent_officer_has_no_hours_and_repays_an_overrun_on_the_next_day_at_work():
    # One manager, away on day 1. A (10 hours) runs 9:00-19:00 on day 0: 2 hours over the 8.
    # Day 1: away, no hours. Day 2: 8 - 2 = 6 hours: B 9-12 (hour 60), C 12-15 (hour 63),
    # nothing left; D on day 3 9-12 (hour 84). Hours available: days 0, 2 and 3, 8 each.
    env, workforce, counters, log = build(horizon_days=5)
    workforce.managers[0].absent = frozenset({1})
    for name in ("A", "B", "C", "D"):
        env.process(task(env, workforce, log, name, 10 if name == "A" else 3))
    env.run(until=4)
    assert log == [(19, "A"), (60, "B"), (63, "C"), (84, "D")]
    assert flow(counters, "officer_hours_available") == 3 * 8


def test_an_absent_officer_is_passed_over_for_a_colleague():
    # Two managers, the first away on day 0: the second does both one-hour tasks, one after
    # the other (10:00 and 11:00); the available hours are the second's 8 only.
    env, workforce, counters, log = build(offender_managers=2, horizon_days=2)
    workforce.managers[0].absent = frozenset({0})
    env.process(task(env, workforce, log, "A", 1))
    env.process(task(env, workforce, log, "B", 1))
    env.run(until=1 - HOUR)
    assert log == [(10, "A"), (11, "B")]
    assert flow(counters, "officer_hours_available") == 8


def test_leave_is_exactly_the_allowance_each_year_and_starts_only_in_weighted_months():
    # 23 days a year in blocks of 5 (the last cut to 3); every month weight 0 but August's,
    # so every block starts in August, and the 23 days run on into September at the latest.
    weights = [0.0] * 12
    weights[7] = 1.0
    leave = {"workdays_per_year": 23, "block_workdays": 5, "month_weights": weights}
    staff = staffing(annual_leave=leave)
    assert staff.absences is not None
    plan = AbsencePlan(staff.absences, START, 3 * LEAVE_YEAR_DAYS, staff)
    streams = Streams(seed=1, replication=0)
    for index in range(10):
        days = sorted(plan.absent_days(streams, MANAGER, index))
        for year in range(3):
            in_year = [d for d in days if year * 365 <= d < (year + 1) * 365]
            assert len(in_year) == 23
        months = {(START + timedelta(days=d)).month for d in days}
        assert months <= {8, 9}
        assert all((START + timedelta(days=d)).weekday() < 5 for d in days)


def test_an_officers_leave_does_not_move_when_sickness_or_the_team_changes():
    # Common random numbers: officer 3's leave comes from their own stream, so adding
    # sickness (another stream) changes none of it, and their sick days are a superset.
    leave = {"workdays_per_year": 25, "block_workdays": {"dist": "uniform", "low": 2, "high": 10}}
    sick = {"spells_per_year": 4, "spell_workdays": 3}
    plain, with_sickness = staffing(annual_leave=leave), staffing(annual_leave=leave, sickness=sick)
    streams = Streams(seed=5, replication=2)
    days = {}
    for name, staff in (("plain", plain), ("sick", with_sickness)):
        assert staff.absences is not None
        days[name] = AbsencePlan(staff.absences, START, 730, staff).absent_days(streams, MANAGER, 3)
    assert days["plain"] < days["sick"]
    assert len(days["plain"]) == 50


def _present_share(table: np.ndarray, officers: int, daily_hours: float, working: int) -> float:
    available = table[:, DAILY_COLUMNS.index("officer_hours_available")].sum()
    return float(available / (officers * daily_hours * working))


def test_over_a_long_run_the_staff_present_match_the_absence_arithmetic():
    # 30 managers, weekdays, three whole leave years (1,095 days from Monday 1 January 2024),
    # nobody to visit. Leave: 25 days a year in weeks, summer and Christmas heavy. Sickness:
    # 3 spells a year of 4 working days. Court and training: 6 days a year. With N working
    # days in the 3 years and W = N / 3, the expected share present on a working day is
    #   (N - 3 * 25) / N  *  (1 - 3 / W) ** 4  *  (1 - 6 / W),
    # and it must lie in the 99% confidence interval of the replications' shares.
    horizon = 3 * LEAVE_YEAR_DAYS
    absences = {
        "annual_leave": {
            "workdays_per_year": 25,
            "block_workdays": 5,
            "month_weights": [1, 1, 1, 1, 1, 1, 2, 3, 1, 1, 1, 2],
        },
        "sickness": {"spells_per_year": 3, "spell_workdays": 4},
        "court_training_workdays_per_year": 6,
    }
    scenario = make_scenario(
        horizon_days=horizon,
        population={"initial": {"size": 0}},
        staffing={"offender_managers": 30, "working_days": WEEKDAYS_ONLY, "absences": absences},
    )
    calendar = WorkingCalendar(START, horizon, scenario.staffing)
    n = len(calendar.working_days())
    w = n / 3
    expected = (n - 75) / n * (1 - 3 / w) ** 4 * (1 - 6 / w)
    shares = [_present_share(single_run(scenario, r).table, 30, 7.5, n) for r in range(10)]
    half_width = stats.t.ppf(0.995, len(shares) - 1) * stdev(shares) / math.sqrt(len(shares))
    assert abs(mean(shares) - expected) <= half_width
    assert half_width < 0.005  # precise enough to tell leave, sickness or court apart


@pytest.mark.parametrize("p, n", [(0.0, 100), (1.0, 7)])
def test_the_daily_chances_at_their_extremes(p, n):
    from sim.model.absences import _bernoulli_days

    rng = Streams(seed=1, replication=0).officer("x", 0)
    assert _bernoulli_days(p, n, rng) == ([] if p == 0 else list(range(n)))
