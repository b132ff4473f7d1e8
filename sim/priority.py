"""Which waiting work is done first: the priority rules, one named function each.

A rule turns a task's risk level (0 = very high), due day and arrival number into a sort key;
the workforce serves the smallest key first. The arrival number breaks every tie, so the order
is total and a replication is reproducible.

``earliest_due_date`` is an older name of :func:`most_overdue_first` (the same rule: the most
overdue item is the one with the earliest due date); scenario files may use either.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, get_args

from sim.levels import HIGH

__all__ = [
    "ALIASES",
    "PRIORITY_RULES",
    "PriorityKey",
    "PriorityName",
    "first_come_first_served",
    "high_risk_then_most_overdue",
    "highest_risk_first",
    "most_overdue_first",
    "priority_rule",
]

PriorityKey = tuple[int, ...]
PriorityRule = Callable[[int, int, int], PriorityKey]


def highest_risk_first(level: int, due_day: int, arrival: int) -> PriorityKey:
    """Very high risk before high before medium before low; the oldest due first within."""
    return (level, due_day, arrival)


def high_risk_then_most_overdue(level: int, due_day: int, arrival: int) -> PriorityKey:
    """Very high and high risk first; medium and low together, the oldest due first."""
    return (level > HIGH, due_day, arrival)


def most_overdue_first(level: int, due_day: int, arrival: int) -> PriorityKey:
    """The earliest due date first, whatever the risk level."""
    return (due_day, arrival)


def first_come_first_served(level: int, due_day: int, arrival: int) -> PriorityKey:
    """In the order the work joined the queue."""
    return (arrival,)


PRIORITY_RULES: dict[str, PriorityRule] = {
    rule.__name__: rule
    for rule in (
        highest_risk_first,
        high_risk_then_most_overdue,
        most_overdue_first,
        first_come_first_served,
    )
}
ALIASES: dict[str, str] = {"earliest_due_date": "most_overdue_first"}

# Every name a scenario may give, rules and aliases: the scenario's field type (in the order
# the scenario schema has always listed them).
PriorityName = Literal[
    "highest_risk_first",
    "high_risk_then_most_overdue",
    "most_overdue_first",
    "earliest_due_date",
    "first_come_first_served",
]
if set(get_args(PriorityName)) != {*PRIORITY_RULES, *ALIASES}:  # pragma: no cover - a slip
    raise AssertionError("PriorityName must list every rule and alias")


def priority_rule(name: str) -> PriorityRule:
    """The rule a scenario names (an alias gives the rule it stands for)."""
    return PRIORITY_RULES[ALIASES.get(name, name)]
