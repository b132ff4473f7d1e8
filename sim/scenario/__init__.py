"""The scenario: every input of a run, read from untrusted YAML, validated once, then frozen.

Stage one of the flow. ``sim.scenario.file`` reads a scenario file (plus ``--set`` overrides)
into a :class:`Scenario`; nothing after this stage validates input again. The scenario is
split by topic: ``fields`` (the parts every section is built from, limits, ``DAYS_PER_YEAR``),
``population``, ``work`` (visits and assessments), ``staffing`` and ``scenario`` (areas,
variants, the whole). The names here are the public face; code inside this package imports
from the defining module instead.
"""

from sim.scenario.fields import DAYS_PER_YEAR, NAME_PATTERN, WEEKDAYS
from sim.scenario.population import InitialOverdue
from sim.scenario.scenario import PRIORITY_RULES, TOTAL_AREA, Scenario
from sim.scenario.staffing import Staffing

__all__ = [
    "DAYS_PER_YEAR",
    "InitialOverdue",
    "NAME_PATTERN",
    "PRIORITY_RULES",
    "Scenario",
    "Staffing",
    "TOTAL_AREA",
    "WEEKDAYS",
]
