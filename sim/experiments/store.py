"""A folder of finished replications, so an interrupted batch resumes where it stopped.

Each replication is saved the moment it ends, as ``<folder>/<key>/rep-00007.npz``, written to a
temporary name and renamed into place (``io.atomic_write``): a batch killed at any instant
leaves only whole files. Started again, the batch loads what is there and runs the rest; since a
replication is a pure function of (scenario, replication index), the result is the same as an
uninterrupted run, byte for byte.

The key is a hash of everything that decides a replication's numbers:

- the resolved scenario (``model_dump_json``) without the fields that cannot change one
  replication (``name``, ``description``, ``replications``, ``variants``), so asking for 20
  replications after 10 reuses the first 10;
- the source of the model's code (every file of ``sim/model/`` and ``sim/scenario/``, and
  ``sim/records.py``, ``sim/levels.py`` and ``sim/priority.py``), so a fixed bug never
  serves stale results;
- the numpy and SimPy versions (random streams and event order);
- the contents of any file the scenario names (a starting caseload CSV), not just its path.

The store is a cache: deleting the folder only costs the time to recompute. It checks what it
reads: each file holds a SHA-256 of its key, its replication index and its numbers, so a file
that is damaged (truncated, a flipped byte) or edited (numbers changed by hand, copied from
another scenario's folder) is never used: it is recomputed, and a warning says so.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Callable
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from sim.io.files import atomic_write
from sim.records import DAILY_COLUMNS, DailyRecord
from sim.scenario import Scenario

__all__ = [
    "CACHE_FOLDER_NAME",
    "ReplicationStore",
    "model_code_fingerprint",
    "model_source_files",
    "referenced_file_digests",
    "scenario_key",
]

CACHE_FOLDER_NAME = ".replications"
SIM_DIR = Path(__file__).resolve().parent.parent  # the sim package
MODEL_SOURCE_FOLDERS = ("model", "scenario")
MODEL_SOURCE_MODULES = ("records.py", "levels.py", "priority.py")
NOT_AFFECTING_A_REPLICATION = {"name", "description", "replications", "variants"}


def model_source_files() -> list[Path]:
    """Every source file that decides a replication's numbers, in a fixed order.

    All of ``sim/model/`` and ``sim/scenario/`` (whatever imports what), plus the contract and
    the levels beside them. Hashing whole folders rather than following imports means a new
    module in the model can never be left out of the key.
    """
    files = [SIM_DIR / name for name in MODEL_SOURCE_MODULES]
    for folder in MODEL_SOURCE_FOLDERS:
        files.extend(sorted((SIM_DIR / folder).rglob("*.py")))
    return files


@lru_cache(maxsize=1)
def model_code_fingerprint() -> str:
    """SHA-256 of the model's and the scenario's source (see model_source_files)."""
    digest = hashlib.sha256()
    for path in model_source_files():
        digest.update(path.relative_to(SIM_DIR).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    for package in ("numpy", "simpy"):
        digest.update(f"{package}={metadata.version(package)}".encode())
    return digest.hexdigest()


# Scenario fields that name a file the model reads (by dotted path): the key includes the
# file's contents, so editing the file is a different scenario even if its path is the same.
FILE_FIELDS = ("population.initial_caseload",)


def referenced_file_digests(resolved: dict[str, Any]) -> dict[str, str]:
    """SHA-256 of every file the scenario names in FILE_FIELDS (missing files: 'missing')."""
    digests: dict[str, str] = {}
    for dotted in FILE_FIELDS:
        node: Any = resolved
        for part in dotted.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, str):
            path = Path(node)
            digests[dotted] = (
                hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"
            )
    return digests


def scenario_key(scenario: Scenario) -> str:
    """The store key of a scenario: 20 hex digits of SHA-256 (see the module docstring)."""
    resolved = json.loads(scenario.model_dump_json(exclude=NOT_AFFECTING_A_REPLICATION))
    resolved["__files__"] = referenced_file_digests(resolved)
    text = json.dumps(resolved, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(f"{model_code_fingerprint()}\n{text}".encode())
    return digest.hexdigest()[:20]


def _checksum(
    key: str, replication: int, table: np.ndarray, area_tables: dict[str, np.ndarray]
) -> str:
    """SHA-256 of what a stored replication is: its key, index and numbers (with areas)."""
    digest = hashlib.sha256(f"{key}\n{replication}\n".encode())
    for name, array in [("", table), *area_tables.items()]:
        array = np.ascontiguousarray(array)
        digest.update(f"{name}|{array.dtype.str}|{array.shape}\n".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def _warn(message: str) -> None:
    warnings.warn(message, stacklevel=3)


class ReplicationStore:
    """Finished replications under ``folder`` (e.g. ``results/<name>/.replications``);
    ``warn`` hears of a stored file that had to be recomputed."""

    def __init__(self, folder: Path, warn: Callable[[str], None] = _warn) -> None:
        self.folder = Path(folder)
        self._keys: dict[int, tuple[Scenario, str]] = {}
        self._warn = warn

    def _key(self, scenario: Scenario) -> str:
        cached = self._keys.get(id(scenario))
        if cached is None or cached[0] is not scenario:
            cached = (scenario, scenario_key(scenario))
            self._keys[id(scenario)] = cached
        return cached[1]

    def path(self, scenario: Scenario, replication: int) -> Path:
        return self.folder / self._key(scenario) / f"rep-{replication:05d}.npz"

    def load(self, scenario: Scenario, replication: int) -> DailyRecord | None:
        """The stored replication, or None if absent, unreadable or not what it should be
        (then it is recomputed; a damaged or edited file is reported through ``warn``)."""
        path = self.path(scenario, replication)
        if not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as stored:
                if "checksum" not in stored:
                    return None  # written by an older version: recomputed, nothing wrong
                table = stored["table"]
                columns = tuple(str(c) for c in stored["columns"])
                stored_replication = int(stored["replication"])
                events = int(stored["simpy_events"]) if "simpy_events" in stored else 0
                areas = [str(a) for a in stored["areas"]] if "areas" in stored else []
                area_tables = dict(zip(areas, stored["area_tables"], strict=True)) if areas else {}
                manager_areas = (
                    [str(a) for a in stored["manager_areas"]] if "manager_areas" in stored else []
                )
                managers = {name: stored[f"managers_{i}"] for i, name in enumerate(manager_areas)}
                checksum = str(stored["checksum"])
        except Exception as error:  # noqa: BLE001 - any damage (zip, zlib, npy) means: recompute
            self._damaged(path, f"unreadable ({type(error).__name__})")
            return None
        expected_shape = (scenario.horizon_days, len(DAILY_COLUMNS))
        if (
            columns != DAILY_COLUMNS
            or stored_replication != replication
            or table.shape != expected_shape
            or areas != [area.name for area in scenario.areas]
            or checksum != _checksum(self._key(scenario), replication, table, area_tables)
        ):
            self._damaged(path, "its contents do not match its checksum")
            return None
        return DailyRecord(replication, table, events, area_tables, managers)

    def _damaged(self, path: Path, why: str) -> None:
        self._warn(f"stored replication {path} is {why}: it was not used, and is recomputed")

    def save(self, scenario: Scenario, record: DailyRecord) -> None:
        """Store one finished replication atomically (and the scenario, once, for people)."""
        path = self.path(scenario, record.replication)
        scenario_file = path.parent / "scenario.json"
        if not scenario_file.exists():
            text = scenario.model_dump_json(indent=2, exclude={"variants"}) + "\n"
            atomic_write(scenario_file, lambda tmp: tmp.write_text(text))

        checksum = _checksum(
            self._key(scenario), record.replication, record.table, record.area_tables
        )
        arrays = {
            "table": record.table,
            "columns": np.array(DAILY_COLUMNS),
            "replication": np.array(record.replication),
            "simpy_events": np.array(record.simpy_events),
            "checksum": np.array(checksum),
        }
        if record.area_tables:
            arrays["areas"] = np.array(list(record.area_tables))
            arrays["area_tables"] = np.stack(list(record.area_tables.values()))
        if record.managers:
            arrays["manager_areas"] = np.array(list(record.managers))
            for i, rows in enumerate(record.managers.values()):
                arrays[f"managers_{i}"] = rows

        def write(tmp: Path) -> None:
            with tmp.open("wb") as handle:
                # numpy's stubs let a ** mapping fill allow_pickle (a bool), so any **arrays fails
                np.savez_compressed(handle, **arrays)  # type: ignore[arg-type]

        atomic_write(path, write)
