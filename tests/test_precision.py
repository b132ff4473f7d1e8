"""--precision: the replication method of Hoad, Robinson and Davies (2010).

Expected counts come from the rule itself: the first n >= 3 whose relative 95% half-width
t(0.975, n-1) * s / sqrt(n) / |mean| is within the target, confirmed by the next 5.
"""

from __future__ import annotations

import json
import math

import pytest
from repo import SMALL, runner
from scenario_factory import make_scenario
from scipy import stats

from run_sim import app
from sim.experiments.precision import (
    look_ahead,
    relative_half_width,
    replicate_to_precision,
    replications_needed,
)


def test_relative_half_width_is_the_t_interval_over_the_mean():
    values = [9.0, 10.0, 11.0]  # mean 10, s = 1
    expected = stats.t.ppf(0.975, 2) * 1.0 / math.sqrt(3) / 10.0  # 4.303 / 1.732 / 10
    assert relative_half_width(values) == pytest.approx(expected)
    assert relative_half_width([5.0, 5.0, 5.0]) == 0.0  # no spread: as precise as can be
    assert relative_half_width([-1.0, 1.0]) == math.inf  # mean 0: no relative precision


def test_look_ahead_is_five_then_five_percent():
    assert [look_ahead(n) for n in (3, 100, 101, 200, 1000)] == [5, 5, 5, 10, 50]


def test_constant_values_converge_at_three_after_five_confirmations():
    assert replications_needed([4.0] * 7, 0.05) is None  # 3 + 5 = 8 needed to confirm
    assert replications_needed([4.0] * 8, 0.05) == 3


def test_a_wide_value_in_the_look_ahead_resets_the_candidate():
    # 10, 10, 10 meets any target at n = 3; then 30 at n = 5 widens the interval far beyond
    # 5% (s > 8 against a mean near 14), so n = 3 is rejected and a later n must be found.
    values = [10.0, 10.0, 10.0, 10.0, 30.0] + [14.0] * 200
    needed = replications_needed(values, 0.05)
    assert needed is not None and needed > 5
    for n in range(needed, needed + look_ahead(needed) + 1):
        assert relative_half_width(values[:n]) <= 0.05
    assert relative_half_width(values[: needed - 1]) > 0.05


def test_the_answer_does_not_depend_on_the_batch_size():
    # Replications are read in index order, so running 1 or 4 at a time gives the same
    # count and the same replications kept.
    scenario = make_scenario(
        horizon_days=40,
        population={"initial": {"size": 30}, "registrations": {"per_year": 200}},
    )
    one = replicate_to_precision(scenario, 0.05, "population_end", batch_size=1)
    four = replicate_to_precision(scenario, 0.05, "population_end", batch_size=4)
    assert one.needed == four.needed is not None
    assert [r.replication for r in one.records] == [r.replication for r in four.records]


def test_run_with_precision_reports_and_keeps_what_the_rule_says(tmp_path):
    # small_example's end population is about 200 with a spread of a few offenders (about 10
    # registrations and 10 exits in 120 days, Poisson-like): at n = 3 the relative half-width
    # is about 4.3 * 4 / 1.7 / 200 = 5%, well within 20%, and it stays there. So the rule
    # stops at 3 and keeps 3 + 5 replications.
    out = tmp_path / "p"
    result = runner.invoke(
        app,
        [
            "run",
            str(SMALL),
            "--precision",
            "0.2",
            "--precision-outcome",
            "population_end",
            "--workers",
            "1",
            "--out",
            str(out),
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "3 replications" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["precision"]["replications_needed"] == 3
    assert manifest["replications"] == 8 and manifest["precision"]["converged"]


@pytest.mark.parametrize(
    "options, message",
    [
        (["--precision", "0.1", "--replications", "5"], "not both"),
        (["--precision", "0.1", "--precision-outcome", "nope"], "not an outcome"),
    ],
)
def test_bad_precision_options_exit_2(tmp_path, options, message):
    result = runner.invoke(app, ["run", str(SMALL), *options, "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "x").exists()
