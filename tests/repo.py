"""The repository under test: its paths and one CLI runner, shared by the test files.

Kept apart from ``helpers.py`` (which imports the model) so that a test of the command line or
of a scenario file needs nothing but these names.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

__all__ = ["ROOT", "SCENARIOS", "SHIPPED", "SMALL", "runner"]

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SMALL = SCENARIOS / "small_example.yaml"  # the small example scenario: the CLI tests' default
SHIPPED = sorted(SCENARIOS.glob("*.yaml"))  # every scenario shipped with the tool
runner = CliRunner()  # invoke isolates each call, so one runner serves every test
