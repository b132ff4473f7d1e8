"""``--parameters FILE``: run, compare and plan with a parameter sample from calibrate.

The option becomes the scenario override ``parameter_sample=<absolute path>``, so the sample
is part of the scenario (recorded in the manifest, shared by every variant) and
sim/experiments/parameter_sample.py gives each replication its set. The file and every set
in it are checked before anything runs (exit 2 naming the file, line and column).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sim.scenario.file import ScenarioError

from .app import fail, fail_with

if TYPE_CHECKING:
    from sim.scenario import Scenario

__all__ = ["ParametersOption", "check_parameters", "parameters_override"]

ParametersOption = Annotated[
    Path | None,
    typer.Option(
        "--parameters",
        help="A parameter sample (parameter_sample.csv from calibrate --method abc): each "
        "replication runs one set drawn by weight, so the bands carry calibration uncertainty.",
    ),
]


def parameters_override(parameters: Path | None) -> list[str]:
    """``["parameter_sample=<absolute path>"]`` after checking the file, or ``[]``."""
    if parameters is None:
        return []
    from sim.experiments.parameter_sample import read_sample

    try:
        read_sample(parameters)
    except ScenarioError as error:
        fail(error)
    return [f"parameter_sample={json.dumps(str(parameters.resolve()))}"]


def _lookup(data: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, dict):
            return data  # one number for every level: the level's value is that number
        data = data.get(part)
    return data


def check_parameters(
    scenarios: Sequence[Scenario], changed: Sequence[str] = (), what: str = "a variant"
) -> None:
    """Exit 2 unless every set gives a valid scenario and no variant (or lever, named in
    ``changed``) changes a field the sample sets (the sample would silently win)."""
    from sim.experiments.parameter_sample import check_sample, sample_of

    if not scenarios or scenarios[0].parameter_sample is None:
        return
    try:
        for scenario in scenarios:
            check_sample(scenario)
    except ScenarioError as error:
        fail(error)
    sample = sample_of(scenarios[0])
    assert sample is not None
    base = scenarios[0].model_dump(mode="json")
    for name in sample.names:
        clash = any(name == c or name.startswith(c + ".") for c in changed)
        for scenario in scenarios[1:]:
            if _lookup(scenario.model_dump(mode="json"), name) != _lookup(base, name):
                clash = True
        if clash:
            fail_with(
                f"{what} changes {name}, which the parameter sample {sample.path} sets for "
                "every replication; drop that change or refit without it"
            )
