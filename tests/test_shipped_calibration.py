"""The shipped calibration: the baseline's observations are the issue's table, the acceptance
script checks what it claims, and the synthetic caseload is what its script makes.

The full acceptance check (50 replications, about a minute) is scripts/check_baseline.py; here
a 5-replication run of the baseline must already meet every tolerance. Replications 0-4 are
fixed by the seed, so this is deterministic; it fails when a model change moves the baseline
away from the force's figures, which is when the baseline must be re-fitted
(docs/calibration.md says how).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from repo import ROOT

from sim.scenario.file import load_scenario


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


check_baseline = _script("check_baseline")
make_synthetic_caseload = _script("make_synthetic_caseload")


def test_the_baseline_observes_the_issue_table():
    # every acceptance figure is also in the scenario, with the same value and tolerance, so
    # `run` and `calibrate` work to the same targets the acceptance check uses
    scenario = load_scenario(ROOT / "scenarios" / "avon_somerset_2023.yaml")
    shipped = {(o.metric, o.first_day, o.date): o for o in scenario.observations}
    for _, spec in check_baseline.ACCEPTANCE:
        observation = check_baseline.Observation.model_validate(spec)
        key = (observation.metric, observation.first_day, observation.date)
        assert key in shipped, key
        assert shipped[key].value == pytest.approx(observation.value)
        assert shipped[key].tolerance == observation.tolerance


def test_a_short_run_of_the_baseline_meets_the_issue_table():
    table = check_baseline.acceptance_table(replications=5)
    assert len(table) == 7
    failed = table.loc[~table["within"], ["figure", "observed", "simulated_mean"]]
    assert failed.empty, failed.to_string()


def test_the_shipped_synthetic_caseload_is_what_the_script_makes(tmp_path):
    out = tmp_path / "caseload.csv"
    make_synthetic_caseload.main(["--out", str(out)])
    shipped = ROOT / "scenarios" / "caseloads" / "synthetic_example.csv"
    assert out.read_bytes() == shipped.read_bytes()
    rows = out.read_text().splitlines()
    assert len(rows) == 301 and all(row.startswith("SYN-") for row in rows[1:])


def test_the_synthetic_caseload_scenario_starts_from_its_file():
    scenario = load_scenario(ROOT / "scenarios" / "synthetic_caseload_example.yaml")
    assert scenario.population.initial is None
    assert Path(scenario.population.initial_caseload).name == "synthetic_example.csv"
