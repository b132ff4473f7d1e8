"""Where replications run: in this process, in local worker processes, or on a Dask cluster.

An executor takes a picklable function and a list of argument tuples and yields
``(index, result)`` pairs *as they finish* (any order). Callers put results back in index
order, and every task is a pure function of its arguments, so all three executors give
identical results; only the time differs.

- :class:`SerialExecutor`: one after the other, here (no start-up cost; easiest to debug).
- :class:`ProcessExecutor`: ``concurrent.futures.ProcessPoolExecutor`` with ``workers``
  processes, started by a fork server that has imported the model (quick, and safe with the
  progress bar's thread), or with ``spawn`` where there is no fork server.
- :class:`DaskExecutor`: a ``dask.distributed`` cluster (``dask scheduler`` plus
  ``dask worker`` processes, possibly on other machines), reached at a scheduler address.
  The scheduler and the workers need this package importable (``pip install -e .`` on each
  machine) and the workers must run the same model code: the executor checks this when it
  connects.

Executors are context managers; the pool or client is opened on first use and closed on exit.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.queues
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any

from sim.experiments.dask_cluster import DaskExecutor
from sim.experiments.executor_base import (
    WORKER_DIED,
    Closing,
    Executor,
    ExecutorError,
    Interrupted,
)

__all__ = [
    "DaskExecutor",
    "Executor",
    "ExecutorError",
    "Interrupted",
    "ProcessExecutor",
    "SerialExecutor",
    "describe",
    "exit_abandoning_stuck_pools",
    "make_executor",
]


class SerialExecutor(Closing):
    """Run every task here, in order."""

    description = "serial"
    parallelism = 1

    def map_unordered(
        self, function: Callable[..., Any], arguments: Sequence[tuple]
    ) -> Iterator[tuple[int, Any]]:
        for index, args in enumerate(arguments):
            yield index, function(*args)


class ProcessExecutor(Closing):
    """Run tasks in ``workers`` local processes (a pool kept open across calls)."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ExecutorError(f"workers must be at least 1, not {workers}")
        self.workers = workers
        self.parallelism = workers
        self.description = f"{workers} local processes"
        self._pool: ProcessPoolExecutor | None = None
        # each new worker puts its pid here once it ignores Ctrl-C
        self._ready: multiprocessing.queues.Queue[int] | None = None

    def map_unordered(
        self, function: Callable[..., Any], arguments: Sequence[tuple]
    ) -> Iterator[tuple[int, Any]]:
        if not arguments:
            return
        starting = 0
        if self._pool is None or self._ready is None:  # opened together, closed together
            context = _context()
            self._ready = context.Queue()
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=context,
                initializer=_worker_ignores_ctrl_c,
                initargs=(self._ready,),
            )
            starting = min(self.workers, len(arguments))  # one process per submit, up to this
        pool, ready = self._pool, self._ready
        pending: dict[Future[Any], int] = {}
        try:
            with _ctrl_c_held_while_workers_start():
                for index, args in enumerate(arguments):
                    pending[pool.submit(function, *args)] = index
                _wait_until_started(ready, starting, pending)
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    index = pending.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        self.close()
                        raise ExecutorError(WORKER_DIED) from None
                    yield index, result
        except KeyboardInterrupt:
            # Stop at once (a replication can take minutes): keep what had ended, kill the rest.
            finished = _finished_results(pending)
            self.terminate()
            raise Interrupted(finished) from None
        finally:
            for future in pending:
                future.cancel()

    def __exit__(self, *exc_info: object) -> None:
        if exc_info and exc_info[0] is not None:
            self.terminate()  # Ctrl-C or an error: do not wait for the replications running
        else:
            self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            self._ready = None

    def terminate(self, grace_s: float = 2.0) -> None:
        """Stop the workers now (SIGTERM, then SIGKILL after ``grace_s``) and drop the pool."""
        pool = self._pool
        if pool is None:
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        manager = getattr(pool, "_executor_manager_thread", None)
        _quiet_when_broken(manager)
        if isinstance(manager, threading.Thread):
            _ABANDONED.append(manager)
        for process in processes:
            if process.is_alive():
                process.terminate()
        deadline = time.monotonic() + grace_s
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(1.0)
        pool.shutdown(wait=False, cancel_futures=True)
        self._pool = None
        self._ready = None


# The pool threads of pools stopped by terminate(): a worker killed while it was writing a
# result can leave such a thread waiting forever for the rest of the message, and Python would
# wait for it at exit. See exit_abandoning_stuck_pools.
_ABANDONED: list[threading.Thread] = []


def exit_abandoning_stuck_pools(code: int, wait_s: float = 2.0) -> None:
    """If a stopped pool's thread is still stuck after ``wait_s``, leave the process now with
    ``code`` (output flushed) rather than hang at exit; otherwise return."""
    deadline = time.monotonic() + wait_s
    for thread in _ABANDONED:
        thread.join(max(0.0, deadline - time.monotonic()))
    if any(thread.is_alive() for thread in _ABANDONED):
        import sys

        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _quiet_when_broken(thread: threading.Thread | None) -> None:
    """Keep the pool's own thread from printing a traceback as the workers are stopped.

    When a worker dies, Python 3.11's pool thread marks every pending task failed, and raises
    InvalidStateError for one already cancelled (fixed in later Pythons). Only that thread's
    errors are silenced; the pool is being thrown away.
    """
    if thread is None:
        return
    previous = threading.excepthook

    def hook(args: threading.ExceptHookArgs) -> None:
        if args.thread is not thread:
            previous(args)

    threading.excepthook = hook


def _finished_results(pending: dict[Future[Any], int]) -> list[tuple[int, Any]]:
    """The (index, result) of every pending future that has ended well."""
    finished = []
    for future, index in pending.items():
        if future.done() and not future.cancelled() and future.exception() is None:
            finished.append((index, future.result()))
    return finished


@contextmanager
def _ctrl_c_held_while_workers_start() -> Iterator[None]:
    """Hold back Ctrl-C while the pool starts its processes, then deliver it.

    Blocking the signal in this thread makes every process started meanwhile (the fork
    server and the workers it forks) inherit it blocked, so a Ctrl-C cannot kill a worker
    while it is still importing the model, before ``initializer`` runs. (A worker killed then,
    or stopped half-started, breaks the pool and prints tracebacks.) The kernel may still hand
    the signal to another thread of this process, so Python's handler is swapped for one that
    only notes it; the interruption is raised here as soon as the workers are up.
    """
    if not hasattr(signal, "pthread_sigmask") or (
        threading.current_thread() is not threading.main_thread()
    ):
        yield
        return
    noted: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: noted.append(signum))
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # delivers a pending one
        signal.signal(signal.SIGINT, previous)
    if noted:
        raise KeyboardInterrupt


def _worker_ignores_ctrl_c(ready: multiprocessing.queues.Queue[int]) -> None:
    """Ctrl-C in a terminal reaches every process of the group. Only the main process acts on
    it (it cancels the batch and waits for the replications in progress), so no worker dies
    mid-task: a dying worker would break the pool and bury the interruption under errors."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    ready.put(os.getpid())


def _wait_until_started(
    ready: multiprocessing.queues.Queue[int],
    workers: int,
    pending: dict[Future[Any], int],
    limit_s: float = 120.0,
) -> None:
    """Wait (Ctrl-C held) until ``workers`` new workers have started, or one has failed.

    Stopping the pool while a worker is still starting makes that worker print a traceback
    (its queues vanish under it), so the main process hears Ctrl-C only once they are up.
    """
    deadline = time.monotonic() + limit_s
    started = 0
    while started < workers and time.monotonic() < deadline:
        if any(future.done() and future.exception() for future in pending):
            return  # the pool broke; the caller reports it
        try:
            ready.get(timeout=0.5)
        except queue.Empty:
            continue
        started += 1


def _context() -> multiprocessing.context.BaseContext:
    """``forkserver`` where available (workers forked from a clean server that has already
    imported the model: quick to start, and no fork of this multi-threaded process), else
    ``spawn`` (fresh interpreters, e.g. on Windows)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["sim.model.replication"])
        return context
    return multiprocessing.get_context("spawn")


def make_executor(workers: int | None = None, scheduler: str | None = None) -> Executor:
    """The executor for the command-line options ``--workers`` and ``--scheduler``.

    A scheduler address wins; otherwise ``workers`` local processes (default: every core);
    one worker means serial, in this process.
    """
    if scheduler:
        return DaskExecutor(scheduler)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers <= 1:
        return SerialExecutor()
    return ProcessExecutor(workers)


def describe(executor: Executor | None) -> str:
    """Where replications ran, for manifests: ``serial`` (also for None), ``4 local
    processes``, ``Dask scheduler tcp://...``."""
    return executor.description if executor is not None else "serial"
