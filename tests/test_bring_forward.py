"""Work brought forward: a sleeping visit or assessment wakes early when its due date moves.

Police action calls for an assessment within ``after_police_action_due_days``; a found
escalation brings the next visit forward to the new level's interval. Both must wake the
offender's sleeping process at the new time, not at the date it went to sleep for.
"""

from __future__ import annotations

from helpers import simulate
from scenario_factory import make_scenario, per_level


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
