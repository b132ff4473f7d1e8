"""The replication store's key follows the model's code, so a model edit never reuses stale results.

A stored replication is reused whenever its key matches, and the key includes a fingerprint of
the model's source: every file of ``sim/model/`` and ``sim/scenario/`` and the modules beside
them that decide numbers. These tests edit a copy of the package (``SIM_DIR`` pointed at it) and
watch the fingerprint: an edit to the visit cycle, or a new model module, must change the key;
an edit to the report must not (it cannot change a replication, and a change would throw away
every stored replication for nothing).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from repo import ROOT
from scenario_factory import make_scenario

from sim.experiments import store
from sim.experiments.store import model_code_fingerprint, model_source_files, scenario_key


@pytest.fixture
def sim_copy(tmp_path, monkeypatch) -> Path:
    """A copy of the sim package that the fingerprint reads instead of the real one."""
    copy = tmp_path / "sim"
    shutil.copytree(ROOT / "sim", copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(store, "SIM_DIR", copy)
    model_code_fingerprint.cache_clear()
    yield copy
    model_code_fingerprint.cache_clear()  # the next caller hashes the real package again


def _append(path: Path, line: str) -> None:
    with path.open("a") as file:
        file.write(f"\n{line}\n")


def _fingerprint() -> str:
    model_code_fingerprint.cache_clear()
    return model_code_fingerprint()


def test_the_copy_has_the_same_fingerprint_as_the_package(sim_copy, monkeypatch):
    # Paths are hashed relative to SIM_DIR, so the copy's fingerprint is the real one: the
    # edits below are the only differences.
    copied = model_code_fingerprint()
    monkeypatch.setattr(store, "SIM_DIR", ROOT / "sim")
    assert _fingerprint() == copied


def test_editing_the_visit_cycle_changes_the_fingerprint_and_the_scenario_key(sim_copy):
    scenario = make_scenario()
    before, key_before = model_code_fingerprint(), scenario_key(scenario)
    _append(sim_copy / "model" / "visits.py", "# a change to the visit cycle")
    after = _fingerprint()
    assert after != before
    assert scenario_key(scenario) != key_before


@pytest.mark.parametrize(
    "edited",
    [
        "model/workforce.py",
        "model/agenda.py",
        "scenario/__init__.py",
        "scenario/distributions.py",
        "records.py",
        "levels.py",
        "priority.py",
    ],
)
def test_editing_any_file_that_decides_the_numbers_changes_the_fingerprint(sim_copy, edited):
    before = model_code_fingerprint()
    _append(sim_copy / edited, "# changed")
    assert _fingerprint() != before


@pytest.mark.parametrize("added", ["model/new_rule.py", "model/rules/overtime.py", "scenario/x.py"])
def test_a_new_module_in_the_model_or_scenario_changes_the_fingerprint(sim_copy, added):
    before = model_code_fingerprint()
    path = sim_copy / added
    path.parent.mkdir(exist_ok=True)
    path.write_text("RULE = 1\n")
    assert _fingerprint() != before


def test_an_empty_module_added_to_the_model_changes_the_fingerprint(sim_copy):
    # The file's name is hashed with its bytes: even an empty new module is a new key.
    before = model_code_fingerprint()
    (sim_copy / "model" / "empty.py").write_text("")
    assert _fingerprint() != before


@pytest.mark.parametrize("folder", ["report", "analysis", "studies", "cli", "io"])
def test_editing_code_that_cannot_change_a_replication_keeps_the_key(sim_copy, folder):
    scenario = make_scenario()
    before, key_before = model_code_fingerprint(), scenario_key(scenario)
    for path in sorted((sim_copy / folder).rglob("*.py")):
        _append(path, "# a change outside the model")
    assert _fingerprint() == before
    assert scenario_key(scenario) == key_before


def test_the_real_package_hashes_every_module_of_the_model_and_the_scenario():
    hashed = {path.relative_to(ROOT / "sim").as_posix() for path in model_source_files()}
    expected = {
        path.relative_to(ROOT / "sim").as_posix()
        for folder in ("model", "scenario")
        for path in (ROOT / "sim" / folder).rglob("*.py")
    }
    assert expected <= hashed
    assert {"model/visits.py", "records.py", "levels.py", "priority.py"} <= hashed
