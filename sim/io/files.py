"""Write a results folder: every file written atomically, and one manifest builder for all.

Each file is first written to a temporary name in the same folder, flushed to disk and then
renamed into place, so a reader never sees half a file (not even after SIGKILL or a power
cut), and a run that fails before writing leaves the folder as it was. The manifest records
what is needed to reproduce the results (command, code commit, package versions, each file's
SHA-256); every command that writes a folder (run, the studies, calibrate, plan) builds it
with :func:`manifest`, so they all carry the same keys. ``sim.io.folder`` says when a folder
is complete. ``REPO_DIR`` is the checkout the code runs from (the one definition).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.io.folder import TOOL, file_sha256

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = [
    "REPO_DIR",
    "atomic_write",
    "git_commit",
    "plain_text_figures",
    "manifest",
    "package_versions",
    "write_figure",
    "write_json",
    "write_manifest",
    "write_table",
    "written_sha256",
]

PACKAGES = (
    "simpy",
    "numpy",
    "pandas",
    "scipy",
    "seaborn",
    "matplotlib",
    "pydantic",
    "typer",
    "distributed",
    "SALib",
    "pyarrow",
)
REPO_DIR = Path(__file__).resolve().parents[2]  # the checkout: sim/io/files.py -> ../../..


# SHA-256 of the bytes this process wrote under each final path (resolved), taken from the
# temporary file before the rename: the manifest certifies what this run wrote, never whatever
# another process may have put under the same name since.
_WRITTEN: dict[Path, str] = {}


def written_sha256(path: Path) -> str:
    """SHA-256 of the bytes this process last wrote to ``path`` with :func:`atomic_write`
    (read from disk for a file it did not write)."""
    recorded = _WRITTEN.get(path.resolve())
    return recorded if recorded is not None else file_sha256(path)


def atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write(tmp_path)`` (what it returns is ignored) then rename the temporary file to
    ``path``; the SHA-256 of what was written is kept (:func:`written_sha256`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; results are meant to be shared
        _flush_to_disk(tmp)  # the data is on disk before the name points at it
        digest = file_sha256(tmp)
        os.replace(tmp, path)
        _WRITTEN[path.resolve()] = digest
        _flush_to_disk(path.parent)  # and the rename itself survives a power cut
    finally:
        if tmp.exists():
            tmp.unlink()


def _flush_to_disk(path: Path) -> None:
    """fsync a file or a folder (a no-op where the system cannot sync folders)."""
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def write_table(csv_path: Path, frame: pd.DataFrame, float_format: str | None = None) -> list[Path]:
    """Write a results table as ``csv_path`` and as Parquet beside it (same name, ``.parquet``);
    return both paths.

    The CSV is for people and spreadsheets (numbers with ``float_format``, e.g. 4 decimals);
    the Parquet file (pyarrow, zstd-compressed) holds the same rows and columns with their
    types and every number in full, an eighth of the size or less, and quick for programs to read:
    ``pandas.read_parquet``. Both are always written, so a folder's files never depend on the
    size of the run (see docs/reporting.md).
    """
    parquet_path = csv_path.with_suffix(".parquet")
    atomic_write(csv_path, lambda tmp: frame.to_csv(tmp, index=False, float_format=float_format))
    atomic_write(
        parquet_path,
        lambda tmp: frame.to_parquet(tmp, engine="pyarrow", index=False, compression="zstd"),
    )
    return [csv_path, parquet_path]


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented JSON, atomically (dates and paths as text)."""
    text = json.dumps(data, indent=2, default=str) + "\n"
    atomic_write(path, lambda tmp: _write_text(tmp, text))


def plain_text_figures() -> None:
    """Set matplotlib up for this tool: files only (Agg), and every text drawn as plain text.

    matplotlib reads text between ``$`` signs as mathematics, so a title from a user's
    description (``Budget $\\frac{$ per visit``) failed to draw, after the old manifest was
    gone, or drew as something other than what was typed. Every module that draws calls this
    before creating a figure; no figure of the tool uses mathematics.
    """
    import matplotlib

    matplotlib.use("Agg")  # files only, no screen needed
    matplotlib.rcParams["text.parse_math"] = False


def write_figure(path: Path, figure: Figure, dpi: int = 110) -> None:
    """Save a matplotlib figure as PNG, atomically, and close it (even if saving failed)."""
    try:
        atomic_write(path, lambda tmp: figure.savefig(tmp, dpi=dpi, format="png"))
    finally:
        import matplotlib.pyplot as plt  # matplotlib only when drawing

        plt.close(figure)


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def package_versions() -> dict[str, str]:
    """The versions of Python and of the packages a result depends on."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit(directory: Path) -> str | None:
    """The commit of the code that ran (with '+dirty' if it had local changes), if known."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty else "")


def manifest(
    command: Sequence[str], files: Iterable[Path], marker: str = "manifest.json", **details: Any
) -> dict[str, Any]:
    """The manifest of a results folder: what ran, how, with which code and packages.

    ``details`` say what ran (the scenario, the study, when it started and how long it took),
    in the order given. ``files`` are the folder's result files (the marker may be among them);
    the manifest lists them with the marker (sorted), and each one's SHA-256 but the marker's,
    so a reader can check every file belongs to this manifest (``io.folder.is_complete``).
    """
    listed = [path for path in files if path.name != marker]
    return {
        "tool": TOOL,
        "command": list(command),
        **details,
        "versions": package_versions(),
        "git_commit": git_commit(REPO_DIR),
        "files": sorted({path.name for path in listed} | {marker}),
        "file_sha256": {path.name: written_sha256(path) for path in listed if path.is_file()},
    }


def write_manifest(
    folder: Path,
    command: Sequence[str],
    files: Iterable[Path],
    marker: str = "manifest.json",
    **details: Any,
) -> Path:
    """Write :func:`manifest` as ``folder/marker``, the last file of a results folder."""
    path = folder / marker
    write_json(path, manifest(command, files, marker, **details))
    return path
