"""`new-scenario`: write a commented starter scenario to fill in."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from .app import app, err, out

__all__ = ["new_scenario"]

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@app.command("new-scenario")
def new_scenario(
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="Name of the scenario, e.g. my_force_2025")
    ],
    out_file: Annotated[
        Path | None,
        typer.Option("--out", help="Where to write it (default scenarios/NAME.yaml)."),
    ] = None,
) -> None:
    """Write a starter scenario with every field explained, ready to fill in.

    The example values (a small fictional force) validate as they stand, so the file runs
    at once; replace them with your own figures. An existing file is never overwritten.

    Example: python run_sim.py new-scenario my_force_2025
    """
    if not NAME_PATTERN.match(name) or len(name) > 100:
        err.print(
            f"[bold red]Cannot use the name[/] {escape(repr(name))}: use letters, digits, _ . or - "
            "(starting with a letter or digit, up to 100 characters), e.g. my_force_2025",
            highlight=False,
        )
        raise typer.Exit(code=2)
    target = out_file or Path("scenarios") / f"{name}.yaml"
    if target.exists():
        err.print(
            f"[bold red]{escape(str(target))} already exists[/] and was left as it is. "
            "Choose another name, or another file with --out PATH.",
            highlight=False,
        )
        raise typer.Exit(code=2)
    from sim.io.files import atomic_write
    from sim.scenario.starter import starter_yaml

    text = starter_yaml(name, target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    except OSError as error:
        err.print(
            f"[bold red]Cannot write {escape(str(target))}:[/] {escape(str(error.strerror))}",
            highlight=False,
        )
        raise typer.Exit(code=2) from None
    out.print(
        f"Wrote {target}. Fill it in, then: python run_sim.py validate {target}",
        markup=False,
        highlight=False,
    )
