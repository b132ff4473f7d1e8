"""The web app's logic without a browser: levers from the schema, overrides, uploads and their
problems (worded as ``validate`` words them), the results folder (equal to ``run``'s and
``compare``'s for the same inputs) and the zip of it."""

from __future__ import annotations

import gc
import io
import os
import zipfile
from pathlib import Path

import pytest
from repo import SHIPPED, SMALL, runner

from run_sim import app
from sim.levels import LEVELS
from sim.scenario.file import load_scenario
from sim.scenario.schema import scenario_json_schema
from sim.webapp.inputs import UploadFolder, load_or_problems, shipped_scenarios
from sim.webapp.levers import LEVER_PATHS, field_schema, levers_for, overrides_for
from sim.webapp.runs import (
    AppRunError,
    EngineOptions,
    cli_command,
    compare_in_app,
    officer_arms,
    officer_change,
    run_in_app,
    variant_option,
    zip_folder,
)

SCALAR_OFFICERS = SMALL.read_text()  # small_example sends 2 officers at every level

# name -> file content: each is refused by `validate`; the app must say the same
HOSTILE_UPLOADS: dict[str, bytes] = {
    "not yaml (binary)": bytes(range(256)),
    "yaml syntax": b"name: [unclosed\n",
    "object tag": b"name: !!python/object/apply:os.system ['echo hi']\n",
    "alias bomb": (
        "lol0: &lol0 [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 10) + "]\n" for i in range(1, 9)
        )
    ).encode(),
    "a list": b"- 1\n- 2\n",
    "unknown field": SMALL.read_bytes().replace(b"horizon_days:", b"horizon_dayz:"),
    "100 MB": b"",  # made in the test, so importing this module costs no memory
}
HUNDRED_MB = 100_000_000


def _cli_problems(folder: Path, name: str) -> str:
    """What `validate name` prints from inside ``folder`` (the upload's name as the source)."""
    here = Path.cwd()
    os.chdir(folder)
    try:
        result = runner.invoke(app, ["validate", name])
    finally:
        os.chdir(here)
    assert result.exit_code == 2, result.output
    return result.stderr.rstrip("\n")


def test_every_shipped_scenario_is_offered():
    assert list(shipped_scenarios()) == [path.name for path in SHIPPED]


def test_levers_take_label_unit_and_range_from_the_schema():
    scenario = load_scenario(SMALL)
    levers = {lever.path: lever for lever in levers_for(scenario)}
    assert list(levers) == list(LEVER_PATHS)
    schema = scenario_json_schema(False)["$defs"]["Staffing"]["properties"]
    managers = levers["staffing.offender_managers"]
    assert (managers.minimum, managers.maximum) == (
        schema["offender_managers"]["minimum"],
        schema["offender_managers"]["maximum"],
    )
    assert managers.unit == "officers" and managers.current == 6
    assert levers["staffing.sergeant_assessment_share"].allowed == "0 to 1 share"
    high = levers["visits.officers_per_visit.high"]
    assert (high.minimum, high.maximum, high.current) == (1, 4, 2)  # OfficersByLevel: 1..4
    # horizon_days has exclusiveMinimum 0: whole days from 1
    assert field_schema("horizon_days")["exclusiveMinimum"] == 0
    assert levers["horizon_days"].minimum == 1
    assert levers["priority"].kind == "choice"
    assert "most_overdue_first" in levers["priority"].choices
    assert levers["seed"].unit == ""  # the schema's "none"


def test_unchanged_levers_make_no_overrides_and_changes_are_set_lines():
    levers = levers_for(load_scenario(SMALL))
    assert overrides_for(levers, {}) == []
    assert overrides_for(levers, {lever.path: lever.current for lever in levers}) == []
    changed = overrides_for(
        levers,
        {
            "staffing.sergeants": 3,
            "priority": "most_overdue_first",
            **{f"visits.officers_per_visit.{level}": 1 for level in LEVELS},
        },
    )
    assert changed == [
        "staffing.sergeants=3",
        "priority=most_overdue_first",
        "visits.officers_per_visit=1",
    ]
    mixed = overrides_for(levers, {"visits.officers_per_visit.low": 1})
    assert mixed == ["visits.officers_per_visit={very_high: 2, high: 2, medium: 2, low: 1}"]
    scenario = load_scenario(SMALL, mixed)
    assert scenario.visits.officers_per_visit.low == 1  # type: ignore[union-attr]
    assert scenario.visits.officers_per_visit.high == 2  # type: ignore[union-attr]


@pytest.mark.parametrize("case", list(HOSTILE_UPLOADS), ids=str)
def test_bad_uploads_get_the_command_lines_problems(case):
    uploads = UploadFolder()
    try:
        content = b"#" * HUNDRED_MB if case == "100 MB" else HOSTILE_UPLOADS[case]
        path = uploads.save("my force.yaml", content)
        problems = load_or_problems(path, hide=uploads.path)
        assert isinstance(problems, list), case
        assert "\n".join(problems) == _cli_problems(uploads.path, path.name)
        assert problems[1].startswith(f"  {path.name}: ")  # the temporary folder is hidden
        assert str(uploads.path) not in "\n".join(problems)
        # and the next, good, upload loads: nothing is left broken
        good = uploads.save("good.yaml", SMALL.read_bytes())
        assert load_or_problems(good, hide=uploads.path).name == "small_example"  # type: ignore[union-attr]
    finally:
        uploads.close()


def test_an_upload_is_named_safely_and_its_folder_goes_with_the_session():
    uploads = UploadFolder()
    path = uploads.save("../../etc/.passwd scenario.yaml", b"x: 1\n")
    assert path.parent == uploads.path and path.name == "passwd_scenario.yaml"
    folder = uploads.path
    del uploads  # the session's state dropped: the folder goes with it
    gc.collect()
    assert not folder.exists()


def test_the_apps_run_folder_equals_runs(tmp_path):
    overrides = ["staffing.sergeants=2", "visits.officers_per_visit=1", "seed=7", "replications=3"]
    scenario = load_scenario(SMALL, overrides)
    done: list[int] = []
    out = tmp_path / "app"
    finished = run_in_app(
        scenario, out, cli_command("run", SMALL, overrides, out), done.append, EngineOptions(1)
    )
    assert sum(done) == 3  # the progress bar heard of every replication
    cli_out = tmp_path / "cli"
    args = ["run", str(SMALL), "--out", str(cli_out), "--quiet", "--workers", "1"]
    for item in overrides:
        args += ["--set", item]
    assert runner.invoke(app, args).exit_code == 0
    for name in ("trajectories.csv", "summary.csv"):
        assert (finished.folder / name).read_bytes() == (cli_out / name).read_bytes(), name
    assert finished.report == finished.folder / "report.html" and finished.report.exists()


def test_the_apps_comparison_equals_compares(tmp_path):
    scenario = load_scenario(SMALL, ["replications=3"])
    arms = officer_arms(scenario, ["medium", "low"])
    assert [arm.name for arm in arms] == ["baseline", "one_officer"]
    change = officer_change(scenario, ["medium", "low"])
    option = variant_option(change)
    out = tmp_path / "app"
    finished = compare_in_app(arms, out, ["test"], lambda n: None, EngineOptions(1))
    cli_out = tmp_path / "cli"
    args = ["compare", str(SMALL), "--variant", option, "--replications", "3"]
    result = runner.invoke(app, [*args, "--out", str(cli_out), "--quiet", "--workers", "1"])
    assert result.exit_code == 0, result.output
    for name in ("comparison.csv", "outcomes.csv"):
        assert (finished.folder / name).read_bytes() == (cli_out / name).read_bytes(), name
    assert "lone_visit_attempts_medium_total" in (out / "comparison.csv").read_text()


def test_a_comparison_that_changes_nothing_is_refused():
    one = load_scenario(SMALL, ["visits.officers_per_visit=1"])
    with pytest.raises(AppRunError, match="nothing to compare"):
        officer_arms(one, list(LEVELS))


def test_someone_elses_folder_is_refused_before_any_work(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    calls: list[int] = []
    with pytest.raises(AppRunError, match="Cannot write results"):
        run_in_app(load_scenario(SMALL), tmp_path, ["test"], calls.append, EngineOptions(1))
    assert calls == [] and sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_the_zip_holds_the_results_but_not_the_replication_store(tmp_path):
    folder = tmp_path / "results"
    (folder / ".replications").mkdir(parents=True)
    (folder / ".replications" / "r0").write_text("cache")
    (folder / "summary.csv").write_text("a,b\n")
    with zipfile.ZipFile(io.BytesIO(zip_folder(folder))) as archive:
        assert archive.namelist() == ["results/summary.csv"]
        assert archive.read("results/summary.csv") == b"a,b\n"


def test_the_apps_plan_equals_plans(tmp_path):
    from datetime import date

    from sim.webapp.planning import plan_command, plan_in_app, plan_sentence

    scenario = load_scenario(SMALL, ["replications=3"])
    by = date(2024, 7, 29)
    out = tmp_path / "app"
    command = plan_command(SMALL, [], "overdue_visits<=2", by, 0.8, (2, 8), out)
    finished = plan_in_app(
        scenario,
        target="overdue_visits<=2",
        by=by,
        confidence=0.8,
        managers=(2, 8),
        out=out,
        command=command,
        on_done=lambda n: None,
        options=EngineOptions(1),
    )
    search = finished.result.plans[0].search
    # the planner's contract: the value found meets the target in >= 80% of replications,
    # the next one down (if evaluated) does not
    assert search.chosen is not None and search.chosen.probability >= 0.8
    assert search.neighbour is None or search.neighbour.probability < 0.8
    assert plan_sentence(finished).startswith("staffing.offender_managers = ")
    cli_out = tmp_path / "cli"
    args = [*command[1:-1], str(cli_out), "--set", "replications=3", "--workers", "1", "--quiet"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (out / "plan.csv").read_bytes() == (cli_out / "plan.csv").read_bytes()


def test_a_plan_date_before_the_start_is_refused_with_plans_words(tmp_path):
    from datetime import date

    from sim.webapp.planning import plan_in_app

    with pytest.raises(AppRunError, match="must be after the scenario starts"):
        plan_in_app(
            load_scenario(SMALL),
            target="overdue_visits<=2",
            by=date(2024, 4, 1),
            confidence=0.8,
            managers=(2, 8),
            out=tmp_path,
            command=["test"],
            on_done=lambda n: None,
        )


def test_dated_staff_changes_from_the_form_become_the_set_the_command_line_takes():
    # small_example recruits one manager on 1 May 2024 (productive 30 days later); the table
    # starts from that row. Left as it is, or with an empty row or a row that changes nobody
    # added, it gives no --set. A second row (5 managers in, 1 sergeant out, from 1 June 2024,
    # 60 days' training) gives one --set with both rows, and the scenario built with it has
    # exactly those two changes.
    import datetime as dt

    from sim.scenario.file import load_scenario
    from sim.webapp.levers import changes_override, current_changes

    base = load_scenario(SMALL)
    table = current_changes(base)
    assert table == [
        {
            "date": dt.date(2024, 5, 1),
            "offender_managers": 1,
            "sergeants": 0,
            "training_delay_days": 30,
        }
    ]
    empty = {"date": None, "offender_managers": None, "sergeants": None}
    nobody = {"date": dt.date(2024, 6, 1), "offender_managers": 0, "sergeants": 0}
    assert changes_override(table, base) is None
    assert changes_override([*table, empty, nobody], base) is None
    row = {
        "date": dt.date(2024, 6, 1),
        "offender_managers": 5,
        "sergeants": -1,
        "training_delay_days": 60,
    }
    override = changes_override([*table, row, empty], base)
    assert override == (
        "staffing.changes=[{date: 2024-05-01, offender_managers: 1, sergeants: 0, "
        "training_delay_days: 30}, {date: 2024-06-01, offender_managers: 5, sergeants: -1, "
        "training_delay_days: 60}]"
    )
    changed = load_scenario(SMALL, [override])
    assert [
        (c.date, c.offender_managers, c.sergeants, c.training_delay_days)
        for c in changed.staffing.changes
    ] == [(dt.date(2024, 5, 1), 1, 0, 30), (dt.date(2024, 6, 1), 5, -1, 60)]
    assert changes_override(current_changes(changed), changed) is None  # the table as it was
