"""One colour for each risk level, the same in every chart and PNG.

Okabe and Ito's colour-blind-safe palette, chosen so that the two levels a reader must tell
apart first (very high and high) are warm and far from medium and low, and "very high" is no
longer a near twin of "medium" (audit: two oranges). All levels together are black. Lines
also differ in width and style, so no chart relies on colour alone.
"""

from __future__ import annotations

from sim.levels import LEVEL_NAMES

__all__ = ["ALL_LEVELS_COLOUR", "LEVEL_COLOURS", "LEVEL_STYLES", "colour_of"]

ALL_LEVELS_COLOUR = "#000000"
LEVEL_COLOURS: dict[str, str] = {
    "very high": "#D55E00",  # vermilion
    "high": "#E69F00",  # orange
    "medium": "#0072B2",  # blue
    "low": "#009E73",  # bluish green
}
LEVEL_STYLES: dict[str, str] = {
    "all levels": "-",
    "very high": "-",
    "high": "--",
    "medium": "-.",
    "low": ":",
}
assert tuple(LEVEL_COLOURS) == LEVEL_NAMES


def colour_of(label: str) -> str:
    """The colour of a risk level's display name, or of 'all levels'."""
    return LEVEL_COLOURS.get(label, ALL_LEVELS_COLOUR)
