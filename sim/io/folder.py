"""The results folder a command writes to: whose it is, and whether what is in it is complete.

Every command that writes results (run, plan, compare, sweep, ...) calls
:func:`prepare_output_folder` before doing any work, and :func:`begin_rewrite` just before
writing. Together with ``io.atomic_write`` they give these guarantees:

* **Never someone else's folder.** A folder that holds anything this tool did not write (a
  user's notes, another program's output) is refused unless the user passes ``--force``; with
  ``--force`` only the tool's own file names are replaced, nothing else is touched or deleted.
* **Never outside the folder.** Files are written only under their fixed names directly in the
  folder given (a temporary name in the same folder, then a rename).
* **Complete or visibly incomplete.** The marker file (``manifest.json`` for ``run``) is
  written last and lists every file with its SHA-256. Before the first new file is written the
  old marker is removed, so a run killed half-way (even by SIGKILL, which no program can
  catch) leaves a folder *without* a marker: whatever files it holds are whole files (atomic
  renames), but :func:`is_complete` says False and no reader should use them together.
  Temporary files a killed run leaves behind (``.name.XXXXXXXX.tmp``) are hidden, recognised
  as the tool's own, and removed by the next run into the folder.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

try:  # POSIX: advisory locks; elsewhere a folder is not locked
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "BACKTEST_FILES",
    "CALIBRATION_FILES",
    "MANAGER_FILES",
    "DERIVED_FILES",
    "OWN_FOLDERS",
    "RUN_FILES",
    "SAMPLE_FILES",
    "STUDY_FILES",
    "TOOL",
    "OutputFolderError",
    "begin_rewrite",
    "claim_output_folder",
    "folder_lock",
    "file_identities",
    "file_sha256",
    "is_complete",
    "manifest_problem",
    "prepare_output_folder",
    "saved_since",
    "stored_replications",
]

TOOL = "offender-visit-sim"  # the "tool" key of every manifest this tool writes
RUN_FILES = (
    "trajectories.csv",
    "trajectories.parquet",
    "summary.csv",
    "summary.parquet",
    "summary.xlsx",
    "backlog.png",
    "manifest.json",
)
# Built from the results after the manifest (run writes report.html): removed when a rewrite
# begins, so a derived file never outlives the results it describes.
DERIVED_FILES = ("report.html",)
# Written by run only when the scenario has observations (listed in the manifest then);
# removed when a rewrite begins, so a run without observations leaves none from an older one.
CALIBRATION_FILES = ("calibration.csv", "calibration.png")
# Written by run only with personal caseloads (listed in the manifest then); removed likewise.
MANAGER_FILES = ("managers.csv",)
# Written by run only with a parameter sample (--parameters): which set each replication ran,
# and the fan chart of chance against calibration (listed in the manifest then).
SAMPLE_FILES = ("parameter_sets.csv", "fan.csv", "fan.png")
# Written into a forecast's folder (or --out) by backtest.
BACKTEST_FILES = ("backtest.csv", "backtest.png", "backtest_fan.png")
# Folders that are the tool's whatever they hold: the store of finished replications that
# lets a batch resume (replication_store.CACHE_FOLDER_NAME; not imported, to keep this light).
OWN_FOLDERS = (".replications",)
# The files each experiment command writes (names or fnmatch patterns), marker last.
STUDY_FILES: dict[str, tuple[str, ...]] = {
    "compare": (
        "comparison.csv",
        "outcomes.csv",
        "summary.xlsx",
        "comparison.png",
        "manifest.json",
    ),
    "sweep": ("sweep.csv", "sweep.png", "summary.xlsx", "manifest.json"),
    "tornado": ("tornado.csv", "tornado.png", "summary.xlsx", "manifest.json"),
    "sensitivity": ("sensitivity.csv", "samples.csv", "sensitivity*.png", "manifest.json"),
    "plan": ("plan.csv", "plan.png", "plan.json"),
    "calibrate": (
        "fitted_parameters.csv",
        "evaluations.csv",
        "calibration.csv",
        "calibration.png",
        "*_calibrated.yaml",
        "manifest.json",
    ),
    "calibrate-abc": (
        "abc_history.db*",  # pyabc's SQLite history (and its journal, if a run was killed)
        "abc_settings.json",
        "parameter_sample.csv",
        "generations.csv",
        "reproduced_figures.csv",
        "pairs.png",
        "calibration.csv",
        "calibration.png",
        "manifest.json",
    ),
}
# io.atomic_write's temporary names: "." + final name + "." + 8 random characters + ".tmp"
_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.[A-Za-z0-9_]{8}\.tmp$")
_SHOWN = 5  # foreign entries named in the refusal


class OutputFolderError(Exception):
    """The results folder cannot be used; the message says why and what to do."""


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def _is_ours(path: Path) -> bool:
    """A JSON file is this tool's if it carries its ``tool`` key (manifests all do)."""
    data = _read_json(path)
    return isinstance(data, dict) and data.get("tool") == TOOL


def _manifest_names(folder: Path) -> set[str]:
    """Names listed by this tool's manifests (any top-level *.json with our tool key)."""
    names: set[str] = set()
    for candidate in folder.glob("*.json"):
        data = _read_json(candidate)
        if isinstance(data, dict) and data.get("tool") == TOOL:
            names.add(candidate.name)
            listed = data.get("files", [])
            if isinstance(listed, dict):
                listed = list(listed)
            names.update(str(name) for name in listed if isinstance(name, str))
    return names


def _matches(name: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


def _foreign_entries(folder: Path, own_names: set[str]) -> list[str]:
    """Entries of ``folder`` (recursively, as relative paths) this tool did not write."""
    known = own_names | _manifest_names(folder)
    foreign = []
    for entry in sorted(folder.iterdir()):
        if entry.is_symlink():
            foreign.append(entry.name)
        elif entry.is_dir() and entry.name in OWN_FOLDERS:
            continue
        elif entry.is_dir():
            foreign += [f"{entry.name}/{inner}" for inner in _foreign_entries(entry, own_names)]
        else:
            temporary = _TEMPORARY.match(entry.name)
            name = temporary.group("name") if temporary else entry.name
            if not _matches(name, known) or (
                not temporary and name.endswith(".json") and not _is_ours(entry)
            ):
                foreign.append(entry.name)
        if len(foreign) > _SHOWN:
            break
    return foreign


def prepare_output_folder(
    path: Path, force: bool = False, own_names: Iterable[str] = RUN_FILES + DERIVED_FILES
) -> Path:
    """Check that results may be written to ``path``; returns it (nothing is created yet).

    ``own_names`` are the file names the calling command writes; names listed in any of this
    tool's manifests already in the folder count as its own too. Raises
    :class:`OutputFolderError` if the path is a file, or a folder holding anything else
    (unless ``force``).
    """
    try:
        exists, is_dir = path.exists(), path.is_dir()
    except OSError as error:  # a name too long, a loop of links...
        raise OutputFolderError(
            f"cannot use {path} ({error.strerror}); give --out a folder"
        ) from None
    if exists and not is_dir:
        raise OutputFolderError(f"{path} is a file, not a folder; give --out a folder")
    if not exists or force:
        return path
    foreign = _foreign_entries(path, set(own_names))
    if foreign:
        shown = ", ".join(foreign[:_SHOWN]) + (", ..." if len(foreign) > _SHOWN else "")
        raise OutputFolderError(
            f"{path} holds files this tool did not write ({shown}). Choose an empty or new "
            "folder with --out, or add --force to write there anyway (only this tool's own "
            "files are replaced; nothing else is changed)."
        )
    return path


@contextlib.contextmanager
def folder_lock(path: Path, shared: bool = False) -> Iterator[None]:
    """Hold the folder's lock (one writer at a time), or raise :class:`OutputFolderError`.

    The lock is an advisory ``flock`` on the folder itself, so no lock file is ever left
    behind; the kernel drops it when the process ends, however it ends. ``shared``: a lock
    many holders share (the shards of one run, which each add only their own replications
    to the store) and that keeps out a writer of the whole folder, and is kept out by one.
    """
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError as error:
        raise OutputFolderError(f"cannot open {path} ({error.strerror})") from None
    try:
        try:
            fcntl.flock(handle, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise OutputFolderError(
                    f"another run of this tool is writing to {path} now (a run, or the --shard "
                    "runs of one); wait for it to finish, or give this run a different folder "
                    "with --out"
                ) from None
            raise OutputFolderError(f"cannot lock {path} ({error.strerror})") from None
        yield
    finally:
        os.close(handle)  # releases the lock


@contextlib.contextmanager
def claim_output_folder(
    path: Path,
    own_names: Iterable[str] = RUN_FILES + DERIVED_FILES,
    marker: str = "manifest.json",
    shared: bool = False,
) -> Iterator[Path]:
    """Preflight and lock the results folder before any work, for the whole command.

    Creates the folder (removed again at the end if the command left it empty), checks that
    files can be written in it and that none of the command's file names is taken by a folder,
    and holds its lock: a second run into the same folder is refused at once. Raises
    :class:`OutputFolderError` with the reason (a parent that is a file, a name too long, no
    permission, another run writing there). ``shared``: the lock shards share
    (:func:`folder_lock`).
    """
    created = not path.exists()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputFolderError(
            f"cannot create the folder {path} ({error.strerror}); give --out a folder that "
            "can be created"
        ) from None
    try:
        with folder_lock(path, shared):
            for name in [*own_names, marker]:
                if not _is_pattern(name) and (path / name).is_dir():
                    raise OutputFolderError(
                        f"{path / name} is a folder, but this command writes a file of that "
                        "name there; remove it or choose another --out"
                    )
            try:  # a temporary name of the tool's own, so a leftover is recognised and removed
                handle, probe = tempfile.mkstemp(prefix=f".{marker}.", suffix=".tmp", dir=path)
                os.close(handle)
                os.unlink(probe)
            except OSError as error:
                raise OutputFolderError(
                    f"cannot write in {path} ({error.strerror}); give --out a folder you may "
                    "write to"
                ) from None
            yield path
    finally:
        if created:
            with contextlib.suppress(OSError):
                path.rmdir()  # only if empty: a command that wrote nothing leaves nothing


def begin_rewrite(
    path: Path, marker: str, own_names: Iterable[str], derived: Iterable[str] = DERIVED_FILES
) -> None:
    """Before writing new results: drop the old completion marker, the files derived from the
    old results, and stale temporary files.

    From this moment until the new marker is written, the folder reads as incomplete.
    """
    path.mkdir(parents=True, exist_ok=True)
    for name in derived:  # first: once the marker is gone, nothing stale is left beside it
        (path / name).unlink(missing_ok=True)
    (path / marker).unlink(missing_ok=True)
    names = set(own_names) | {marker} | set(derived)
    for entry in path.iterdir():
        temporary = _TEMPORARY.match(entry.name)
        if temporary and _matches(temporary.group("name"), names) and entry.is_file():
            entry.unlink(missing_ok=True)


def file_identities(path: Path, names: Iterable[str]) -> dict[str, int | None]:
    """The inode of each named file (None if absent; patterns expand to the files matching).
    Every atomic write renames a new file into place, so a name whose inode has changed
    since is one this command saved."""
    identities: dict[str, int | None] = {}
    for name in names:
        matched = sorted(path.glob(name)) if _is_pattern(name) else [path / name]
        for file in matched:
            try:
                identities[file.name] = file.stat().st_ino
            except OSError:
                identities[file.name] = None
    return identities


def saved_since(path: Path, before: dict[str, int | None], names: Iterable[str]) -> list[str]:
    """The files among ``names`` written since ``before`` (in the order of ``names``)."""
    after = file_identities(path, names)
    return [
        name for name, inode in after.items() if inode is not None and inode != before.get(name)
    ]


def _is_pattern(name: str) -> bool:
    return any(character in name for character in "*?[")


def stored_replications(path: Path) -> int:
    """Finished replications kept in the folder's replication store (for resuming)."""
    stores = [path / folder for folder in OWN_FOLDERS]
    return sum(len(list(store.glob("*/rep-*.npz"))) for store in stores if store.is_dir())


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_problem(path: Path, marker: str = "manifest.json") -> str | None:
    """Why ``path`` is not a complete folder of this tool (None if it is): no marker, a
    marker not written by this tool, or a listed file missing or not the one it describes."""
    manifest = _read_json(path / marker)
    if not isinstance(manifest, dict):
        return f"it has no readable {marker}"
    if manifest.get("tool") != TOOL:
        return f"its {marker} was not written by this tool"
    hashes = manifest.get("file_sha256", {})
    listed = manifest.get("files", [])
    if not isinstance(hashes, dict) or not isinstance(listed, list):
        return f"its {marker} is damaged"
    for name in listed:
        if name == marker:
            continue
        if not isinstance(name, str) or "/" in name or name.startswith("."):
            return f"its {marker} lists {name!r}, which is not a result file"
        file = path / name
        if not file.is_file():
            return f"{name}, listed in its {marker}, is missing"
        if name in hashes and file_sha256(file) != hashes[name]:
            return (
                f"{name} is not the file its {marker} describes (changed after the run, or "
                "written by another run)"
            )
    return None


def is_complete(path: Path, marker: str = "manifest.json") -> bool:
    """True if ``path`` holds a finished run: this tool's marker, and every file it lists
    present with the SHA-256 recorded for it."""
    return manifest_problem(path, marker) is None
