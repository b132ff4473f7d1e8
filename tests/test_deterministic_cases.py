"""Cases where the model's answer is known exactly, reasoned from its rules.

Base case (tests/scenario_factory.py): 50 medium-risk offenders, visit interval 30 days, no
visit window (work joins the queue on the due date), always in, no registrations or exits,
100 officers working every day from 09:00, fixed durations (attempt = 1 + 1 + 0.5 = 2.5 h).
The starting caseload spreads next due dates over days 0..29 and nobody starts overdue.
"""

from __future__ import annotations

import numpy as np
from helpers import simulate, simulate_with_log
from scenario_factory import make_scenario, per_level

VISIT_HOURS = 1.0 + 1.0 + 0.5  # travel + on site + write-up
ASSESSMENT_HOURS = 3.0


def test_ample_staff_visits_everyone_exactly_every_interval():
    # Each offender first due on day d0 in 0..29 is visited that day (shift at 09:00, ample
    # staff), so the next visit is due d0 + 30, and so on: visits on d0, d0+30, ..., d0+330,
    # all before day 360 and the next (d0 + 360) after it. 12 visits each, 600 in all.
    frame = simulate(make_scenario(horizon_days=360))
    assert frame["visits_completed"].sum() == 50 * 12
    assert frame["visit_attempts"].sum() == 50 * 12
    assert frame["overdue_visits"].max() == 0
    assert frame["oldest_overdue_visit_days"].max() == 0
    assert frame["lone_visit_attempts"].sum() == 50 * 12  # one officer per visit


def test_officer_hours_are_attempt_hours_times_officers():
    # Hours used = officers x fixed hours per task, summed over tasks.
    for officers in (1, 2, 3):
        frame = simulate(make_scenario(visits={"officers_per_visit": officers}))
        expected = (
            frame["visit_attempts"].sum() * VISIT_HOURS * officers
            + frame["assessments_completed"].sum() * ASSESSMENT_HOURS
        )
        assert frame["visit_attempts"].sum() == 600
        assert np.isclose(frame["officer_hours_used"].sum(), expected)
        lone = frame["lone_visit_attempts"].sum()
        assert lone == (600 if officers == 1 else 0)


def test_hours_available_are_officers_times_hours_times_availability():
    scenario = make_scenario(staffing={"offender_managers": 4, "availability": 0.8})
    frame = simulate(scenario)
    # 4 officers x 7.5 h x 0.8 on every one of the 360 working days
    assert np.allclose(frame["officer_hours_available"], 4 * 7.5 * 0.8)


def test_weekends_have_no_hours_and_no_visits():
    # 2024-01-01 is a Monday; with a Mon-Fri week, days 5 and 6 of each week are idle.
    scenario = make_scenario(
        staffing={"working_days": ["mon", "tue", "wed", "thu", "fri"]},
        visits={"window_days": 3},
    )
    frame = simulate(scenario)
    weekend = frame["day"] % 7 >= 5
    assert frame.loc[weekend, "officer_hours_available"].sum() == 0
    assert frame.loc[weekend, "visit_attempts"].sum() == 0
    assert frame.loc[~weekend, "visit_attempts"].sum() > 0


def test_without_staff_nothing_is_visited_and_every_due_date_becomes_overdue():
    # No officers: every visit stays due. A visit due on day D becomes overdue when day D has
    # passed, i.e. it is counted at the end of day D + 1. Due dates are 0..29, so at the end
    # of day 0 nothing is overdue and from the end of day 30 all 50 are; in between the count
    # only rises. Once all are overdue, the oldest grows by exactly one day a day.
    frame = simulate(make_scenario(staffing={"offender_managers": 0}, horizon_days=120))
    overdue = frame["overdue_visits"].to_numpy()
    assert frame["visit_attempts"].sum() == 0
    assert overdue[0] == 0
    assert np.all(np.diff(overdue) >= 0)
    assert np.all(overdue[30:] == 50)
    oldest = frame["oldest_overdue_visit_days"].to_numpy()
    assert np.all(np.diff(oldest[30:]) == 1)
    # the same holds for assessments (interval 365, due dates 0..364)
    assert frame["assessments_completed"].sum() == 0
    assert np.all(np.diff(frame["overdue_assessments"].to_numpy()) >= 0)


def test_initial_backlog_is_reproduced_exactly_on_day_zero():
    # 12 offenders start overdue, the oldest 200 days; none are visited (no staff).
    scenario = make_scenario(
        staffing={"offender_managers": 0},
        population={
            "initial": {
                "overdue_visits": {"count": 12, "max_days_overdue": 200},
                "overdue_assessments": {"count": 7, "max_days_overdue": 90},
            }
        },
        horizon_days=10,
    )
    frame = simulate(scenario)
    first = frame.iloc[0]
    assert first["overdue_visits"] == 12
    assert first["oldest_overdue_visit_days"] == 200
    assert first["overdue_assessments"] == 7
    assert first["oldest_overdue_assessment_days"] == 90
    # ten days later the oldest is ten days older
    assert frame.iloc[-1]["oldest_overdue_visit_days"] == 200 + 9


def test_initial_backlog_only_at_named_levels():
    scenario = make_scenario(
        staffing={"offender_managers": 0},
        horizon_days=1,
        population={
            "initial": {
                "size": 1000,
                "risk_mix": {"very_high": 0.1, "high": 0.2, "medium": 0.3, "low": 0.4},
                "overdue_visits": {"count": 300, "max_days_overdue": 50, "levels": ["low"]},
            }
        },
    )
    first = simulate(scenario).iloc[0]
    # apportioned exactly: 100 / 200 / 300 / 400
    assert [first[f"population_{lvl}"] for lvl in ("very_high", "high", "medium", "low")] == [
        100,
        200,
        300,
        400,
    ]
    assert first["overdue_visits_low"] == 300
    assert first["overdue_visits"] == 300


def test_every_failed_attempt_is_retried_until_the_offender_is_in():
    # Out with probability 1/2: attempts per completed visit are geometric with mean 2, and
    # with a 1-day retry delay every visit is still completed within its 30-day cycle.
    # Completed visits stay 600 whatever happens at the door only if no visit slips past
    # the horizon; instead check the identity attempts = completions + failed attempts and
    # the geometric mean within a generous statistical bound (n = 600, sd of mean ~ 0.058).
    frame = simulate(
        make_scenario(
            visits={"out_probability": {"very_high": 0.5, "high": 0.5, "medium": 0.5, "low": 0.5}}
        )
    )
    attempts = frame["visit_attempts"].sum()
    completed = frame["visits_completed"].sum()
    assert completed > 0
    assert abs(attempts / completed - 2.0) < 4 * np.sqrt(2) / np.sqrt(completed)


# Distinct durations, so each part of an attempt shows in the hours: travel 1, on site 1.25,
# at the door 0.25, write-up 0.5, police action 2 (all fixed).
PARTS = {
    "travel_hours": 1.0,
    "on_site_hours": 1.25,
    "failed_on_site_hours": 0.25,
    "write_up_hours": 0.5,
    "police_action_hours": 2.0,
}


def test_police_action_adds_its_hours_to_the_visit():
    # Every completed visit leads to police action: 600 visits (as in the first test) of
    # 1 + 1.25 + 0.5 + 2 = 4.75 hours, plus the 3-hour assessments.
    frame = simulate(make_scenario(visits={**PARTS, "police_action_probability": per_level(1.0)}))
    assert frame["police_actions"].sum() == frame["visits_completed"].sum() == 600
    expected = 600 * 4.75 + frame["assessments_completed"].sum() * ASSESSMENT_HOURS
    assert np.isclose(frame["officer_hours_used"].sum(), expected)


def test_a_failed_attempt_takes_travel_the_door_and_the_write_up():
    # Out half the time: a completed visit takes 1 + 1.25 + 0.5 = 2.75 hours and a failed
    # attempt 1 + 0.25 + 0.5 = 1.75 hours, with no police action (probability 0).
    frame = simulate(make_scenario(visits={**PARTS, "out_probability": per_level(0.5)}))
    completed = frame["visits_completed"].sum()
    failed = frame["visit_attempts"].sum() - completed
    assert completed > 0 and failed > 0
    expected = (
        completed * 2.75 + failed * 1.75 + frame["assessments_completed"].sum() * ASSESSMENT_HOURS
    )
    assert np.isclose(frame["officer_hours_used"].sum(), expected)


def test_nobody_works_on_a_holiday_and_its_visits_are_done_the_next_day():
    # Wednesday 3 January (day 2) is a holiday: no hours, no visits that day. The visits due
    # on day 2 become overdue at midnight and are done on day 3 with day 3's own, so day 3
    # does the work of days 2 and 3 of the same run without the holiday (same seed, same
    # offenders); every other day is unchanged.
    plain = simulate(make_scenario(horizon_days=40))
    holiday = simulate(make_scenario(horizon_days=40, staffing={"holidays": ["2024-01-03"]}))
    assert holiday.loc[2, "officer_hours_available"] == 0
    assert holiday.loc[2, "visit_attempts"] == 0
    assert plain.loc[2, "visit_attempts"] > 0  # something was due that day
    assert (
        holiday.loc[3, "visit_attempts"]
        == plain.loc[2, "visit_attempts"] + plain.loc[3, "visit_attempts"]
    )
    assert holiday.loc[2, "overdue_visits"] == 0 and holiday.loc[3, "overdue_visits"] == 0
    assert holiday.loc[3, "visits_became_overdue"] == plain.loc[2, "visit_attempts"]
    others = [day for day in range(40) if day not in (2, 3, 32, 33)]
    for column in ("visit_attempts", "officer_hours_available"):
        assert (holiday.loc[others, column] == plain.loc[others, column]).all(), column


def test_an_offender_always_out_is_tried_again_every_retry_delay():
    # Everyone is out every time. The first attempt is on the due day (0-29) at 09:00 and
    # takes 1 + 0.5 + 0.5 = 2 hours; the retry waits 7 days less those 2 hours, so the next
    # attempt starts at 09:00 a week after the last began (or a moment before, in floating
    # point, and then waits for the shift to open): each offender is tried on one day in
    # seven, for ever. From day 30 on every day repeats the day a week before, each week
    # holds exactly one attempt per offender (50), none completed, and each takes 2 hours.
    frame = simulate(
        make_scenario(
            horizon_days=120,
            visits={
                "out_probability": per_level(1.0),
                "retry_delay_days": 7 - 2 / 24,
                "travel_hours": 1.0,
                "failed_on_site_hours": 0.5,
                "write_up_hours": 0.5,
            },
        )
    )
    attempts = frame["visit_attempts"].to_numpy()
    assert frame["visits_completed"].sum() == 0
    assert (attempts[37:] == attempts[30:-7]).all()
    assert attempts[30:37].sum() == 50
    visit_hours = frame["officer_hours_used"] - ASSESSMENT_HOURS * frame["assessments_completed"]
    assert np.allclose(visit_hours, 2.0 * attempts)


def test_a_late_visit_sets_the_next_due_date_from_the_day_it_was_done():
    # All 50 start 1-20 days overdue for a visit and an assessment; ample staff do both on
    # day 0. The next visit is due 30 days after the visit was *done* (day 30), not after
    # the date it was due (days 10-29), and so on every 30 days to day 360; likewise the next
    # assessment is due on day 365, not on days 345-364.
    frame = simulate(
        make_scenario(
            horizon_days=370,
            population={
                "initial": {
                    "overdue_visits": {"count": 50, "max_days_overdue": 20},
                    "overdue_assessments": {"count": 50, "max_days_overdue": 20},
                }
            },
        )
    )
    visits = frame["visits_completed"].to_numpy()
    assert visits.sum() == 13 * 50
    assert (visits[0:361:30] == 50).all()
    assessments = frame["assessments_completed"].to_numpy()
    assert assessments[0] == assessments[365] == 50 and assessments.sum() == 100
    assert frame.loc[frame["day"] > 0, "overdue_visits"].max() == 0
    assert frame.loc[frame["day"] > 0, "overdue_assessments"].max() == 0


def test_work_is_done_a_window_before_its_due_date():
    # Visits join the queue 3 days before their due date and assessments 5 days before;
    # ample staff working every day do each on the day it joins, at 09:00. So every visit
    # or assessment whose window opened after day 0 is completed exactly window days before
    # it was due, and the next falls due an interval after that: visits every 27 days.
    table, log = simulate_with_log(
        make_scenario(
            visits={"window_days": 3},
            assessments={"window_days": 5, "interval_days": per_level(60)},
        )
    )
    done = log.completion_frame()
    day = done["completed_at_days"].astype(int)
    window = done["is_assessment"].map({False: 3, True: 5})
    opened_later = done["due_day_before"] - window > 0
    assert opened_later.sum() > 500
    assert (day[opened_later] == (done["due_day_before"] - window)[opened_later]).all()
    assert (day[~opened_later] == 0).all()  # due within the window on day 0: done at once
    interval = done["is_assessment"].map({False: 30, True: 60})
    assert (done["next_due_day"] == day + interval).all()
    assert table["overdue_visits"].max() == 0 and table["overdue_assessments"].max() == 0
