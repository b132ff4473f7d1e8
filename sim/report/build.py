"""report.html: one self-contained page a chief officer can read, built from a results folder.

The page answers the question first (where will the backlog be), then shows each part of the
picture as a chart with a table of the same numbers, the assumptions of the run and a model
description following the STRESS-DES checklist. Charts are embedded as PNG data URIs and the
styles are inline, so the single file opens offline and can be e-mailed. It is rendered with
Jinja2 (autoescaping on, so scenario text can never inject markup).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from rich.markup import escape

from sim.analysis.summary import few_replications
from sim.format import MISSING, human_date
from sim.io.files import atomic_write
from sim.report.compare import compare_context, variant_changes
from sim.report.data import ComparisonResults, ReportError, Results, load_results
from sim.report.fan import fan_section
from sim.report.figures import areas_chart, data_uri
from sim.report.measures import areas_section, inspectorate_section
from sim.report.sections import (
    activity_section,
    assessments_section,
    backlog_section,
    calibration_section,
    escalations_section,
    headline_section,
    utilisation_section,
)
from sim.report.text import assumption_sections, stress_des

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "REPORT_NAME",
    "SECTION_IDS",
    "ReportError",
    "build_report",
    "write_report",
    "write_report_or_warn",
]

REPORT_NAME = "report.html"
SECTIONS = (
    ("question", "The question and the answer"),
    ("backlog", "Overdue visits by risk level"),
    ("activity", "Visit attempts and contacts"),
    ("utilisation", "Staff utilisation"),
    ("assessments", "Overdue risk assessments"),
    ("escalations", "Unnoticed escalations"),
    ("observed", "Observed and simulated"),
    ("comparison", "Comparison of variants"),
    ("assumptions", "Assumptions"),
    ("model", "Model description (STRESS-DES)"),
    ("reproduce", "Files and reproduction"),
)
SECTION_IDS = tuple(anchor for anchor, _ in SECTIONS)
FILES = {
    "report.html": "this report",
    "trajectories.csv": "one row per replication per simulated day",
    "trajectories.parquet": "the same as trajectories.csv, typed, for programs (Parquet)",
    "summary.csv": "mean, 95% CI and percentiles of every metric, whole run and each month",
    "summary.parquet": "the same as summary.csv, numbers in full, for programs (Parquet)",
    "summary.xlsx": "the headline and monthly figures by risk level, for Excel",
    "backlog.png": "overdue visits over time by risk level",
    "manifest.json": "the resolved scenario, seed, versions and command, to reproduce the run",
    "calibration.csv": "reported figures beside the simulation",
    "calibration.png": "reported figures beside the simulation, as charts",
    "managers.csv": "personal caseloads: each manager's caseload and overdue visits at the end",
    "parameter_sets.csv": "the parameter set (from --parameters) each replication ran",
    "fan.csv": "overdue visits by day: bands from chance alone and from chance and calibration",
    "fan.png": "the same as a fan chart",
    "backtest.csv": "the forecast scored against figures reported later",
    "backtest.png": "the same as charts",
    "comparison.csv": "each variant and its paired difference against the first",
    "comparison.png": "the variants' backlog over time",
    "outcomes.csv": "every replication's outcomes, per variant",
}

_environment = jinja2.Environment(
    loader=jinja2.PackageLoader("sim.report", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=False,
)


def _context(results: Results) -> dict:
    manifest = results.manifest
    scenario = results.scenario
    start = results.start_date
    last_day = int(results.trajectories["day"].max())
    return {
        "title": results.title,
        "few": few_replications(results.replications),
        "name": scenario.get("name", ""),
        "replications": results.replications,
        "seed": scenario.get("seed", manifest.get("seed", "")),
        "start": human_date(start),
        "end": human_date(start + timedelta(days=last_day)),
        "started": manifest.get("started_at", MISSING),
        "contents": SECTIONS,
        "headline": headline_section(results),
        "measures": inspectorate_section(results),
        "areas": _areas(results),
        "backlog": backlog_section(results),
        "fan": fan_section(results),
        "activity": activity_section(results),
        "utilisation": utilisation_section(results),
        "assessments": assessments_section(results),
        "escalations": escalations_section(results),
        "calibration": calibration_section(results),
        "assumptions": assumption_sections(scenario),
        "variant_changes": [],
        "stress": stress_des(manifest),
        **_common(results),
    }


def _areas(results: Results) -> dict | None:
    """The per-area ranking with its chart embedded, or None for a scenario without areas."""
    section = areas_section(results)
    if section is not None:
        section["chart"] = data_uri(areas_chart(section.pop("ranked")))
    return section


def _common(results: Results | ComparisonResults) -> dict:
    manifest = results.manifest
    present = {p.name for p in results.path.iterdir()} | {REPORT_NAME}
    return {
        "folder": str(results.path),
        "files": [(name, what) for name, what in FILES.items() if name in present],
        "command": " ".join(manifest.get("command", [])) or "not recorded",
        "commit": manifest.get("git_commit") or "not recorded",
    }


def _comparison_context(results: ComparisonResults) -> dict:
    manifest = results.manifest
    scenario = results.scenario
    # the STRESS-DES text describes the reference variant's run, plus how variants were made
    stress = stress_des({**manifest, "scenario": scenario})
    for section in stress:  # a comparison is not set against reported figures (audit D12)
        section[1][:] = [
            (
                name,
                "The scenario files of the variants: their values and the sources in their "
                "comments. A comparison is not set against reported figures; run a variant "
                "on its own to see them beside the simulation.",
            )
            if name == "Data sources"
            else (name, text)
            for name, text in section[1]
        ]
    stress[3][1].append(
        (
            "Variants",
            f"{len(results.names)} variants ({', '.join(results.names)}), each compared with "
            f"{results.reference} on the same {results.replications} replications"
            + (
                " with common random numbers (the same seeds and per-offender streams)."
                if manifest.get("common_random_numbers", True)
                else " with independent seeds (no common random numbers)."
            ),
        )
    )
    return {
        "title": results.title,
        "few": few_replications(results.replications),
        "name": scenario.get("name", ""),
        "replications": results.replications,
        "seed": scenario.get("seed", ""),
        "started": manifest.get("started_at", MISSING),
        "contents": SECTIONS,
        **compare_context(results),
        "assumptions": assumption_sections(scenario),
        "variant_changes": variant_changes(results),
        "stress": stress,
        **_common(results),
    }


def build_report(results_dir: Path | str) -> str:
    """The report's HTML for a finished run or comparison folder (else raises ReportError)."""
    results = load_results(results_dir)
    if isinstance(results, ComparisonResults):
        return _environment.get_template("compare.html").render(**_comparison_context(results))
    return _environment.get_template("run.html").render(**_context(results))


def write_report(results_dir: Path | str) -> Path:
    """Build the report and write it atomically as RESULTS_DIR/report.html."""
    html = build_report(results_dir)
    path = Path(results_dir) / REPORT_NAME
    atomic_write(path, lambda tmp: _write_text(tmp, html))
    return path


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def write_report_or_warn(results_dir: Path | str, console: Console) -> Path | None:
    """For commands that have just written results: the report, or a warning on ``console``
    (a rich Console) if it cannot be built; the results themselves are kept either way."""
    try:
        return write_report(results_dir)
    except ReportError as error:
        console.print(f"[yellow]No report.html:[/] {escape(str(error))}", highlight=False)
        return None
