"""The replication store checks what it reads (red-team finding 4).

A stored replication that is damaged (truncated, a flipped byte) or edited (numbers changed,
then saved as a valid npz) is never used: it is recomputed, with a warning, and the results
are those of an uninterrupted run. Never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from repo import SMALL, runner

from run_sim import app
from sim.experiments.store import ReplicationStore
from sim.model.replication import single_run
from sim.records import DAILY_COLUMNS
from sim.scenario.file import load_scenario


def _run(out: Path):
    args = ["run", str(SMALL), "--replications", "3", "--workers", "1", "--quiet", "--no-report"]
    return runner.invoke(app, [*args, "--out", str(out)])


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _edit(path: Path) -> None:
    with np.load(path) as stored:
        arrays = {name: stored[name] for name in stored.files}
    arrays["table"] = arrays["table"].copy()
    arrays["table"][:, DAILY_COLUMNS.index("overdue_visits")] += 1000
    with path.open("wb") as handle:
        np.savez_compressed(handle, **arrays)


@pytest.mark.parametrize("damage", [_flip, _truncate, _edit], ids=["flip", "truncate", "edit"])
def test_a_damaged_or_edited_replication_is_recomputed_with_a_warning(tmp_path, damage):
    out = tmp_path / "r"
    assert _run(out).exit_code == 0
    reference = (out / "trajectories.csv").read_bytes()
    (stored,) = list((out / ".replications").glob("*/rep-00001.npz"))
    damage(stored)
    result = _run(out)
    assert result.exit_code == 0, result.output
    assert "rep-00001.npz" in result.output and "recomputed" in result.output
    assert (out / "trajectories.csv").read_bytes() == reference
    assert _run(out).exit_code == 0  # stored again, whole: no warning the next time
    assert "recomputed" not in _run(out).output


def test_a_replication_stored_under_another_key_is_not_used(tmp_path):
    scenario = load_scenario(SMALL, ["horizon_days=20"])
    other = load_scenario(SMALL, ["horizon_days=20", "staffing.offender_managers=1"])
    warnings: list[str] = []
    store = ReplicationStore(tmp_path, warnings.append)
    store.save(scenario, single_run(scenario, 0))
    store.save(other, single_run(other, 0))
    # a file copied by hand from one scenario's folder to another's
    store.path(other, 0).write_bytes(store.path(scenario, 0).read_bytes())
    assert store.load(other, 0) is None and warnings
    assert store.load(scenario, 0) is not None
