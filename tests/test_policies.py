"""Policies and randomness: priority rules, officers per visit, common random numbers, seeds.

Comparisons run both policies with the same seed, so they see the same offenders, arrivals
and at-home draws (common random numbers); the expected direction comes from the rule itself.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from helpers import simulate
from scenario_factory import make_scenario

from sim.model.replication import single_run
from sim.scenario.file import load_scenario

MIXED = {"very_high": 0.05, "high": 0.25, "medium": 0.5, "low": 0.2}


def _scarce(**changes):
    """Mixed risk, frequent visits, too few officers: a growing backlog to share out."""
    base = {
        "horizon_days": 180,
        "population": {"initial": {"size": 300, "risk_mix": MIXED}},
        "visits": {"interval_days": {"very_high": 30, "high": 60, "medium": 90, "low": 120}},
        "staffing": {"offender_managers": 2, "working_days": ["mon", "tue", "wed", "thu", "fri"]},
    }
    base.update(changes)
    return make_scenario(**base)


def test_highest_risk_first_protects_high_risk_visits():
    # Under scarcity, serving high risk first must leave fewer high-risk visits overdue than
    # serving in arrival order; and medium/low carry the backlog instead.
    risk_first = simulate(_scarce(priority="highest_risk_first"), 2)
    arrival_order = simulate(_scarce(priority="first_come_first_served"), 2)
    high = ["overdue_visits_very_high", "overdue_visits_high"]
    assert risk_first[high].sum().sum() < arrival_order[high].sum().sum()
    assert risk_first["overdue_visits_low"].sum() > arrival_order["overdue_visits_low"].sum()


def test_most_overdue_first_keeps_the_oldest_item_younger():
    # Serving the oldest due date first minimises the age of the oldest overdue item; serving
    # high risk first lets old low-risk items age without limit.
    oldest_first = simulate(_scarce(priority="most_overdue_first"))
    risk_first = simulate(_scarce(priority="highest_risk_first"))
    assert (
        oldest_first["oldest_overdue_visit_days"].iloc[-1]
        < risk_first["oldest_overdue_visit_days"].iloc[-1]
    )


def test_one_officer_visits_clear_more_than_two_officer_visits():
    # Same officers, same offenders and at-home draws: a one-officer visit costs half the
    # officer hours, so the backlog cannot be larger (checked at the end and on average).
    one = simulate(_scarce(visits={"officers_per_visit": 1}), 2)
    two = simulate(_scarce(visits={"officers_per_visit": 2}), 2)
    assert one["overdue_visits"].mean() < two["overdue_visits"].mean()
    assert one["visit_attempts"].sum() > two["visit_attempts"].sum()
    assert two["lone_visit_attempts"].sum() == 0
    assert one["lone_visit_attempts"].sum() == one["visit_attempts"].sum()


def test_officers_per_visit_by_level():
    # Two officers for very high and high, one for medium and low: lone attempts are exactly
    # the medium and low attempts, and with ample staff everybody is still visited on time.
    scenario = make_scenario(
        population={"initial": {"size": 200, "risk_mix": MIXED}},
        visits={"officers_per_visit": {"very_high": 2, "high": 2, "medium": 1, "low": 1}},
    )
    frame = simulate(scenario)
    assert 0 < frame["lone_visit_attempts"].sum() < frame["visit_attempts"].sum()
    assert frame["overdue_visits"].max() == 0
    # 200 offenders at 5/25/50/20% are 10/50/100/40, each visited 12 times in 360 days (as in
    # the deterministic base case): the lone attempts are the medium and low ones, by level
    lone = {level: frame[f"lone_visit_attempts_{level}"].sum() for level in MIXED}
    assert lone == {"very_high": 0, "high": 0, "medium": 100 * 12, "low": 40 * 12}
    assert frame["lone_visit_attempts"].sum() == (100 + 40) * 12


def test_two_officer_visits_cannot_deadlock_with_two_officers():
    # With exactly two officers and two-officer visits, every visit needs the whole team;
    # visits must still happen (no officer waits holding half a team).
    scenario = make_scenario(
        visits={"officers_per_visit": 2}, staffing={"offender_managers": 2}, horizon_days=60
    )
    frame = simulate(scenario)
    assert frame["visit_attempts"].sum() > 0
    # with three officers, one is always left over, yet two-officer visits proceed
    odd = simulate(
        make_scenario(
            visits={"officers_per_visit": 2}, staffing={"offender_managers": 3}, horizon_days=60
        )
    )
    assert odd["visit_attempts"].sum() >= frame["visit_attempts"].sum()


def test_at_home_draws_are_common_across_policies():
    # With ample staff every due visit is attempted, so the sequence of in/out outcomes per
    # offender is the same under one- and two-officer policies: identical attempt counts.
    def scenario(officers):
        return make_scenario(
            visits={
                "officers_per_visit": officers,
                "out_probability": {"very_high": 0.3, "high": 0.3, "medium": 0.3, "low": 0.3},
            },
        )

    one, two = simulate(scenario(1)), simulate(scenario(2))
    assert (one["visit_attempts"].to_numpy() == two["visit_attempts"].to_numpy()).all()
    assert (one["visits_completed"].to_numpy() == two["visits_completed"].to_numpy()).all()


def test_same_seed_same_results_other_seed_other_results():
    scenario = load_scenario("scenarios/small_example.yaml")
    first, again = single_run(scenario, 0), single_run(scenario, 0)
    assert np.array_equal(first.table, again.table)
    other_replication = single_run(scenario, 1)
    other_seed = single_run(scenario.model_copy(update={"seed": scenario.seed + 1}), 0)
    assert not np.array_equal(first.table, other_replication.table)
    assert not np.array_equal(first.table, other_seed.table)


def test_replications_do_not_depend_on_each_other():
    # Replication 2 alone equals replication 2 of a batch (what makes parallel runs safe).
    scenario = load_scenario("scenarios/small_example.yaml")
    batch = simulate(scenario, replications=3)
    alone = single_run(scenario, 2).table
    assert np.allclose(batch[batch["replication"] == 2].iloc[:, 3:].to_numpy(), alone, atol=0.01)


def test_sergeants_take_assessments_off_offender_managers():
    # No offender managers at all: only sergeants can work, and they do assessments only.
    scenario = make_scenario(
        staffing={"offender_managers": 0, "sergeants": 5, "sergeant_assessment_share": 1.0}
    )
    frame = simulate(scenario)
    assert frame["visit_attempts"].sum() == 0
    assert frame["assessments_completed"].sum() > 0
    assert frame["overdue_assessments"].max() == 0


def test_high_risk_then_most_overdue_protects_high_risk_and_rolls_the_rest():
    # The hybrid rule serves very high and high risk first (as highest_risk_first does), so
    # their backlog stays far below serving everything by due date; medium and low are then
    # served oldest due date first, so old low-risk items do not age without limit as they
    # do when medium always goes before low.
    hybrid = simulate(_scarce(priority="high_risk_then_most_overdue"))
    by_due_date = simulate(_scarce(priority="most_overdue_first"))
    risk_first = simulate(_scarce(priority="highest_risk_first"))
    high = ["overdue_visits_very_high", "overdue_visits_high"]
    assert hybrid[high].sum().sum() < by_due_date[high].sum().sum()
    assert (
        hybrid["oldest_overdue_visit_days"].iloc[-1]
        < risk_first["oldest_overdue_visit_days"].iloc[-1]
    )


# Five offenders start overdue, listed (so joining the queue on day 0) in this order:
# (risk level, due day). Assessments are not due within the horizon.
CASELOAD = [
    ("low", -5),
    ("medium", -1),
    ("high", -2),
    ("very_high", -3),
    ("medium", -4),
]
# One officer whose day is exactly one 2.5-hour visit, so one visit a day, in the rule's
# order. At the end of day d the oldest overdue visit is d - (earliest due day not yet
# visited), and 0 once all five are done (day 4); next visits are 30 days on.
OLDEST_BY_RULE = {
    # in listed order: low (-5) first, then the -4 waits until day 4
    "first_come_first_served": [4, 5, 6, 7, 0, 0],
    # by due day: -5, -4, -3, -2, -1; the oldest left is always 4 days older than its day
    "most_overdue_first": [4, 4, 4, 4, 0, 0],
    # by level: very high (-3), high (-2), medium by due day (-4, -1), low (-5) last
    "highest_risk_first": [5, 6, 7, 8, 0, 0],
    # very high (-3) and high (-2), then medium and low together by due day: -5, -4, -1
    "high_risk_then_most_overdue": [5, 6, 6, 4, 0, 0],
}


@pytest.mark.parametrize("rule", sorted(OLDEST_BY_RULE))
def test_each_priority_rule_ages_the_backlog_its_own_way(rule, tmp_path):
    caseload = tmp_path / "caseload.csv"
    lines = ["risk_level,last_visit,next_visit_due,next_assessment_due,notification_end"]
    start = date(2024, 1, 1)
    for level, due_day in CASELOAD:
        lines.append(f"{level},,{start + timedelta(days=due_day)},2025-06-01,")
    caseload.write_text("\n".join(lines) + "\n")
    scenario = make_scenario(
        horizon_days=6,
        priority=rule,
        population={"initial": None, "initial_caseload": str(caseload)},
        staffing={"offender_managers": 1, "hours_per_day": 2.5},
    )
    frame = simulate(scenario)
    assert list(frame["visits_completed"]) == [1, 1, 1, 1, 1, 0]
    assert list(frame["overdue_visits"]) == [4, 3, 2, 1, 0, 0]
    assert list(frame["oldest_overdue_visit_days"]) == OLDEST_BY_RULE[rule]
