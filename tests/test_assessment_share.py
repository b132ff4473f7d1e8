"""The limit on offender managers' assessment hours (``staffing.manager_assessment_share``).

Case: one offender manager working every day, 7.5 h a day, availability 1; 100 offenders all
overdue for a 3-hour assessment (next one a year later, so none repeats within 20 days);
visits take no time, so the manager's hours go to assessments only. A task starts while the
budget it draws on is above zero and is charged in full; overruns come off the next day.
"""

from __future__ import annotations

from helpers import simulate
from scenario_factory import make_scenario

DAYS = 20


def _completed(share: float, sergeants: int = 0) -> int:
    scenario = make_scenario(
        horizon_days=DAYS,
        population={
            "initial": {
                "size": 100,
                "overdue_assessments": {"count": 100, "max_days_overdue": 30},
            }
        },
        visits={"travel_hours": 0.0, "on_site_hours": 0.0, "write_up_hours": 0.0},
        staffing={
            "offender_managers": 1,
            "sergeants": sergeants,
            "sergeant_assessment_share": 0.4,
            "manager_assessment_share": share,
        },
    )
    return int(simulate(scenario)["assessments_completed"].sum())


def test_a_share_that_fits_one_assessment_a_day_gives_one_a_day():
    # 7.5 h x 0.4 = 3.0 h of assessment time a day: exactly one 3-hour assessment, then the
    # assessment budget is 0 and no more start; nothing carries over. 20 days -> 20.
    assert _completed(0.4) == DAYS


def test_without_a_limit_the_whole_day_goes_to_assessments():
    # 7.5 h a day: day 1 starts 3 (7.5 -> 4.5 -> 1.5 -> -1.5), day 2 has 6 h and starts 2
    # (6 -> 3 -> 0), and so on: 5 every 2 days, 50 in 20 days (= 20 x 7.5 / 3).
    assert _completed(1.0) == 50


def test_a_share_of_zero_leaves_assessments_to_sergeants():
    assert _completed(0.0) == 0
    # one sergeant with 7.5 x 0.4 = 3 h for assessments a day does one a day
    assert _completed(0.0, sergeants=1) == DAYS


def test_a_larger_share_never_does_fewer_assessments():
    done = [_completed(share) for share in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)]
    assert done == sorted(done)
    # 0.2 gives 1.5 h a day: an assessment starts every other day (1.5 -> -1.5, then 0)
    assert done[1] == DAYS // 2
