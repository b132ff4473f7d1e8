"""Offender-visit simulation: how a police force keeps up with visits to registered sex offenders.

The package is laid out in the order data flows through it; every import points down the flow:

1. ``sim.scenario``     read a scenario file (untrusted YAML) and validate it once into a frozen
                        :class:`~sim.scenario.Scenario`;
2. ``sim.model``        simulate ONE replication in SimPy: each offender's visit and assessment
                        cycles are processes, offender managers and trained sergeants are the
                        workforce they queue for; ``single_run(scenario, replication)``;
3. ``sim.records``      what a replication produced (a daily table by column name): the one
                        contract between the model and everything after it;
4. ``sim.experiments``  many replications, anywhere (serial, local processes, Dask), resumably;
5. ``sim.analysis``     pure statistics over the records (no SimPy, no files);
6. ``sim.studies``,     one module per question (run, compare, sweep, tornado, sensitivity),
   ``sim.calibration``, fitting to observed figures, and staffing plans; each writes its own
   ``sim.planning``     results folder;
7. ``sim.report``       report.html from a finished results folder (never runs the model);
8. ``sim.io``           results folders, manifests, atomic writes;

and ``sim.cli`` on top: thin typer commands (``python run_sim.py --help``). ``sim.levels`` and
``sim.priority`` (risk levels, priority rules) are shared by every stage.

The names below are the few most callers need; they load on first use, so importing a light
part of the package (``sim.records``, ``sim.analysis``) does not load SimPy or the model.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["DailyRecord", "Scenario", "load_scenario", "single_run", "__version__"]

_PUBLIC = {
    "DailyRecord": "sim.records",
    "Scenario": "sim.scenario",
    "load_scenario": "sim.scenario.file",
    "single_run": "sim.model.replication",
}

if TYPE_CHECKING:
    from sim.model.replication import single_run
    from sim.records import DailyRecord
    from sim.scenario import Scenario
    from sim.scenario.file import load_scenario


def __getattr__(name: str) -> Any:
    """Load a public name's module on first use (PEP 562)."""
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    return getattr(import_module(module), name)
