"""Short notes the commands print after their results (never before, never on --json)."""

from __future__ import annotations

from .app import err

__all__ = ["warn_if_few"]


def warn_if_few(replications: int) -> None:
    """Say so on standard error when a study ran too few replications to rely on."""
    from sim.analysis.summary import few_replications

    warning = few_replications(replications)
    if warning is not None:
        err.print(f"[bold yellow]Note:[/] {warning}", highlight=False)
