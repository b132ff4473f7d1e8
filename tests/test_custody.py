"""Police action that ends in custody or recall (``visits.custody``).

The offender leaves the community caseload for the drawn spell: nothing is due or overdue
while they are away, and on release the first visit is due ``first_visit_due_days`` later.
The follow-up hours are charged to the officers of the attempt that led to custody. Expected
values are worked out from these rules in deterministic cases.
"""

from __future__ import annotations

import numpy as np
from helpers import simulate
from scenario_factory import make_scenario, per_level

# Base test scenario: an attempt takes travel 1 + on site 1 + write-up 0.5 hours, police
# action adds 1 hour; visits every 30 days with no window; assessments every 365 days (3 h).
ATTEMPT_HOURS = 1.0 + 1.0 + 0.5 + 1.0
FOLLOW_UP_HOURS = 2.0


def _custody_scenario(spell_days: float, officers: int = 1, **visits):
    return make_scenario(
        population={"initial": {"size": 1}},
        visits={
            "first_visit_due_days": 10,
            "officers_per_visit": officers,
            "police_action_probability": per_level(1.0),
            "custody": {
                "share_of_police_actions": per_level(1.0),
                "spell_days": spell_days,
                "follow_up_hours": FOLLOW_UP_HOURS,
            },
            **visits,
        },
    )


def test_an_offender_in_custody_has_nothing_due_and_returns_with_a_first_visit_due():
    # One offender, always in, police action at every visit and custody after every police
    # action, for 100 days; ample staff. Their first visit is on its due day d0 (in [0, 30)),
    # finishing the same day; released on day d0 + 100, the first visit is due 10 days later,
    # on day d0 + 110, and done that day; and so on. Without custody a visit would fall due
    # every 30 days, so the spells (100 days > 30) would leave visits overdue: with custody
    # none ever is, and visits happen exactly on days d0, d0 + 110, d0 + 220, d0 + 330.
    frame = simulate(_custody_scenario(100.0))
    visit_days = frame.loc[frame["visits_completed"] > 0, "day"].to_numpy()
    d0 = int(visit_days[0])
    assert d0 < 30
    assert visit_days.tolist() == [d0 + 110 * k for k in range(4)]
    assert (frame["visits_completed"].sum(), frame["visit_attempts"].sum()) == (4, 4)
    assert frame["police_actions"].sum() == 4
    assert (frame["overdue_visits"] == 0).all()
    assert (frame["overdue_assessments"] == 0).all()
    # The offender stays on the register (custody is not an exit).
    assert (frame["population"] == 1).all() and frame["exits"].sum() == 0


def test_follow_up_hours_are_charged_to_the_officers_who_acted():
    # Two officers attend each attempt; each is charged the attempt's hours plus the
    # follow-up, so a visit day uses 2 x (4.5 + 2) hours beside any assessment's 3 hours.
    frame = simulate(_custody_scenario(100.0, officers=2))
    days = frame[frame["visits_completed"] > 0]
    visit_hours = days["officer_hours_used"] - 3.0 * days["assessments_completed"]
    assert np.allclose(visit_hours, 2 * (ATTEMPT_HOURS + FOLLOW_UP_HOURS))


def test_an_assessment_falls_due_only_after_release():
    # Assessments every 365 days would never fall due again in a year after the first; in
    # custody nothing is due, and on release the first assessment is due first_due_days (0)
    # later, as for a new registration: one assessment per release, on the release day.
    frame = simulate(_custody_scenario(100.0))
    visit_days = frame.loc[frame["visits_completed"] > 0, "day"].to_numpy()
    released_on = visit_days[:3] + 100
    assessed_on = frame.loc[frame["assessments_completed"] > 0, "day"].to_numpy()
    assert set(released_on.tolist()) <= set(assessed_on.tolist())
    # Any other assessment was the starting one, done before the first spell began.
    others = set(assessed_on.tolist()) - set(released_on.tolist())
    assert all(day <= visit_days[0] for day in others)


def test_no_custody_share_changes_nothing():
    # The custody section with a share of 0 draws from its own stream only: the run is the
    # very same as without the section (common random numbers, nothing booked).
    changes = {
        "population": {"initial": {"size": 50}},
        "visits": {"police_action_probability": per_level(0.5), "out_probability": per_level(0.3)},
    }
    without = make_scenario(**changes)
    with_zero = make_scenario(
        population=changes["population"],
        visits={
            **changes["visits"],
            "custody": {"share_of_police_actions": per_level(0.0), "spell_days": 30},
        },
    )
    assert simulate(without).equals(simulate(with_zero))


def test_release_wakes_an_assessment_booked_for_later():
    # Assessments every 3000 days: the starting one is due far beyond the horizon (or, rarely,
    # before the first visit), and police action brings it forward only to 300 days after the
    # visit, beyond the 100-day spell. On release the first assessment is due that day
    # (first_due_days 0): the sleeping assessment process must be woken for it, so it is done
    # on the release day and never overdue.
    scenario = make_scenario(
        population={"initial": {"size": 1}},
        visits={
            "first_visit_due_days": 10,
            "police_action_probability": per_level(1.0),
            "custody": {"share_of_police_actions": per_level(1.0), "spell_days": 100},
        },
        assessments={"interval_days": per_level(3000), "after_police_action_due_days": 300},
    )
    frame = simulate(scenario)
    visit_days = frame.loc[frame["visits_completed"] > 0, "day"].to_numpy()
    assessed_on = frame.loc[frame["assessments_completed"] > 0, "day"].to_numpy()
    assert (frame["overdue_assessments"] == 0).all()
    assert set((visit_days[:3] + 100).tolist()) <= set(assessed_on.tolist())
