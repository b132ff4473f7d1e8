"""The scenario: every input of a run, read from untrusted YAML, validated once, then frozen.

Stage one of the flow. ``sim.scenario.file`` reads a scenario file (plus ``--set`` overrides)
into a :class:`Scenario`; nothing after this stage validates input again. The names here are
the public face; code inside this package imports from the defining module instead.
"""

from sim.scenario.config import (
    NAME_PATTERN,
    PRIORITY_RULES,
    TOTAL_AREA,
    WEEKDAYS,
    InitialOverdue,
    Scenario,
    Staffing,
)

__all__ = [
    "InitialOverdue",
    "NAME_PATTERN",
    "PRIORITY_RULES",
    "Scenario",
    "Staffing",
    "TOTAL_AREA",
    "WEEKDAYS",
]
