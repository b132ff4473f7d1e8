"""Rebalancing personal caseloads when managers join (staffing.rebalance_caseloads; rebalance.py).

Built as tests/test_cover.py builds its cases: a real personal workforce, a shift of
9:00-17:00 with 8 hours, every day a working day; expected caseloads from the rule in
rebalance.py's docstring (moves narrow the gap until the heaviest has no case lighter than it).
"""

from __future__ import annotations

import itertools
import math
from datetime import date

import pytest
import simpy
from test_cover import Log, job

from sim.levels import LOW, MEDIUM, VERY_HIGH
from sim.model.calendar import WorkingCalendar
from sim.model.counters import Counters
from sim.model.offender import Offender
from sim.model.personal import PersonalWorkforce
from sim.model.workforce import MANAGER
from sim.scenario import WEEKDAYS, Staffing

_ids = itertools.count(90_000)


def build(
    managers: int, rebalance: bool, **staffing: object
) -> tuple[simpy.Environment, PersonalWorkforce]:
    staff = Staffing(
        offender_managers=managers,
        hours_per_day=8,
        availability=1.0,
        shift_start_hour=9,
        working_days=list(WEEKDAYS),
        caseloads="personal",
        rebalance_caseloads=rebalance,
        **staffing,
    )
    env = simpy.Environment()
    calendar = WorkingCalendar(date(2024, 1, 1), 5, staff)
    return env, PersonalWorkforce(env, staff, calendar, Counters(5), "first_come_first_served")


def allocate(workforce: PersonalWorkforce, *levels: int) -> list[Offender]:
    made = [Offender(next(_ids), level, math.inf) for level in levels]
    for offender in made:
        workforce.allocate(offender)
    return made


@pytest.mark.parametrize("rebalance", [False, True])
def test_recruits_get_an_equal_share_of_the_caseload_when_rebalancing(rebalance):
    # 30 cases on 3 managers (10 each); 2 join. Off: they start with none. On: 30 / 5 = 6 each.
    _, workforce = build(3, rebalance)
    allocate(workforce, *[MEDIUM] * 30)
    workforce.hire(MANAGER, 2)
    assert workforce.caseloads() == ([6] * 5 if rebalance else [10, 10, 10, 0, 0])
    assert sum(workforce.caseloads()) == 30


@pytest.mark.parametrize(
    ("managers", "cases", "joining"), [(1, 7, 1), (2, 9, 3), (5, 101, 2), (4, 3, 4)]
)
def test_after_a_rebalance_caseloads_differ_by_at_most_one(managers, cases, joining):
    _, workforce = build(managers, True)
    group = allocate(workforce, *[MEDIUM] * cases)
    for offender in group[::3]:  # exits make the old caseloads uneven too
        workforce.offender_left(offender)
    workforce.hire(MANAGER, joining)
    loads = workforce.caseloads()
    assert max(loads) - min(loads) <= 1
    assert sum(loads) == cases - len(group[::3])


def test_with_weights_the_spread_is_at_most_one_heavy_case():
    # Very high weighs 3, the rest 1. Whatever is moved, the heaviest ends with no case lighter
    # than the gap, so the weighted spread is at most 3 (and every case is still held once).
    weights = {"very_high": 3, "high": 1, "medium": 1, "low": 1}
    _, workforce = build(2, True, caseload_weights=weights)
    group = allocate(workforce, *([VERY_HIGH, MEDIUM, LOW] * 7))
    workforce.hire(MANAGER, 3)
    loads = [workforce._workload[m] for m in workforce.managers]
    assert max(loads) - min(loads) <= 3
    assert sum(loads) == 7 * 5
    assert sorted(
        o.id for m in workforce.managers for o in workforce._caseload[m].values()
    ) == sorted(o.id for o in group)


@pytest.mark.parametrize("rebalance", [False, True])
def test_a_moved_cases_waiting_work_moves_with_it(rebalance):
    # One manager with a and b, a 2-hour visit each queued at midnight; a second manager joins
    # at midnight (hours from the 9:00 shift). Rebalanced, b (the latest case) is theirs and
    # both visits run 9-11; otherwise manager 0 does a 9-11 then b 11-13.
    env, workforce = build(1, rebalance)
    a, b = allocate(workforce, MEDIUM, MEDIUM)
    log: Log = []
    env.process(job(env, workforce, log, "a", a, 2))
    env.process(job(env, workforce, log, "b", b, 2))
    workforce.hire(MANAGER, 1)
    env.run(until=1)
    expected = [(11, "a", [0]), (11, "b", [1])] if rebalance else [(11, "a", [0]), (13, "b", [0])]
    assert sorted(log) == expected


def test_the_reports_assumptions_name_cover_and_rebalancing_only_when_set():
    from sim.report.text import _assumptions_text

    plain = _assumptions_text({}, {}, {"caseloads": "personal"})
    assert "(personal caseloads)" in plain and "cover" not in plain
    both = _assumptions_text(
        {},
        {},
        {
            "caseloads": "personal",
            "absences": {"cover_after_workdays": 10},
            "rebalance_caseloads": True,
        },
    )
    assert "covers an absence after 10 working days" in both
    assert "rebalanced when managers join" in both
