"""The progress bars long commands show on stderr: counts done, total, time left.

:func:`progress_bar` counts replications (or other work); :func:`fit_progress` counts a
calibration's evaluations and shows the best loss so far.

``--quiet`` turns it off. The bar is transient (it disappears when the work is done), so the
printed results stay readable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from .app import err

__all__ = ["fit_progress", "progress_bar"]


@contextmanager
def progress_bar(
    label: str, total: int | None, quiet: bool, unit: str = "replications"
) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(n)``; ``total=None`` for open-ended work (counts and time elapsed)."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TimeRemainingColumn() if total is not None else TimeElapsedColumn(),
        console=err,
        disable=quiet,
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=total)

        def advance(n: int = 1) -> None:
            progress.advance(task, n)

        yield advance


@contextmanager
def fit_progress(label: str, total: int, quiet: bool) -> Iterator[Callable[[float], None]]:
    """Yield ``evaluated(loss)``, to call after each of at most ``total`` evaluations."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("evaluations, best loss {task.fields[best]}"),
        TimeElapsedColumn(),
        console=err,
        disable=quiet,
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=total, best="-")
        best = float("inf")

        def evaluated(loss: float) -> None:
            nonlocal best
            best = min(best, loss)
            progress.update(task, advance=1, best=f"{best:.4g}")

        yield evaluated
