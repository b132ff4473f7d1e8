"""`report`: write report.html for a finished results folder."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.markup import escape

from .app import app, err, out

__all__ = ["report"]


@app.command()
def report(
    results_dir: Annotated[
        Path,
        typer.Argument(
            metavar="RESULTS_DIR",
            help="A results folder written by run or compare, e.g. results/small_example",
        ),
    ],
) -> None:
    """Write report.html: the backlog forecast, charts with tables, assumptions, model notes.

    The report is one self-contained file (charts embedded, no internet needed):
    open it in any browser. `run` writes it too; use this to rebuild it.

    Example: python run_sim.py report results/small_example
    """
    from sim.io.folder import OutputFolderError, folder_lock
    from sim.report.folder import ReportError, check_folder

    try:
        check_folder(results_dir)  # a wrong folder is named at once, before the slow imports
        from sim.report.build import write_report

        with folder_lock(results_dir) if results_dir.is_dir() else nullcontext():
            path = write_report(results_dir)
    except (ReportError, OutputFolderError) as error:
        _cannot(str(error))
    except (ValueError, TypeError, AttributeError, KeyError, IndexError) as error:
        # files that match their manifest, but a manifest edited by hand into nonsense
        _cannot(
            f"{results_dir}: its manifest.json or result files are malformed "
            f"({type(error).__name__}: {error}); run the command that wrote it again"
        )
    out.print(f"Report written: {escape(str(path))} (open it in a web browser)", highlight=False)


def _cannot(message: str) -> NoReturn:
    err.print(f"[bold red]Cannot build the report:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code=2)
