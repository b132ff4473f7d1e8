"""The shared typer application, consoles and argument types of the command line.

Each command lives in its own module under ``sim/cli/`` and registers itself on ``app``; this
module holds what they share: the error printer (exit code 2, no traceback) and the options
every command spells the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from ..config import Scenario
from ..scenario_file import ScenarioError, load_scenario

__all__ = ["app", "out", "err", "ScenarioPath", "SetOption", "QuietOption", "fail", "load"]

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


def fail(error: ScenarioError) -> NoReturn:
    """Print every problem (file, field, what is allowed, what was given) and exit with code 2."""
    err.print(f"[bold red]The scenario has {len(error.problems)} problem(s):[/]")
    for problem in error.problems:
        field = f"[bold]{problem.field}[/]: " if problem.field else ""
        given = f"\n      given: {problem.given}" if problem.given else ""
        err.print(f"  {problem.source}: {field}{problem.allowed}{given}", highlight=False)
    raise typer.Exit(code=2)


def load(path: Path, overrides: list[str]) -> Scenario:
    """Load and validate a scenario, or print its problems and exit with code 2."""
    try:
        return load_scenario(path, overrides)
    except ScenarioError as error:
        fail(error)
