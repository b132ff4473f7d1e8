"""Write a calibrated copy of a scenario: the fitted values in place, and a header saying how.

The copy is plain YAML (the original file's comments cannot be carried over by a YAML
library), headed by a comment block that records what was fitted, over which ranges, to which
observations, with what result, and the command that did it. A caseload path is rewritten
relative to the copy's folder so the copy runs where it is written.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import yaml

from sim.calibration.fitting import FitResult

__all__ = ["calibrated_yaml"]


def _comment(lines: list[str]) -> str:
    return "".join(f"# {line}".rstrip() + "\n" for line in lines)


def calibrated_yaml(
    result: FitResult, original: Path, out_path: Path, command: str, when: str
) -> str:
    """The text of the calibrated scenario file to be written at ``out_path``."""
    data: dict[str, Any] = copy.deepcopy(result.data)
    data["name"] = f"{data['name']}_calibrated"
    population = data.get("population") or {}
    caseload = population.get("initial_caseload")
    if isinstance(caseload, str):
        population["initial_caseload"] = os.path.relpath(caseload, out_path.parent.resolve())
    header = [
        f"Calibrated copy of {original}, written {when} by:",
        f"  {command}",
        f"Fitted to the {len(result.table)} observations below with {result.replications} "
        "replications (common random numbers), loss "
        f"{result.best_loss:.4g} after {len(result.evaluations)} evaluations:",
    ]
    for parameter, value in zip(result.parameters, result.best, strict=True):
        header.append(
            f"  {parameter.path} = {value:.6g}  (searched {parameter.low:g} to {parameter.high:g})"
        )
    header.append("Fit (observed / simulated mean [90% of runs] / within):")
    for row in result.table.itertuples(index=False):
        header.append(
            f"  {row.metric} {row.period}: {row.observed:g} / {row.simulated_mean:.4g} "
            f"[{row.simulated_p5:.4g} - {row.simulated_p95:.4g}] / "
            f"{'yes' if row.within else 'NO'}"
        )
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return _comment(header) + "\n" + body
