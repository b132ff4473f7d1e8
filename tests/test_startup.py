"""Commands that only read a scenario or print help do not import the numeric libraries.

Importing pandas, numpy, scipy, matplotlib, seaborn and SimPy takes seconds on a busy machine,
so they are imported where results are computed or drawn, never when the command line loads
(issue 15: ``--help`` and ``validate`` under 1 s). Timing would be a flaky test; this checks the
design that gives the time: after the command, none of those modules is in ``sys.modules``.
Each case runs in a fresh interpreter, since the test process has imported everything.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from repo import ROOT, SCENARIOS

HEAVY = ("matplotlib", "numpy", "pandas", "scipy", "seaborn", "simpy")

# Run run_sim.py as a user would, then list the heavy top-level modules it loaded.
PROBE = """
import runpy, sys
heavy = set(sys.argv[1].split(","))
sys.argv = ["run_sim.py", *sys.argv[2:]]
try:
    runpy.run_path("run_sim.py", run_name="__main__")
except SystemExit as stop:
    code = stop.code
else:
    code = 0
loaded = sorted({name.split(".")[0] for name in sys.modules} & heavy)
print("EXIT", code, "LOADED", " ".join(loaded), file=sys.stderr)
"""

COMMANDS = ["run", "compare", "sweep", "plan", "sensitivity", "calibrate", "report", "schema"]


def loaded_after(*arguments: str) -> tuple[str, list[str]]:
    """The exit code and the heavy modules loaded by ``run_sim.py ARGUMENTS``."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(HEAVY), *arguments],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("EXIT "), result.stderr
    code, _, modules = last.removeprefix("EXIT ").partition(" LOADED")
    return code.strip(), modules.split()


def test_help_loads_no_numeric_library():
    code, loaded = loaded_after("--help")
    assert code == "0"
    assert loaded == []


@pytest.mark.parametrize("command", COMMANDS)
def test_each_commands_help_loads_no_numeric_library(command):
    code, loaded = loaded_after(command, "--help")
    assert code == "0"
    assert loaded == []


@pytest.mark.parametrize(
    "scenario",
    ["avon_somerset_2023.yaml", "england_wales_2024.yaml", "synthetic_caseload_example.yaml"],
)
def test_validate_loads_no_numeric_library(scenario):
    code, loaded = loaded_after("validate", str(SCENARIOS / scenario))
    assert code == "0"
    assert loaded == []


def test_a_bad_scenario_is_reported_without_them(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nhorizon_days: -3\n", encoding="utf-8")
    code, loaded = loaded_after("validate", str(bad))
    assert code == "2"
    assert loaded == []


def test_report_on_a_missing_folder_says_so_without_them(tmp_path):
    code, loaded = loaded_after("report", str(tmp_path / "no_such_run"))
    assert code == "2"
    assert loaded == []


IMPORT_ONLY = """
import importlib, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
print(" ".join(sorted(n for n in ("seaborn", "scipy.stats", "scipy.optimize") if n in sys.modules)))
"""


def test_run_and_report_load_neither_seaborn_nor_scipy_stats():
    # seaborn loads scipy.stats, and the two cost most of a second of every run and every
    # report rebuild; calibrate and the studies that fit or sample load them when they run.
    modules = ["sim.studies.run", "sim.report.build", "sim.experiments.precision"]
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_ONLY, *modules],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert result.stdout.split() == []
