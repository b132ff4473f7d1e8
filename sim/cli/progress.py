"""The progress bar every long command shows on stderr: counts done, total, time left.

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

__all__ = ["progress_bar"]


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
        yield lambda n=1: progress.advance(task, n)
