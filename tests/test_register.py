"""The register: registrations, exits, reactive management, hidden escalation, staffing dates.

Expected values come from the processes' definitions (Poisson counts, exponential survival,
notification periods) with bounds of several standard deviations, or from conservation.
"""

from __future__ import annotations

import math

from helpers import simulate
from scenario_factory import make_scenario, per_level

from sim.scenario import Scenario
from sim.scenario.file import load_scenario


def test_population_is_conserved_and_counts_add_up():
    # population(d) = initial + registrations up to d - exits up to d, every day, and the
    # per-level columns add up to their totals, and nothing is ever negative.
    scenario = load_scenario(
        "scenarios/small_example.yaml",
        [
            "population.other_exit_rate_per_year=0.5",
            "population.registrations.per_year=200",
            "horizon_days=200",
        ],
    )
    frame = simulate(scenario, replications=3)
    levels = ("very_high", "high", "medium", "low")
    for _, run in frame.groupby("replication"):
        expected = (
            scenario.population.initial.size + run["registrations"].cumsum() - run["exits"].cumsum()
        )
        assert (run["population"] == expected).all()
        assert run["exits"].sum() > 0 and run["registrations"].sum() > 0
    for total in ("population", "overdue_visits", "overdue_assessments"):
        assert (frame[total] == sum(frame[f"{total}_{lvl}"] for lvl in levels)).all()
    numeric = frame.drop(columns=["date"])
    assert (numeric >= 0).all().all()
    assert (frame["visits_completed"] <= frame["visit_attempts"]).all()
    assert (frame["overdue_visits"] <= frame["population"]).all()


def test_registrations_follow_the_poisson_rate():
    # 3650 a year = 10 a day (year = 365.25 days): over 100 days the mean count is 999.3 per
    # replication; 5 replications give a Poisson total with sd = sqrt(4996.6) = 70.7.
    scenario = make_scenario(
        horizon_days=100,
        population={"registrations": {"per_year": 3650.0}},
        staffing={"offender_managers": 0},
    )
    frame = simulate(scenario, replications=5)
    expected = 5 * 3650.0 * 100 / 365.25
    assert abs(frame["registrations"].sum() - expected) < 4 * math.sqrt(expected)


def test_registration_growth_integrates_the_rate():
    # rate(t) = r0 * 1.5 ** (t / 365.25): expected count over [0, H] is
    # r0 * 365.25 / ln 1.5 * (1.5 ** (H / 365.25) - 1).
    r0_per_day = 3652.5 / 365.25
    horizon = 365
    scenario = make_scenario(
        horizon_days=horizon,
        population={"registrations": {"per_year": 3652.5, "growth_per_year": 0.5}},
        staffing={"offender_managers": 0},
    )
    count = simulate(scenario)["registrations"].sum()
    expected = r0_per_day * 365.25 / math.log(1.5) * (1.5 ** (horizon / 365.25) - 1)
    assert abs(count - expected) < 4 * math.sqrt(expected)


def test_schedule_steps_the_rate_on_its_dates():
    # 0 a year until day 50, then 7305 a year (20 a day) to day 100: ~1000 in the second half.
    scenario = make_scenario(
        horizon_days=100,
        population={
            "registrations": {
                "per_year": 0.0,
                "schedule": [{"from_date": "2024-02-20", "per_year": 7305.0}],
            }
        },
        staffing={"offender_managers": 0},
    )
    frame = simulate(scenario)
    assert frame.loc[frame["day"] < 50, "registrations"].sum() == 0
    assert abs(frame["registrations"].sum() - 1000) < 4 * math.sqrt(1000)


def test_everyone_leaves_when_two_year_notification_periods_end():
    # Time left on the starting register is uniform over the 2-year period (730.5 days):
    # all 200 have left by day 731, and about half by day 365 (binomial sd ~ 7).
    scenario = make_scenario(
        horizon_days=740,
        population={
            "initial": {"size": 200},
            "notification_periods": {"indefinite": 0.0, "2": 1.0},
        },
    )
    frame = simulate(scenario)
    assert frame["exits"].sum() == 200
    assert frame.iloc[-1]["population"] == 0
    at_year = frame.loc[frame["day"] == 364, "population"].item()
    expected = 200 * (1 - 365 / 730.5)
    assert abs(at_year - expected) < 4 * math.sqrt(200 * 0.5 * 0.5)


def test_other_exits_thin_the_register_exponentially():
    # Rate 1 a year: survivors after 365.25 days ~ Binomial(400, e^-1).
    scenario = make_scenario(
        horizon_days=366,
        population={"initial": {"size": 400}, "other_exit_rate_per_year": 1.0},
    )
    frame = simulate(scenario)
    survivors = frame.loc[frame["day"] == 364, "population"].item()
    p = math.exp(-365 / 365.25)
    assert abs(survivors - 400 * p) < 4 * math.sqrt(400 * p * (1 - p))


def test_low_risk_offenders_become_reactive_after_their_visit():
    # Everyone is low risk and has been for at least the qualifying time (0.001 years) by the
    # time of their first visit, so each is visited exactly once and then managed reactively.
    scenario = make_scenario(
        population={
            "initial": {"risk_mix": {"very_high": 0, "high": 0, "medium": 0, "low": 1}},
            "registrations": {"risk_mix": {"very_high": 0, "high": 0, "medium": 0, "low": 1}},
            "reactive_after_years": 0.001,
        },
    )
    frame = simulate(scenario)
    assert frame["visits_completed"].sum() == 50
    assert frame.iloc[-1]["reactive"] == 50
    assert frame["overdue_visits"].max() == 0


def test_already_reactive_offenders_get_no_planned_visits():
    scenario = make_scenario(
        population={
            "initial": {
                "risk_mix": {"very_high": 0, "high": 0, "medium": 0, "low": 1},
                "reactive_share_of_low": 1.0,
            }
        },
    )
    frame = simulate(scenario)
    assert frame["visit_attempts"].sum() == 0
    assert (frame["reactive"] == 50).all()
    assert frame["assessments_completed"].sum() > 0  # assessments continue


def test_hidden_escalations_go_unnoticed_without_contact():
    # No staff: escalations are never found. Medium -> high and high -> very high both at 100 a
    # year (a mean of 3.65 days each), so within 360 days every one of the 50 offenders rises
    # twice (the chance that one does not is below e^-90): 100 rises, but 50 offenders with
    # an undetected escalation, each counted once, from their first rise. Nobody's believed
    # level changes.
    scenario = make_scenario(
        staffing={"offender_managers": 0},
        population={"escalation_rate_per_year": {**per_level(0.0), "medium": 100.0, "high": 100.0}},
    )
    frame = simulate(scenario)
    assert frame["escalations"].sum() == 100
    assert frame["escalations_detected"].sum() == 0
    undetected = frame["undetected_escalations"].to_numpy()
    assert undetected[-1] == 50
    assert (undetected <= 50).all() and (undetected[1:] >= undetected[:-1]).all()
    assert (frame["population_medium"] == 50).all()


def test_undetected_escalations_go_down_when_found():
    # Ample staff visit every 30 days and find each escalation (medium -> high at 2 a year;
    # high cannot rise, so each rise is a new escalation of its own). The undetected count is
    # then exactly the rises so far minus the ones found so far, at the end of every day.
    scenario = make_scenario(
        population={"escalation_rate_per_year": {**per_level(0.0), "medium": 2.0}},
    )
    frame = simulate(scenario)
    rises = frame["escalations"].cumsum()
    found = frame["escalations_detected"].cumsum()
    assert (frame["undetected_escalations"] == rises - found).all()
    assert found.iloc[-1] > 0 and frame["undetected_escalations"].max() > 0


def test_an_offender_who_leaves_takes_their_undetected_escalation_with_them():
    # No staff, nearly everyone escalates within days (as above; one leaving first is
    # possible) and everyone leaves within the 2-year notification period (730.5 days): at
    # the end nobody is on the register, so nothing is undetected, although dozens of
    # escalations never were found.
    scenario = make_scenario(
        horizon_days=740,
        staffing={"offender_managers": 0},
        population={
            "notification_periods": {"indefinite": 0.0, "2": 1.0},
            "escalation_rate_per_year": {**per_level(0.0), "medium": 100.0},
        },
    )
    frame = simulate(scenario)
    assert frame["escalations"].sum() > 40 and frame["escalations_detected"].sum() == 0
    assert frame["undetected_escalations"].max() > 0
    assert frame.iloc[-1]["population"] == 0
    assert frame.iloc[-1]["undetected_escalations"] == 0
    # nobody is visited, so from day 30 (every first due date, days 0-29, has passed) each
    # offender still on the register is overdue, and a leaver's overdue visit leaves with them
    overdue, population = frame["overdue_visits"], frame["population"]
    assert (overdue[30:] == population[30:]).all() and population[30] > 0


def test_visits_find_escalations_and_raise_the_level():
    scenario = make_scenario(
        population={"escalation_rate_per_year": {**per_level(0.0), "medium": 2.0}},
    )
    frame = simulate(scenario)
    found = frame["escalations_detected"].sum()
    assert found > 0
    # every found escalation moved an offender from medium to high (high cannot escalate)
    assert frame.iloc[-1]["population_high"] == found
    # with a visit every 30 days an escalation is found within 30 days of happening
    assert frame["escalation_days_unnoticed"].sum() / found <= 30


def test_recruits_work_only_after_their_training_delay():
    # No staff until 10 recruits join on day 50 (2024-02-20) and finish training 20 days later.
    scenario = make_scenario(
        horizon_days=120,
        staffing={
            "offender_managers": 0,
            "changes": [{"date": "2024-02-20", "offender_managers": 10, "training_delay_days": 20}],
        },
    )
    frame = simulate(scenario)
    before = frame["day"] < 70
    assert (frame.loc[before, "offender_managers"] == 0).all()
    assert (frame.loc[~before, "offender_managers"] == 10).all()
    assert frame.loc[before, "visit_attempts"].sum() == 0
    assert frame.loc[~before, "visit_attempts"].sum() > 0


def test_leavers_reduce_staff_on_the_day():
    scenario = make_scenario(
        horizon_days=30,
        staffing={
            "offender_managers": 10,
            "changes": [{"date": "2024-01-11", "offender_managers": -4}],
        },
    )
    frame = simulate(scenario)
    assert (frame.loc[frame["day"] < 10, "offender_managers"] == 10).all()
    assert (frame.loc[frame["day"] >= 10, "offender_managers"] == 6).all()


def test_officer_hours_used_never_run_ahead_of_hours_available_by_more_than_one_task():
    # Tasks are charged when they start and may overrun the shift; the overrun is taken off
    # the next day. So cumulative hours used <= cumulative hours available + (officers x the
    # longest possible task). Longest visit attempt in small_example: 2 + 2 + 2 + 8 hours.
    scenario: Scenario = load_scenario("scenarios/small_example.yaml")
    frame = simulate(scenario, replications=2)
    longest_task_hours = 2.0 + 2.0 + 2.0 + 8.0
    for _, run in frame.groupby("replication"):
        slack = run["offender_managers"].max() * longest_task_hours
        used, available = (
            run["officer_hours_used"].cumsum(),
            run["officer_hours_available"].cumsum(),
        )
        assert (used <= available + slack + 1e-6).all()


def test_new_registrations_leave_exactly_when_their_notification_period_ends():
    # Nobody on the register at the start; one registration a day (365.25 a year) on average,
    # each with a 4-year notification period: 4 x 365.25 = 1461 days exactly, and no other
    # exits. Someone registered at time t leaves at t + 1461, on day floor(t) + 1461; so the
    # exits on day d are exactly the registrations of day d - 1461, and none come earlier.
    # (About 1,600 - 1,461 = 139 of them leave within the 1,600 days.)
    scenario = make_scenario(
        horizon_days=1600,
        population={
            "initial": {"size": 0},
            "registrations": {"per_year": 365.25},
            "notification_periods": {"indefinite": 0.0, "4": 1.0},
        },
        visits={"interval_days": per_level(365), "first_visit_due_days": 1},
        assessments={"first_due_days": 1},
    )
    frame = simulate(scenario)
    registrations = frame["registrations"].to_numpy()
    exits = frame["exits"].to_numpy()
    assert exits[:1461].sum() == 0
    assert (exits[1461:] == registrations[: 1600 - 1461]).all()
    assert exits.sum() > 100  # about 139: the check is not vacuous
    population = frame["population"].to_numpy()
    assert (population == registrations.cumsum() - exits.cumsum()).all()
    # A registration on day t has its first visit and assessment due on day t + 1 (counted
    # from the day they register), and ample staff work every day: each is done by the
    # morning after registration at the latest, so nothing ever becomes overdue.
    assert frame["visits_became_overdue"].sum() == 0
    assert frame["assessments_became_overdue"].sum() == 0
    assert frame["visits_completed"].sum() >= registrations[:-1].sum()


def test_only_low_risk_offenders_move_to_reactive_management():
    # Half low, half medium, qualifying time 0.001 years: each low-risk offender is visited
    # once and then managed reactively; the medium-risk ones are visited every 30 days as
    # before (12 times in 360 days, as in the deterministic base case).
    half = {"very_high": 0, "high": 0, "medium": 0.5, "low": 0.5}
    scenario = make_scenario(
        population={
            "initial": {"risk_mix": half},
            "registrations": {"risk_mix": half},
            "reactive_after_years": 0.001,
        },
    )
    frame = simulate(scenario)
    assert frame.iloc[-1]["reactive"] == 25
    assert frame["visits_completed"].sum() == 25 * 1 + 25 * 12


def test_a_reactive_offender_found_escalated_is_visited_that_day():
    # Everyone is low risk and already reactive; true risk rises to medium within days (100 a
    # year) and the monthly assessment (due on days 0-29) finds it. The offender then returns
    # to active management with a visit due that very day (first_visit_due_days 0), which
    # ample staff make. So by day 60 nobody is reactive, and no visit is ever overdue.
    low = {"very_high": 0, "high": 0, "medium": 0, "low": 1}
    scenario = make_scenario(
        horizon_days=60,
        population={
            "initial": {"risk_mix": low, "reactive_share_of_low": 1.0},
            "registrations": {"risk_mix": low},
            "escalation_rate_per_year": {**per_level(0.0), "low": 100.0},
        },
        assessments={"interval_days": per_level(30)},
    )
    frame = simulate(scenario)
    assert frame.iloc[0]["reactive"] <= 50 and frame.iloc[-1]["reactive"] == 0
    assert frame["escalations_detected"].sum() == 50
    assert frame["overdue_visits"].max() == 0
    found = frame["escalations_detected"].cumsum()
    assert (frame["visits_completed"].cumsum() >= found).all()
    assert (frame["reactive"] == 50 - found).all()
