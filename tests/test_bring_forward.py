"""Work brought forward: a sleeping visit or assessment wakes early when its due date moves.

Police action calls for an assessment within ``after_police_action_due_days``; a found
escalation brings the next visit forward to the new level's interval. Both must wake the
offender's sleeping process at the new time, not at the date it went to sleep for.
"""

from __future__ import annotations

from helpers import simulate, simulate_with_log
from scenario_factory import ALL_LEVELS, make_scenario, per_level


def test_police_action_brings_the_next_assessment_forward():
    # Everyone is in, visited every 30 days (first visits on days 0-29), and every visit leads
    # to police action, which calls for an assessment 10 days later although assessments are
    # otherwise yearly. So each visit up to day d0 + 300 (the 11th) is followed by an
    # assessment by day d0 + 310 < 340: at least 11 per offender, against at most the one
    # yearly assessment (due on days 0-364) without police action.
    def scenario(probability: float):
        return make_scenario(
            visits={"police_action_probability": per_level(probability)},
            assessments={"after_police_action_due_days": 10},
        )

    with_action = simulate(scenario(1.0))
    without = simulate(scenario(0.0))
    assert with_action["police_actions"].sum() == 12 * 50  # every visit: 12 each in 360 days
    assert with_action["assessments_completed"].sum() >= 11 * 50
    assert without["assessments_completed"].sum() <= 50
    assert with_action["overdue_assessments"].max() == 0  # ample staff: each on its due day


def test_a_found_escalation_brings_the_next_visit_forward():
    # All 50 start overdue and are visited on day 0; their next visit, at medium risk, is due
    # on day 1000, beyond the horizon. Each escalates to high within days (50 a year) and a
    # monthly assessment finds it, which brings the visit forward to 30 days after the last
    # one (or to the day it is found): from then on a visit every 30 days, so at least 10 more
    # each by day 359. Without the bring-forward nobody would be visited again.
    frame = simulate(
        make_scenario(
            population={
                "initial": {"overdue_visits": {"count": 50, "max_days_overdue": 1}},
                "escalation_rate_per_year": {**per_level(0.0), "medium": 50.0},
            },
            visits={"interval_days": {**per_level(30), "medium": 1000}},
            assessments={"interval_days": per_level(30)},
        )
    )
    assert frame.loc[frame["day"] == 0, "visits_completed"].item() == 50
    assert frame.loc[frame["day"] > 0, "visits_completed"].sum() >= 10 * 50
    assert frame.iloc[-1]["population_high"] == 50


def test_a_visit_brought_forward_is_never_due_in_the_past():
    # As above, but the found escalation is often more than 30 days after the last visit:
    # the new level's due date (last visit + 30) has then passed. The visit is due on the day
    # it is brought forward instead, never before, so with ample staff it is done that very
    # day and no visit ever becomes overdue. (Due in the past, it would count as overdue at
    # once, then be done that day: visits_became_overdue would show it.)
    frame = simulate(
        make_scenario(
            population={
                "initial": {"overdue_visits": {"count": 50, "max_days_overdue": 1}},
                "escalation_rate_per_year": {**per_level(0.0), "medium": 50.0},
            },
            visits={"interval_days": {**per_level(30), "medium": 1000}},
            assessments={"interval_days": per_level(30)},
        )
    )
    assert frame.loc[frame["day"] == 0, "visits_became_overdue"].item() == 0  # day 0's backlog
    assert frame["visits_became_overdue"].sum() == 0
    assert frame.loc[frame["day"] > 0, "overdue_visits"].max() == 0
    assert frame["escalations_detected"].sum() == 50


def test_an_escalation_found_at_a_visit_sets_the_next_due_dates_by_the_new_level():
    # Everyone starts overdue and is visited and assessed on day 0; each then escalates
    # medium -> high within days (50 a year) and the next visit, on day 30, finds it. The
    # next visit is then due 10 days later (high's interval), not 30 (medium's), and every
    # completion, visit or assessment, sets its next due date by the level it leaves the
    # offender at: completion day + that level's interval.
    visit_intervals = {**per_level(10), "medium": 30}
    assessment_intervals = {**per_level(40), "medium": 365}
    table, log = simulate_with_log(
        make_scenario(
            horizon_days=100,
            population={
                "initial": {
                    "overdue_visits": {"count": 50, "max_days_overdue": 1},
                    "overdue_assessments": {"count": 50, "max_days_overdue": 1},
                },
                "escalation_rate_per_year": {**per_level(0.0), "medium": 50.0},
            },
            visits={"interval_days": visit_intervals},
            assessments={"interval_days": assessment_intervals},
        )
    )
    done = log.completion_frame()
    interval = {
        False: [visit_intervals[level] for level in ALL_LEVELS],
        True: [assessment_intervals[level] for level in ALL_LEVELS],
    }
    expected = [
        int(row.completed_at_days) + interval[row.is_assessment][row.level_after]
        for row in done.itertuples()
    ]
    assert done["next_due_day"].tolist() == expected
    found_at_visit = done[~done["is_assessment"] & (done["level_before"] != done["level_after"])]
    assert len(found_at_visit) > 25  # most escalate within 30 days (1 - e^-4.1 = 98%)
    assert (found_at_visit["next_due_day"] - found_at_visit["completed_at_days"] < 11).all()


def test_police_action_calls_for_an_assessment_by_its_own_date_never_a_later_one(tmp_path):
    # Five medium-risk offenders, each with a visit due on day 0 and an assessment on day 5;
    # every visit leads to police action, which calls for an assessment 28 days later unless
    # one is due sooner. Ample staff do everything on its due date:
    #   day 0 visit: 28 is later than the assessment already due on day 5, which stands;
    #   day 5 assessment: the next is due a year later (day 370);
    #   day 30 visit: day 58 is sooner than 370, so the assessment moves to day 58;
    #   day 60 visit: day 88; day 90 visit: day 118, after the horizon.
    caseload = tmp_path / "caseload.csv"
    rows = ["risk_level,last_visit,next_visit_due,next_assessment_due,notification_end"]
    rows += ["medium,,2024-01-01,2024-01-06,"] * 5
    caseload.write_text("\n".join(rows) + "\n")
    frame = simulate(
        make_scenario(
            horizon_days=100,
            population={"initial": None, "initial_caseload": str(caseload)},
            visits={"police_action_probability": per_level(1.0)},
            assessments={"after_police_action_due_days": 28},
        )
    )
    visits = frame["visits_completed"].to_numpy()
    assessments = frame["assessments_completed"].to_numpy()
    assert visits.nonzero()[0].tolist() == [0, 30, 60, 90] and visits.sum() == 4 * 5
    assert assessments.nonzero()[0].tolist() == [5, 58, 88] and assessments.sum() == 3 * 5
    assert frame["police_actions"].sum() == 4 * 5
