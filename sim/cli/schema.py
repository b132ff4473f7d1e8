"""`schema`: print the JSON Schema of scenario files, or the Markdown scenario reference."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from .app import app, err, flag

__all__ = ["schema"]


@app.command()
def schema(
    markdown: Annotated[
        bool,
        flag("--markdown", help="Print the scenario reference (Markdown) instead."),
    ] = False,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of the screen.")
    ] = None,
) -> None:
    """Print the JSON Schema of scenario files, for editors to validate and autocomplete.

    Every field has a description and, for numbers, a unit. The shipped copies are
    docs/scenario.schema.json and docs/scenario-reference.md; regenerate them after changing
    sim/config.py.

    Example: python run_sim.py schema --out docs/scenario.schema.json

    Example: python run_sim.py schema --markdown --out docs/scenario-reference.md
    """
    if markdown:
        from sim.scenario.reference import reference_markdown

        text = reference_markdown()
    else:
        from sim.scenario.schema import schema_json

        text = schema_json()
    if out_file is None:
        sys.stdout.write(text)
        return
    from sim.io.files import atomic_write

    try:
        atomic_write(out_file, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    except OSError as error:
        err.print(
            f"[bold red]Cannot write {escape(str(out_file))}:[/] {escape(str(error.strerror))}",
            highlight=False,
        )
        raise typer.Exit(code=2) from None
    err.print(f"Wrote {out_file}", markup=False, highlight=False)
