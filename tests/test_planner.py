"""The staffing planner: targets, levers, the bisection and the Pareto front.

The planner is checked on a case whose answer follows from arithmetic. 70 medium-risk
offenders all start with an overdue visit AND an overdue assessment (140 tasks). A visit takes
1 + 1 + 0.5 = 2.5 h and an assessment is set to 2.5 h, so an officer with a 7.5 h day from 09:00
does exactly 3 tasks a day, whatever their kind. Nothing else falls due within the horizon
(next visits 30 days after completion, next assessments 365). Clearing everything by the end of
day D (D + 1 working days) therefore needs officers x 3 x (D + 1) >= 140.
"""

from __future__ import annotations

import itertools
import math
from datetime import date, timedelta

import pandas as pd
import pytest
import yaml
from helpers import simulate
from repo import runner
from scenario_factory import make_scenario, scenario_dict

from run_sim import app
from sim.planning.levers import LeverError, apply_levers, expected_evaluations, parse_lever
from sim.planning.planner import Option, Planner, non_dominated
from sim.planning.targets import TargetError, meets_targets, parse_targets
from sim.scenario import Scenario

START = date(2024, 1, 1)
TASKS = 140
TASKS_PER_OFFICER_DAY = 3


def backlog_dict(**changes):
    """The backlog case as a scenario file's contents (``changes`` merge one level deep)."""
    base = dict(
        horizon_days=30,
        replications=2,
        population={
            "initial": {
                "size": 70,
                "overdue_visits": {"count": 70, "max_days_overdue": 20},
                "overdue_assessments": {"count": 70, "max_days_overdue": 20},
            }
        },
        assessments={"duration_hours": 2.5},
        staffing={"offender_managers": 5},
    )
    for key, value in changes.items():
        base[key] = {**base.get(key, {}), **value} if isinstance(value, dict) else value
    return scenario_dict(**base)


def backlog_scenario(**changes):
    return Scenario.model_validate(backlog_dict(**changes))


CLEARED = parse_targets(["overdue_visits<=0,overdue_assessments<=0"])


def test_the_backlog_case_clears_at_exactly_three_tasks_per_officer_day():
    # The premise of the other tests, checked directly: with 5 officers, 15 tasks a day, the
    # 140 tasks take ceil(140 / 15) = 10 days, so the last is done on day 9, not before.
    frame = simulate(backlog_scenario())
    remaining = frame["overdue_visits"] + frame["overdue_assessments"]
    assert list(remaining[:10]) == [TASKS - 15 * (day + 1) for day in range(9)] + [0]


@pytest.mark.parametrize("last_day", [4, 6])
def test_bisection_finds_the_least_officers_and_evaluates_few(last_day):
    needed = math.ceil(TASKS / (TASKS_PER_OFFICER_DAY * (last_day + 1)))  # 10 and 7
    lever = parse_lever("staffing.offender_managers=1:40")
    planner = Planner(backlog_scenario(), CLEARED, START + timedelta(last_day), 0.9, 2)
    found = planner.search(lever)
    assert found.chosen.value(lever.name) == needed
    assert found.neighbour.value(lever.name) == needed - 1
    assert found.chosen.probability == 1.0 and found.neighbour.probability == 0.0
    # two ends, then halving a gap of 39: at most 2 + ceil(log2(39)) = 8 of 40 values
    assert planner.evaluations <= 2 + math.ceil(math.log2(39))
    assert found.monotone


def test_the_cheap_end_is_the_answer_when_it_already_meets_the_target():
    planner = Planner(backlog_scenario(), CLEARED, START + timedelta(20), 0.9, 2)
    found = planner.search(parse_lever("staffing.offender_managers=12:30"))
    assert found.chosen.value("staffing.offender_managers") == 12
    assert found.neighbour is None and planner.evaluations == 2


def test_no_answer_when_even_the_best_end_fails():
    planner = Planner(backlog_scenario(), CLEARED, START + timedelta(2), 0.9, 2)
    found = planner.search(parse_lever("staffing.offender_managers=1:5"))  # 5 x 3 x 3 = 45 < 140
    assert found.chosen is None


def test_a_dated_lever_finds_the_latest_recruitment_date_that_still_works():
    # 3 officers (9 tasks a day) and 6 more from day s: by the end of day 9 the team does
    # 9 x 10 + 18 x (10 - s) tasks, >= 140 when s <= 7.2. Latest start: day 7 = 2024-01-08.
    scenario = backlog_scenario(
        staffing={
            "offender_managers": 3,
            "changes": [{"date": "2024-01-03", "offender_managers": 6}],
        }
    )
    lever = parse_lever("staffing.changes.start=2024-01-01:2024-01-10")
    planner = Planner(scenario, CLEARED, START + timedelta(9), 0.9, 2)
    found = planner.search(lever)
    assert found.chosen.value(lever.name) == date(2024, 1, 8)
    assert found.neighbour.value(lever.name) == date(2024, 1, 9)


def test_moving_the_plan_start_keeps_the_changes_apart():
    scenario = backlog_scenario(
        staffing={
            "changes": [
                {"date": "2024-02-01", "offender_managers": 2},
                {"date": "2024-03-01", "offender_managers": 1},
            ]
        }
    )
    moved = apply_levers(
        scenario, {parse_lever("staffing.changes.start=2024-01-01:2024-12-31"): date(2024, 4, 1)}
    )
    assert [c.date for c in moved.staffing.changes] == [date(2024, 4, 1), date(2024, 4, 30)]


def test_planning_to_a_date_gives_the_same_days_as_the_full_run():
    # The planner simulates only up to the target date; the model is causal, so those days
    # must be identical to the same days of the full-length run (same seeds).
    scenario = make_scenario(
        horizon_days=120,
        population={"registrations": {"per_year": 40}, "other_exit_rate_per_year": 0.1},
        visits={"out_probability": {"very_high": 0.3, "high": 0.3, "medium": 0.3, "low": 0.3}},
        staffing={"offender_managers": 3},
    )
    full = simulate(scenario, 2)
    planner = Planner(scenario, CLEARED, START + timedelta(59), 0.9, 2)
    short = simulate(planner.scenario, 2)
    assert planner.scenario.horizon_days == 60
    pd.testing.assert_frame_equal(
        short.reset_index(drop=True),
        full[full["day"] < 60].reset_index(drop=True),
    )


def _option(hours, met, lone=0.0):
    return Option((("x", hours),), 10, met, hours, lone, ())


def test_non_dominated_keeps_only_options_nothing_beats():
    a, b, c, d = _option(100, 5), _option(120, 9), _option(130, 8), _option(90, 5)
    # d beats a (cheaper, same probability); c is beaten by b (cheaper and likelier)
    assert non_dominated([a, b, c, d], with_lone_visits=False) == [b, d]
    # with lone visits as a third objective, c survives if it has fewer lone visits than b
    b2, c2 = _option(120, 9, lone=50), _option(130, 8, lone=0)
    assert set(map(id, non_dominated([b2, c2], with_lone_visits=True))) == {id(b2), id(c2)}


def test_two_lever_pareto_front_is_not_dominated():
    scenario = backlog_scenario(visits={"officers_per_visit": 2})
    levers = [
        parse_lever("staffing.offender_managers=2:24"),
        parse_lever("visits.officers_per_visit=1,2"),
    ]
    planner = Planner(scenario, CLEARED, START + timedelta(7), 0.9, 2)
    options, front = planner.pareto(levers)
    assert front and len(options) < 23 * 2
    for mine, theirs in itertools.product(front, options):
        better_or_equal = (
            theirs.staff_hours_per_week <= mine.staff_hours_per_week
            and theirs.probability >= mine.probability
            and theirs.lone_visits <= mine.lone_visits
        )
        strictly = (
            theirs.staff_hours_per_week,
            theirs.probability,
            theirs.lone_visits,
        ) != (mine.staff_hours_per_week, mine.probability, mine.lone_visits)
        assert not (better_or_equal and strictly)

    # By the end of day 7 (8 days) an officer does 24 tasks. One officer per visit: 140
    # officer-tasks, so ceil(140 / 24) = 6 officers, and every task fits any free officer.
    # Two per visit: 70 x 2 + 70 = 210 officer-tasks, so at least ceil(210 / 24) = 9; pairing
    # can leave an odd officer idle once only visits remain, so 10 may be needed.
    def least(policy):
        return min(
            o.value("staffing.offender_managers")
            for o in options
            if o.probability == 1.0 and o.value("visits.officers_per_visit") == policy
        )

    assert least(1) == 6
    assert 9 <= least(2) <= 10


@pytest.mark.parametrize(
    "text, message",
    [
        ("overdue_visit<=5", "did you mean 'overdue_visits'"),
        ("overdue_visits=<5", "METRIC<=NUMBER"),
        ("", "at least one target"),
    ],
)
def test_bad_targets_say_what_is_allowed(text, message):
    with pytest.raises(TargetError, match=message):
        parse_targets([text])


def test_targets_combine_with_and():
    frame = pd.DataFrame(
        {
            "replication": [0, 1, 2],
            "date": [START] * 3,
            "overdue_visits": [3, 9, 3],
            "overdue_assessments": [0, 0, 5],
        }
    )
    met = meets_targets(frame, parse_targets(["overdue_visits<=5", "overdue_assessments<1"]), START)
    assert met.tolist() == [True, False, False]


@pytest.mark.parametrize(
    "text, message",
    [
        ("staffing.offender_managers", "PATH=LOW:HIGH"),
        ("staffing.offender_managers=9:3", "upwards"),
        ("staffing.offender_managers=a:3", "whole number"),
        ("staffing.changes.start=2024-13-01:2024-12-01", "not a date"),
        ("visits.officers_per_visit=2", "at least two choices"),
    ],
)
def test_bad_levers_say_what_is_allowed(text, message):
    with pytest.raises(LeverError, match=message):
        parse_lever(text)


def test_a_lever_on_a_missing_field_names_it():
    with pytest.raises(LeverError, match="no field 'staffing.officers'.*offender_managers"):
        apply_levers(backlog_scenario(), {parse_lever("staffing.officers=1:3"): 2})


def test_plan_command_finds_the_reasoned_answer_and_writes_its_files(tmp_path):
    # The backlog case from the command line: clearing all 140 tasks by the end of day 4
    # (2024-01-05) takes ceil(140 / (3 x 5)) = 10 officers, and 9 are not enough.
    scenario_file = tmp_path / "backlog.yaml"
    scenario_file.write_text(yaml.safe_dump(backlog_dict(), sort_keys=False))
    out = tmp_path / "plan"
    result = runner.invoke(
        app,
        [
            "plan",
            str(scenario_file),
            "--target",
            "overdue_visits<=0,overdue_assessments<=0",
            "--by",
            "2024-01-05",
            "--lever",
            "staffing.offender_managers=1:40",
            "--replications",
            "2",
            "--out",
            str(out),
            "--quiet",
            "--workers",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "staffing.offender_managers = 10" in result.output
    table = pd.read_csv(out / "plan.csv").set_index("staffing.offender_managers")
    assert {"probability", "ci95_low", "ci95_high", "staff_hours_per_week", "chosen"} <= set(
        table.columns
    )
    assert table.index[table["chosen"]].tolist() == [10]
    assert table.loc[10, "probability"] == 1.0 and table.loc[9, "probability"] == 0.0
    assert table.loc[table.index >= 10, "met"].eq(2).all()
    assert table.loc[table.index <= 9, "met"].eq(0).all()
    # 10 officers x 7.5 hours x 7 working days a week
    assert table.loc[10, "staff_hours_per_week"] == 10 * 7.5 * 7
    assert (out / "plan.png").stat().st_size > 0 and (out / "plan.json").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--target", "overdue_visitz<=5", "--lever", "staffing.offender_managers=2:12"],
        ["--target", "overdue_visits<=5", "--lever", "staffing.officers=2:12"],
        ["--target", "overdue_visits<=5", "--lever", "staffing.offender_managers=12:2"],
    ],
)
def test_plan_command_refuses_bad_input_with_exit_2(tmp_path, args):
    out = tmp_path / "plan"
    result = runner.invoke(
        app,
        [
            "plan",
            "scenarios/small_example.yaml",
            "--by",
            "2024-06-30",
            "--replications",
            "2",
            "--out",
            str(out),
            "--quiet",
            *args,
        ],
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_plan_is_the_same_serial_or_on_two_workers(tmp_path):
    # Each option's replications are pure functions of (scenario, index): where they run
    # cannot change plan.csv.
    def plan(out, workers):
        result = runner.invoke(
            app,
            [
                "plan",
                "scenarios/small_example.yaml",
                "--target",
                "overdue_visits<=5",
                "--by",
                "2024-06-30",
                "--lever",
                "staffing.offender_managers=2:12",
                "--replications",
                "3",
                "--out",
                str(out),
                "--quiet",
                "--workers",
                str(workers),
            ],
        )
        assert result.exit_code == 0, result.output
        return (out / "plan.csv").read_bytes()

    assert plan(tmp_path / "serial", 1) == plan(tmp_path / "parallel", 2)


def test_plan_refuses_a_folder_holding_someone_elses_files(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes")
    args = [
        "plan",
        "scenarios/small_example.yaml",
        "--target",
        "overdue_visits<=5",
        "--by",
        "2024-06-30",
        "--lever",
        "staffing.offender_managers=2:4",
        "--replications",
        "2",
        "--out",
        str(out),
        "--quiet",
        "--workers",
        "1",
    ]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 2 and "--force" in refused.output
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    forced = runner.invoke(app, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert (out / "notes.txt").read_text() == "my notes" and (out / "plan.json").exists()


def test_forward_scenario_plan_holds_when_the_full_scenario_is_run_again():
    # The acceptance: plan one lever on the 2024 forward scenario, then run the whole
    # scenario (all 366 days, not the planner's shortened horizon) at v and v-1 with the same
    # seeds: v meets the target in at least the asked share of replications, v-1 does not.
    from sim.scenario.file import load_scenario

    scenario = load_scenario("scenarios/avon_somerset_2024.yaml")
    targets = parse_targets(["overdue_visits<=150"])
    by, confidence, replications = date(2024, 5, 31), 0.8, 6
    lever = parse_lever("staffing.offender_managers=20:40")
    planner = Planner(scenario, targets, by, confidence, replications)
    found = planner.search(lever)
    assert found.chosen is not None and found.neighbour is not None
    v = found.chosen.value(lever.name)
    assert found.neighbour.value(lever.name) == v - 1
    assert planner.evaluations < len(lever.values) / 2

    def share_meeting(managers):
        full = simulate(scenario.with_changes({"staffing.offender_managers": managers}), 6)
        return meets_targets(full, targets, by).mean()

    assert share_meeting(v) >= confidence
    assert share_meeting(v - 1) < confidence


def test_plan_states_the_scenarios_own_value_the_gap_and_the_days_simulated(tmp_path):
    # a target every option meets: the cheapest end of the range (2) is chosen, so against
    # the scenario's 3 managers the plan needs 1 fewer; 1 April to 1 May is 31 days
    from repo import SMALL

    args = ["plan", str(SMALL), "--target", "overdue_visits<=100000", "--by", "2024-05-01"]
    args += ["--lever", "staffing.offender_managers=2:5", "--replications", "2"]
    args += ["--set", "staffing.offender_managers=3", "--out", str(tmp_path / "plan"), "--quiet"]
    args += ["--workers", "1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "staffing.offender_managers = 2" in text
    assert "the scenario has 3: 1 fewer needed" in text
    assert "2024-04-01 to 2024-05-01 (31 days; the scenario's own horizon is 120 days)" in text
    # the expected plan count is the bisection's (log2 of 4 values + 2 ends), at least 1
    assert expected_evaluations([parse_lever("staffing.offender_managers=2:5")], []) == 4
