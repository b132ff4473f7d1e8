"""What every executor shares: the protocol, its errors, and closing as a context manager.

Kept apart from the executors themselves so that the local ones (``executors.py``) and the
Dask one (``dask_cluster.py``) can both build on it without importing each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, Self

__all__ = ["WORKER_DIED", "Executor", "ExecutorError", "Interrupted", "Closing"]

WORKER_DIED = (
    "a worker process stopped unexpectedly (out of memory, or killed); the replications "
    "already finished are kept: run the same command again to resume"
)


class ExecutorError(RuntimeError):
    """The executor cannot be used (e.g. no scheduler at the address); the message says why."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C while waiting for tasks: the work in progress was stopped; ``finished`` holds
    the ``(index, result)`` pairs that had ended but not yet been handed out, to be kept."""

    def __init__(self, finished: list[tuple[int, Any]]) -> None:
        super().__init__()
        self.finished = finished


class Executor(Protocol):
    """Runs ``function(*args)`` for each args tuple, yielding (index, result) as each ends."""

    description: str

    @property
    def parallelism(self) -> int:
        """How many tasks run at once (a batch this size keeps every worker busy)."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc_info: object) -> None: ...

    def map_unordered(
        self, function: Callable[..., Any], arguments: Sequence[tuple]
    ) -> Iterator[tuple[int, Any]]: ...

    def close(self) -> None: ...


class Closing:
    """An executor as a context manager: ``close`` on leaving."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release workers or connections (nothing to do by default)."""
