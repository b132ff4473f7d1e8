"""The app's page without a browser (Streamlit's AppTest runs the script in this process):
what a user sees, what the buttons do, and that a bad upload leaves the app working."""

from __future__ import annotations

import pytest
from repo import ROOT, SMALL, runner

from run_sim import app
from sim.webapp.inputs import shipped_scenarios

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

SCRIPT = ROOT / "sim" / "webapp" / "app.py"


@pytest.fixture
def page(monkeypatch, tmp_path):
    """The app on small_example, serial (one worker: fast for 2 to 5 replications)."""
    monkeypatch.setenv("OFFENDER_SIM_APP_WORKERS", "1")
    monkeypatch.chdir(tmp_path)  # results/ goes here
    at = AppTest.from_file(str(SCRIPT), default_timeout=300)
    at.run()
    assert not at.exception
    return at


def _number(at: AppTest, path: str):
    return at.number_input(key=f"{SMALL}:{path}")


def test_the_page_offers_every_scenario_and_the_levers_with_units_and_ranges(page):
    offered = page.selectbox(key="scenario").options
    assert offered == [*shipped_scenarios(), "Upload a scenario file"]
    assert page.selectbox(key="scenario").value == "small_example.yaml"
    labels = [widget.label for widget in page.number_input]
    assert "Offender Managers (officers)" in labels
    assert "Officers per visit, low risk (officers)" in labels
    captions = [caption.value for caption in page.caption]
    assert "Allowed: 1 to 4 officers" in captions  # officers per visit, from the schema
    assert "Allowed: 0 to 1 share" in captions  # the sergeants' assessment share
    assert not page.error


def test_a_run_from_the_page_equals_the_command_lines(page, tmp_path):
    _number(page, "staffing.sergeants").set_value(2)
    _number(page, "visits.officers_per_visit.low").set_value(1)
    _number(page, "replications").set_value(2)
    _number(page, "seed").set_value(7)
    page.text_input(key="run_out").set_value(str(tmp_path / "app"))
    page.button(key="run").click().run()
    assert not page.exception and not page.error
    sentences = " ".join(block.value for block in page.markdown)
    assert "Overdue visits go from 20 on 1 April 2024" in sentences  # the report's headline
    shown = [frame for frame in page.dataframe if not frame.key]
    assert len(shown) == 3  # headline, visits by month, assessments by month
    # and the form's table of dated staff changes, the one keyed frame
    assert [frame.key for frame in page.dataframe if frame.key][0].endswith("_changes")
    assert len(page.get("download_button")) == 3  # the zip, summary.xlsx and report.html
    overrides = [
        "staffing.sergeants=2",
        "replications=2",
        "seed=7",
        "visits.officers_per_visit={very_high: 2, high: 2, medium: 2, low: 1}",
    ]
    assert "Changes: " + "; ".join(f"--set {o}" for o in overrides) in [
        caption.value for caption in page.caption
    ]
    args = ["run", str(SMALL), "--out", str(tmp_path / "cli"), "--quiet", "--workers", "1"]
    for item in overrides:
        args += ["--set", item]
    assert runner.invoke(app, args).exit_code == 0
    for name in ("trajectories.csv", "summary.csv"):
        assert (tmp_path / "app" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()
    # another scenario: the page no longer shows small_example's results
    page.selectbox(key="scenario").set_value("avon_somerset_2023.yaml").run()
    assert not page.exception
    assert not [frame for frame in page.dataframe if not frame.key]  # only the form's table


def test_compare_shows_the_paired_difference_and_lone_visits_by_level(page, tmp_path):
    _number(page, "replications").set_value(2)
    page.text_input(key="compare_out").set_value(str(tmp_path / "compare"))
    page.multiselect(key="one_levels").set_value(["low"])
    page.button(key="compare").click().run()
    assert not page.exception and not page.error
    differences = page.table[0].value
    assert differences.index.name == "outcome"
    assert list(differences.columns) == [
        "baseline: mean",
        "one_officer: mean",
        "one_officer: change (95% CI)",
    ]
    lone = page.table[1].value
    # one officer only at low risk: no lone attempts anywhere else, some at low
    assert lone.loc["high", "one_officer: change (95% CI)"] == "0 (0 to 0)"
    assert lone.loc["low", "one_officer: change (95% CI)"].startswith("+")


def test_an_impossible_lever_shows_the_command_lines_problem_and_no_run_button(page):
    _number(page, "horizon_days").set_value(18_000)
    _number(page, "replications").set_value(1_000)
    page.run()
    assert not page.exception
    assert page.error[0].value.startswith("The scenario has 1 problem:")
    # the rule between fields, named by the --set that broke it, as `run --set` words it
    assert page.code[0].value.startswith("  --set replications=1000: replications: ")
    assert "more than the limit of 1,000,000" in page.code[0].value
    assert not page.button  # nothing to run until it is fixed
    _number(page, "replications").set_value(5).run()
    assert not page.error and page.button(key="run")


def test_a_hostile_upload_is_refused_and_the_app_keeps_working(page):
    page.selectbox(key="scenario").set_value("Upload a scenario file").run()
    assert page.info  # asks for a file
    bomb = b"a: &a [x, x, x, x, x, x, x, x, x, x]\n" + b"".join(
        f"b{i}: &b{i} [{', '.join(['*a' if i == 0 else f'*b{i - 1}'] * 10)}]\n".encode()
        for i in range(9)
    )
    page.sidebar.file_uploader(key="scenario_upload").upload("bomb.yaml", bomb).run()
    assert not page.exception
    assert page.error[0].value == "The scenario has 1 problem:"
    assert page.code[0].value.startswith("  bomb.yaml: ")  # named as uploaded, no temp folder
    upload = page.sidebar.file_uploader(key="scenario_upload")
    upload.clear().upload("mine.yaml", SMALL.read_bytes()).run()
    assert not page.exception and not page.error
    assert page.button(key="run")  # a good upload replaces it and can be run


def test_the_plan_tab_refuses_an_empty_range_in_plans_words(page, tmp_path):
    assert page.number_input(key="low").value == 1  # 6 managers now: from 6 - 5
    assert page.number_input(key="high").value == 16
    page.number_input(key="low").set_value(9)
    page.number_input(key="high").set_value(2)
    page.text_input(key="plan_out").set_value(str(tmp_path / "plan"))
    page.button(key="plan").click().run()
    assert not page.exception
    assert "staffing.offender_managers" in page.error[0].value
    assert not (tmp_path / "plan").exists()  # refused before any work


def test_a_caseload_with_identifiers_in_free_text_is_refused_and_never_shown(page):
    scenario = (ROOT / "scenarios" / "synthetic_caseload_example.yaml").read_bytes()
    header = "id,risk_level,last_visit,next_visit_due,next_assessment_due,notification_end,"
    caseload = f"{header}reactive,notes\nSYN-1,low,,,,,,Jane Doe of 1 High Street\n".encode()
    page.selectbox(key="scenario").set_value("Upload a scenario file").run()
    page.sidebar.file_uploader(key="scenario_upload").upload("force.yaml", scenario)
    page.sidebar.file_uploader(key="caseload_upload").upload("register.csv", caseload)
    page.run()
    assert not page.exception
    shown = "\n".join([e.value for e in page.error] + [c.value for c in page.code])
    assert "unknown column(s)" in shown and "register.csv" in shown  # named, as validate does
    assert "Jane Doe" not in shown and "SYN-1" not in shown  # no identifier is ever shown
    assert "/tmp" not in shown  # nor the temporary folder
    good = (ROOT / "scenarios" / "caseloads" / "synthetic_example.csv").read_bytes()
    page.sidebar.file_uploader(key="caseload_upload").clear().upload("register.csv", good).run()
    assert not page.exception and not page.error and page.button(key="run")
