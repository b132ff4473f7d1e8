"""Personal caseloads (staffing.caseloads: personal, sim/model/personal.py).

Built as tests/test_workforce.py builds the pooled dispatcher: a real workforce on a fresh
environment, tiny processes that log ``(hour, name)`` when their task is done, and expected
times worked out by hand from the rules in personal.py's docstring. Unless a test says
otherwise: a shift of 9:00-17:00, 8 hours available, every day a working day, and offenders
allocated in the order written (fewest cases; ties to the lowest-numbered manager).
"""

from __future__ import annotations

import itertools
import math
from datetime import date

import numpy as np
import pytest
import simpy
from scenario_factory import make_scenario
from test_workforce import task

from sim.levels import LOW, MEDIUM, VERY_HIGH
from sim.model.calendar import WorkingCalendar
from sim.model.counters import Counters
from sim.model.offender import Offender
from sim.model.personal import PersonalWorkforce
from sim.model.replication import Replication, single_run
from sim.model.workforce import MANAGER
from sim.records import DAILY_COLUMNS
from sim.scenario import WEEKDAYS, Staffing

HOUR = 1 / 24
_ids = itertools.count(10_000)


def build(
    managers: int, *, priority: str = "first_come_first_served", **staffing: object
) -> tuple[simpy.Environment, PersonalWorkforce, list[tuple[float, str]]]:
    fields: dict[str, object] = {
        "offender_managers": managers,
        "hours_per_day": 8,
        "availability": 1.0,
        "shift_start_hour": 9,
        "working_days": list(WEEKDAYS),
        "caseloads": "personal",
    }
    staff = Staffing(**(fields | staffing))
    env = simpy.Environment()
    calendar = WorkingCalendar(date(2024, 1, 1), 7, staff)
    workforce = PersonalWorkforce(env, staff, calendar, Counters(7), priority)
    return env, workforce, []


def offenders(workforce: PersonalWorkforce, *levels: int) -> list[Offender]:
    """New offenders at these levels, allocated in this order."""
    made = []
    for level in levels:
        offender = Offender(next(_ids), level, math.inf)
        workforce.allocate(offender)
        made.append(offender)
    return made


def index_of_manager(workforce: PersonalWorkforce, offender: Offender) -> int | None:
    manager = workforce.manager_of(offender)
    return None if manager is None else manager.index


def test_fewest_cases_allocates_in_turn():
    _, workforce, _ = build(3)
    group = offenders(workforce, *[MEDIUM] * 7)
    assert [index_of_manager(workforce, o) for o in group] == [0, 1, 2, 0, 1, 2, 0]
    assert workforce.caseloads() == [3, 2, 2]


def test_a_weighted_caseload_counts_each_level_by_its_weight():
    # Very high weighs 4, the others 1. VH -> m0 (load 4); then mediums go to m1 until its
    # load reaches 4 (loads 1, 2, 3, 4), and the next tie (4 and 4) goes to m0.
    weights = {"very_high": 4, "high": 1, "medium": 1, "low": 1}
    _, workforce, _ = build(2, caseload_weights=weights)
    group = offenders(workforce, VERY_HIGH, *[MEDIUM] * 5)
    assert [index_of_manager(workforce, o) for o in group] == [0, 1, 1, 1, 1, 0]


def test_a_managers_offenders_wait_for_them_while_a_colleague_is_idle():
    # a and c are manager 0's, b is manager 1's. a (2 hours) and c (1 hour) queued at
    # midnight: manager 0 does a 9-11 and c 11-12, while manager 1 has nothing of their own.
    # (Pooled, the idle manager would have done c at 9-10.)
    env, workforce, log = build(2)
    a, _b, c = offenders(workforce, MEDIUM, MEDIUM, MEDIUM)
    env.process(task(env, workforce, log, "a", 2, offender=a))
    env.process(task(env, workforce, log, "c", 1, offender=c))
    env.run(until=1)
    assert log == [(11, "a"), (12, "c")]


def test_a_pair_visit_waits_for_the_offenders_manager_not_just_for_two_officers():
    # Three managers, highest risk first; a and d are manager 0's, b is manager 1's.
    #   X    a, very high, 1 officer,  2 hours   (queued first)
    #   PAIR d, very high, 2 officers, 1 hour
    #   Y    b, low,       1 officer,  3 hours
    # 9:00  manager 0's best is X (same level and due day as PAIR, queued first): 9-11.
    #       Manager 1 takes Y: 9-12. Manager 2 has no work and PAIR is not theirs: idle.
    # 11:00 manager 0 is free, with manager 2: PAIR starts with both, 11-12.
    # (Pooled: PAIR would have started at 9:00 with the two officers left after X.)
    env, workforce, log = build(3, priority="highest_risk_first")
    a, b, _c, d = offenders(workforce, VERY_HIGH, LOW, MEDIUM, VERY_HIGH)
    env.process(task(env, workforce, log, "X", 2, level=VERY_HIGH, offender=a))
    env.process(task(env, workforce, log, "PAIR", 1, n_officers=2, level=VERY_HIGH, offender=d))
    env.process(task(env, workforce, log, "Y", 3, level=LOW, offender=b))
    env.run(until=1)
    assert log == [(11, "X"), (12, "Y"), (12, "PAIR")]  # at 12:00, Y was booked first


def test_the_second_officer_is_the_free_manager_with_the_least_urgent_own_work():
    # Three managers; PAIR is manager 0's offender's, L is manager 1's, manager 2 has nothing.
    # At 9:00 PAIR (very high) comes first and takes manager 0 and the idle manager 2, so
    # manager 1 does L at the same time: both done at 10:00. (Had manager 1 been taken, L
    # would have waited until 10:00, done at 11:00.)
    env, workforce, log = build(3, priority="highest_risk_first")
    p, l_offender, _ = offenders(workforce, VERY_HIGH, LOW, MEDIUM)
    env.process(task(env, workforce, log, "PAIR", 1, n_officers=2, level=VERY_HIGH, offender=p))
    env.process(task(env, workforce, log, "L", 1, level=LOW, offender=l_offender))
    env.run(until=1)
    assert sorted(log) == [(10, "L"), (10, "PAIR")]


def test_a_leavers_caseload_and_waiting_work_go_to_the_colleagues():
    # a is manager 0's and b manager 1's; both tasks (1 hour) queued at midnight. Manager 0
    # leaves at 8:00, idle: a goes to manager 1, who does a 9-10 and b 10-11.
    env, workforce, log = build(2)
    a, b = offenders(workforce, MEDIUM, MEDIUM)

    def leave():
        yield env.timeout(8 * HOUR)
        workforce.release(MANAGER, 1)

    env.process(task(env, workforce, log, "a", 1, offender=a))
    env.process(task(env, workforce, log, "b", 1, offender=b))
    env.process(leave())
    env.run(until=1)
    assert log == [(10, "a"), (11, "b")]
    assert index_of_manager(workforce, a) == 1
    assert workforce.caseloads() == [2]


def test_with_no_manager_offenders_wait_and_the_first_recruit_takes_them():
    env, workforce, log = build(0)
    (a,) = offenders(workforce, MEDIUM)
    env.process(task(env, workforce, log, "a", 1, offender=a))
    env.run(until=0.5)
    assert log == [] and workforce.manager_of(a) is None
    workforce.hire(MANAGER, 1)  # productive from the next shift: day 1, 9:00-10:00
    env.run(until=2)
    assert log == [(34, "a")]
    assert workforce.caseloads() == [1]


@pytest.mark.parametrize(
    "staffing",
    [
        {"offender_managers": 1},
        {"offender_managers": 1, "sergeants": 1, "sergeant_assessment_share": 0.3},
        {"offender_managers": 1, "manager_assessment_share": 0.2, "hours_per_day": 3},
    ],
    ids=["one manager", "and a sergeant", "assessments capped"],
)
def test_with_one_manager_personal_equals_pooled(staffing):
    # One manager holds every case, so "their own work" is all the work: every rule of the
    # personal dispatcher is then the pooled rule, and the daily tables are identical.
    pooled = make_scenario(
        horizon_days=200,
        population={"initial": {"size": 80}, "registrations": {"per_year": 40}},
        staffing=staffing,
    )
    personal = pooled.with_changes({"staffing.caseloads": "personal"})
    assert np.array_equal(single_run(pooled, 0).table, single_run(personal, 0).table)


def test_with_equal_caseloads_and_ample_staff_everyone_is_visited_every_interval():
    # 5 managers and 50 offenders: 10 each. Each manager has 7.5 hours a day and a visit
    # takes 2.5 hours, so 3 visits a day against 10 visits due every 30 days: no visit is
    # ever overdue, and every offender is visited in every 30 days.
    scenario = make_scenario(staffing={"offender_managers": 5, "caseloads": "personal"})
    world = Replication(scenario, 0)
    world.populate()
    table = world.run()
    workforce = world.shared.workforce
    assert isinstance(workforce, PersonalWorkforce)
    assert workforce.caseloads() == [10] * 5
    assert table[:, DAILY_COLUMNS.index("overdue_visits")].max() == 0
    completed = table[:, DAILY_COLUMNS.index("visits_completed")].sum()
    assert completed >= 50 * (360 // 30)


def test_every_offender_on_the_register_is_on_exactly_one_caseload():
    # Registrations, exits and turnover (leavers' caseloads reallocated, recruits taking new
    # cases): at the end, the caseloads add up to the population, and nobody is on two.
    scenario = make_scenario(
        horizon_days=500,
        population={
            "initial": {"size": 120},
            "registrations": {"per_year": 60},
            "other_exit_rate_per_year": 0.3,
        },
        staffing={
            "offender_managers": 4,
            "caseloads": "personal",
            "turnover": {"leaving_rate_per_year": 2.0, "vacancy_days": 20, "training_days": 10},
        },
    )
    world = Replication(scenario, 0)
    world.populate()
    table = world.run()
    workforce = world.shared.workforce
    assert isinstance(workforce, PersonalWorkforce)
    population = table[-1, DAILY_COLUMNS.index("population")]
    assert sum(workforce.caseloads()) == population
    assert len(workforce.managers) >= 1 and population > 100


def test_an_absent_managers_offenders_wait_for_their_return():
    # a is manager 0's, who is away on day 0; manager 1 is idle but a is not theirs: a is done
    # on day 1, 9:00-10:00 (hour 34). Nobody covers an absence.
    env, workforce, log = build(2)
    (a,) = offenders(workforce, MEDIUM)
    workforce.managers[0].absent = frozenset({0})
    env.process(task(env, workforce, log, "a", 1, offender=a))
    env.run(until=2)
    assert log == [(34, "a")]


def test_under_common_random_numbers_personal_caseloads_never_lower_the_average_backlog():
    # Personal caseloads only forbid work the pooled team may do (a colleague's offender, a
    # pair without the offender's manager), so with the same offenders and the same luck at the
    # door the average backlog should not fall. Paired over 8 replications of a team stretched
    # thin (4 managers, 120 offenders visited monthly by pairs, a one-year register with
    # arrivals and exits), the mean difference personal - pooled must not be below zero by more
    # than its 95% confidence half-width.
    from statistics import mean, stdev

    from scipy import stats

    pooled = make_scenario(
        horizon_days=240,
        population={
            "initial": {"size": 120, "overdue_visits": {"count": 30, "max_days_overdue": 60}},
            "registrations": {"per_year": 60},
            "other_exit_rate_per_year": 0.3,
        },
        visits={
            "officers_per_visit": 2,
            "out_probability": {"very_high": 0.2, "high": 0.2, "medium": 0.2, "low": 0.2},
        },
        staffing={"offender_managers": 4, "hours_per_day": 7.5, "availability": 0.6},
    )
    personal = pooled.with_changes({"staffing.caseloads": "personal"})
    column = DAILY_COLUMNS.index("overdue_visits")
    differences = [
        single_run(personal, r).table[:, column].mean()
        - single_run(pooled, r).table[:, column].mean()
        for r in range(8)
    ]
    half_width = stats.t.ppf(0.975, 7) * stdev(differences) / math.sqrt(8)
    assert mean(differences) >= -half_width
    assert max(single_run(pooled, 0).table[:, column]) > 0  # the team is stretched


def test_managers_csv_holds_every_offender_and_every_overdue_visit_once(tmp_path):
    # managers.csv: one row per manager in post on the last day; per replication the
    # caseloads add up to the population and the overdue visits to the backlog, that day.
    import pandas as pd

    from sim.experiments.store import ReplicationStore
    from sim.studies.run import execute, write_results

    scenario = make_scenario(
        horizon_days=150,
        population={
            "initial": {"size": 90, "overdue_visits": {"count": 40, "max_days_overdue": 30}}
        },
        staffing={"offender_managers": 3, "availability": 0.3, "caseloads": "personal"},
    )
    store = ReplicationStore(tmp_path / ".replications")
    result = execute(scenario, 2, store=store)
    write_results(result, tmp_path, ["test"])
    managers = pd.read_csv(tmp_path / "managers.csv")
    assert list(managers.columns) == ["replication", "manager", "caseload", "overdue_visits"]
    last = result.trajectories.groupby("replication").last()
    by_replication = managers.groupby("replication").sum()
    assert (by_replication["caseload"] == last["population"]).all()
    assert (by_replication["overdue_visits"] == last["overdue_visits"]).all()
    assert last["overdue_visits"].sum() > 0
    # a resumed run reads the managers back from the store
    again = execute(scenario, 2, store=store)
    assert again.managers is not None and again.managers.equals(result.managers)
