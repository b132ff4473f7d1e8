"""The JSON Schema that editors use agrees with the loader, and the shipped copies are current.

An analyst's editor validates scenarios against docs/scenario.schema.json. If the schema were
stricter than the loader it would flag correct files; if it were looser on single fields it
would miss typos. So: every shipped scenario passes, broken single fields fail, every spelling
the loader accepts (one number for every level, a plain number for a distribution...) passes,
and the files in docs/ are what the code generates today.
"""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from repo import ROOT, SHIPPED, SMALL, runner
from scenario_factory import BASE

from run_sim import app
from sim.scenario import Scenario
from sim.scenario.distributions import Distribution
from sim.scenario.reference import REFERENCE_COMMAND, reference_markdown
from sim.scenario.schema import SCHEMA_DIALECT, scenario_json_schema, schema_json

SCHEMA = scenario_json_schema()
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)


def as_json(data):
    """What an editor sees: YAML dates become text and number keys become text keys."""
    return json.loads(json.dumps(data, default=str))


def schema_errors(data) -> list[str]:
    return [error.message for error in VALIDATOR.iter_errors(as_json(data))]


def loader_accepts(data) -> bool:
    try:
        Scenario.model_validate(data)
    except ValidationError:
        return False
    return True


def small() -> dict:
    return yaml.safe_load(SMALL.read_text())


def test_the_schema_is_a_valid_draft_2020_12_schema():
    assert SCHEMA["$schema"] == SCHEMA_DIALECT
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_scenario_passes_the_schema(path):
    assert schema_errors(yaml.safe_load(path.read_text())) == []


def _with(change):
    data = small()
    change(data)
    return data


# Each is wrong in one field on its own, so both the loader and the schema must refuse it.
BROKEN_FIELDS = {
    "unknown top-level key": lambda d: d.update(staf=1),
    "misspelt staffing key": lambda d: d["staffing"].update(offender_manager=3),
    "missing required field": lambda d: d["staffing"].pop("hours_per_day"),
    "negative duration": lambda d: d["visits"].update(travel_hours=-1),
    "probability above one": lambda d: d["visits"]["out_probability"].update(medium=1.5),
    "unknown risk level": lambda d: d["visits"]["interval_days"].update(extreme=10),
    "missing risk level": lambda d: d["visits"]["interval_days"].pop("low"),
    "text for a number": lambda d: d["staffing"].update(offender_managers="lots"),
    "impossible date": lambda d: d.update(start_date="2024-13-45"),
    "unknown distribution": lambda d: d["visits"].update(on_site_hours={"dist": "weibull"}),
    "distribution missing a parameter": lambda d: d["visits"].update(
        on_site_hours={"dist": "triangular", "low": 1, "high": 2}
    ),
    "unknown priority": lambda d: d.update(priority="fastest_first"),
    "five officers": lambda d: d["visits"].update(officers_per_visit=5),
    "fractional officers": lambda d: d["visits"].update(officers_per_visit=1.5),
    "negative window": lambda d: d["assessments"].update(window_days=-1),
    "unknown weekday": lambda d: d["staffing"].update(working_days=["mon", "funday"]),
    "no working days": lambda d: d["staffing"].update(working_days=[]),
    "absurd size": lambda d: d["population"]["initial"].update(size=10**12),
    "zero horizon": lambda d: d.update(horizon_days=0),
    "bad name": lambda d: d.update(name="my scenario!"),
    "unknown key in a staffing change": lambda d: d["staffing"]["changes"][0].update(when=1),
}


@pytest.mark.parametrize("case", sorted(BROKEN_FIELDS), ids=str)
def test_a_broken_field_is_refused_by_the_schema_and_the_loader(case):
    data = _with(BROKEN_FIELDS[case])
    assert not loader_accepts(data), "the case must be broken for the loader too"
    assert schema_errors(data), f"the schema accepted: {case}"


# Spellings the loader accepts that a naive schema (from the models alone) would refuse.
ACCEPTED_SPELLINGS = {
    "window as one number": lambda d: d["visits"].update(window_days=7),
    "window as a map": lambda d: d["assessments"].update(
        window_days={"very_high": 7, "high": 14, "medium": 28, "low": 28}
    ),
    "officers as a map": lambda d: d["visits"].update(
        officers_per_visit={"very_high": 2, "high": 2, "medium": 1, "low": 1}
    ),
    "distribution as a number": lambda d: d["visits"].update(travel_hours=1.25),
    "distribution as an integer": lambda d: d["visits"].update(travel_hours=1),
    "fixed without dist": lambda d: d["visits"].update(travel_hours={"value": 1.0}),
    "fixed with dist": lambda d: d["visits"].update(travel_hours={"dist": "fixed", "value": 1}),
    "exponential": lambda d: d["visits"].update(
        retry_delay_days={"dist": "exponential", "mean": 3}
    ),
    "lognormal": lambda d: d["visits"].update(
        on_site_hours={"dist": "lognormal", "mean": 1.5, "sd": 0.5}
    ),
    "no backlog": lambda d: d["population"]["initial"].update(overdue_visits=None),
    "never reactive": lambda d: d["population"].update(reactive_after_years=None),
    "number keys for periods": lambda d: d["population"].update(
        notification_periods={"indefinite": 0.5, 10: 0.5}
    ),
    "registration schedule": lambda d: d["population"]["registrations"].update(
        growth_per_year=0, schedule=[{"from_date": "2024-06-01", "per_year": 40}]
    ),
    "weekend working": lambda d: d["staffing"].update(working_days=["sat", "sun"]),
    "defaults left out": lambda d: [
        d["staffing"].pop(key) for key in ("sergeants", "holidays", "changes", "working_days")
    ],
}


@pytest.mark.parametrize("case", sorted(ACCEPTED_SPELLINGS), ids=str)
def test_every_spelling_the_loader_accepts_passes_the_schema(case):
    data = _with(ACCEPTED_SPELLINGS[case])
    assert loader_accepts(data), "the case must be valid for the loader"
    assert schema_errors(data) == []


number = st.one_of(
    st.integers(min_value=-5, max_value=50),
    st.floats(min_value=-5, max_value=50, allow_nan=False, allow_infinity=False),
)
distribution_inputs = st.one_of(
    number,
    st.fixed_dictionaries({"value": number}),
    st.fixed_dictionaries({"dist": st.just("fixed"), "value": number}),
    st.fixed_dictionaries({"dist": st.just("uniform"), "low": number, "high": number}),
    st.fixed_dictionaries(
        {"dist": st.just("triangular"), "low": number, "mode": number, "high": number}
    ),
    st.fixed_dictionaries({"dist": st.just("exponential"), "mean": number}),
    st.fixed_dictionaries({"dist": st.just("lognormal"), "mean": number, "sd": number}),
)
DISTRIBUTION = TypeAdapter(Distribution)
DURATION_SCHEMA = SCHEMA["$defs"]["Visits"]["properties"]["travel_hours"]


@settings(max_examples=300, deadline=None)
@given(distribution_inputs)
def test_schema_accepts_every_distribution_the_loader_accepts(value):
    # The schema may let through an ordering mistake (low > high) that only the loader
    # catches, but it must never flag a distribution the loader would use.
    try:
        DISTRIBUTION.validate_python(value)
    except ValidationError:
        return
    resolver_schema = {"$defs": SCHEMA["$defs"], **DURATION_SCHEMA}
    assert list(jsonschema.Draft202012Validator(resolver_schema).iter_errors(value)) == []


officer_maps = st.dictionaries(
    st.sampled_from(["very_high", "high", "medium", "low"]), st.integers(-2, 6), min_size=4
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(number, officer_maps))
def test_schema_and_loader_agree_on_officers_per_visit(value):
    # A per-field rule with no cross-field part: the two must agree both ways.
    data = copy.deepcopy(BASE)
    data["visits"]["officers_per_visit"] = value
    assert loader_accepts(data) == (schema_errors(data) == []), value


def test_shipped_schema_file_is_current():
    path = ROOT / "docs" / "scenario.schema.json"
    assert path.read_text(encoding="utf-8") == schema_json(), (
        "docs/scenario.schema.json is out of date: run "
        "python run_sim.py schema --out docs/scenario.schema.json"
    )


def test_scenario_reference_is_current():
    path = ROOT / "docs" / "scenario-reference.md"
    assert path.read_text(encoding="utf-8") == reference_markdown(), (
        f"docs/scenario-reference.md is out of date: run {REFERENCE_COMMAND}"
    )


def test_scenario_reference_lists_every_field_with_its_unit():
    # Every field path the schema has must appear as a row, with its unit in that row.
    text = reference_markdown()
    for path, unit in [
        ("visits.travel_hours", "hours"),
        ("staffing.changes[].training_delay_days", "days"),
        ("population.initial.overdue_visits.max_days_overdue", "days"),
        ("population.registrations.schedule[].per_year", "registrations a year"),
        ("staffing.availability", "share"),
    ]:
        row = next(line for line in text.splitlines() if line.startswith(f"| `{path}` |"))
        assert f"| {unit} |" in row, row
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    documented = {line.split("`")[1] for line in rows}
    for section in ("population", "visits", "assessments", "staffing"):
        model = SCHEMA["$defs"][section.capitalize()]
        for field in model["properties"]:
            assert f"{section}.{field}" in documented


def test_schema_command_prints_the_schema_and_writes_files(tmp_path):
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == SCHEMA
    target = tmp_path / "reference.md"
    result = runner.invoke(app, ["schema", "--markdown", "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == reference_markdown()


def test_schema_command_reports_an_unwritable_file_without_a_traceback(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(app, ["schema", "--out", str(blocker / "inside.json")])
    assert result.exit_code == 2
    assert "Cannot write" in result.output and "Traceback" not in result.output


def test_editors_on_the_older_draft_7_read_it_the_same_way():
    # Some editor plug-ins still validate with draft 7. The schema only uses keywords that
    # mean the same there, so shipped scenarios pass and a broken field still fails.
    draft7 = jsonschema.Draft7Validator({k: v for k, v in SCHEMA.items() if k != "$schema"})
    for path in SHIPPED:
        assert list(draft7.iter_errors(as_json(yaml.safe_load(path.read_text())))) == []
    for case in ("misspelt staffing key", "unknown distribution", "five officers"):
        assert list(draft7.iter_errors(as_json(_with(BROKEN_FIELDS[case]))))
