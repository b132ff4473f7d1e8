"""The workforce dispatcher (sim/model/workforce.py), tested as SimPy tests its resources.

Each test builds a real ``Workforce`` (a small real ``Staffing``, ``WorkingCalendar`` and
``Counters``), starts tiny generator processes that ask it to perform a task and append
``(hour, name)`` to a log when the task is finished, runs the environment and asserts on the
log. Every expected time is worked out by hand from the dispatcher's rules (its module
docstring); the comments give the timeline.

Unless a test says otherwise: one offender manager, a shift of 9:00-17:00 (8 hours, all of
them available for casework) on every day of the week, and first come, first served. Times in
the log are hours from the start (day 1 09:00 is hour 33).
"""

from __future__ import annotations

import itertools
import math
from datetime import date

import pytest
import simpy

from sim.levels import HIGH, LOW, MEDIUM, VERY_HIGH
from sim.model.calendar import WorkingCalendar
from sim.model.counters import Counters
from sim.model.offender import Offender
from sim.model.workforce import ASSESSMENT, MANAGER, VISIT, Workforce, WorkKind
from sim.priority import most_overdue_first, priority_rule
from sim.records import FLOW_COLUMNS
from sim.scenario import WEEKDAYS, Staffing

HOUR = 1 / 24  # simulation time is in days
MONDAY = date(2024, 1, 1)
_ids = itertools.count()


def build(
    *, horizon_days: int = 7, priority: str = "first_come_first_served", **staffing: object
) -> tuple[simpy.Environment, Workforce, Counters, list[tuple[float, str]]]:
    """A workforce on a fresh environment, its counters, and an empty log."""
    fields: dict[str, object] = {
        "offender_managers": 1,
        "hours_per_day": 8,
        "availability": 1.0,
        "shift_start_hour": 9,
        "working_days": list(WEEKDAYS),
    }
    staff = Staffing(**(fields | staffing))
    env = simpy.Environment()
    counters = Counters(horizon_days)
    calendar = WorkingCalendar(MONDAY, horizon_days, staff)
    return env, Workforce(env, staff, calendar, counters, priority), counters, []


def task(
    env: simpy.Environment,
    workforce: Workforce,
    log: list[tuple[float, str]],
    name: str,
    hours: float,
    *,
    at_hour: float = 0.0,
    n_officers: int = 1,
    kind: WorkKind = VISIT,
    level: int = MEDIUM,
    due_day: int = 0,
    offender: Offender | None = None,
):
    """Join the queue at ``at_hour``, wait until the work is done, then log it."""
    if at_hour:
        yield env.timeout(at_hour * HOUR)
    if offender is None:
        offender = Offender(next(_ids), level, math.inf)
    yield workforce.perform(offender, due_day, n_officers, hours, kind)
    log.append((round(float(env.now) / HOUR, 6), name))  # env.now may be a numpy float


def flow(counters: Counters, name: str) -> float:
    return counters.flows[FLOW_COLUMNS.index(name)]


# -- shifts ----------------------------------------------------------------------------------


def test_work_waits_for_the_shift_and_takes_its_hours():
    # Queued at midnight: starts when the shift opens at 9:00, done at 11:00. Queued at 20:00,
    # after the shift: starts at 9:00 the next day (hour 33), done at hour 34.
    env, workforce, _, log = build()
    env.process(task(env, workforce, log, "midnight", 2))
    env.process(task(env, workforce, log, "evening", 1, at_hour=20))
    env.run(until=3)
    assert log == [(11, "midnight"), (34, "evening")]


def test_nothing_starts_at_the_instant_the_shift_ends():
    # The officer is idle all day, with all 8 hours left, when work joins the queue at 17:00
    # exactly: the shift is [9:00, 17:00), so it waits for 9:00 the next day (done at hour 34).
    env, workforce, _, log = build()
    env.process(task(env, workforce, log, "at 17:00", 1, at_hour=17))
    env.run(until=3)
    assert log == [(34, "at 17:00")]


def test_work_joining_at_midnight_waits_when_the_shift_ends_at_midnight():
    # Due-date work joins at midnight, which is exactly when a 16:00-24:00 shift closes. The
    # idle officer does not take it at 24:00 but at 16:00 the next day (hour 40), done at 41.
    env, workforce, _, log = build(shift_start_hour=16)
    env.process(task(env, workforce, log, "at midnight", 1, at_hour=24))
    env.run(until=3)
    assert log == [(41, "at midnight")]


def test_an_officer_finishing_at_the_shift_end_starts_nothing_more_that_day():
    # A joins at 10:00 and takes 10:00-17:00, leaving the officer 1 hour of the day. B joined
    # at 16:00 and waited; at 17:00 the shift has ended, so B starts at 9:00 the next day.
    env, workforce, _, log = build()
    env.process(task(env, workforce, log, "A", 7, at_hour=10))
    env.process(task(env, workforce, log, "B", 1, at_hour=16))
    env.run(until=3)
    assert log == [(17, "A"), (34, "B")]


def test_no_shift_on_days_that_are_not_working_days():
    # Monday to Friday only, from Monday 1 January 2024 (day 0). Work queued on Saturday
    # (day 5) waits for Monday 9:00 (day 7, hour 177), done at hour 178.
    env, workforce, _, log = build(horizon_days=10, working_days=list(WEEKDAYS[:5]))
    env.process(task(env, workforce, log, "saturday", 1, at_hour=5 * 24 + 10))
    env.run(until=10)
    assert log == [(178, "saturday")]


# -- several officers per visit ----------------------------------------------------------------


def test_a_two_officer_visit_takes_both_officers_at_once_and_holds_them():
    # Two managers. The two-officer visit (first come) takes both at 9:00 for 3 hours, so the
    # one-officer visit behind it waits until 12:00 although it needs only one officer.
    # Hours used on day 0: 2 officers x 3 hours + 1 hour = 7; available: 2 x 8 = 16.
    env, workforce, counters, log = build(offender_managers=2)
    env.process(task(env, workforce, log, "pair", 3, n_officers=2))
    env.process(task(env, workforce, log, "single", 1))
    env.run(until=1)
    assert log == [(12, "pair"), (13, "single")]
    assert flow(counters, "officer_hours_used") == 7
    assert flow(counters, "officer_hours_available") == 16


def test_a_lone_free_officer_backfills_while_a_two_officer_visit_waits():
    # Two managers, highest risk first. Queued at midnight, in this order:
    #   X    very high, 1 officer,  4 hours
    #   PAIR very high, 2 officers, 2 hours
    #   L1   low,       1 officer,  2 hours
    #   L2   low,       1 officer,  1.5 hours
    # 9:00   X is best: one officer takes it (to 13:00). One officer is left: PAIR needs two,
    #        so the lone officer takes the best work it can do, L1 (to 11:00).
    # 11:00  L1 done; PAIR still needs two: the lone officer takes L2 (to 12:30).
    # 12:30  L2 done; nothing one officer can do: idle.
    # 13:00  X done: both officers free, PAIR starts (to 15:00).
    # Without backfilling the low-risk work would wait behind PAIR: L1 at 17, L2 at 18:30.
    env, workforce, _, log = build(offender_managers=2, priority="highest_risk_first")
    env.process(task(env, workforce, log, "X", 4, level=VERY_HIGH))
    env.process(task(env, workforce, log, "PAIR", 2, n_officers=2, level=VERY_HIGH))
    env.process(task(env, workforce, log, "L1", 2, level=LOW))
    env.process(task(env, workforce, log, "L2", 1.5, level=LOW))
    env.run(until=1)
    assert log == [(11, "L1"), (12.5, "L2"), (13, "X"), (15, "PAIR")]


def test_one_officer_work_does_not_starve_a_two_officer_visit_past_the_next_shift():
    # Two managers, highest risk first. A backlog of low-risk one-officer work is queued at
    # midnight (S: 1 hour, then W1..W20: 2 hours each); a very high-risk two-officer visit
    # joins at 9:30. The officers' tasks are staggered by an hour, so on day 0 there is never
    # a moment with both free: each officer that frees up backfills with the next W.
    #   officer 1: S 9-10, W2 10-12, W4 12-14, W6 14-16, then 1 hour left: W8 16-18 (overtime)
    #   officer 2: W1 9-11, W3 11-13, W5 13-15, W7 15-17, no hours left
    # Every shift starts with all officers free, and PAIR is the best task, so on day 1 it
    # starts at 9:00 (hour 33), ahead of the twelve Ws still waiting, and is done at hour 35.
    env, workforce, _, log = build(offender_managers=2, priority="highest_risk_first")
    env.process(task(env, workforce, log, "S", 1, level=LOW))
    for i in range(1, 21):
        env.process(task(env, workforce, log, f"W{i}", 2, level=LOW))
    env.process(task(env, workforce, log, "PAIR", 2, at_hour=9.5, n_officers=2, level=VERY_HIGH))
    env.run(until=1 + 10 * HOUR)
    assert log == [
        (10, "S"),
        (11, "W1"),
        (12, "W2"),
        (13, "W3"),
        (14, "W4"),
        (15, "W5"),
        (16, "W6"),
        (17, "W7"),
        (18, "W8"),
    ]
    # Day 1 after PAIR (9-11): officer 1 has 8 - 2 = 6 hours left, officer 2 has 8 - 1 (the
    # overrun of W8) - 2 = 5, so both take Ws in pairs at 11, 13 and 15: W9..W14.
    env.run(until=2)
    assert log[9:] == [
        (35, "PAIR"),
        (37, "W9"),
        (37, "W10"),
        (39, "W11"),
        (39, "W12"),
        (41, "W13"),
        (41, "W14"),
    ]


# -- hours and overtime ------------------------------------------------------------------------


def test_a_task_past_the_shift_end_is_finished_and_the_overrun_comes_off_the_next_day():
    # A (10 hours) starts at 9:00 and is finished at 19:00, two hours after the shift: the
    # officer's 8 hours are overrun by 2, so the next day has 8 - 2 = 6 hours: B 9-12 (3 left),
    # C 12-15 (0 left), and D waits for day 2: 9-12 (hour 60). With a full 8 hours on day 1,
    # D would have started at 15:00 (done at hour 42).
    env, workforce, counters, log = build()
    for name, hours in (("A", 10), ("B", 3), ("C", 3), ("D", 3)):
        env.process(task(env, workforce, log, name, hours))
    env.run(until=3)
    assert log == [(19, "A"), (36, "B"), (39, "C"), (60, "D")]
    assert flow(counters, "officer_hours_used") == 19
    assert flow(counters, "officer_hours_available") == 3 * 8


def test_the_overrun_is_of_the_hours_available_not_of_the_clock():
    # availability 0.75: 6 of the 8 hours of the shift are available for casework. A (10
    # hours) runs 9:00-19:00, 2 hours past the shift but 4 hours past the officer's 6: day 1
    # has 6 - 4 = 2 hours: B 9-12 (-1 left), C and D wait. Day 2 has 6 - 1 = 5: C 9-12
    # (2 left), D 12-15. (Taking off only the 2 clock hours would leave 4 on day 1 and let C
    # start at 12:00 that day.)
    env, workforce, _, log = build(availability=0.75)
    for name, hours in (("A", 10), ("B", 3), ("C", 3), ("D", 3)):
        env.process(task(env, workforce, log, name, hours))
    env.run(until=3)
    assert log == [(19, "A"), (36, "B"), (60, "C"), (63, "D")]


def test_an_overrun_longer_than_a_day_comes_off_the_following_days_until_repaid():
    # A 30-hour task from 9:00 on day 0 ends at 15:00 on day 1 (hour 39) and leaves the
    # officer 8 - 30 = -22 hours: day 1 has -14, day 2 has -6, day 3 has 2, so B (1 hour)
    # starts at 9:00 on day 3 (hour 81), done at hour 82.
    env, workforce, _, log = build()
    env.process(task(env, workforce, log, "A", 30))
    env.process(task(env, workforce, log, "B", 1))
    env.run(until=5)
    assert log == [(39, "A"), (82, "B")]


# -- who does what -----------------------------------------------------------------------------


def test_sergeants_do_assessments_only_within_their_share_of_the_day():
    # No offender managers; one sergeant with sergeant_assessment_share 0.5: 4 hours a day.
    # The visit (first in the queue) is never done. Assessments: A1 9-12 (1 left), A2 12-15
    # (-2 left); day 1 has 4 - 2 = 2 hours: A3 9-12 (hour 36).
    env, workforce, _, log = build(offender_managers=0, sergeants=1, sergeant_assessment_share=0.5)
    env.process(task(env, workforce, log, "visit", 1, kind=VISIT))
    for name in ("A1", "A2", "A3"):
        env.process(task(env, workforce, log, name, 3, kind=ASSESSMENT))
    env.run(until=5)
    assert log == [(12, "A1"), (15, "A2"), (36, "A3")]


def test_a_sergeant_takes_the_assessment_so_the_manager_does_the_visit():
    # One manager and one sergeant (whole day for assessments). The assessment is first in
    # the queue; the sergeant takes it, and the manager takes the visit, both at 9:00.
    env, workforce, _, log = build(sergeants=1, sergeant_assessment_share=1.0)
    env.process(task(env, workforce, log, "assessment", 2, kind=ASSESSMENT))
    env.process(task(env, workforce, log, "visit", 3, kind=VISIT))
    env.run(until=1)
    assert log == [(11, "assessment"), (12, "visit")]


def test_a_managers_assessment_hours_are_capped_by_manager_assessment_share():
    # manager_assessment_share 0.25: 2 of the manager's 8 hours may go to assessments, and an
    # assessment starts only while some of them are left. Highest risk first: four very
    # high-risk assessments of 1.5 hours, then a low-risk visit of 1 hour.
    # Day 0: X1 9:00-10:30 (0.5 left), X2 10:30-12:00 (-1 left); no assessment hours left, so
    #        the visit goes next although it comes last: 12:00-13:00.
    # Day 1: 2 - 1 = 1 assessment hour: X3 9:00-10:30 (-0.5 left).
    # Day 2: 2 - 0.5 = 1.5: X4 9:00-10:30 (hour 58.5).
    env, workforce, _, log = build(priority="highest_risk_first", manager_assessment_share=0.25)
    for name in ("X1", "X2", "X3", "X4"):
        env.process(task(env, workforce, log, name, 1.5, kind=ASSESSMENT, level=VERY_HIGH))
    env.process(task(env, workforce, log, "visit", 1, kind=VISIT, level=LOW))
    env.run(until=5)
    assert log == [(10.5, "X1"), (12, "X2"), (13, "visit"), (34.5, "X3"), (58.5, "X4")]


def test_work_for_an_offender_who_has_left_the_register_is_dropped():
    # A takes 9:00-11:00. B's offender leaves at 10:00 while B waits, so at 11:00 the officer
    # goes straight on to C (11:00-12:00) and B is never done.
    env, workforce, _, log = build()
    leaver = Offender(next(_ids), MEDIUM, math.inf)

    def leave():
        yield env.timeout(10 * HOUR)
        leaver.active = False

    env.process(task(env, workforce, log, "A", 2))
    env.process(task(env, workforce, log, "B", 1, offender=leaver))
    env.process(task(env, workforce, log, "C", 1))
    env.process(leave())
    env.run(until=3)
    assert log == [(11, "A"), (12, "C")]


def test_a_release_takes_an_idle_officer_at_once():
    # Two managers; A keeps one busy 9:00-11:00, the other is idle. At 10:00 one is released:
    # the idle one goes at once, so C (joining at 10:30) waits for A's officer: 11:00-12:00.
    # (Had the busy one been chosen, C would have started at 10:30 on the idle one.)
    env, workforce, _, log = build(offender_managers=2)

    def release():
        yield env.timeout(10 * HOUR)
        workforce.release(MANAGER, 1)

    env.process(task(env, workforce, log, "A", 2))
    env.process(release())
    env.process(task(env, workforce, log, "C", 1, at_hour=10.5))
    env.run(until=1)
    assert log == [(11, "A"), (12, "C")]
    assert workforce.staff_counts == (1, 0)


def test_a_busy_officer_released_finishes_the_task_then_leaves():
    # One manager, busy with A 9:00-11:00, released at 10:00: A is finished, then nobody is
    # left, so C (queued at 10:00) is never done.
    env, workforce, _, log = build()

    def release():
        yield env.timeout(10 * HOUR)
        workforce.release(MANAGER, 1)
        log.append((10, f"staff {workforce.staff_counts}"))

    env.process(task(env, workforce, log, "A", 2))
    env.process(release())
    env.process(task(env, workforce, log, "C", 1, at_hour=10))
    env.run(until=3)
    assert log == [(10, "staff (0, 0)"), (11, "A")]
    assert workforce.managers == []


# -- priority rules --------------------------------------------------------------------------

# Seven one-hour tasks queued at midnight in this order: (name, risk level, due day, kind).
# The two assessments compete with the visits under the same rule.
QUEUE = [
    ("a", LOW, 5, VISIT),
    ("b", MEDIUM, 2, VISIT),
    ("c", VERY_HIGH, 9, ASSESSMENT),
    ("d", HIGH, 9, VISIT),
    ("e", MEDIUM, 1, ASSESSMENT),
    ("f", LOW, 2, VISIT),
    ("g", VERY_HIGH, 9, VISIT),
]
# The order the one officer does them, from each rule's docstring (ties: the first queued).
ORDER = {
    # by level (c, g very high; d high; e, b medium; f, a low), then due day, then arrival
    "highest_risk_first": "cgdebfa",
    # very high and high together (c, d, g: all due day 9), then medium and low by due day
    "high_risk_then_most_overdue": "cdgebfa",
    # by due day whatever the level: e (1), b and f (2), a (5), c, d, g (9)
    "most_overdue_first": "ebfacdg",
    "earliest_due_date": "ebfacdg",  # the same rule under its older name
    "first_come_first_served": "abcdefg",
}


@pytest.mark.parametrize("rule", sorted(ORDER))
def test_a_priority_rule_orders_the_queue(rule):
    env, workforce, _, log = build(priority=rule)
    for name, level, due_day, kind in QUEUE:
        env.process(task(env, workforce, log, name, 1, level=level, due_day=due_day, kind=kind))
    env.run(until=1)
    assert "".join(name for _, name in log) == ORDER[rule]
    assert [hour for hour, _ in log] == list(range(10, 17))


def test_earliest_due_date_is_most_overdue_first_under_its_old_name():
    assert priority_rule("earliest_due_date") is most_overdue_first
    assert priority_rule("most_overdue_first") is most_overdue_first
