"""The lifecycle every command that writes results shares, written once.

A study command (run, compare, sweep, sensitivity, calibrate, plan) goes through the same
steps, and each step has one home here:

1. the scenario's ``--set`` overrides, with ``--seed`` and ``--replications`` folded in
   (:func:`overrides`), and outcome names checked (:func:`check_outcomes`);
2. the results folder checked before any work: never someone else's folder without ``--force``
   (:func:`study_session`, exit 2 on refusal);
3. the work done inside a Ctrl-C guard that says what was saved and exits 130
   (:func:`interruptible`);
4. an executor for ``--workers``/``--scheduler``, the replication store (unless
   ``--no-cache``) and a progress bar (unless ``--quiet``), handed to the library as one
   :class:`~sim.experiments.batch.Engine` (:meth:`Session.engine`); an executor that cannot
   be used, or a scenario change that is invalid, exits 2 with the reason, no traceback;
5. report.html built from the finished folder (:meth:`Session.report`).

So a command module only parses its options, calls one library function inside a session,
and prints what it found.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.markup import escape

from sim.io.folder import (
    DERIVED_FILES,
    RUN_FILES,
    OutputFolderError,
    claim_output_folder,
    file_identities,
    prepare_output_folder,
    saved_since,
    stored_replications,
)
from sim.scenario.file import ScenarioError

from .app import err, fail, fail_with, out
from .progress import progress_bar

if TYPE_CHECKING:  # the experiments import the model: loaded only when a command runs it
    from sim.experiments.batch import Engine, Ran
    from sim.experiments.executors import Executor
    from sim.experiments.store import ReplicationStore
    from sim.scenario import Scenario

__all__ = [
    "OUTCOME_HINT",
    "RESULTS",
    "Session",
    "SessionOptions",
    "check_outcomes",
    "executor_for",
    "exit_interrupted",
    "interruptible",
    "output_folder",
    "overrides",
    "refuse_folder",
    "store_for",
    "study_session",
    "work",
]

RESULTS = Path("results")  # where results folders go unless --out says otherwise
OUTCOME_HINT = (
    "use a daily column with _end or _average (states) or _total (flows), e.g. overdue_visits_end"
)


@dataclass(frozen=True, kw_only=True)
class SessionOptions:
    """The options every study command spells the same way."""

    workers: int | None = None  # --workers (None: serial or every core, by the work)
    scheduler: str | None = None  # --scheduler: a Dask scheduler's address
    quiet: bool = False  # --quiet: no progress bar
    force: bool = False  # --force: write into a folder holding others' files
    no_cache: bool = False  # --no-cache: keep no finished replications (no resuming)


def overrides(
    set_: Sequence[str] | None, *, seed: int | None = None, replications: int | None = None
) -> list[str]:
    """The ``--set`` overrides, then ``--seed`` and ``--replications`` as overrides too."""
    given = list(set_ or [])
    if seed is not None:
        given.append(f"seed={seed}")
    if replications is not None:
        given.append(f"replications={replications}")
    return given


def check_outcomes(names: Sequence[str], option: str | None = None) -> None:
    """Exit with code 2 unless every name is an outcome (``option``: the one option named)."""
    from sim.analysis.outcomes import OUTCOME_NAMES

    unknown = [name for name in names if name not in OUTCOME_NAMES]
    if unknown and option is not None:
        fail_with(f"{option} {unknown[0]!r} is not an outcome; {OUTCOME_HINT}")
    if unknown:
        fail_with(f"unknown outcome(s) {', '.join(unknown)}; {OUTCOME_HINT}")


def output_folder(
    path: Path, force: bool, own_names: Iterable[str] = RUN_FILES + DERIVED_FILES
) -> Path:
    """Check the results folder before any work (sim.io.folder), or exit with code 2."""
    try:
        return prepare_output_folder(path, force, own_names)
    except OutputFolderError as error:
        refuse_folder(error)


def refuse_folder(error: OutputFolderError) -> NoReturn:
    """Say why the results folder cannot be used and exit with code 2."""
    err.print(f"[bold red]Cannot write results:[/] {escape(str(error))}", highlight=False)
    raise typer.Exit(code=2)


def exit_interrupted(
    target: Path,
    names: list[str],
    writing: bool,
    kept_replications: int = 0,
    marker: str = "manifest.json",
) -> NoReturn:
    """After Ctrl-C: say what was saved (nothing, some files, or all) and exit with code 130.

    ``names`` are the files this run saved (sim.io.folder.saved_since); ``writing`` says
    whether writing had begun (the folder's old marker is then gone); ``kept_replications``
    counts finished replications kept in the replication store for resuming.
    """
    if not names and not writing and kept_replications:
        message = (
            f"no results were written; {kept_replications} finished replications of this run "
            f"are kept in {target}/.replications, and the same command resumes from them."
        )
    elif not names and not writing:
        message = f"nothing was saved; {target} is as it was."
    elif not names:
        message = (
            f"nothing new was saved in {target}/, and it has no {marker}, so it reads as "
            "incomplete; run again to finish it."
        )
    elif marker in names:
        message = f"all results were saved in {target}/ ({', '.join(names)})."
    else:
        message = (
            f"saved {', '.join(names)} in {target}/, but not {marker}: the folder is "
            f"incomplete (a complete results folder has {marker}); run again to finish it."
        )
    err.print(f"[bold yellow]Interrupted:[/] {escape(message)}", highlight=False)
    executors = sys.modules.get("sim.experiments.executors")  # loaded only if work ran
    if executors is not None:
        executors.exit_abandoning_stuck_pools(130)
    raise typer.Exit(code=130)


@contextmanager
def interruptible(
    target: Path, own_names: Sequence[str], marker: str = "manifest.json"
) -> Iterator[None]:
    """Do a command's work; on Ctrl-C, exit with code 130 saying what it saved.

    What was saved is read from the folder, not from bookkeeping a Ctrl-C could cut short:
    the result files whose inode changed (every atomic write renames a new file into place),
    whether the old marker is gone (a rewrite had begun), and how many finished replications
    the store gained.
    """
    before = file_identities(target, own_names)
    had_marker = (target / marker).exists()
    kept_before = stored_replications(target)
    try:
        yield
    except (KeyboardInterrupt, ImportError) as error:
        if not _is_interrupt(error):
            raise
        saved = saved_since(target, before, own_names)
        writing = bool(saved) or (had_marker and not (target / marker).exists())
        kept = stored_replications(target) - kept_before
        exit_interrupted(target, saved, writing, kept, marker)


def _is_interrupt(error: BaseException) -> bool:
    """Whether ``error`` is Ctrl-C, or was caused by it: a Ctrl-C that lands while a C
    extension initialises (matplotlib's renderer, imported when the first chart is drawn)
    surfaces as an ImportError whose cause is the KeyboardInterrupt."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def work(scenarios: Sequence[Scenario], replications: int) -> tuple[int, str]:
    """The pieces of work ``replications`` of each scenario are handed out as, and what the
    progress bar calls them: one per area of each replication (``areas``) when a scenario has
    areas, so even one replication of the national scenario keeps every worker busy; else one
    per replication (``replications``). Size :meth:`Session.engine` with it."""
    from sim.experiments.batch import work_units

    unit = "areas" if any(scenario.areas for scenario in scenarios) else "replications"
    return work_units(scenarios, replications), unit


def executor_for(
    workers: int | None,
    scheduler: str | None,
    tasks: int,
    scenario: Scenario | None = None,
    runs: float | None = None,
) -> Executor:
    """The executor for --workers/--scheduler, never more local processes than ``tasks``.

    Without --workers, serial unless ``runs`` replications of ``scenario`` are enough work to
    repay starting processes (:mod:`sim.experiments.default_workers`)."""
    from sim.experiments.default_workers import workers_for
    from sim.experiments.executors import make_executor

    if scheduler is None:
        workers = workers_for(workers, tasks, scenario, runs)
    return make_executor(workers, scheduler)


def store_for(out_dir: Path, no_cache: bool) -> ReplicationStore | None:
    """The replication store inside the results folder, or None with --no-cache."""
    from sim.experiments.store import CACHE_FOLDER_NAME, ReplicationStore

    def warn(message: str) -> None:
        err.print(f"[bold yellow]Warning:[/] {escape(message)}", highlight=False)

    return None if no_cache else ReplicationStore(out_dir / CACHE_FOLDER_NAME, warn)


class Session:
    """One command's results folder and the options that say how its work runs."""

    def __init__(
        self,
        target: Path,
        options: SessionOptions,
        error_exit: Callable[[str], NoReturn] = fail_with,
    ) -> None:
        self.target = target
        self.options = options
        self._error_exit = error_exit

    @contextmanager
    def executor(
        self, tasks: int, scenario: Scenario, runs: float | None = None
    ) -> Iterator[Executor]:
        """The executor (at most ``tasks`` local processes: the pieces of work, see
        :func:`work`; by default as many as ``runs``
        replications of ``scenario`` repay, see :func:`executor_for`); an executor that cannot
        be used, or an invalid scenario met on the way, exits with code 2 and the reason."""
        from sim.experiments.executors import ExecutorError

        options = self.options
        try:
            with executor_for(
                options.workers, options.scheduler, tasks, scenario, runs
            ) as executor:
                yield executor
        except ExecutorError as error:
            self._error_exit(str(error))
        except ScenarioError as error:
            fail(error)

    @contextmanager
    def engine(
        self,
        tasks: int,
        label: str,
        total: int | None,
        unit: str = "replications",
        *,
        scenario: Scenario,
        runs: float | None = None,
    ) -> Iterator[Engine]:
        """:meth:`executor`, the replication store and a progress bar (``total`` None:
        open-ended) as one engine for the library; ``tasks`` replications of ``scenario``
        (or of scenarios like it) are submitted at once, ``runs`` in all (default ``tasks``)."""
        from sim.experiments.batch import Engine

        store = store_for(self.target, self.options.no_cache)
        with (
            self.executor(tasks, scenario, runs) as executor,
            progress_bar(label, total, self.options.quiet, unit) as advance,
        ):
            yield Engine(executor, store, advance)

    def report(self, no_report: bool) -> Path | None:
        """Build report.html from the finished folder (None with --no-report, or if it cannot
        be built: then a warning says why and the results are kept)."""
        if no_report:
            return None
        from sim.report.build import write_report_or_warn

        return write_report_or_warn(self.target, err)

    def print_report(self, path: Path | None) -> None:
        """Say where report.html is (if it was built)."""
        if path is not None:
            out.print(f"Report: {path} (open it in a web browser)", markup=False, highlight=False)

    def done(self, ran: Ran, resumed: bool = True) -> None:
        """Print where the results are, how long they took, where they ran and (``resumed``)
        how many replications came from earlier runs."""
        earlier = f", {ran.from_store} from earlier runs" if resumed and ran.from_store else ""
        out.print(
            f"Results in {self.target}/ ({ran.seconds:.1f} s{earlier}; {ran.executor})",
            markup=False,
            highlight=False,
        )


@contextmanager
def study_session(
    out_dir: Path | None,
    default_name: str,
    own_names: Sequence[str],
    options: SessionOptions,
    *,
    marker: str = "manifest.json",
    error_exit: Callable[[str], NoReturn] = fail_with,
    shard: bool = False,
) -> Iterator[Session]:
    """Check the results folder (``--out``, or ``results/<default_name>``), then do the
    command's work inside the Ctrl-C guard. ``own_names`` are the files the command writes,
    ``marker`` the one written last; ``error_exit`` prints a problem met while running (an
    executor that cannot be used) and exits 2. ``shard``: the folder is shared with the
    other shards of the same run (each adds only replications to its store)."""
    target = output_folder(out_dir or RESULTS / default_name, options.force, own_names)
    with ExitStack() as stack:
        try:  # created, writable, and ours alone until the command ends: before any work
            stack.enter_context(claim_output_folder(target, own_names, marker, shared=shard))
        except OutputFolderError as error:
            refuse_folder(error)
        with interruptible(target, own_names, marker):
            yield Session(target, options, error_exit)
