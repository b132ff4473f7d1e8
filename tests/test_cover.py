"""Cover for long absences (staffing.absences.cover_after_workdays; sim/model/cover.py).

Workforce-level cases are built as tests/test_personal_caseloads.py builds them: a real
personal workforce, a shift of 9:00-17:00 with 8 hours, every day a working day, absences set
by hand on the officers, and expected hours worked out from cover.py's rules. Whole-run cases
use the deterministic base scenario (tests/scenario_factory.py) and reason from capacity.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Generator
from datetime import date

import numpy as np
import pytest
import simpy
from scenario_factory import make_scenario

from sim.levels import MEDIUM
from sim.model.calendar import WorkingCalendar
from sim.model.counters import Counters
from sim.model.event_log import EventLog
from sim.model.offender import Offender
from sim.model.personal import PersonalWorkforce
from sim.model.replication import Replication, single_run
from sim.model.workforce import VISIT
from sim.records import DAILY_COLUMNS
from sim.scenario import WEEKDAYS, Staffing

HOUR = 1 / 24
DAYS = 30
_ids = itertools.count(50_000)
Log = list[tuple[float, str, list[int]]]


def build(managers: int, cover_after: int | None) -> tuple[simpy.Environment, PersonalWorkforce]:
    staff = Staffing(
        offender_managers=managers,
        hours_per_day=8,
        availability=1.0,
        shift_start_hour=9,
        working_days=list(WEEKDAYS),
        caseloads="personal",
        absences=None if cover_after is None else {"cover_after_workdays": cover_after},
    )
    env = simpy.Environment()
    calendar = WorkingCalendar(date(2024, 1, 1), DAYS, staff)
    return env, PersonalWorkforce(env, staff, calendar, Counters(DAYS), "first_come_first_served")


def allocate(workforce: PersonalWorkforce, count: int) -> list[Offender]:
    made = [Offender(next(_ids), MEDIUM, math.inf) for _ in range(count)]
    for offender in made:
        workforce.allocate(offender)
    return made


def job(
    env: simpy.Environment,
    workforce: PersonalWorkforce,
    log: Log,
    name: str,
    offender: Offender,
    hours: float,
    at_hour: float = 0.0,
) -> Generator[simpy.Event, None, None]:
    """Queue a one-officer visit at ``at_hour``; log (hour done, name, who did it)."""
    if at_hour:
        yield env.timeout(at_hour * HOUR)
    task = workforce.perform(offender, int(at_hour // 24), 1, hours, VISIT)
    yield task
    log.append((round(env.now / HOUR, 6), name, [o.index for o in task.officers]))


@pytest.mark.parametrize(
    ("cover_after", "expected"),
    [
        (None, (250, "a", [0])),  # no cover: waits for manager 0's return on day 10, 9-10
        (3, (82, "a", [1])),  # away 4 working days on day 3: manager 1 does it 9-10
        (0, (10, "a", [1])),  # cover from the first day away
    ],
    ids=["no cover", "after 3 days", "after 0 days"],
)
def test_an_absent_managers_work_goes_to_cover_after_the_set_working_days(cover_after, expected):
    env, workforce = build(2, cover_after)
    a, _ = allocate(workforce, 2)
    workforce.managers[0].absent = frozenset(range(10))
    log: Log = []
    env.process(job(env, workforce, log, "a", a, 1))
    env.run(until=DAYS)
    assert log == [expected]


def test_the_work_returns_to_the_manager_on_their_return():
    # Manager 0 is away on days 0-4, covered (after 1 day) on days 2-4 by manager 1. Work of
    # manager 0's offender queued on day 3 is done by manager 1 that day at 9-10; work queued
    # on day 5, when manager 0 is back, is manager 0's again: 9-10, while manager 1 spends
    # the day on 8 hours of their own (had the cover stayed, it would wait until day 6).
    env, workforce = build(2, 1)
    a, b = allocate(workforce, 2)
    workforce.managers[0].absent = frozenset(range(5))
    log: Log = []
    env.process(job(env, workforce, log, "during", a, 1, at_hour=3 * 24))
    env.process(job(env, workforce, log, "own", b, 8, at_hour=5 * 24))
    env.process(job(env, workforce, log, "after", a, 1, at_hour=5 * 24))
    env.run(until=3.5)
    assert workforce.covers() == {workforce.managers[0]: workforce.managers[1]}
    env.run(until=DAYS)
    assert sorted(log) == [(82, "during", [1]), (130, "after", [0]), (137, "own", [1])]
    assert workforce.covers() == {}


def test_the_cover_is_the_colleague_at_work_with_the_least_workload_counting_what_they_cover():
    # Four managers with two cases each; one of manager 3's leaves: loads 2, 2, 2, 1. Managers
    # 0 and 1 are away from day 0, covered at once. Manager 0 first: the least loaded at work
    # is manager 3 (1), who then carries 1 + 2 = 3; manager 1 then goes to manager 2 (2 < 3).
    env, workforce = build(4, 0)
    group = allocate(workforce, 8)  # managers 0, 1, 2, 3, 0, 1, 2, 3
    workforce.offender_left(group[3])
    m0, m1, m2, m3 = workforce.managers
    m0.absent = m1.absent = frozenset(range(3))
    log: Log = []
    env.process(job(env, workforce, log, "of 0", group[0], 1))
    env.process(job(env, workforce, log, "of 1", group[1], 1))
    env.run(until=0.5)
    assert workforce.covers() == {m0: m3, m1: m2}
    assert sorted(log) == [(10, "of 0", [3]), (10, "of 1", [2])]


def test_a_cover_away_in_turn_hands_the_work_to_another_colleague():
    # Manager 0 is away on days 0-9 and covered at once by manager 1 (loads equal: the lowest
    # index at work). Manager 1 is away on day 2 only: that day manager 0's work goes to
    # manager 2 (and manager 1's own to manager 2 as well, since cover starts after 0 days).
    # On day 3 manager 1 is back and takes their own work back; manager 2 keeps covering
    # manager 0 (a cover who can go on is not changed).
    env, workforce = build(3, 0)
    a, _, _ = allocate(workforce, 3)
    m0, m1, m2 = workforce.managers
    m0.absent = frozenset(range(10))
    m1.absent = frozenset({2})
    log: Log = []
    env.process(job(env, workforce, log, "day 2", a, 1, at_hour=2 * 24))
    env.run(until=1.5)
    assert workforce.covers() == {m0: m1}
    env.run(until=2.5)
    assert workforce.covers() == {m0: m2, m1: m2}
    assert log == [(58, "day 2", [2])]
    env.run(until=3.5)
    assert workforce.covers() == {m0: m2}


def _two_managers(cover_after: int | None, horizon_days: int = 60) -> Replication:
    # 20 offenders, every visit overdue on day 0, 2 managers (10 cases each) with 7.5 hours a
    # day: 3 visits of 2.5 hours each a day. Manager 0 is away for the whole run.
    absences = None if cover_after is None else {"cover_after_workdays": cover_after}
    scenario = make_scenario(
        horizon_days=horizon_days,
        population={
            "initial": {"size": 20, "overdue_visits": {"count": 20, "max_days_overdue": 5}}
        },
        assessments={"interval_days": {lv: 3000 for lv in ("very_high", "high", "medium", "low")}},
        staffing={"offender_managers": 2, "caseloads": "personal", "absences": absences},
    )
    world = Replication(scenario, 0, event_log=EventLog())
    world.shared.workforce.managers[0].absent = frozenset(range(horizon_days))
    return world


@pytest.mark.parametrize("cover_after", [None, 5])
def test_a_long_absence_leaves_the_caseload_overdue_unless_covered(cover_after):
    # Manager 1 visits their own 10 on days 0-3. Without cover manager 0's 10 stay overdue to
    # the end. With cover after 5 working days, manager 1 starts on them on day 5 (the sixth
    # day away) and, at 3 a day, has visited all 10 by the end of day 8; nothing is overdue
    # after that (20 visits a month is a third of one manager's hours).
    world = _two_managers(cover_after)
    world.populate()
    table = world.run()
    overdue = table[:, DAILY_COLUMNS.index("overdue_visits")]
    workforce = world.shared.workforce
    assert isinstance(workforce, PersonalWorkforce)
    absent_manager = workforce.managers[0]
    theirs = {o for o, m in workforce._manager_of.items() if m is absent_manager}
    assert len(theirs) == 10
    assert world.shared.event_log is not None
    starts = [row[6] for row in world.shared.event_log.tasks if row[0] in theirs]
    if cover_after is None:
        assert starts == [] and overdue.min() >= 10
    else:
        assert math.floor(min(starts)) == cover_after
        assert overdue[cover_after + 3 :].max() == 0
        assert overdue[cover_after - 1] == 10


def _ample(absences: dict | None) -> np.ndarray:
    # 10 managers, 50 offenders visited monthly: a caseload needs a sixth of a visit a day,
    # a manager can do 3. Sickness keeps about 8% of them away in spells of 10 working days.
    scenario = make_scenario(
        horizon_days=365,
        staffing={"offender_managers": 10, "caseloads": "personal", "absences": absences},
    )
    return single_run(scenario, 0).table


def test_with_immediate_cover_and_ample_staff_absences_lose_and_duplicate_no_work():
    # Conservation: with cover from the first day away, the team still does every visit
    # within a day of its due day (a cover doing two caseloads may push one to the next
    # morning), so nothing is ever overdue at a day's end and the year's visits completed are
    # those of the run without absences. A lost task would leave its offender overdue for
    # good; a duplicated one would add a visit. Without cover the same absences make visits
    # overdue (so the check can fail).
    sickness = {"spells_per_year": 3, "spell_workdays": 10}
    completed = DAILY_COLUMNS.index("visits_completed")
    overdue = DAILY_COLUMNS.index("overdue_visits")
    present = _ample(None)
    covered = _ample({"sickness": sickness, "cover_after_workdays": 0})
    uncovered = _ample({"sickness": sickness})
    assert covered[:, completed].sum() == present[:, completed].sum() > 50 * 11
    assert covered[:, overdue].max() == 0
    assert uncovered[:, overdue].max() > 0


def test_every_waiting_task_is_in_one_queue_its_offenders_acting_manager():
    # Sickness, leave and turnover with cover after 2 days, caseloads rebalanced as the
    # replacements join: at the end every offender is on one caseload, and every waiting task
    # sits in exactly one manager's queue, that of whoever does its manager's work now.
    scenario = make_scenario(
        horizon_days=400,
        population={
            "initial": {"size": 120, "overdue_visits": {"count": 60, "max_days_overdue": 30}},
            "registrations": {"per_year": 60},
            "other_exit_rate_per_year": 0.3,
        },
        staffing={
            "offender_managers": 4,
            "availability": 0.5,
            "caseloads": "personal",
            "rebalance_caseloads": True,
            "absences": {
                "sickness": {"spells_per_year": 4, "spell_workdays": 15},
                "annual_leave": {"workdays_per_year": 25, "block_workdays": 10},
                "cover_after_workdays": 2,
            },
            "turnover": {"leaving_rate_per_year": 1.0, "vacancy_days": 20, "training_days": 10},
        },
    )
    world = Replication(scenario, 0)
    world.populate()
    table = world.run()
    workforce = world.shared.workforce
    assert isinstance(workforce, PersonalWorkforce)
    assert sum(workforce.caseloads()) == table[-1, DAILY_COLUMNS.index("population")]
    covers = workforce.covers()
    seen: set[int] = set()
    for officer, tasks in workforce.queued().items():
        for task in tasks:
            assert id(task) not in seen
            seen.add(id(task))
            manager = workforce.manager_of(task.offender)
            assert manager is not None
            assert covers.get(manager, manager) is officer
    assert seen  # a stretched team: work is waiting
