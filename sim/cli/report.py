"""`report`: write report.html for a finished results folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .app import app, err, out

__all__ = ["report"]


@app.command()
def report(
    results_dir: Annotated[
        Path,
        typer.Argument(help="A results folder written by run, e.g. results/small_example"),
    ],
) -> None:
    """Write report.html: the backlog forecast, charts with tables, assumptions, model notes.

    The report is one self-contained file (charts embedded, no internet needed):
    open it in any browser. `run` writes it too; use this to rebuild it.

    Example: python run_sim.py report results/small_example
    """
    from sim.report.build import ReportError, write_report

    try:
        path = write_report(results_dir)
    except ReportError as error:
        err.print(f"[bold red]Cannot build the report:[/] {error}", highlight=False)
        raise typer.Exit(code=2) from None
    out.print(f"Report written: {path} (open it in a web browser)", highlight=False)
