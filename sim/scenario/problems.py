"""What is wrong with a scenario, said so that its author can fix it.

A :class:`ScenarioError` holds one :class:`Problem` per mistake: which file (or ``--set``),
which field, what was given and what is allowed. The command line prints them and exits with
code 2; nobody sees a traceback. This module turns pydantic's ``ValidationError`` into such
problems (naming the ``--set`` that caused each one, suggesting the field a misspelt key
meant, and reporting a mistake in a top-level section once rather than again for every area
that inherits it), and finds true/false values where the scenario expects a number, a word or
a date, which pydantic's lax mode would silently read as 1 or 0.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeAlias

from pydantic import BaseModel, ValidationError

from sim.scenario.scenario import Scenario

__all__ = [
    "Loc",
    "Origin",
    "Problem",
    "ScenarioError",
    "boolean_problems",
    "problems_from",
    "with_booleans",
]

Loc: TypeAlias = tuple[str | int, ...]
"""A place in a scenario: keys of mappings and indexes of lists, as pydantic's error ``loc``."""
Origin: TypeAlias = dict[tuple[str, ...], str]
"""Which ``--set`` override set each dotted path (for error messages)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input."""

    source: str
    field: str
    given: str
    allowed: str

    def __str__(self) -> str:
        where = f"{self.source}: {self.field}" if self.field else self.source
        given = f" (given: {self.given})" if self.given else ""
        return f"{where}: {self.allowed}{given}"


class ScenarioError(Exception):
    """The scenario cannot be used; ``problems`` says why, one entry per mistake."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _model_at(path: Loc, model: type[BaseModel] = Scenario) -> type[BaseModel] | None:
    """The pydantic model class reached by following ``path`` from Scenario, if any."""
    current: type[BaseModel] | None = model
    for part in path:
        if isinstance(part, int):
            continue
        if current is None:
            return None
        field = current.model_fields.get(part)
        if field is None:
            return None
        current = _first_model(field.annotation)
    return current


def _first_model(annotation: Any) -> type[BaseModel] | None:
    """The first pydantic model class in a field's type (``X | None``, ``list[X]``...), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is None and not isinstance(annotation, types.UnionType):
        return None
    for arg in typing.get_args(annotation):
        found = _first_model(arg)
        if found is not None:
            return found
    return None


def _clean_loc(loc: Loc) -> Loc:
    """Drop pydantic's internal steps (union tags, validator names) from an error location."""
    kept: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and (
            part.startswith("function-")
            or part in {"fixed", "uniform", "triangular", "exponential", "lognormal"}
        ):
            continue
        kept.append(part)
    return tuple(kept)


def problems_from(err: ValidationError, source: str, origin: Origin) -> list[Problem]:
    """One :class:`Problem` per pydantic error, in words a scenario's author can act on."""
    problems = []
    for item in err.errors():
        loc = _clean_loc(tuple(item["loc"]))
        field = ".".join(str(p) for p in loc)
        where = _where(loc, source, origin)
        message = item["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        if item["type"] == "extra_forbidden":
            parent = _model_at(loc[:-1])
            allowed = sorted(parent.model_fields) if parent else []
            guess = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            hint = f"; did you mean '{guess[0]}'?" if guess else "."
            message = f"unknown field{hint} Allowed here: {', '.join(allowed)}"
        elif item["type"] == "missing":
            message = "required field is missing"
        given = "" if item["type"] == "missing" else _short(item.get("input"))
        problems.append(Problem(where, field, given, message))
    return _without_inherited(problems)


def _without_inherited(problems: list[Problem]) -> list[Problem]:
    """Report a mistake in a top-level section once, not again for every area inheriting it."""
    top_level = {
        (p.field, p.given, p.allowed) for p in problems if not p.field.startswith("areas.")
    }
    kept = []
    for problem in problems:
        parts = problem.field.split(".", 2)
        if parts[0] == "areas" and len(parts) == 3:
            if (parts[2], problem.given, problem.allowed) in top_level:
                continue
        kept.append(problem)
    return kept


def _where(path: Loc, source: str, origin: Origin) -> str:
    """The file, or the ``--set`` that set ``path`` (or one of its parents)."""
    for length in range(len(path), 0, -1):
        if tuple(str(p) for p in path[:length]) in origin:
            return origin[tuple(str(p) for p in path[:length])]
    # a problem with a whole section (or a key pydantic refused) that --set changed inside
    key = tuple(str(p) for p in path)
    below = list(dict.fromkeys(origin[k] for k in origin if k[: len(key)] == key))
    if len(below) == 1 and key:
        return below[0]
    if below:
        more = f" and {len(below) - 3} more --set" if len(below) > 3 else ""
        return f"{source} with {', '.join(below[:3])}{more}"
    return source


def boolean_problems(data: Any, source: str, origin: Origin, path: Loc = ()) -> list[Problem]:
    """Every true/false where the scenario expects a number, a word or a date.

    pydantic's lax mode would read ``true`` as 1, so ``offender_managers: yes`` would mean one
    officer. Yes/no fields (``visits.announced.low``) are let through, and so is a key the
    model does not have, which pydantic reports as unknown (with a "did you mean").
    """
    if isinstance(data, bool):
        parent = _model_at(path[:-1]) if path else None
        field = parent.model_fields.get(str(path[-1])) if parent else None
        if field is not None and field.annotation is bool:
            return []
        if parent is not None and field is None:
            return []
        return [
            Problem(
                _where(path, source, origin),
                ".".join(str(p) for p in path),
                repr(data),
                "true/false is not allowed here: give a number, a word or a date",
            )
        ]
    children: Iterable[tuple[Any, Any]]
    if isinstance(data, dict):
        children = data.items()
    elif isinstance(data, list):
        children = enumerate(data)
    else:
        return []
    problems = []
    for key, value in children:
        problems += boolean_problems(value, source, origin, (*path, key))
    return problems


def with_booleans(
    booleans: list[Problem], err: ValidationError, source: str, origin: Origin
) -> list[Problem]:
    """The true/false problems, then pydantic's, less those about the same fields."""
    flagged = {problem.field for problem in booleans}
    others = [
        problem
        for problem in problems_from(err, source, origin)
        if not any(problem.field == f or problem.field.startswith(f + ".") for f in flagged)
    ]
    return booleans + others
