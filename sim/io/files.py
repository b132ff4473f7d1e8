"""Write a run's results folder: every file written atomically, plus a manifest.

Each file is first written to a temporary name in the same folder, flushed to disk and then
renamed into place, so a reader never sees half a file (not even after SIGKILL or a power
cut), and a run that fails before writing leaves the folder as it was. The manifest records
what is needed to reproduce the run; output_folder.py says when a folder is complete.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from sim.io.folder import file_sha256

__all__ = ["atomic_write", "git_commit", "package_versions", "study_manifest", "write_json"]

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
)
REPO_DIR = Path(__file__).resolve().parents[2]  # the checkout: sim/io/files.py -> ../../..


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp_path)`` then rename the temporary file to ``path``."""
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
        os.replace(tmp, path)
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


def write_json(path: Path, data: Any) -> None:
    atomic_write(path, lambda tmp: tmp.write_text(json.dumps(data, indent=2, default=str) + "\n"))


def package_versions() -> dict[str, str]:
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


def study_manifest(
    command: list[str], started_at: str, seconds: float, files: list[Path], **details: Any
) -> dict[str, Any]:
    """The manifest of an experiment command: what ran, how, with which code and packages."""
    return {
        "tool": "offender-visit-sim",
        **details,
        "command": command,
        "started_at": started_at,
        "run_seconds": round(seconds, 3),
        "versions": package_versions(),
        "git_commit": git_commit(REPO_DIR),
        "files": sorted(path.name for path in files),
        "file_sha256": {  # so a reader can check each file belongs to this manifest
            path.name: file_sha256(path)
            for path in files
            if path.name != "manifest.json" and path.is_file()
        },
    }
