"""compare: paired differences under common random numbers, and the officer-safety side.

Every expected direction comes from the policy itself: one officer per visit charges half the
officer hours of two, so with the same team and the same offenders the overdue backlog cannot
be larger; doubling the team doubles the hours. Common random numbers make these differences
show with few replications.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from repo import ROOT, SMALL, runner
from scenario_factory import make_scenario

from run_sim import app
from sim.analysis.comparison import compare_outcomes
from sim.experiments.executors import SerialExecutor
from sim.experiments.variants import comparison_variants
from sim.scenario.file import load_scenario
from sim.studies.compare import run_comparison


def test_paired_difference_of_a_constant_shift_is_exact():
    # Each replication of b is a's plus 1: the paired differences are all 1, so the CI is
    # [1, 1] however much a itself varies, and the difference is significant.
    index = pd.Index([0, 1, 2, 3], name="replication")
    a = pd.DataFrame({"x": [1.0, 5.0, 2.0, 9.0]}, index=index)
    b = a + 1
    rows = compare_outcomes([("a", a), ("b", b)], ["x"]).set_index("variant")
    assert rows.loc["b", "difference"] == 1.0
    assert rows.loc["b", "difference_ci95_low"] == pytest.approx(1.0)
    assert rows.loc["b", "difference_ci95_high"] == pytest.approx(1.0)
    assert bool(rows.loc["b", "significant"]) and not bool(rows.loc["a", "significant"])
    # the mean's own CI is wide: it does not see the pairing
    assert rows.loc["b", "ci95_high"] - rows.loc["b", "ci95_low"] > 5


def test_common_random_numbers_narrow_the_paired_interval():
    # Two variants of the small example over its first 60 days: 6 and 7 offender managers,
    # daily mean overdue backlog, 20 replications each.
    # Var(Y1 - Y0) = Var(Y0) + Var(Y1) - 2 Cov(Y0, Y1). With independent seeds the covariance
    # is 0. With common random numbers both variants start from the same overdue offenders
    # (same ages and levels), see the same registrations, exits and at-home draws, and one
    # more officer only changes how fast that shared backlog clears, so the two backlogs move
    # together (correlation close to 1). For equal variances the half-width ratio is
    # sqrt(1 - rho); we require at most 0.5 (rho >= 0.75: common random numbers worth at
    # least 4x the replications), a margin above the sampling noise of two standard
    # deviations estimated from 20 pairs (about 16% each).
    base = load_scenario(SMALL, ["horizon_days=60"])
    base = base.model_copy(update={"variants": {"seven": {"staffing.offender_managers": 7}}})
    arms = comparison_variants([("small", base)])
    widths = {}
    for crn in (True, False):
        result = run_comparison(arms, 20, crn=crn, executor=SerialExecutor())
        row = result.table.set_index(["outcome", "variant"]).loc[
            ("overdue_visits_average", "seven")
        ]
        widths[crn] = row["difference_ci95_high"] - row["difference_ci95_low"]
        seeds = {v.scenario.seed for v in result.variants}
        assert len(seeds) == (1 if crn else 2)
    assert widths[True] < 0.5 * widths[False], widths


def _scarce_file(tmp_path: Path) -> Path:
    """A tiny, overloaded force with the three officer policies and a doubled team."""
    data = make_scenario(
        horizon_days=120,
        replications=5,
        population={
            "initial": {
                "size": 120,
                "risk_mix": {"very_high": 0.1, "high": 0.3, "medium": 0.4, "low": 0.2},
            },
        },
        visits={
            "interval_days": {"very_high": 30, "high": 60, "medium": 90, "low": 120},
            "out_probability": {"very_high": 0.3, "high": 0.3, "medium": 0.3, "low": 0.3},
            "officers_per_visit": 2,
            "travel_hours": {"dist": "triangular", "low": 0.5, "mode": 1.0, "high": 2.0},
        },
        staffing={"offender_managers": 1, "working_days": ["mon", "tue", "wed", "thu", "fri"]},
        variants={
            "two_officers": {},
            "two_for_high": {
                "visits.officers_per_visit": {"very_high": 2, "high": 2, "medium": 1, "low": 1}
            },
            "one_officer": {"visits.officers_per_visit": 1},
            "double_team": {"staffing.offender_managers": 2},
        },
    ).model_dump(mode="json", by_alias=True)
    path = tmp_path / "scarce.yaml"
    path.write_text(json.dumps(data))
    return path


def test_compare_one_officer_and_a_doubled_team_cut_the_backlog(tmp_path):
    # One officer on 1 officer's hours: a visit attempt costs about 3 officer hours with two
    # officers and 1.5 with one, while 120 offenders due every 30-120 days need far more
    # than one officer's 37.5 hours a week either way; so, replication by replication, one
    # officer (or two officers' hours) clears more and the mean daily backlog must be
    # lower, with a paired CI below 0. Lone visits follow the policy exactly: none with two
    # officers; only medium and low with the mixed policy; every attempt with one officer.
    path = _scarce_file(tmp_path)
    out = tmp_path / "cmp"
    result = runner.invoke(
        app, ["compare", str(path), "--workers", "1", "--out", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert "two_officers" in result.output.replace("\n", "") or "two officers" in result.output
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "comparison.csv",
        "comparison.png",
        "manifest.json",
        "outcomes.csv",
        "report.html",
        "summary.xlsx",
    ]
    table = pd.read_csv(out / "comparison.csv").set_index(["outcome", "variant"])
    for better in ("one_officer", "double_team"):
        row = table.loc[("overdue_visits_average", better)]
        assert row["difference"] < 0 and row["difference_ci95_high"] < 0 and row["significant"]
    lone = {
        (level, variant): table.loc[(f"lone_visit_attempts_{level}_total", variant), "mean"]
        for level in ("very_high", "high", "medium", "low")
        for variant in ("two_officers", "two_for_high", "one_officer")
    }
    assert all(
        lone[(level, "two_officers")] == 0 for level in ("very_high", "high", "medium", "low")
    )
    assert lone[("very_high", "two_for_high")] == lone[("high", "two_for_high")] == 0
    assert lone[("medium", "two_for_high")] > 0 and lone[("low", "two_for_high")] > 0
    attempts = table.loc[("visit_attempts_total", "one_officer"), "mean"]
    assert table.loc[("lone_visit_attempts_total", "one_officer"), "mean"] == attempts
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["common_random_numbers"] is True
    assert list(manifest["variants"]) == [
        "two_officers",
        "two_for_high",
        "one_officer",
        "double_team",
    ]


def test_outcomes_csv_holds_every_replication_of_every_variant(tmp_path):
    path = _scarce_file(tmp_path)
    out = tmp_path / "cmp"
    args = ["compare", str(path), "--variant", "three:staffing.offender_managers=3"]
    result = runner.invoke(
        app,
        [*args, "--replications", "3", "--no-crn", "--workers", "1", "--out", str(out), "--quiet"],
    )
    assert result.exit_code == 0, result.output
    outcomes = pd.read_csv(out / "outcomes.csv")
    assert outcomes.groupby("variant")["replication"].apply(sorted).to_dict() == {
        name: [0, 1, 2]
        for name in ("two_officers", "two_for_high", "one_officer", "double_team", "three")
    }
    # comparison.csv's differences are the means of the per-replication differences
    table = pd.read_csv(out / "comparison.csv").set_index(["outcome", "variant"])
    by = outcomes.set_index(["variant", "replication"])["overdue_visits_end"]
    expected = float(np.mean(by["three"].to_numpy() - by["two_officers"].to_numpy()))
    assert table.loc[("overdue_visits_end", "three"), "difference"] == pytest.approx(
        expected, abs=1e-3
    )
    assert json.loads((out / "manifest.json").read_text())["common_random_numbers"] is False


def test_two_scenario_files_are_compared_by_name(tmp_path):
    other = tmp_path / "bigger.yaml"
    text = SMALL.read_text().replace("name: small_example", "name: bigger_team")
    other.write_text(text.replace("offender_managers: 6", "offender_managers: 9"))
    out = tmp_path / "two"
    result = runner.invoke(
        app,
        [
            "compare",
            str(SMALL),
            str(other),
            "--replications",
            "2",
            "--set",
            "horizon_days=30",
            "--workers",
            "1",
            "--out",
            str(out),
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    variants = pd.read_csv(out / "comparison.csv")["variant"].unique().tolist()
    assert variants == ["small_example", "bigger_team"]


def test_nothing_to_compare_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["compare", str(SMALL), "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "nothing to compare" in result.output
    assert not (tmp_path / "x").exists()


def test_the_shipped_baseline_compares_the_three_officer_policies():
    arms = comparison_variants(
        [("baseline", load_scenario(ROOT / "scenarios" / "avon_somerset_2023.yaml"))]
    )
    officers = {arm.name: arm.scenario.visits.officers_per_visit.as_tuple() for arm in arms}
    assert officers["two_officers"] == (2, 2, 2, 2)
    assert officers["two_for_high_one_for_medium_low"] == (2, 2, 1, 1)
    assert officers["one_officer"] == (1, 1, 1, 1)
    assert arms[0].name == "two_officers"
