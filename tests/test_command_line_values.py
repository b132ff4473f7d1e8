"""Values typed on the command line are read as untrusted YAML, like a scenario file
(red-team findings 5, 8, 16, 17 and 18): alias bombs, deep nesting and unreadable tags are
refused at once with exit 2; duplicate keys are refused; a command-line variant may not change
what every arm shares; sweep ranges must be finite numbers."""

from __future__ import annotations

import time

import pytest
from repo import SMALL, runner

from run_sim import app

BOMB = (
    "[&a [l,l,l,l,l,l,l,l,l], "
    + ", ".join(
        f"&{b} [" + ",".join([f"*{a}"] * 9) + "]"
        for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "]"
)
DEEP = "[" * 3000 + "]" * 3000
COMMON = ["--workers", "1", "--quiet"]


def _invoke(tmp_path, *args: str):
    started = time.monotonic()
    result = runner.invoke(app, [*args, *COMMON, "--out", str(tmp_path / "out")])
    assert time.monotonic() - started < 60
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert not (tmp_path / "out").exists()
    return result.output


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--variant", f"a:staffing.holidays={BOMB}", "more than 100,000 values"),
        ("--variant", f"a:description={DEEP}", "nested more than 50"),
        ("--variant", "a:staffing.holidays=[!!timestamp 2024-02-30]", "cannot be read"),
        ("--param", f"staffing.holidays={BOMB},[]", "more than 100,000 values"),
        ("--param", f"description={DEEP}", "nested more than 50"),
        ("--param", "start_date=!!timestamp 2024-02-30,2024-04-01", "cannot be read"),
        ("--variant", "a:staffing={offender_managers: 5, offender_managers: 60}", "twice"),
    ],
)
def test_compare_and_sweep_read_values_as_untrusted_yaml(tmp_path, option, value, expected):
    command = "compare" if option == "--variant" else "sweep"
    assert expected in _invoke(tmp_path, command, str(SMALL), option, value)


@pytest.mark.parametrize("value", [f"{BOMB},1", f"{DEEP},1", "!!timestamp 2024-02-30,1"])
def test_plan_reads_lever_choices_as_untrusted_yaml(tmp_path, value):
    output = _invoke(
        tmp_path,
        "plan",
        str(SMALL),
        "--target",
        "overdue_visits<=5",
        "--by",
        "2024-06-01",
        "--lever",
        f"visits.officers_per_visit={value}",
    )
    assert "--lever" in output and "--by" not in output


@pytest.mark.parametrize(
    "change", ["horizon_days=30", "start_date=2025-01-01", "seed=5", "replications=3"]
)
def test_a_command_line_variant_may_not_change_what_every_arm_shares(tmp_path, change):
    output = _invoke(tmp_path, "compare", str(SMALL), "--variant", f"a:{change}")
    assert "shared by every variant" in output and change.split("=")[0] in output


@pytest.mark.parametrize(
    "spec", ["0.1:.inf:0.1", ".nan:1:0.1", "0.1:0.9:.nan", "0.5:0.6:1e-300", "0.1:0.9:-.inf"]
)
def test_sweep_ranges_must_be_finite(tmp_path, spec):
    output = _invoke(tmp_path, "sweep", str(SMALL), "--param", f"staffing.availability={spec}")
    assert "staffing.availability" in output


def test_sweep_reads_an_exponent_without_a_dot_as_a_number(tmp_path):
    output = _invoke(
        tmp_path, "sweep", str(SMALL), "--param", "staffing.availability=0.5:0.6:1e-12"
    )
    assert "more than" in output and "not a number" not in output


def test_duplicate_keys_in_a_scenario_file_are_refused(tmp_path):
    text = SMALL.read_text().replace("horizon_days: 120", "horizon_days: 120\nhorizon_days: 30")
    assert text != SMALL.read_text()
    path = tmp_path / "dup.yaml"
    path.write_text(text)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "'horizon_days' appears twice" in result.output


def test_a_nested_duplicate_key_is_refused(tmp_path):
    text = SMALL.read_text().replace("staffing:\n", "staffing:\n  sergeants: 3\n", 1)
    path = tmp_path / "dup.yaml"
    path.write_text(text)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "appears twice" in result.output


def test_an_unhashable_key_is_not_called_a_tag(tmp_path):
    path = tmp_path / "key.yaml"
    path.write_text(SMALL.read_text() + "? [a, b]\n: 1\n")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "plain value" in result.output and "tags" not in result.output


def test_precision_respects_the_daily_row_limit(tmp_path):
    output = _invoke(
        tmp_path,
        "run",
        str(SMALL),
        "--precision",
        "0.0001",
        "--max-replications",
        "5000",
        "--set",
        "horizon_days=1000",
    )
    assert "--max-replications" in output and "1,000,000" in output


def test_plan_by_a_date_beyond_the_longest_horizon_exits_2(tmp_path):
    output = _invoke(
        tmp_path,
        "plan",
        str(SMALL),
        "--target",
        "overdue_visits<=5",
        "--by",
        "2099-06-01",
        "--lever",
        "staffing.offender_managers=1:10",
    )
    assert "--by 2099-06-01" in output and "horizon_days" in output


@pytest.mark.parametrize("change", ["__dict__.x=1", "staffing.changes[0].offender_managers=5"])
def test_a_problem_inside_what_a_set_changed_names_the_set(change):
    result = runner.invoke(app, ["validate", str(SMALL), "--set", change])
    assert result.exit_code == 2
    assert f"--set {change}:" in result.output, result.output


def test_a_rule_between_fields_set_on_the_command_line_names_the_sets():
    sets = [
        "visits.out_probability={very_high: 1, high: 1, medium: 1, low: 1}",
        "visits.retry_delay_days=0",
        "visits.travel_hours=0",
        "visits.failed_on_site_hours=0",
        "visits.write_up_hours=0",
    ]
    args = [part for change in sets for part in ("--set", change)]
    result = runner.invoke(app, ["validate", str(SMALL), *args])
    assert result.exit_code == 2 and "with --set visits.out_probability" in result.output


def test_an_unknown_nested_key_from_set_is_blamed_on_the_set_with_a_separator():
    # ux-audit D6: the problem names the --set that caused it (not the file), and the message
    # reads as a sentence when there is no "did you mean" ("unknown field. Allowed here: ...").
    result = runner.invoke(app, ["validate", str(SMALL), "--set", "foo.bar=1"])
    assert result.exit_code == 2
    assert "--set foo.bar=1: foo: unknown field. Allowed here: areas," in result.output


def test_a_level_typo_on_a_single_valued_per_level_field_suggests_the_level():
    # ux-audit D7: small_example gives officers_per_visit as one number; `.lo` is a typo of
    # `low`, so the message says so instead of "a single value has no sub-fields". A plain
    # number that is not per-level (horizon_days) keeps the single-value message, and the
    # right level name still works.
    typo = runner.invoke(app, ["validate", str(SMALL), "--set", "visits.officers_per_visit.lo=1"])
    assert typo.exit_code == 2
    assert "'lo' is not a risk level; did you mean 'low'?" in typo.output
    plain = runner.invoke(app, ["validate", str(SMALL), "--set", "horizon_days.x=1"])
    assert plain.exit_code == 2
    assert "horizon_days: is a single value, so it has no sub-fields to set" in plain.output
    right = runner.invoke(app, ["validate", str(SMALL), "--set", "visits.officers_per_visit.low=1"])
    assert right.exit_code == 0, right.output
