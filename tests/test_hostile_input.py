"""Broken and hostile scenarios: each is refused with exit code 2, a message naming the file (or
the ``--set``) and the field, no traceback, and nothing written to the results folder.

The corpus covers every kind of mistake in the issue: YAML syntax errors, an empty file, a
binary file, a list (or a plain value) at the top level, unknown keys at every level, wrong
types, negative or zero durations and counts, probabilities outside [0, 1], mixes not adding up
to 1, unknown risk levels, dates that do not parse or run backwards or leave the calendar,
absurd sizes (10^12 offenders, more daily rows than memory holds), YAML tags that would build
Python objects, alias bombs and deep nesting (which would hang or crash a naive loader), and
values that would loop forever. A hypothesis fuzz test then mutates a valid scenario at random:
the command must either accept it (exit 0) or refuse it cleanly (exit 2), never crash.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from repo import SMALL, runner

from run_sim import app
from sim.model.replication import single_run
from sim.scenario import Scenario
from sim.scenario.file import ScenarioError, load_scenario

SMALL_DATA = yaml.safe_load(SMALL.read_text())


def _small_with(change) -> str:
    data = copy.deepcopy(SMALL_DATA)
    change(data)
    return yaml.safe_dump(data, sort_keys=False)


def _set(path: str, value: Any):
    """A change to small_example: ``population.initial.size`` -> value (lists by index)."""

    def change(data):
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[last if isinstance(node, dict) else int(last)] = value

    return _small_with(change)


def _drop(path: str):
    def change(data):
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[part]
        del node[last]

    return _small_with(change)


def _alias_bomb() -> str:
    # nine levels of ten aliases each: 10^9 values in under 400 bytes
    lines = ["lol0: &lol0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


# name -> (file text (or bytes), what the message must contain besides the file name)
BROKEN_FILES: dict[str, tuple[str | bytes, str]] = {
    # -- not a scenario at all --------------------------------------------------------------
    "empty file": ("", "empty"),
    "only comments": ("# nothing here\n\n", "empty"),
    "yaml syntax": ("name: [unclosed\n", "YAML syntax error"),
    "yaml bad indentation": ("name: x\n  horizon_days: 3\n bad: 1\n", "YAML syntax error"),
    "binary file": (bytes(range(256)), "UTF-8"),
    "utf-16 text": ("name: x\n".encode("utf-16"), "UTF-8"),
    "list at top": ("- 1\n- 2\n", "mapping"),
    "number at top": ("42\n", "mapping"),
    "object tag": ("!!python/object/apply:os.system ['echo hi']\n", "tags"),
    "python name tag": ("name: !!python/name:os.system\n", "tags"),
    "unknown local tag": ("name: !Secret x\n", "tags"),
    "alias bomb": (_alias_bomb(), "more than 100,000 values"),
    "deep nesting": ("name: " + "[" * 5000 + "]" * 5000 + "\n", "nested more than 50"),
    # -- unknown keys at every level ---------------------------------------------------------
    "unknown top-level key": (_set("staf", 1), "staf"),
    "unknown population key": (_set("population.size", 1), "population.size"),
    "unknown initial key": (_set("population.initial.sise", 1), "did you mean 'size'"),
    "unknown overdue key": (
        _set("population.initial.overdue_visits.oldest", 1),
        "population.initial.overdue_visits.oldest",
    ),
    "unknown registrations key": (
        _set("population.registrations.rate", 1),
        "population.registrations.rate",
    ),
    "misspelt staffing key": (_set("staffing.offender_manager", 3), "offender_managers"),
    "unknown visits key": (_set("visits.duration_hours", 1), "visits.duration_hours"),
    "unknown assessments key": (_set("assessments.travel_hours", 1), "assessments.travel_hours"),
    "unknown distribution key": (
        _set("visits.travel_hours", {"dist": "uniform", "low": 1, "high": 2, "mode": 1.5}),
        "visits.travel_hours.mode",
    ),
    "unknown staffing change key": (
        _set("staffing.changes.0.officers", 2),
        "staffing.changes.0.officers",
    ),
    # -- wrong types ----------------------------------------------------------------------------
    "text for a count": (_set("staffing.offender_managers", "lots"), "staffing.offender_managers"),
    "list for a number": (_set("horizon_days", [1, 2]), "horizon_days"),
    "true for a count": (_set("staffing.sergeants", True), "staffing.sergeants"),
    "fraction for a count": (_set("population.initial.size", 12.5), "population.initial.size"),
    "number for a name": (_set("name", 12), "name"),
    "text for working days": (_set("staffing.working_days", "weekdays"), "working_days"),
    "list for a risk mix": (
        _set("population.initial.risk_mix", [0.25, 0.25, 0.25, 0.25]),
        "population.initial.risk_mix",
    ),
    "unknown priority": (_set("priority", "fastest_first"), "priority"),
    "unknown weekday": (_set("staffing.working_days", ["mon", "funday"]), "working_days"),
    "name with a slash": (_set("name", "../../etc"), "name"),
    # -- negative or zero where not allowed ------------------------------------------------------
    "negative duration": (_set("visits.travel_hours", -1), "visits.travel_hours"),
    "negative uniform low": (
        _set("visits.retry_delay_days", {"dist": "uniform", "low": -1, "high": 2}),
        "visits.retry_delay_days",
    ),
    "zero horizon": (_set("horizon_days", 0), "horizon_days"),
    "zero interval": (_set("visits.interval_days.high", 0), "visits.interval_days.high"),
    "zero hours per day": (_set("staffing.hours_per_day", 0), "staffing.hours_per_day"),
    "zero availability": (_set("staffing.availability", 0), "staffing.availability"),
    "negative population": (_set("population.initial.size", -5), "population.initial.size"),
    "zero replications": (_set("replications", 0), "replications"),
    "zero exponential mean": (
        _set("assessments.duration_hours", {"dist": "exponential", "mean": 0}),
        "assessments.duration_hours",
    ),
    "retries forever at one instant": (
        _set(
            "visits",
            {
                **SMALL_DATA["visits"],
                "out_probability": {"very_high": 0.2, "high": 0.2, "medium": 0.2, "low": 1.0},
                "retry_delay_days": 0,
                "travel_hours": 0,
                "failed_on_site_hours": 0,
                "write_up_hours": 0,
            },
        ),
        "must take some time",
    ),
    # -- probabilities and mixes -------------------------------------------------------------------
    "probability above one": (
        _set("visits.out_probability.medium", 1.5),
        "visits.out_probability.medium",
    ),
    "negative probability": (
        _set("visits.police_action_probability.high", -0.1),
        "visits.police_action_probability.high",
    ),
    "share above one": (
        _set("staffing.sergeant_assessment_share", 2),
        "staffing.sergeant_assessment_share",
    ),
    "not-a-number probability": (
        _set("visits.out_probability.low", float("nan")),
        "visits.out_probability.low",
    ),
    "mix not summing to one": (_set("population.initial.risk_mix.low", 0.5), "add up to 1"),
    "periods not summing to one": (
        _set("population.notification_periods", {"indefinite": 0.5, "10": 0.4}),
        "add up to 1",
    ),
    # -- unknown risk levels -----------------------------------------------------------------------
    "unknown level in a map": (_set("visits.interval_days.extreme", 10), "interval_days.extreme"),
    "unknown level in a mix": (
        _set("population.registrations.risk_mix.critical", 0.1),
        "risk_mix.critical",
    ),
    "unknown level in overdue": (
        _set("population.initial.overdue_visits.levels", ["medium", "severe"]),
        "population.initial.overdue_visits.levels",
    ),
    # -- dates -------------------------------------------------------------------------------------
    "bad date": (_set("start_date", "2024-13-45"), "start_date"),
    "unquoted impossible date": (
        SMALL.read_text().replace("start_date: 2024-04-01", "start_date: 2024-02-30"),
        "start_date",
    ),
    "no such day": (_set("staffing.changes.0.date", "2024-02-30"), "staffing.changes.0.date"),
    "words for a date": (_set("start_date", "next tuesday"), "start_date"),
    "number for a date": (_set("start_date", 86400), "YYYY-MM-DD"),
    "schedule running backwards": (
        _set(
            "population.registrations",
            {
                **SMALL_DATA["population"]["registrations"],
                "growth_per_year": 0,
                "schedule": [
                    {"from_date": "2024-09-01", "per_year": 40},
                    {"from_date": "2024-06-01", "per_year": 50},
                ],
            },
        ),
        "increasing order",
    ),
    "start before 1900": (_set("start_date", "1066-10-14"), "start_date"),
    "horizon past 2200": (
        _small_with(lambda d: d.update(start_date="2200-06-01", horizon_days=400)),
        "horizon_days",
    ),
    # -- absurd sizes ------------------------------------------------------------------------------
    "10^12 offenders": (_set("population.initial.size", 10**12), "population.initial.size"),
    "a million registrations a year for 50 years": (
        _small_with(
            lambda d: (
                d.update(horizon_days=365 * 50),
                d["population"]["registrations"].update(per_year=1_000_000),
            )
        ),
        "more than the limit of 2,000,000",
    ),
    "explosive growth": (
        _small_with(
            lambda d: (
                d.update(horizon_days=3650),
                d["population"]["registrations"].update(growth_per_year=10),
            )
        ),
        "more than the limit of 2,000,000",
    ),
    "rows beyond memory": (_set("replications", 100_000), "replications"),
    "a billion officers": (_set("staffing.offender_managers", 10**9), "offender_managers"),
    "infinite duration": (_set("visits.travel_hours", float("inf")), "visits.travel_hours"),
    "astronomical duration": (_set("visits.on_site_hours", 1e300), "visits.on_site_hours"),
    "lognormal spread overflows": (
        _set("assessments.duration_hours", {"dist": "lognormal", "mean": 1, "sd": 10_000}),
        "assessments.duration_hours",
    ),
    # -- fields that contradict each other --------------------------------------------------------
    "window longer than interval": (_set("visits.window_days", 400), "window_days"),
    "too many overdue": (
        _set("population.initial.overdue_visits.count", 10_000),
        "overdue_visits",
    ),
    "staff going negative": (
        _set("staffing.changes", [{"date": "2024-05-01", "offender_managers": -50}]),
        "fewer than 0",
    ),
    "shift past midnight": (
        _small_with(lambda d: d["staffing"].update(shift_start_hour=20, hours_per_day=8)),
        "midnight",
    ),
    "triangular out of order": (
        _set("visits.on_site_hours", {"dist": "triangular", "low": 3, "mode": 1, "high": 2}),
        "visits.on_site_hours",
    ),
    "unknown distribution": (_set("visits.on_site_hours", {"dist": "weibull"}), "on_site_hours"),
    "growth and schedule": (
        _set(
            "population.registrations.schedule",
            [{"from_date": "2024-06-01", "per_year": 40}],
        ),
        "not both",
    ),
    # -- missing -----------------------------------------------------------------------------------
    "missing section": (_drop("visits"), "visits"),
    "missing field": (_drop("staffing.availability"), "staffing.availability"),
}

# --set values given on the command line (the file itself is valid): (value, message part)
BROKEN_SETS: dict[str, tuple[str, str]] = {
    "negative count": ("staffing.offender_managers=-3", "staffing.offender_managers"),
    "too many officers per visit": ("visits.officers_per_visit=7", "visits.officers_per_visit"),
    "misspelt field": ("staffing.sergents=2", "did you mean 'sergeants'"),
    "no equals sign": ("nonsense", "dotted.key=value"),
    "empty path part": ("staffing..sergeants=2", "dotted.key=value"),
    "sub-field of a number": ("visits.travel_hours.low.deeper=1", "visits.travel_hours"),
    "yaml syntax in the value": ("staffing.changes=[{date: 2024", "not valid YAML"),
    "object tag in the value": ("name=!!python/object/apply:os.system [ls]", "not valid YAML"),
    "deep nesting in the value": ("description=" + "[" * 5000, "nested more than 50"),
    "yes for a count": ("staffing.sergeants=yes", "true/false"),
    "unknown level": ("visits.interval_days.extreme=5", "visits.interval_days.extreme"),
    "bad date": ("start_date=2024-02-30", "start_date"),
    "absurd size": ("population.initial.size=1000000000000", "population.initial.size"),
    "probability above one": ("visits.out_probability=1.2", "visits.out_probability"),
    "not a number": ("horizon_days=.nan", "horizon_days"),
}


def _assert_refused(result, source: str, expected: str, case: str) -> None:
    assert result.exit_code == 2, (case, result.exit_code, result.output)
    # CliRunner catches what escapes the command: anything but SystemExit would be a crash
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        case,
        result.exception,
    )
    assert "Traceback" not in result.output
    assert source in result.output, (case, result.output)
    assert expected in result.output, (case, result.output)


def test_the_corpus_is_large_enough():
    assert len(BROKEN_FILES) + len(BROKEN_SETS) >= 40


@pytest.mark.parametrize("case", list(BROKEN_FILES), ids=str)
def test_broken_scenario_files_exit_2_with_a_clear_message(tmp_path, case):
    content, expected = BROKEN_FILES[case]
    path = tmp_path / "broken.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    out = tmp_path / "results"
    for command in (["validate", str(path)], ["run", str(path), "--out", str(out), "--quiet"]):
        _assert_refused(runner.invoke(app, command), str(path), expected, case)
    assert not out.exists()


@pytest.mark.parametrize("case", list(BROKEN_SETS), ids=str)
def test_broken_set_values_exit_2_naming_the_set(tmp_path, case):
    override, expected = BROKEN_SETS[case]
    out = tmp_path / "results"
    for command in (
        ["validate", str(SMALL), "--set", override],
        ["run", str(SMALL), "--set", override, "--out", str(out), "--quiet"],
    ):
        _assert_refused(runner.invoke(app, command), "--set", expected, case)
    assert not out.exists()


def test_missing_file_and_folder_are_refused(tmp_path):
    for path, expected in ((tmp_path / "nope.yaml", "file not found"), (tmp_path, "not a file")):
        result = runner.invoke(app, ["validate", str(path)])
        _assert_refused(result, str(path), expected, str(path))


# -- fuzzing: random mutations of a valid scenario ------------------------------------------------


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path in the scenario (mapping keys and list indexes)."""
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


PATHS = _paths(SMALL_DATA)

JUNK = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**15), max_value=10**15)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.dates()
    | st.sampled_from(["very_high", "low", "indefinite", "mon", "uniform", "2024-02-30", ""]),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=8,
)


@st.composite
def mutated_scenarios(draw) -> dict:
    data = copy.deepcopy(SMALL_DATA)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS))
        parent = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            key = path[-1]
            kind = draw(st.sampled_from(["replace", "delete", "add key", "scale"]))
            if kind == "replace":
                parent[key] = draw(JUNK)
            elif kind == "delete":
                del parent[key]
            elif kind == "add key" and isinstance(parent[key], dict):
                parent[key][draw(st.text(min_size=1, max_size=8))] = draw(JUNK)
            elif kind == "scale" and isinstance(parent[key], (int, float)):
                parent[key] = parent[key] * draw(st.sampled_from([-1, 0, 10**6, 1e300, 0.5]))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced this path's parent
    return data


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_scenarios())
def test_mutated_scenarios_are_accepted_or_refused_cleanly(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "mutated.yaml"
    try:
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    except yaml.YAMLError:
        return  # not representable as YAML: nothing a user could write
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        assert str(path) in result.output and "Traceback" not in result.output
        return
    # Valid: it must also simulate without error (a short, small run of it).
    try:
        scenario = load_scenario(path)
    except ScenarioError:  # pragma: no cover - validate said it was valid
        raise AssertionError("validate accepted what load_scenario refuses") from None
    staff = scenario.staffing
    small = (
        scenario.population.initial.size <= 5_000
        and scenario.population.registrations.per_year <= 10_000
        and staff.offender_managers + staff.sergeants <= 1_000
    )
    if small:
        short = Scenario.model_validate(
            {**scenario.model_dump(), "horizon_days": min(scenario.horizon_days, 30)}
        )
        record = single_run(short, 0)
        assert record.table.shape[0] == short.horizon_days


# -- a caseload CSV with bad rows (population.initial_caseload, caseload_file.py) ----------

CASELOAD_HEADER = (
    "id,risk_level,last_visit,next_visit_due,next_assessment_due,notification_end,reactive"
)
GOOD_ROW = "A1,medium,2024-03-01,2024-09-01,2024-10-01,,"  # small_example starts 2024-04-01

# name -> (CSV text, what the message must contain besides the CSV's name)
BROKEN_CASELOADS: dict[str, tuple[str | bytes, str]] = {
    "unknown risk level": (f"{GOOD_ROW}\nA2,extreme,2024-03-01,,2024-10-01,,", "risk_level"),
    "date that does not parse": (
        f"{GOOD_ROW}\nA2,high,2024-03-01,2024-13-01,2024-10-01,,",
        "next_visit_due",
    ),
    "missing column": ("id,risk_level,last_visit\nA1,medium,2024-03-01", "missing column"),
    "a column that could hold personal data": (
        "name," + CASELOAD_HEADER + "\nJohn Smith," + GOOD_ROW,
        "unknown column",
    ),
    "more values than columns": (f"{GOOD_ROW},extra,values", "more values than columns"),
    "reactive but not low risk": ("A2,high,2024-03-01,,2024-10-01,,yes", "only low-risk"),
    "not yes or no": ("A2,low,2024-03-01,,2024-10-01,,maybe", "reactive"),
    "last visit after the start": ("A2,low,2024-05-01,,2024-10-01,,", "last_visit"),
    "next visit before the last": ("A2,low,2024-03-01,2024-02-01,2024-10-01,,", "last_visit"),
    "notification ended before the start": (
        "A2,low,2024-03-01,,2024-10-01,2020-01-01,",
        "notification_end",
    ),
    "no assessment due date": ("A2,low,2024-03-01,,,,", "next_assessment_due"),
    "binary file": (bytes(range(256)), "UTF-8"),
}


def _caseload_case(folder: Path, csv_content: str | bytes) -> Path:
    """small_example with its starting register read from folder/caseload.csv."""
    csv_path = folder / "caseload.csv"
    if isinstance(csv_content, bytes):
        csv_path.write_bytes(csv_content)
    elif csv_content.startswith(("id,", "name,")):
        csv_path.write_text(csv_content + "\n")
    else:
        csv_path.write_text(f"{CASELOAD_HEADER}\n{csv_content}\n")
    data = copy.deepcopy(SMALL_DATA)
    del data["population"]["initial"]
    data["population"]["initial_caseload"] = "caseload.csv"
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_a_good_caseload_file_is_accepted(tmp_path):
    # guards the cases below: they fail because of their one bad row, not the set-up
    path = _caseload_case(tmp_path, GOOD_ROW)
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 0


@pytest.mark.parametrize("case", list(BROKEN_CASELOADS), ids=str)
def test_caseload_files_with_bad_rows_exit_2_naming_file_row_and_column(tmp_path, case):
    content, expected = BROKEN_CASELOADS[case]
    path = _caseload_case(tmp_path, content)
    out = tmp_path / "results"
    for command in (["validate", str(path)], ["run", str(path), "--out", str(out), "--quiet"]):
        _assert_refused(runner.invoke(app, command), "caseload.csv", expected, case)
    assert not out.exists()


def test_missing_caseload_file_is_refused(tmp_path):
    path = _caseload_case(tmp_path, GOOD_ROW)
    (tmp_path / "caseload.csv").unlink()
    result = runner.invoke(app, ["validate", str(path)])
    _assert_refused(result, "caseload.csv", "not found", "missing caseload")


CELLS = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r\n\x00"), max_size=12)


@settings(max_examples=60)
@given(st.lists(CELLS, min_size=7, max_size=8))
def test_random_caseload_rows_are_accepted_or_refused_cleanly(tmp_path_factory, cells):
    # One row of random text (sometimes a cell too many): the file is read or refused with
    # exit 2 naming it; nothing else, whatever the cells hold (quotes, commas, dates, junk).
    folder = tmp_path_factory.mktemp("caseload")
    row = ",".join('"' + cell.replace('"', '""') + '"' for cell in cells)
    path = _caseload_case(folder, f"{GOOD_ROW}\n{row}")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        assert "caseload.csv" in result.output and "Traceback" not in result.output


def test_a_caseload_file_over_the_row_limit_is_refused_not_cut_short(tmp_path, monkeypatch):
    # The limit (2,000,000 rows) keeps a register inside memory. A file over it must be
    # refused: reading only its first rows would silently simulate a smaller force. The
    # limit is lowered to 3 here so the file stays small; the rule is the same.
    from sim.scenario import caseload_file

    monkeypatch.setattr(caseload_file, "MAX_ROWS", 3)
    rows = "\n".join(GOOD_ROW.replace("A1", f"A{i}") for i in range(4))
    path = _caseload_case(tmp_path, rows)
    result = runner.invoke(app, ["validate", str(path)])
    _assert_refused(result, "caseload.csv", "at most 3 offenders", "over the limit")
    exactly = _caseload_case(tmp_path, "\n".join(rows.split("\n")[:3]))
    assert runner.invoke(app, ["validate", str(exactly)]).exit_code == 0
