"""What several commands share beyond the session: ``--months`` and the notes they print after
their results (never before, never on --json)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated

import typer

from .app import err, fail_with

__all__ = ["MonthsOption", "months_override", "warn_if_few"]

MonthsOption = Annotated[
    int | None,
    typer.Option(
        min=1,
        max=600,
        help="Run this many calendar months from the start date, counting leap days "
        "(sets horizon_days so the last day shown is that date), e.g. --months 12.",
    ),
]


def months_override(start: date, months: int, set_: Sequence[str] | None) -> str:
    """The ``horizon_days=N`` override that makes a run reach ``months`` calendar months after
    ``start`` (refused beside a ``--set horizon_days``)."""
    from sim.titles import days_to_reach

    if any(item.split("=", 1)[0].strip() == "horizon_days" for item in set_ or []):
        fail_with("give --months or --set horizon_days=..., not both")
    return f"horizon_days={days_to_reach(start, months)}"


def warn_if_few(replications: int) -> None:
    """Say so on standard error when a study ran too few replications to rely on."""
    from sim.analysis.summary import few_replications

    warning = few_replications(replications)
    if warning is not None:
        err.print(f"[bold yellow]Note:[/] {warning}", highlight=False)
