"""Risk levels of registered sex offenders, highest first.

The model stores a level as a small integer (0 = very high ... 3 = low) so that per-level
parameters are tuple look-ups on the hot path and "escalation" is simply ``level - 1``.
"""

from __future__ import annotations

__all__ = ["LEVELS", "LEVEL_INDEX", "N_LEVELS", "VERY_HIGH", "HIGH", "MEDIUM", "LOW"]

LEVELS: tuple[str, ...] = ("very_high", "high", "medium", "low")
LEVEL_INDEX: dict[str, int] = {name: i for i, name in enumerate(LEVELS)}
N_LEVELS = len(LEVELS)
VERY_HIGH, HIGH, MEDIUM, LOW = range(N_LEVELS)
