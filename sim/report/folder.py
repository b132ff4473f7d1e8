"""Which kind of finished folder a report is asked for, told from its files alone.

Kept apart from :mod:`sim.report.data` (which reads the tables with pandas) and free of the
numeric libraries, so ``report`` on a mistyped or unfinished folder answers at once instead
of after seconds of loading pandas and matplotlib (audit: the report errors took 8-10 s).
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Literal

from sim.io.folder import STUDY_FILES, manifest_problem

__all__ = ["REQUIRED_FILES", "RUN_HINT", "ReportError", "check_folder", "read_manifest"]

REQUIRED_FILES = ("manifest.json", "trajectories.csv", "summary.csv")
RUN_HINT = "run one first: python run_sim.py run SCENARIO.yaml --out {path}"


class ReportError(Exception):
    """The folder cannot be reported on; the message says why and what to do."""


def check_folder(path: Path) -> tuple[Literal["run", "compare"], dict]:
    """The kind of a finished folder a report can be built from, and its manifest.

    Raises :class:`ReportError` for a missing folder (with a guess among its finished
    siblings), a folder whose files do not match its manifest, a study without a report
    (sweep, plan ...) and an unfinished run.
    """
    if not path.is_dir():
        siblings = (
            sorted(p.name for p in path.parent.iterdir() if (p / "manifest.json").is_file())
            if path.parent.is_dir()
            else []
        )
        guess = difflib.get_close_matches(path.name, siblings, n=1)
        hint = f"did you mean {path.parent / guess[0]}? Or " if guess else ""
        raise ReportError(f"{path}: no such folder; {hint}{RUN_HINT.format(path=path)}")
    if (path / "manifest.json").is_file():
        manifest = read_manifest(path)
        problem = manifest_problem(path)
        if problem is not None:
            raise ReportError(
                f"{path}: {problem}, so its files cannot be reported on together; "
                + RUN_HINT.format(path=path)
            )
        if manifest.get("study") == "compare":
            return "compare", manifest
        _refuse_other_studies(path, str(manifest.get("study") or ""))
    if (path / "plan.json").is_file():
        _refuse_other_studies(path, "plan")
    missing = [name for name in REQUIRED_FILES if not (path / name).is_file()]
    if missing:
        raise ReportError(
            f"{path}: not a finished results folder (missing {', '.join(missing)}). "
            f"manifest.json is written last, so a run that stopped early has none; "
            + RUN_HINT.format(path=path)
        )
    manifest = read_manifest(path)
    if "start_date" not in manifest.get("scenario", {}):
        raise ReportError(f"{path / 'manifest.json'}: has no scenario; was it written by run?")
    return "run", manifest


def _refuse_other_studies(path: Path, study: str) -> None:
    """A finished folder of a study that has no report (sweep, tornado, plan, ...): say what
    it holds instead of suggesting a run into it (audit D9)."""
    if study not in STUDY_FILES or study == "compare":
        return
    shown = [name for name in STUDY_FILES[study] if not name.endswith(".json")]
    raise ReportError(
        f"{path}: a finished {study} folder; report builds report.html for run and compare "
        f"folders only. Its results are {', '.join(shown)} in that folder (the .png is the "
        "chart, the .csv the numbers)."
    )


def read_manifest(path: Path) -> dict:
    """The folder's manifest.json as a dict, or :class:`ReportError` saying what is wrong."""
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ReportError(f"{path / 'manifest.json'}: not valid JSON ({error})") from None
    if not isinstance(manifest, dict):
        raise ReportError(f"{path / 'manifest.json'}: not a manifest written by this tool")
    return manifest
