"""sweep, tornado and sensitivity: grids and ranges, and indices on cases with known answers.

The known-answer case: a deterministic force (everyone always in, fixed durations, no
randomness at all) whose backlog depends on officer hours only. Police action never happens
(probability 0), so its hours are never spent; nobody is ever out, so the failed-visit hours
are never spent either. Those two parameters cannot change any outcome, exactly, while
availability sets the officer hours and so the backlog.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from repo import runner
from scenario_factory import make_scenario, per_level

from run_sim import app
from sim.scenario.file import ScenarioError
from sim.studies.sensitivity import Ranges, run_sensitivity
from sim.studies.sweep import parse_sweep_parameter
from sim.studies.tornado import numeric_parameters, run_tornado, scaled

ACTIVE = "staffing.availability"
INERT = ("visits.police_action_hours", "visits.failed_on_site_hours")


def _hours_bound(**changes):
    """60 medium-risk offenders due monthly, one officer: the backlog is set by the hours.

    The visits need 60 x 2.5 h a month, about 35 h a week; one officer available 30% of
    7.5 h, 7 days a week, gives under 16 h: a backlog that grows with every hour missing.
    """
    return make_scenario(
        horizon_days=120,
        population={"initial": {"size": 60}},
        visits={"police_action_probability": per_level(0.0)},
        staffing={"offender_managers": 1, "availability": 0.3},
        **changes,
    )


def _write(tmp_path: Path, scenario) -> Path:
    path = tmp_path / "case.yaml"
    path.write_text(json.dumps(scenario.model_dump(mode="json", by_alias=True)))
    return path


RANGES = Ranges.model_validate(
    {"parameters": {ACTIVE: [0.1, 0.6], INERT[0]: [0.5, 3.0], INERT[1]: [0.1, 1.0]}}
)


def test_sobol_ranks_the_only_active_parameter_first_and_the_others_zero():
    # Y depends on availability alone, so its first-order and total indices are 1 in theory
    # and those of the inert parameters are 0. Saltelli's estimators compare f(A) with
    # f(A with column i from B): for an inert parameter the two runs are identical, so its
    # S1 and ST are exactly 0 (and so are their bootstrap intervals). With N = 16 the active
    # parameter's estimate is noisy but must dominate.
    result = run_sensitivity(_hours_bound(), RANGES, "sobol", 16, 1, ["overdue_visits_average"])
    table = result.table.pivot(index="parameter", columns="index", values="value")
    conf = result.table.pivot(index="parameter", columns="index", values="conf")
    assert len(result.sample_table) == 16 * (3 + 2)
    assert table["ST"].idxmax() == ACTIVE and table["S1"].idxmax() == ACTIVE
    assert table.loc[ACTIVE, "ST"] > 0.5
    for inert in INERT:
        assert table.loc[inert, "S1"] == 0 and table.loc[inert, "ST"] == 0
        assert conf.loc[inert, "S1"] == 0 and conf.loc[inert, "ST"] == 0


def test_morris_screens_out_the_inert_parameters():
    # An elementary effect of an inert parameter is (f(x + delta e_i) - f(x)) / delta = 0.
    result = run_sensitivity(_hours_bound(), RANGES, "morris", 6, 1, ["overdue_visits_average"])
    mu_star = result.table.pivot(index="parameter", columns="index", values="value")["mu_star"]
    assert len(result.sample_table) == 6 * (3 + 1)
    assert mu_star[ACTIVE] > 0 and all(mu_star[inert] == 0 for inert in INERT)


def test_sensitivity_command_writes_its_files(tmp_path):
    ranges = tmp_path / "ranges.yaml"
    ranges.write_text(f"parameters:\n  {ACTIVE}: [0.1, 0.6]\n  {INERT[0]}: {{scale: [0.5, 2]}}\n")
    out = tmp_path / "s"
    result = runner.invoke(
        app,
        [
            "sensitivity",
            str(_write(tmp_path, _hours_bound())),
            "--ranges",
            str(ranges),
            "--samples",
            "3",
            "--replications",
            "1",
            "--workers",
            "1",
            "--out",
            str(out),
            "--quiet",
            "--outcome",
            "overdue_visits_average",
        ],
    )
    assert result.exit_code == 0, result.output
    assert {"sensitivity.csv", "samples.csv", "sensitivity.png", "manifest.json"} <= {
        p.name for p in out.iterdir()
    }
    table = pd.read_csv(out / "sensitivity.csv")
    assert set(table["index"]) == {"mu_star", "sigma", "mu"}
    assert table.set_index(["parameter", "index"]).loc[(INERT[0], "mu_star"), "value"] == 0
    assert len(pd.read_csv(out / "samples.csv")) == 3 * (2 + 1)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("parameters:\n  staffing.nope: [1, 2]\n", "no such scenario field"),
        ("parameters:\n  staffing.availability: [0.6, 0.1]\n", "low < high"),
        ("parameters:\n  visits.travel_hours: [1, 2]\n", "scale"),
        ("parameters: {}\n", "parameters"),
        ("params:\n  staffing.availability: [0.1, 0.6]\n", "params"),
        ("parameters:\n  staffing.availability: [0.5, 1.5]\n", "sample is invalid"),
    ],
    ids=["unknown", "reversed", "not-a-number", "empty", "typo", "out-of-range"],
)
def test_bad_ranges_files_exit_2_naming_the_file_and_field(tmp_path, text, expected):
    ranges = tmp_path / "ranges.yaml"
    ranges.write_text(text)
    out = tmp_path / "s"
    result = runner.invoke(
        app,
        [
            "sensitivity",
            str(_write(tmp_path, _hours_bound())),
            "--ranges",
            str(ranges),
            "--samples",
            "2",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 2, result.output
    assert str(ranges) in result.output and expected in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_sobol_needs_a_power_of_two(tmp_path):
    ranges = tmp_path / "r.yaml"
    ranges.write_text(f"parameters:\n  {ACTIVE}: [0.1, 0.6]\n")
    result = runner.invoke(
        app,
        [
            "sensitivity",
            str(_write(tmp_path, _hours_bound())),
            "--ranges",
            str(ranges),
            "--method",
            "sobol",
            "--samples",
            "12",
        ],
    )
    assert result.exit_code == 2 and "power of 2" in result.output


def test_sweep_ranges_include_the_stop_and_lists_split_outside_braces():
    assert parse_sweep_parameter("staffing.offender_managers=20:40:5").values == (
        20,
        25,
        30,
        35,
        40,
    )
    assert parse_sweep_parameter("staffing.availability=0.5:0.7:0.1").values == (0.5, 0.6, 0.7)
    assert parse_sweep_parameter("visits.officers_per_visit={very_high: 2, low: 1},1").values == (
        {"very_high": 2, "low": 1},
        1,
    )
    for bad in ("x", "x=5:1:1", "x=1:5:0", "x=a:b:c", "=1,2"):
        with pytest.raises(ScenarioError):
            parse_sweep_parameter(bad)


def test_sweep_grid_and_more_officers_never_raise_the_backlog(tmp_path):
    # A deterministic force: each extra officer-hour can only clear work sooner, so under
    # common random numbers (here no randomness at all) the daily mean backlog is
    # non-increasing in availability, for one and for two officers per visit, and two
    # officers per visit never do better than one at the same availability.
    out = tmp_path / "sw"
    result = runner.invoke(
        app,
        [
            "sweep",
            str(_write(tmp_path, _hours_bound())),
            "--param",
            "staffing.availability=0.2:0.6:0.2",
            "--param",
            "visits.officers_per_visit=1,2",
            "--replications",
            "1",
            "--workers",
            "1",
            "--out",
            str(out),
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "sweep.csv")
    backlog = table[table["outcome"] == "overdue_visits_average"]
    assert len(backlog) == 3 * 2
    for _, line in backlog.groupby("visits.officers_per_visit"):
        assert np.all(np.diff(line.sort_values("staffing.availability")["mean"]) <= 0)
    wide = backlog.pivot(
        index="staffing.availability", columns="visits.officers_per_visit", values="mean"
    )
    assert (wide[1] <= wide[2]).all() and (wide[1] < wide[2]).any()
    assert (out / "sweep.png").exists() and (out / "manifest.json").exists()


def test_a_sweep_point_that_breaks_the_rules_is_refused_before_running(tmp_path):
    out = tmp_path / "sw"
    result = runner.invoke(
        app,
        [
            "sweep",
            str(_write(tmp_path, _hours_bound())),
            "--param",
            "staffing.availability=0.5:1.5:0.5",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 2 and "staffing.availability=1.5" in result.output
    assert not out.exists()


def test_tornado_parameters_and_scaling():
    names = numeric_parameters(_hours_bound())
    assert ACTIVE in names and "visits.travel_hours" in names and "visits.interval_days" in names
    assert not {"seed", "horizon_days", "replications"} & set(names)
    assert not [n for n in names if "risk_mix" in n or "shift_start_hour" in n]
    assert scaled({"dist": "triangular", "low": 1.0, "mode": 2.0, "high": 4.0}, 1.5) == {
        "dist": "triangular",
        "low": 1.5,
        "mode": 3.0,
        "high": 6.0,
    }
    assert scaled(27, 1.1) == 30 and scaled(2, 1.1) == 2


def test_tornado_puts_the_active_parameter_on_top_and_inert_ones_at_zero():
    keys = [ACTIVE, *INERT, "visits.officers_per_visit"]
    result = run_tornado(_hours_bound(), 0.2, "overdue_visits_average", 1, keys)
    table = result.table.set_index("parameter")
    assert result.table["parameter"].iloc[0] == ACTIVE
    # fewer hours, more backlog; more hours, less
    assert table.loc[ACTIVE, "low_mean"] > result.base_mean > table.loc[ACTIVE, "high_mean"]
    for inert in INERT:
        assert table.loc[inert, "swing"] == 0
    # one officer per visit +-20% rounds back to 1: reported as not moved, not run
    assert "whole number" in table.loc["visits.officers_per_visit", "low_note"]
