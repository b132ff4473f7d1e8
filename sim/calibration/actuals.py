"""Figures reported after a forecast was made (``backtest --actuals FILE``), checked.

The file is YAML with one list, ``actuals:``, written exactly like a scenario's
``observations:`` (sim/scenario/observations.py)::

    actuals:
      - {metric: overdue_visits, date: 2025-01-15, value: 310, source: board, Jan 2025}
      - {metric: visit_attempts, from_date: 2024-11-01, date: 2024-11-30, value: 480}

A ``tolerance`` may be given (it is accepted, as in ``observations:``) but a backtest scores
against the forecast's own intervals, not a tolerance. Every problem names the file, the
line of the entry and the field; nothing is read from a file with any problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.scenario.file import Problem, ScenarioError, read_yaml_mapping
from sim.scenario.observations import Observation

__all__ = ["MAX_ACTUALS", "read_actuals"]

MAX_ACTUALS = 500


def _item_lines(path: Path) -> list[int]:
    """The line (1-based) each entry of ``actuals:`` starts on (empty if not a list)."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if getattr(key, "value", None) == "actuals" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def read_actuals(path: Path) -> list[tuple[str, Observation]]:
    """``(where, figure)`` for each entry of ``path`` (``where``: the file and the entry's
    line, for later messages); a ScenarioError lists every problem (file, line, field)."""
    source = str(path)
    data = read_yaml_mapping(path)
    unknown = sorted(set(data) - {"actuals"})
    entries: Any = data.get("actuals")
    problems: list[Problem] = []
    if unknown:
        problems.append(Problem(source, unknown[0], "", "the only top-level key is 'actuals'"))
    if not isinstance(entries, list) or not entries:
        problems.append(
            Problem(source, "actuals", "", "a list of figures, written as observations: are")
        )
        raise ScenarioError(problems)
    if len(entries) > MAX_ACTUALS:
        raise ScenarioError(
            [Problem(source, "actuals", str(len(entries)), f"at most {MAX_ACTUALS}")]
        )
    lines = _item_lines(path)
    actuals: list[tuple[str, Observation]] = []
    for index, entry in enumerate(entries):
        where = f"{source}, line {lines[index]}" if index < len(lines) else source
        try:
            actuals.append((where, Observation.model_validate(entry)))
        except ValidationError as error:
            for item in error.errors():
                loc = ".".join(str(part) for part in item["loc"])
                field = f"actuals[{index}]" + (f".{loc}" if loc else "")
                message = str(item["msg"]).removeprefix("Value error, ")
                if item["type"] == "missing":
                    message = "required field is missing"
                given = "" if item["type"] == "missing" else repr(item.get("input"))[:80]
                problems.append(Problem(where, field, given, message))
    if problems:
        raise ScenarioError(problems)
    return actuals
