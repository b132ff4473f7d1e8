"""Without --workers a batch runs serially unless it is big enough to repay worker processes.

The rule (sim/experiments/default_workers.py): estimated offender-days of the whole batch
(offenders on the register x simulated days x replications) below 10 million run in this
process; at or above it every core, never more processes than tasks. An explicit --workers
always wins. Expected sizes come from the scenario arithmetic, not from program output.
"""

from __future__ import annotations

import json

import pytest
from repo import SCENARIOS, SMALL, runner

from run_sim import app
from sim.cli.session import executor_for
from sim.experiments.default_workers import (
    OFFENDER_DAYS_FOR_PROCESSES,
    default_workers,
    offender_days,
    workers_for,
)
from sim.scenario.file import load_scenario

NO_ARRIVALS = ["population.registrations.per_year=0", "population.registrations.growth_per_year=0"]


def test_small_batches_run_serially_large_ones_on_every_core():
    just_below = OFFENDER_DAYS_FOR_PROCESSES - 1
    assert default_workers(just_below, tasks=100, cores=8) == 1
    assert default_workers(OFFENDER_DAYS_FOR_PROCESSES, tasks=100, cores=8) == 8
    # never more processes than tasks, and one task is serial whatever its size
    assert default_workers(10 * OFFENDER_DAYS_FOR_PROCESSES, tasks=3, cores=8) == 3
    assert default_workers(10 * OFFENDER_DAYS_FOR_PROCESSES, tasks=1, cores=8) == 1


def test_offender_days_is_the_register_times_the_horizon():
    scenario = load_scenario(SMALL, [*NO_ARRIVALS, "horizon_days=100"])
    assert offender_days(scenario) == pytest.approx(200 * 100)


def test_registrations_count_for_half_the_horizon_on_average():
    # 365.25 a year for 365.25 days: 365.25 arrive, on the register for half the run on average
    scenario = load_scenario(
        SMALL,
        [
            "horizon_days=365",
            "population.registrations.per_year=365.25",
            "population.registrations.growth_per_year=0",
        ],
    )
    assert offender_days(scenario) == pytest.approx((200 + 365 / 2) * 365)


def test_a_scenario_with_areas_adds_up_its_areas():
    national = load_scenario(SCENARIOS / "england_wales_2024.yaml")
    parts = [part for _name, part in national.area_scenarios()]
    assert len(parts) > 1
    assert offender_days(national) == pytest.approx(sum(offender_days(p) for p in parts))


def test_given_workers_win_but_never_exceed_the_tasks():
    scenario = load_scenario(SMALL)
    assert workers_for(2, tasks=5, scenario=scenario) == 2
    assert workers_for(8, tasks=3, scenario=scenario) == 3
    assert workers_for(None, tasks=5, scenario=scenario) == 1  # 5 x 200 x 120 offender-days


def test_rounds_of_evaluations_count_towards_the_work():
    # calibrate and plan submit one evaluation's replications at a time but run many
    scenario = load_scenario(SMALL, [*NO_ARRIVALS, "horizon_days=100"])
    per_run = 200 * 100
    runs_needed = -(-OFFENDER_DAYS_FOR_PROCESSES // per_run)
    assert workers_for(None, tasks=4, scenario=scenario, runs=runs_needed - 1) == 1
    assert workers_for(None, tasks=4, scenario=scenario, runs=runs_needed) == min(
        4, default_workers(OFFENDER_DAYS_FOR_PROCESSES, 4)
    )


def test_the_command_line_executor_follows_the_rule():
    small = load_scenario(SMALL)
    with executor_for(None, None, 5, small) as executor:
        assert executor.description == "serial"
    national = load_scenario(SCENARIOS / "england_wales_2024.yaml")
    assert offender_days(national) >= OFFENDER_DAYS_FOR_PROCESSES  # one replication is enough
    expected = default_workers(offender_days(national) * 4, 4)
    with executor_for(None, None, 4, national) as executor:  # the pool starts only when used
        assert executor.parallelism == expected


@pytest.mark.parametrize("command", ["run", "compare"])
def test_a_small_study_without_workers_runs_serially(tmp_path, command):
    out = tmp_path / command
    args = [command, str(SMALL), "--replications", "2", "--set", "horizon_days=30"]
    args += ["--out", str(out), "--quiet", "--no-cache", "--no-report"]
    if command == "compare":
        args += ["--variant", "more:staffing.offender_managers=6"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["executor"] == "serial"
