"""Levers a plan may pull: a scenario field and the values it may take.

Written on the command line as ``PATH=SPEC``:

* ``staffing.offender_managers=20:60`` (or ``20:60:2``): whole numbers from 20 to 60, step 1 (2);
* ``visits.officers_per_visit=1,2``: a list of choices (each read as YAML, so a per-level
  mapping such as ``{very_high: 2, high: 2, medium: 1, low: 1}`` can be one choice, but then
  separate choices with ``;`` instead of ``,``);
* ``staffing.changes.start=2024-04-01:2024-10-01`` (or ``...:7`` for weekly steps): dates.

``PATH`` is a dotted path into the scenario with list positions as numbers
(``staffing.changes.0.offender_managers``). ``staffing.changes.start`` is the date the
scenario's staffing plan starts: the first change moves to that date and later changes keep
their distance from it, so "recruit 6 by April or by October" is one lever.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import yaml
from pydantic import ValidationError

from sim.scenario import Scenario
from sim.scenario.untrusted_yaml import UnreadableValue, read_value

__all__ = ["Lever", "LeverError", "apply_levers", "expected_evaluations", "parse_lever"]

PLAN_START = ("staffing", "changes", "start")
MAX_LEVER_VALUES = 100_000


class LeverError(ValueError):
    """A lever that cannot be read or applied; the message says what is allowed."""


@dataclass(frozen=True)
class Lever:
    """A scenario field and its candidate values, in order (for ranges: ascending)."""

    text: str
    path: tuple[str, ...]
    values: tuple[Any, ...]
    ordered: bool  # a range (numbers or dates) rather than a list of unordered choices

    @property
    def name(self) -> str:
        return ".".join(self.path)

    @property
    def is_date(self) -> bool:
        return isinstance(self.values[0], date)

    def label(self, value: Any) -> str:
        return (
            value.isoformat()
            if isinstance(value, date)
            else yaml.safe_dump(value, default_flow_style=True, width=10_000)
            .strip()
            .removesuffix("...")
            .strip()
        )


def _parse_date(text: str, lever: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise LeverError(f"--lever {lever}: '{text}' is not a date (YYYY-MM-DD)") from None


def _parse_int(text: str, lever: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise LeverError(f"--lever {lever}: '{text}' is not a whole number") from None


def parse_lever(text: str) -> Lever:
    """Read ``PATH=LOW:HIGH[:STEP]``, ``PATH=A,B,C`` or ``PATH=DATE:DATE[:STEP_DAYS]``."""
    key, sep, spec = text.partition("=")
    path = tuple(part.strip() for part in key.split("."))
    if not sep or not spec.strip() or any(not part for part in path):
        raise LeverError(
            f"--lever {text}: write PATH=LOW:HIGH, PATH=A,B or PATH=DATE:DATE, "
            "e.g. staffing.offender_managers=20:60"
        )
    if ":" in spec and "{" not in spec:
        parts = spec.split(":")
        values: tuple[date, ...] | tuple[int, ...]
        if len(parts) not in (2, 3):
            raise LeverError(f"--lever {text}: a range is LOW:HIGH or LOW:HIGH:STEP")
        if "-" in parts[0].strip()[1:]:  # a date (a leading minus would be a negative number)
            first, last = _parse_date(parts[0], text), _parse_date(parts[1], text)
            step = _parse_int(parts[2], text) if len(parts) == 3 else 1
            span = (last - first).days
            values = tuple(first + timedelta(days=d) for d in range(0, span + 1, max(step, 1)))
        else:
            low, high = _parse_int(parts[0], text), _parse_int(parts[1], text)
            step = _parse_int(parts[2], text) if len(parts) == 3 else 1
            span = high - low
            values = tuple(range(low, high + 1, max(step, 1)))
        if step < 1:
            raise LeverError(f"--lever {text}: the step must be at least 1")
        if span < 1:
            raise LeverError(f"--lever {text}: the range must run upwards (LOW < HIGH)")
        if len(values) > MAX_LEVER_VALUES:
            raise LeverError(f"--lever {text}: more than {MAX_LEVER_VALUES} values")
        return Lever(text, path, values, ordered=True)
    separator = ";" if ";" in spec else ","
    try:
        choices = tuple(read_value(part) for part in spec.split(separator) if part.strip())
    except UnreadableValue as error:
        raise LeverError(f"--lever {text[:80]}: a choice: {error}") from None
    if len(choices) < 2:
        raise LeverError(f"--lever {text}: give at least two choices, e.g. 1,2")
    return Lever(text, path, choices, ordered=False)


def _set_path(data: Any, path: tuple[str, ...], value: Any, lever: str) -> None:
    node = data
    for depth, part in enumerate(path):
        last = depth == len(path) - 1
        where = ".".join(path[: depth + 1])
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise LeverError(
                    f"--lever {lever}: {where} needs a position 0..{len(node) - 1} in the list"
                )
            if last:
                node[int(part)] = value
            else:
                node = node[int(part)]
        elif isinstance(node, dict):
            if part not in node:
                raise LeverError(
                    f"--lever {lever}: the scenario has no field '{where}'. "
                    f"Allowed here: {', '.join(sorted(node))}"
                )
            if last:
                node[part] = value
            else:
                node = node[part]
        else:
            raise LeverError(f"--lever {lever}: '{where}' is inside a single value")


def _move_plan_start(data: dict, start: date, lever: str) -> None:
    changes = data["staffing"]["changes"]
    if not changes:
        raise LeverError(
            f"--lever {lever}: the scenario has no staffing.changes to move; add the "
            "recruitment (a date and how many) to the scenario first"
        )
    first = min(date.fromisoformat(str(change["date"])) for change in changes)
    shift = start - first
    for change in changes:
        change["date"] = (date.fromisoformat(str(change["date"])) + shift).isoformat()


def apply_levers(scenario: Scenario, settings: dict[Lever, Any]) -> Scenario:
    """A copy of ``scenario`` with each lever set to its value (validated again)."""
    data = scenario.model_dump(mode="json", by_alias=True, exclude={"variants"})
    for lever, value in settings.items():
        if lever.path == PLAN_START:
            _move_plan_start(data, value, lever.text)
        else:
            encoded = value.isoformat() if isinstance(value, date) else value
            _set_path(data, lever.path, encoded, lever.text)
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        described = ", ".join(f"{lever.name}={lever.label(v)}" for lever, v in settings.items())
        raise LeverError(
            f"{described} makes the scenario invalid at {where}: {first['msg']}"
        ) from None


def expected_evaluations(levers: Sequence[Lever], rates: Sequence[float]) -> int:
    """About how many options a plan evaluates (to choose the default number of worker
    processes): for each growth case and each combination of the other levers' values, a
    bisection of the first range (about log2 of its length, plus its two ends)."""
    if not levers:
        return 1
    first = next((lv for lv in levers if lv.ordered), levers[0])
    combinations = math.prod(len(lv.values) for lv in levers if lv is not first)
    bisection = math.ceil(math.log2(max(len(first.values), 2))) + 2
    return max(len(rates), 1) * combinations * bisection
