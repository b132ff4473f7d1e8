"""The Streamlit script of the local web app (started by ``python run_sim.py app``).

It only lays out the page: every decision is in the modules beside it (levers, inputs, runs,
views), which the tests check without a browser. Streamlit runs this script from the top on
every interaction; what must survive a rerun (the upload folder, the finished folders) is kept
in ``st.session_state``.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from sim.experiments.batch import work_units
from sim.levels import LEVELS
from sim.scenario import Scenario
from sim.webapp.form import lever_form
from sim.webapp.inputs import UploadFolder, load_or_problems, shipped_scenarios
from sim.webapp.planning import plan_command, plan_in_app, plan_sentence
from sim.webapp.runs import (
    RESULTS,
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
from sim.webapp.views import comparison_view, run_view

UPLOAD = "Upload a scenario file"


def engine_options() -> EngineOptions:
    """--workers and --scheduler of ``run_sim.py app`` (passed in the environment)."""
    workers = os.environ.get("OFFENDER_SIM_APP_WORKERS")
    return EngineOptions(
        workers=int(workers) if workers else None,
        scheduler=os.environ.get("OFFENDER_SIM_APP_SCHEDULER") or None,
    )


def _uploads() -> UploadFolder:
    """This session's upload folder (removed when the session's state is dropped)."""
    folder = st.session_state.get("uploads")
    if folder is None or not folder.exists:
        folder = UploadFolder()
        st.session_state["uploads"] = folder
    return folder


def choose_scenario() -> tuple[Path, str, Path | None, list[str]] | None:
    """The scenario file, the name to show for it, the folder to hide from problems, and the
    override that points the scenario at an uploaded caseload (if one was uploaded)."""
    shipped = shipped_scenarios()
    names = [*shipped, UPLOAD]
    default = names.index("small_example.yaml") if "small_example.yaml" in names else 0
    choice = st.sidebar.selectbox("Scenario", names, index=default, key="scenario")
    if choice != UPLOAD:
        return shipped[choice], f"scenarios/{choice}", None, []
    scenario_file = st.sidebar.file_uploader(
        "Scenario file (YAML)",
        key="scenario_upload",
        help="Read as untrusted YAML, as "
        "`validate` reads it; kept in a temporary folder removed when you close the page.",
    )
    caseload = st.sidebar.file_uploader(
        "Caseload file (optional)",
        key="caseload_upload",
        help="A CSV, or an Excel .xlsx workbook (its first sheet), as the loader reads it; "
        "it replaces the scenario's "
        "population.initial_caseload. Only counts "
        "from it are ever shown.",
    )
    if scenario_file is None:
        st.info("Upload a scenario file, or pick a shipped one.")
        return None
    key = (scenario_file.file_id, caseload.file_id if caseload else None)
    if st.session_state.get("upload_key") != key:  # a new upload replaces the old folder
        old = st.session_state.pop("uploads", None)
        if old is not None:
            old.close()
        folder = _uploads()
        st.session_state["upload_path"] = folder.save(scenario_file.name, scenario_file.getvalue())
        st.session_state["caseload_path"] = (
            None if caseload is None else folder.save(caseload.name, caseload.getvalue())
        )
        st.session_state["upload_key"] = key
    path: Path = st.session_state["upload_path"]
    table = st.session_state.get("caseload_path")
    given = [] if table is None else [f"population.initial_caseload={table}"]
    return path, path.name, _uploads().path, given


def _progress(scenarios: list[Scenario], replications: int, label: str) -> Any:
    """A progress bar counting what ``on_done`` counts: areas of replications, or replications
    of a scenario without areas (sim.experiments.batch.work_units)."""
    total = work_units(scenarios, replications)
    unit = "areas" if any(scenario.areas for scenario in scenarios) else "replications"
    bar = st.progress(0.0, text=f"{label}: 0 of {total} {unit}")
    done = [0]

    def on_done(n: int) -> None:
        done[0] += n
        bar.progress(min(done[0] / total, 1.0), text=f"{label}: {done[0]} of {total} {unit}")

    return on_done


def _downloads(folder: Path, prefix: str) -> None:
    left, middle, right = st.columns(3)
    left.download_button(
        "Download the results folder (zip)",
        zip_folder(folder),
        file_name=f"{folder.name}.zip",
        mime="application/zip",
        key=f"{prefix}_zip",
    )
    report = folder / "report.html"
    if report.exists():
        right.download_button(
            "Download report.html",
            report.read_bytes(),
            file_name="report.html",
            mime="text/html",
            key=f"{prefix}_report",
        )
    workbook = folder / "summary.xlsx"
    if workbook.exists():
        middle.download_button(
            "Download summary.xlsx",
            workbook.read_bytes(),
            file_name="summary.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"{prefix}_xlsx",
        )


def show_run(folder: Path) -> None:
    """The headline, the fan chart of overdue visits by level and the monthly tables."""
    view = run_view(folder)
    st.subheader("The question and the answer")
    for sentence in view.sentences:
        st.markdown(sentence)
    if view.note:
        st.caption(view.note)
    st.dataframe(view.headline, hide_index=True)
    st.subheader("Overdue visits by risk level")
    st.image(view.backlog_chart, caption=view.backlog_alt)
    st.dataframe(view.backlog_months, hide_index=True)
    st.subheader("Overdue risk assessments by risk level")
    st.dataframe(view.assessment_months, hide_index=True)
    _downloads(folder, "run")


def show_comparison(folder: Path) -> None:
    """The comparison's headline, paired differences and lone-officer exposure by level."""
    view = comparison_view(folder)
    st.subheader(f"Compared with {view.reference}, replication by replication")
    for sentence in view.sentences:
        st.markdown(sentence)
    st.dataframe(view.headline, hide_index=True)
    st.markdown("**Paired differences** (mean of per-replication differences, 95% CI)")
    st.table(view.differences.set_index("outcome"))  # a plain table: every number in the page
    if view.differences_chart is not None:
        st.image(view.differences_chart)
    st.markdown("**Lone-officer visit attempts by risk level** (the exposure one officer adds)")
    st.table(view.lone_visits.set_index("risk level"))
    if view.chart is not None:
        st.image(view.chart)
    _downloads(folder, "compare")


def run_tab(scenario: Scenario, shown: str, overrides: list[str]) -> None:
    out = Path(st.text_input("Results folder", str(RESULTS / scenario.name), key="run_out"))
    if st.button("Run", type="primary", key="run"):
        on_done = _progress([scenario], scenario.replications, scenario.name)
        try:
            finished = run_in_app(
                scenario,
                out,
                cli_command("run", Path(shown), overrides, out),
                on_done,
                engine_options(),
            )
        except AppRunError as error:
            st.error(str(error))
        else:
            st.session_state["run_folder"] = finished.folder
            if finished.report_problem:
                st.warning(finished.report_problem)
    if st.session_state.get("run_folder"):
        show_run(st.session_state["run_folder"])


def compare_tab(scenario: Scenario, shown: str, overrides: list[str]) -> None:
    st.markdown(
        "Runs the scenario as set above against a variant that sends **one officer** at the "
        "levels you choose, on the same replications (common random numbers)."
    )
    levels = st.multiselect(
        "One officer at these risk levels", list(LEVELS), default=list(LEVELS), key="one_levels"
    )
    default = RESULTS / f"{scenario.name}-compare"
    out = Path(st.text_input("Results folder", str(default), key="compare_out"))
    if st.button("Compare", type="primary", key="compare"):
        try:
            arms = officer_arms(scenario, levels)
            command = [
                *cli_command("compare", Path(shown), overrides, out),
                "--variant",
                variant_option(officer_change(scenario, levels)),
            ]
            progress = _progress([arm.scenario for arm in arms], scenario.replications, "compare")
            finished = compare_in_app(arms, out, command, progress, engine_options())
        except AppRunError as error:
            st.error(str(error))
        else:
            st.session_state["compare_folder"] = finished.folder
    if st.session_state.get("compare_folder"):
        show_comparison(st.session_state["compare_folder"])


def plan_tab(scenario: Scenario, shown: str, overrides: list[str]) -> None:
    st.markdown(
        "The fewest **offender managers** that bring overdue visits down to a target by a date, "
        "in at least the share of replications you ask for (the same seeds for every number "
        "tried, so the search bisects the range)."
    )
    left, right = st.columns(2)
    most = left.number_input("At most this many overdue visits", 0, 1_000_000, 10, key="goal")
    last = scenario.start_date + timedelta(days=scenario.horizon_days - 1)
    by = right.date_input(
        "By this date",
        last,
        min_value=scenario.start_date + timedelta(days=1),
        max_value=last,
        key="by",
    )
    confidence = left.slider("In at least this share of replications", 0.5, 1.0, 0.8, 0.05)
    now = scenario.staffing.offender_managers
    low = right.number_input("Offender managers from", 0, 100_000, max(now - 5, 0), key="low")
    high = right.number_input("to", 0, 100_000, now + 10, key="high")
    default = RESULTS / f"{scenario.name}-plan"
    out = Path(st.text_input("Results folder", str(default), key="plan_out"))
    if st.button("Plan", type="primary", key="plan"):
        target = f"overdue_visits<={most}"
        status = st.empty()
        done = [0]

        def on_done(n: int) -> None:
            done[0] += n
            status.text(f"planning: {done[0]} {'areas' if scenario.areas else 'replications'} run")

        try:
            finished = plan_in_app(
                scenario,
                target=target,
                by=by,
                confidence=confidence,
                managers=(int(low), int(high)),
                out=out,
                on_done=on_done,
                command=plan_command(
                    Path(shown), overrides, target, by, confidence, (int(low), int(high)), out
                ),
                options=engine_options(),
            )
        except AppRunError as error:
            st.error(str(error))
        else:
            st.session_state["plan_result"] = (finished.folder, plan_sentence(finished))
    if st.session_state.get("plan_result"):
        folder, sentence = st.session_state["plan_result"]
        st.markdown(sentence)
        st.image(str(folder / "plan.png"))
        st.dataframe(pd.read_csv(folder / "plan.csv"), hide_index=True)
        _downloads(folder, "plan")


def main() -> None:
    st.set_page_config(page_title="Offender visit backlog", layout="wide")
    st.title("Offender visit backlog")
    st.caption("Runs on this machine only: nothing is sent anywhere.")
    chosen = choose_scenario()
    if chosen is None:
        return
    path, shown, hide, given = chosen
    if st.session_state.get("shown") != shown:  # another scenario: not the last one's results
        for key in ("run_folder", "compare_folder", "plan_result"):
            st.session_state.pop(key, None)
        st.session_state["shown"] = shown
    base = load_or_problems(path, given, hide=hide)
    if isinstance(base, list):
        st.error("\n\n".join(base[:1]))
        st.code("\n".join(base[1:]), language=None)
        return
    st.markdown(f"**{base.name}**: {base.description or ''}")
    changes = lever_form(base, prefix=str(path))
    overrides = [*given, *changes]  # the uploaded caseload first, as --set would take it
    scenario = load_or_problems(path, overrides, hide=hide)
    if isinstance(scenario, list):  # e.g. replications x horizon too large
        st.error("\n\n".join(scenario[:1]))
        st.code("\n".join(scenario[1:]), language=None)
        return
    if changes:
        st.caption("Changes: " + "; ".join(f"--set {item}" for item in changes))
    run, compare, plan = st.tabs(["Run", "Compare one vs two officers", "Plan managers"])
    with run:
        run_tab(scenario, shown, overrides)
    with compare:
        compare_tab(scenario, shown, overrides)
    with plan:
        if scenario.areas:
            st.caption("This scenario has areas: plan its staff with `python run_sim.py plan`.")
        else:
            plan_tab(scenario, shown, overrides)


main()
