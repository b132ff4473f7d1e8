"""The shared typer application, consoles and argument types of the command line.

Each command lives in its own module under ``sim/cli/`` and registers itself on ``app``; this
module holds what they share: the error printer (exit code 2, no traceback) and the options
every command spells the same way.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from sim.io.folder import (
    DERIVED_FILES,
    RUN_FILES,
    OutputFolderError,
    file_identities,
    prepare_output_folder,
    saved_since,
    stored_replications,
)
from sim.scenario import Scenario
from sim.scenario.file import ScenarioError, load_scenario

__all__ = [
    "app",
    "out",
    "err",
    "ForceOption",
    "NoCacheOption",
    "QuietOption",
    "ScenarioPath",
    "SchedulerOption",
    "SetOption",
    "WorkersOption",
    "executor_for",
    "exit_interrupted",
    "fail",
    "fail_with",
    "interruptible",
    "load",
    "output_folder",
    "store_for",
]

app = typer.Typer(
    help="Simulate police visits to registered sex offenders and forecast the backlog.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

ScenarioPath = Annotated[
    Path, typer.Argument(help="Scenario YAML file, e.g. scenarios/small_example.yaml")
]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a field: dotted.path=value (YAML value), e.g. "
        "--set staffing.offender_managers=30. Repeatable.",
    ),
]
QuietOption = Annotated[bool, typer.Option("--quiet", help="No progress bar.")]
ForceOption = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Write into the --out folder even if it holds files this tool did not write "
        "(only the tool's own files are replaced).",
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        max=1024,
        help="Local worker processes (default: every core; 1 = serial, in this process).",
    ),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Run on a dask.distributed cluster: the scheduler's address, e.g. "
        "tcp://10.0.0.5:8786 (workers need this package installed).",
    ),
]
NoCacheOption = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Do not keep finished replications in <out>/.replications (no resuming).",
    ),
]


def fail(error: ScenarioError) -> NoReturn:
    """Print every problem (file, field, what is allowed, what was given) and exit with code 2."""
    err.print(f"[bold red]The scenario has {len(error.problems)} problem(s):[/]")
    for problem in error.problems:
        field = f"[bold]{problem.field}[/]: " if problem.field else ""
        given = f"\n      given: {problem.given}" if problem.given else ""
        err.print(f"  {problem.source}: {field}{problem.allowed}{given}", highlight=False)
    raise typer.Exit(code=2)


def output_folder(
    path: Path, force: bool, own_names: Iterable[str] = RUN_FILES + DERIVED_FILES
) -> Path:
    """Check the results folder before any work (output_folder.py), or exit with code 2."""
    try:
        return prepare_output_folder(path, force, own_names)
    except OutputFolderError as error:
        err.print(f"[bold red]Cannot write results:[/] {error}", highlight=False)
        raise typer.Exit(code=2) from None


def exit_interrupted(
    target: Path,
    names: list[str],
    writing: bool,
    kept_replications: int = 0,
    marker: str = "manifest.json",
) -> NoReturn:
    """After Ctrl-C: say what was saved (nothing, some files, or all) and exit with code 130.

    ``names`` are the files this run saved (output_folder.saved_since); ``writing`` says
    whether writing had begun (the folder's old marker is then gone); ``kept_replications``
    counts finished replications kept in the replication store for resuming.
    """
    if not names and not writing and kept_replications:
        message = (
            f"no results were written; {kept_replications} finished replications of this run "
            f"are kept in {target}/.replications, and the same command resumes from them."
        )
    elif not names and not writing:
        message = f"nothing was saved; {target} is as it was."
    elif not names:
        message = (
            f"nothing new was saved in {target}/, and it has no {marker}, so it reads as "
            "incomplete; run again to finish it."
        )
    elif marker in names:
        message = f"all results were saved in {target}/ ({', '.join(names)})."
    else:
        message = (
            f"saved {', '.join(names)} in {target}/, but not {marker}: the folder is "
            f"incomplete (a complete results folder has {marker}); run again to finish it."
        )
    err.print(f"[bold yellow]Interrupted:[/] {message}", highlight=False)
    raise typer.Exit(code=130)


@contextmanager
def interruptible(
    target: Path, own_names: Sequence[str], marker: str = "manifest.json"
) -> Iterator[None]:
    """Do a command's work; on Ctrl-C, exit with code 130 saying what it saved.

    What was saved is read from the folder, not from bookkeeping a Ctrl-C could cut short:
    the result files whose inode changed (every atomic write renames a new file into place),
    whether the old marker is gone (a rewrite had begun), and how many finished replications
    the store gained.
    """
    before = file_identities(target, own_names)
    had_marker = (target / marker).exists()
    kept_before = stored_replications(target)
    try:
        yield
    except KeyboardInterrupt:
        saved = saved_since(target, before, own_names)
        writing = bool(saved) or (had_marker and not (target / marker).exists())
        kept = stored_replications(target) - kept_before
        exit_interrupted(target, saved, writing, kept, marker)


def load(path: Path, overrides: list[str]) -> Scenario:
    """Load and validate a scenario, or print its problems and exit with code 2."""
    try:
        return load_scenario(path, overrides)
    except ScenarioError as error:
        fail(error)


def fail_with(message: str) -> NoReturn:
    """Print one problem that is not about a scenario field and exit with code 2."""
    err.print(f"[bold red]Error:[/] {message}", highlight=False)
    raise typer.Exit(code=2)


def executor_for(workers: int | None, scheduler: str | None, tasks: int):
    """The executor for --workers/--scheduler, never more local processes than ``tasks``."""
    from sim.experiments.executors import make_executor

    if scheduler is None:
        workers = min(workers if workers is not None else (os.cpu_count() or 1), max(tasks, 1))
    return make_executor(workers, scheduler)


def store_for(out_dir: Path, no_cache: bool):
    """The replication store inside the results folder, or None with --no-cache."""
    from sim.experiments.store import CACHE_FOLDER_NAME, ReplicationStore

    return None if no_cache else ReplicationStore(out_dir / CACHE_FOLDER_NAME)
