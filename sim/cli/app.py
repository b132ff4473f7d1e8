"""The shared typer application, consoles and argument types of the command line.

Each command lives in its own module under ``sim/cli/`` and registers itself on ``app``; this
module holds what they share: the error printer (exit code 2, no traceback) and the options
every command spells the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from ..config import Scenario
from ..output_folder import DERIVED_FILES, RUN_FILES, OutputFolderError, prepare_output_folder
from ..scenario_file import ScenarioError, load_scenario

__all__ = [
    "app",
    "out",
    "err",
    "ScenarioPath",
    "SetOption",
    "QuietOption",
    "ForceOption",
    "fail",
    "load",
    "output_folder",
    "exit_interrupted",
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
    target: Path, names: list[str], writing: bool, marker: str = "manifest.json"
) -> NoReturn:
    """After Ctrl-C: say what was saved (nothing, some files, or all) and exit with code 130.

    ``names`` are the files this run saved (output_folder.saved_since); ``writing`` says
    whether writing had begun (the folder's old marker is then gone).
    """
    if not names and not writing:
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


def load(path: Path, overrides: list[str]) -> Scenario:
    """Load and validate a scenario, or print its problems and exit with code 2."""
    try:
        return load_scenario(path, overrides)
    except ScenarioError as error:
        fail(error)
