"""A run or a comparison from the app, through the same library calls as the command line.

``run`` calls :func:`sim.studies.run.run_study` and ``compare`` calls
:func:`sim.studies.compare.compare_study`, each with an :class:`~sim.experiments.batch.Engine`
built as the command line's session builds it (sim/cli/session.py): local worker processes
(never more than there are replications) or a Dask scheduler, the replication store in the
results folder, and a progress callback. The results folder is checked by the same guard
(:func:`sim.io.folder.prepare_output_folder`), and report.html is built from the finished
folder. So the app's results folder and the command line's are the same for the same inputs.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sim.experiments.batch import Engine, work_units
from sim.experiments.default_workers import workers_for
from sim.experiments.executors import ExecutorError, make_executor
from sim.experiments.store import CACHE_FOLDER_NAME, ReplicationStore
from sim.experiments.variants import Variant, comparison_variants
from sim.io.folder import (
    CALIBRATION_FILES,
    DERIVED_FILES,
    RUN_FILES,
    STUDY_FILES,
    OutputFolderError,
    prepare_output_folder,
)
from sim.levels import LEVELS
from sim.report.build import write_report
from sim.report.data import ReportError
from sim.scenario import Scenario
from sim.scenario.file import ScenarioError
from sim.webapp.inputs import problem_lines

__all__ = [
    "RESULTS",
    "AppRunError",
    "EngineOptions",
    "Finished",
    "cli_command",
    "engine_for",
    "prepare",
    "compare_in_app",
    "officer_arms",
    "officer_change",
    "variant_option",
    "run_in_app",
    "zip_folder",
]

RESULTS = Path("results")  # as on the command line: results/<name>/ in the current folder
RUN_NAMES = RUN_FILES + CALIBRATION_FILES + DERIVED_FILES
COMPARE_NAMES = STUDY_FILES["compare"] + DERIVED_FILES
ONE_OFFICER = "one_officer"
OFFICERS = "visits.officers_per_visit"


class AppRunError(Exception):
    """A run could not start or finish; the message is the command line's for the same case."""


@dataclass(frozen=True)
class EngineOptions:
    """How the work runs, as the command line's --workers, --scheduler and --no-cache."""

    workers: int | None = None  # None: serial or every core, by the work (default_workers)
    scheduler: str | None = None  # a Dask scheduler's address
    no_cache: bool = False


@dataclass(frozen=True)
class Finished:
    """A finished study: its folder, its report (None if it could not be built) and the
    library's result (a RunResult or a ComparisonResult)."""

    folder: Path
    report: Path | None
    result: Any
    report_problem: str = ""


def cli_command(verb: str, scenario: Path, overrides: Sequence[str], out: Path) -> list[str]:
    """The command line that does the same work, recorded in the manifest to reproduce it."""
    command = ["run_sim.py", verb, str(scenario)]
    for item in overrides:
        command += ["--set", item]
    return [*command, "--out", str(out)]


@contextmanager
def engine_for(
    options: EngineOptions,
    target: Path,
    tasks: int,
    on_done: Callable[[int], None],
    scenario: Scenario,
    runs: float | None = None,
) -> Iterator[Engine]:
    """The engine a study runs on, built as sim/cli/session.py builds it: the executor (at
    most ``tasks`` local processes, by default as many as ``runs`` replications of
    ``scenario`` repay, or the Dask scheduler), the replication store in ``target`` (unless
    ``no_cache``) and ``on_done`` for the progress bar."""
    workers = options.workers
    if options.scheduler is None:  # as sim/cli/session.py executor_for
        workers = workers_for(workers, tasks, scenario, runs)
    store = None if options.no_cache else ReplicationStore(target / CACHE_FOLDER_NAME)
    try:
        with make_executor(workers, options.scheduler) as executor:
            yield Engine(executor, store, on_done)
    except ExecutorError as error:
        raise AppRunError(str(error)) from None
    except ScenarioError as error:  # met while running, e.g. a caseload read by a worker
        raise AppRunError("\n".join(problem_lines(error))) from None


def prepare(out: Path, names: Sequence[str], force: bool) -> Path:
    """The results folder, checked by the command line's guard before any work."""
    try:
        return prepare_output_folder(out, force, names)
    except OutputFolderError as error:
        raise AppRunError(f"Cannot write results: {error}") from None


def _report(folder: Path) -> tuple[Path | None, str]:
    try:
        return write_report(folder), ""
    except ReportError as error:
        return None, f"No report.html: {error}"


def run_in_app(
    scenario: Scenario,
    out: Path,
    command: Sequence[str],
    on_done: Callable[[int], None],
    options: EngineOptions = EngineOptions(),
    force: bool = False,
) -> Finished:
    """``run``: the scenario's replications into ``out``, then report.html."""
    from sim.studies.run import run_study

    target = prepare(out, RUN_NAMES, force)
    tasks = work_units([scenario], scenario.replications)  # one per area: as on_done counts
    with engine_for(
        options, target, tasks, on_done, scenario, scenario.replications
    ) as engine:
        result = run_study(scenario, target=target, command=command, engine=engine)
    report, problem = _report(target)
    return Finished(target, report, result, problem)


def officer_change(scenario: Scenario, one_officer_levels: Sequence[str]) -> dict[str, Any]:
    """``{"visits.officers_per_visit": ...}``: one officer at the chosen levels, the
    scenario's number at the others (one number when every level is the same)."""
    officers = scenario.visits.officers_per_visit
    current = {
        level: officers if isinstance(officers, int) else getattr(officers, level)
        for level in LEVELS
    }
    changed = {level: 1 if level in one_officer_levels else current[level] for level in LEVELS}
    if changed == current:
        raise AppRunError(
            "nothing to compare: the scenario already sends one officer at those levels; "
            "choose levels where it sends more, or raise officers per visit first"
        )
    value = changed["low"] if len(set(changed.values())) == 1 else changed
    return {OFFICERS: value}


def variant_option(changes: dict[str, Any]) -> str:
    """The ``--variant`` text for the one-officer variant (YAML flow values)."""
    return f"{ONE_OFFICER}:" + ",".join(
        f"{path}={yaml.safe_dump(value, default_flow_style=True, width=10**6).strip()}"
        for path, value in changes.items()
    )


def officer_arms(scenario: Scenario, one_officer_levels: Sequence[str]) -> list[Variant]:
    """The scenario as it is, then a variant sending one officer at the chosen levels.

    The file's own variants are left out: the app compares this one question. The arms share
    the seed and replications, so they pair replication by replication (common random
    numbers), as ``compare --variant one_officer:visits.officers_per_visit=...`` does.
    """
    changes = officer_change(scenario, one_officer_levels)
    base = scenario.model_copy(update={"variants": {}})
    try:
        return comparison_variants([("scenario", base)], [(ONE_OFFICER, changes)])
    except ScenarioError as error:
        raise AppRunError("; ".join(str(problem) for problem in error.problems)) from None


def compare_in_app(
    arms: Sequence[Variant],
    out: Path,
    command: Sequence[str],
    on_done: Callable[[int], None],
    options: EngineOptions = EngineOptions(),
    force: bool = False,
) -> Finished:
    """``compare``: every arm on the same replications into ``out``, then report.html."""
    from sim.studies.compare import compare_study

    replications = arms[0].scenario.replications
    if replications < 2:
        raise AppRunError("a comparison needs at least 2 replications for its confidence intervals")
    target = prepare(out, COMPARE_NAMES, force)
    tasks = work_units([arm.scenario for arm in arms], replications)
    runs = replications * len(arms)
    with engine_for(options, target, tasks, on_done, arms[0].scenario, runs) as engine:
        result = compare_study(
            arms, replications, crn=True, target=target, command=command, engine=engine
        )
    report, problem = _report(target)
    return Finished(target, report, result, problem)


def zip_folder(folder: Path) -> bytes:
    """The results folder as a zip (without the replication store, which is for resuming)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if path.is_file() and relative.parts[0] != CACHE_FOLDER_NAME:
                archive.write(path, f"{folder.name}/{relative.as_posix()}")
    return buffer.getvalue()
