"""Variants: the scenario file's `variants:`, `--variant` options, and several files compared.

A variant is the base scenario with {dotted.path: value} changes, validated like --set; every
mistake is reported with the file, the variant and the field, and `run` ignores variants.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from repo import SMALL, runner
from scenario_factory import make_scenario

from run_sim import app
from sim.experiments.variants import (
    comparison_variants,
    independent_seeds,
    parse_variant_option,
    split_outside_brackets,
)
from sim.scenario.file import ScenarioError, load_scenario


def _small_with_variants(tmp_path: Path, variants: dict, name: str = "v.yaml") -> Path:
    data = yaml.safe_load(SMALL.read_text())
    data["variants"] = variants
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_a_variant_equals_the_same_change_made_with_set(tmp_path):
    # The same dotted path means the same thing in --set and in a variant, including one
    # level of a per-level field written as one number.
    path = _small_with_variants(tmp_path, {"mixed": {"visits.officers_per_visit.low": 1}})
    base = load_scenario(path)
    with_set = load_scenario(SMALL, ["visits.officers_per_visit.low=1"])
    assert base.variant("mixed") == with_set
    assert base.variant("mixed").visits.officers_per_visit.as_tuple() == (2, 2, 2, 1)


@pytest.mark.parametrize(
    "variants, expected",
    [
        (
            {"big": {"staffing.offender_managers": -5}},
            ["variant 'big'", "staffing.offender_managers"],
        ),
        ({"typo": {"staffing.ofender_managers": 5}}, ["variant 'typo'", "did you mean"]),
        ({"odd": {"visits.officers_per_visit": 9}}, ["variant 'odd'", "visits.officers_per_visit"]),
        ({"lucky": {"seed": 3}}, ["lucky", "seed", "shared by every variant"]),
        ({"bad name!": {"seed": 3}}, ["variants", "bad name!"]),
        ({"a": {}, "b": {}}, ["only one variant may name the base"]),
        ({"deep": {"staffing.offender_managers.x": 1}}, ["variant 'deep'", "single value"]),
    ],
    ids=["negative", "typo", "too-many-officers", "seed", "name", "two-bases", "deep"],
)
def test_bad_variants_name_the_file_the_variant_and_the_field(tmp_path, variants, expected):
    path = _small_with_variants(tmp_path, variants)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and str(path) in result.output
    for text in expected:
        assert text in result.output, result.output


def test_run_ignores_variants(tmp_path):
    # Variants only matter to `compare`: the same file with and without them runs identically.
    with_variants = _small_with_variants(tmp_path, {"one": {"visits.officers_per_visit": 1}})
    for path, out in ((SMALL, "plain"), (with_variants, "with")):
        args = ["run", str(path), "--replications", "1", "--workers", "1", "--quiet"]
        result = runner.invoke(app, [*args, "--out", str(tmp_path / out), "--no-cache"])
        assert result.exit_code == 0, result.output
    plain = pd.read_csv(tmp_path / "plain" / "trajectories.csv")
    assert plain.equals(pd.read_csv(tmp_path / "with" / "trajectories.csv"))


def test_the_empty_variant_names_the_base_and_comes_first():
    base = make_scenario(
        variants={
            "one_officer": {"visits.officers_per_visit": 1},
            "two_officers": {},
        }
    )
    arms = comparison_variants([("file.yaml", base)], [("more", {"staffing.sergeants": 2})])
    assert [arm.name for arm in arms] == ["two_officers", "one_officer", "more"]
    assert arms[0].scenario.visits.officers_per_visit.as_tuple() == (1, 1, 1, 1)
    assert arms[2].scenario.staffing.sergeants == 2
    assert all(arm.scenario.variants == {} for arm in arms)
    assert len({arm.scenario.seed for arm in arms}) == 1  # common random numbers


def test_without_a_named_base_it_is_called_baseline():
    base = make_scenario(variants={"x": {"staffing.offender_managers": 5}})
    arms = comparison_variants([("f", base)])
    assert [arm.name for arm in arms] == ["baseline", "x"]


def test_independent_seeds_differ_and_are_reproducible():
    base = make_scenario(variants={"x": {"staffing.offender_managers": 5}})
    arms = comparison_variants([("f", base)])
    first, second = independent_seeds(arms), independent_seeds(arms)
    assert first[0].scenario.seed == base.seed  # the reference keeps its seed
    assert first[1].scenario.seed != base.seed
    assert [a.scenario.seed for a in first] == [a.scenario.seed for a in second]
    assert 0 <= first[1].scenario.seed <= 2**63 - 1


def test_variant_option_splits_only_outside_braces():
    name, changes = parse_variant_option(
        "mixed:visits.officers_per_visit={very_high: 2, high: 2, medium: 1, low: 1},"
        "staffing.sergeants=2"
    )
    assert name == "mixed"
    assert changes == {
        "visits.officers_per_visit": {"very_high": 2, "high": 2, "medium": 1, "low": 1},
        "staffing.sergeants": 2,
    }
    assert split_outside_brackets("a=[1, 2],b='x, y',c=3") == ["a=[1, 2]", "b='x, y'", "c=3"]


@pytest.mark.parametrize("text", ["no_colon", ":x=1", "n:novalue", "bad name:x=1", "n:x=[1"])
def test_bad_variant_options_are_scenario_errors(text):
    with pytest.raises(ScenarioError) as caught:
        parse_variant_option(text)
    assert "--variant" in caught.value.problems[0].source


def test_compared_files_must_share_dates(tmp_path):
    other = yaml.safe_load(SMALL.read_text())
    other.update(name="longer", horizon_days=200)
    path = tmp_path / "longer.yaml"
    path.write_text(yaml.safe_dump(other))
    result = runner.invoke(app, ["compare", str(SMALL), str(path), "--quiet"])
    assert result.exit_code == 2
    assert "horizon_days" in result.output and str(path) in result.output


def test_validate_lists_the_variants_and_duplicates_are_refused(tmp_path):
    path = _small_with_variants(tmp_path, {"one": {"visits.officers_per_visit": 1}})
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0 and "variants (for compare): one" in result.output
    again = runner.invoke(
        app, ["compare", str(path), "--variant", "one:staffing.sergeants=2", "--quiet"]
    )
    assert again.exit_code == 2 and "each variant needs its own name" in again.output
