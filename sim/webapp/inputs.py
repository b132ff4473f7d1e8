"""The app's inputs: shipped scenarios, uploaded files, and problems worded as ``validate``'s.

Uploads are written to a temporary folder of the browser session (:class:`UploadFolder`) and
then read by the same function as the command line (:func:`sim.scenario.file.load_scenario`):
untrusted YAML, bounded size and depth, every mistake a problem naming the file and the field.
The folder is removed when the session's state is dropped (the session ended), when a new
upload replaces it, or when the server stops.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

from sim.format import counted
from sim.io.files import REPO_DIR
from sim.scenario import Scenario
from sim.scenario.file import ScenarioError, load_scenario

__all__ = [
    "SCENARIOS",
    "UploadFolder",
    "load_or_problems",
    "problem_lines",
    "shipped_scenarios",
]

SCENARIOS = REPO_DIR / "scenarios"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def shipped_scenarios(folder: Path = SCENARIOS) -> dict[str, Path]:
    """The scenario files that come with the tool, by file name, sorted."""
    return {path.name: path for path in sorted(folder.glob("*.yaml"))}


class UploadFolder:
    """A temporary folder for one browser session's uploads.

    :class:`tempfile.TemporaryDirectory` removes the folder when this object is garbage
    collected (the session's state is dropped) or at interpreter exit, and :meth:`close` removes
    it at once.
    """

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="offender-visit-sim-upload-")
        self.path = Path(self._folder.name)

    def save(self, name: str, data: bytes) -> Path:
        """Write an uploaded file under a safe version of its name (no folders, no dots first)."""
        safe = _UNSAFE.sub("_", Path(name).name).lstrip(".") or "upload"
        target = self.path / safe
        target.write_bytes(data)
        return target

    def close(self) -> None:
        """Remove the folder and everything in it."""
        self._folder.cleanup()

    @property
    def exists(self) -> bool:
        """Whether the folder is still on disk."""
        return self.path.exists()


def problem_lines(error: ScenarioError, hide: Path | None = None) -> list[str]:
    """The problems as ``validate`` prints them (sim/cli/app.py ``fail``), one string each.

    ``hide`` is a folder whose path is taken out of the sources, so an upload is named by its
    file name rather than by the temporary folder it sits in.
    """
    prefix = f"{hide}/" if hide is not None else None
    lines = [f"The scenario has {counted(len(error.problems), 'problem')}:"]
    for problem in error.problems:
        source = problem.source.replace(prefix, "") if prefix else problem.source
        field = f"{problem.field}: " if problem.field else ""
        given = f"\n      given: {problem.given}" if problem.given else ""
        lines.append(f"  {source}: {field}{problem.allowed}{given}")
    return lines


def load_or_problems(
    path: Path, overrides: Sequence[str] = (), hide: Path | None = None
) -> Scenario | list[str]:
    """The validated scenario, or its problems worded as ``validate`` words them."""
    try:
        return load_scenario(path, list(overrides))
    except ScenarioError as error:
        return problem_lines(error, hide)
