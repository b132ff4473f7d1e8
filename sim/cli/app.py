"""The shared typer application, consoles and argument types of the command line.

Each command lives in its own module under ``sim/cli/`` and registers itself on ``app``; this
module holds what they share: the consoles, the error printers (exit code 2, no traceback),
scenario loading and the options every command spells the same way. The lifecycle of a
command that writes results (folder, Ctrl-C, executor, store, progress) is in ``session.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.errors import MarkupError
from rich.markup import escape

from sim.format import counted
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
    "fail",
    "fail_with",
    "flag",
    "load",
]

app = typer.Typer(
    help="Simulate police visits to registered sex offenders and forecast the backlog.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


class _SafeConsole(Console):
    """A console on which text that is not valid rich markup prints as it is, never a crash.

    Text a user supplied (paths, values, messages quoting them) is escaped where it is
    printed; this is the net under that: a ``[/]`` that reached markup anyway is shown, not
    raised from inside the error printer."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        try:
            super().print(*objects, **kwargs)
        except MarkupError:
            super().print(*objects, **{**kwargs, "markup": False})


out = _SafeConsole(soft_wrap=True)
err = _SafeConsole(stderr=True, soft_wrap=True)


def flag(name: str, help: str) -> Any:
    """An on/off option such as ``--quiet``. It takes no value, so its help shows no type
    (typer 0.29 would show ``<bool>``, as if the flag needed one)."""
    return typer.Option(name, help=help, metavar="")


ScenarioPath = Annotated[
    Path,
    typer.Argument(
        metavar="SCENARIO", help="Scenario YAML file, e.g. scenarios/small_example.yaml"
    ),
]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a field: dotted.path=value (YAML value), e.g. "
        "--set staffing.offender_managers=30. Repeatable.",
    ),
]
QuietOption = Annotated[bool, flag("--quiet", help="No progress bar.")]
ForceOption = Annotated[
    bool,
    flag(
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
        help="Local worker processes; 1 = serial, in this process. Default: serial for a "
        "small batch, every core once it simulates at least 10 million offender-days "
        "(replications x offenders x days, e.g. 21+ runs of the Avon & Somerset baseline), "
        "where processes repay their start-up. Results are identical whatever the number.",
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
    flag(
        "--no-cache",
        help="Do not keep finished replications in <out>/.replications (no resuming).",
    ),
]


def fail(error: ScenarioError) -> NoReturn:
    """Print every problem (file, field, what is allowed, what was given) and exit with code 2."""
    err.print(f"[bold red]The scenario has {counted(len(error.problems), 'problem')}:[/]")
    for problem in error.problems:
        field = f"[bold]{escape(problem.field)}[/]: " if problem.field else ""
        given = f"\n      given: {escape(problem.given)}" if problem.given else ""
        source, allowed = escape(problem.source), escape(problem.allowed)
        err.print(f"  {source}: {field}{allowed}{given}", highlight=False)
    raise typer.Exit(code=2)


def load(path: Path, overrides: list[str]) -> Scenario:
    """Load and validate a scenario, or print its problems and exit with code 2."""
    try:
        return load_scenario(path, overrides)
    except ScenarioError as error:
        fail(error)


def fail_with(message: str) -> NoReturn:
    """Print one problem that is not about a scenario field and exit with code 2."""
    err.print(f"[bold red]Error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code=2)
