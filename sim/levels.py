"""Risk levels of registered sex offenders, highest first.

The model stores a level as a small integer (0 = very high ... 3 = low) so that per-level
parameters are tuple look-ups on the hot path and "escalation" is simply ``level - 1``.
:data:`LEVEL_NAMES` are the same levels as people read them (in tables, legends and sentences),
in the same order: the one list of display names.
"""

from __future__ import annotations

__all__ = [
    "HIGH",
    "LEVELS",
    "LEVEL_INDEX",
    "LEVEL_NAMES",
    "LOW",
    "MEDIUM",
    "N_LEVELS",
    "VERY_HIGH",
]

LEVELS: tuple[str, ...] = ("very_high", "high", "medium", "low")
LEVEL_NAMES: tuple[str, ...] = ("very high", "high", "medium", "low")
LEVEL_INDEX: dict[str, int] = {name: i for i, name in enumerate(LEVELS)}
N_LEVELS = len(LEVELS)
VERY_HIGH, HIGH, MEDIUM, LOW = range(N_LEVELS)
