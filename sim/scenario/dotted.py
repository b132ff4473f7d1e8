"""Set one field of a nested mapping by a dotted path, as ``--set`` and variants do.

``staffing.offender_managers`` names ``data["staffing"]["offender_managers"]``. Missing
intermediate mappings are created (validation then reports unknown fields). A per-level field
written as one number for every level can have one level set on its own
(``visits.officers_per_visit.low``): the number is first spread to every level.

This module knows nothing about scenarios beyond the risk-level names, so both the scenario
loader and :mod:`sim.experiments.variants` can use it.
"""

from __future__ import annotations

import difflib
from typing import Any

from sim.levels import LEVELS

__all__ = ["DottedPathError", "set_dotted", "split_dotted"]


class DottedPathError(ValueError):
    """The path cannot be followed: ``prefix`` is a single value, or the path is malformed."""

    def __init__(self, prefix: str, given: str, message: str) -> None:
        self.prefix = prefix
        self.given = given
        self.message = message
        super().__init__(f"{prefix}: {message}")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def split_dotted(key: str) -> tuple[str, ...]:
    """``"a.b.c"`` -> ``("a", "b", "c")``; raises DottedPathError for empty parts."""
    path = tuple(part.strip() for part in key.split("."))
    if not key.strip() or any(not part for part in path):
        raise DottedPathError(key, key, "write a dotted path such as staffing.offender_managers")
    return path


def set_dotted(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """Set ``value`` at ``path`` inside ``data`` (in place; pass a copy to keep the original)."""
    node = data
    for depth, part in enumerate(path[:-1]):
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        elif _is_number(child) and path[depth + 1] in LEVELS:
            # one number for every level, now set per level: spread it first
            child = node[part] = {level: child for level in LEVELS}
        guess = difflib.get_close_matches(path[depth + 1], LEVELS, n=1)
        if _is_number(child) and guess:
            # one number, and a near miss of a level name: a typo of a per-level field's level
            raise DottedPathError(
                ".".join(path[: depth + 2]),
                path[depth + 1],
                f"'{path[depth + 1]}' is not a risk level; did you mean '{guess[0]}'? (one "
                f"number can be set per level: {', '.join(LEVELS)})",
            )
        if not isinstance(child, dict):
            raise DottedPathError(
                ".".join(path[: depth + 1]),
                _short(child),
                "is a single value, so it has no sub-fields to set",
            )
        node = child
    node[path[-1]] = value
