"""Titles that tell the truth: what was run, over which dates, with which changes.

A scenario's ``description`` is free text written for the file as it stands ("... to 31
January 2024, current staffing and two officers on every visit"). Once a ``--set`` (or
``--months``) changes the scenario, that sentence no longer describes the run, so every title
(the report's, ``backlog.png``'s, and the comparison, sweep, tornado and sensitivity charts')
is built here, from the scenario as run and the changes named on the command line:

* no changes: the description (or the name), then the dates the run covers;
* changes: the scenario's name *with* each change in words, then the dates; the file's
  description is not repeated, because it describes a different run.

The changes are read from the command recorded in the manifest (``--set KEY=VALUE`` and
``--months N``), so a report rebuilt from an old results folder gets the same title.
Calendar arithmetic for "in 12 months" is here too: :func:`days_to_reach` says how many days
a run must cover so that the date N calendar months after its start is simulated (367 from 1
March 2023, because of the leap day).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from sim.format import human_date

__all__ = [
    "add_months",
    "changes_from_command",
    "days_to_reach",
    "describe_change",
    "last_day",
    "period_text",
    "run_title",
    "study_title",
]

_NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four"}


def add_months(start: date, months: int) -> date:
    """The same day ``months`` calendar months later (the month's last day if it is shorter:
    31 August + 6 months is 29 February in a leap year)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def days_to_reach(start: date, months: int) -> int:
    """The ``horizon_days`` that makes the run include the date ``months`` months after
    ``start`` (day 0 is ``start``, so the date is day ``(date - start).days``)."""
    return (add_months(start, months) - start).days + 1


def last_day(start: date, horizon_days: int) -> date:
    """The last simulated date: day ``horizon_days - 1``."""
    return start + timedelta(days=max(int(horizon_days), 1) - 1)


def period_text(start: date, horizon_days: int) -> str:
    """'1 March 2023 to 31 January 2024 (337 days)'."""
    end = last_day(start, horizon_days)
    return f"{human_date(start)} to {human_date(end)} ({int(horizon_days)} days)"


def changes_from_command(command: Sequence[str]) -> list[tuple[str, str]]:
    """The ``--set KEY=VALUE`` and ``--months N`` changes of a recorded command, in order.

    ``--seed`` and ``--replications`` are not changes of the scenario's meaning and are left
    out. Both ``--set X`` and ``--set=X`` spellings are read.
    """
    found: list[tuple[str, str]] = []
    items = list(command)
    for index, item in enumerate(items):
        for option in ("--set", "--months"):
            value: str | None = None
            if item == option and index + 1 < len(items):
                value = items[index + 1]
            elif item.startswith(option + "="):
                value = item[len(option) + 1 :]
            if value is None:
                continue
            if option == "--months":
                found.append(("months", value))
            elif "=" in value:
                key, _, setting = value.partition("=")
                found.append((key.strip(), setting.strip()))
    return found


def describe_change(key: str, value: str) -> str:
    """One change in words: 'one officer on every visit', '12 months', else 'KEY = VALUE'."""
    if key == "visits.officers_per_visit" and value.strip().isdigit():
        count = int(value)
        word = _NUMBER_WORDS.get(count, str(count))
        return f"{word} officer{'s' if count != 1 else ''} on every visit ({key} = {value})"
    if key == "months":
        return f"a {value}-month horizon"
    return f"{key} = {value}"


def run_title(scenario: Mapping[str, Any] | Any, command: Sequence[str] = ()) -> str:
    """The title of one run: heading, then a line with the dates it covers.

    ``scenario`` is the scenario as run: a :class:`~sim.scenario.Scenario` or its manifest
    dict. ``command`` is the command line it was run with.
    """
    heading = _heading(scenario, changes_from_command(command))
    return f"{heading}\n{period_text(_start(scenario), int(_get(scenario, 'horizon_days')))}"


def study_title(scenario: Mapping[str, Any] | Any, what: str, command: Sequence[str] = ()) -> str:
    """The title of a study that varies the scenario (compare, sweep, tornado, sensitivity).

    The file's description is never used: it names one policy and one staffing level while
    the study varies them. It reads '<name>: <what>', the base's own changes, then the dates.
    """
    changes = changes_from_command(command)
    name = str(_get(scenario, "name"))
    heading = f"{name}: {what}"
    if changes:
        heading += "; base " + _with(changes)
    return f"{heading}\n{period_text(_start(scenario), int(_get(scenario, 'horizon_days')))}"


def _with(changes: list[tuple[str, str]]) -> str:
    return "with " + ", ".join(describe_change(key, value) for key, value in changes)


def _heading(scenario: Mapping[str, Any] | Any, changes: list[tuple[str, str]]) -> str:
    name = str(_get(scenario, "name"))
    if changes:
        return f"{name} {_with(changes)}"
    description = " ".join(str(_get(scenario, "description") or "").split())
    return description or name


def _get(scenario: Mapping[str, Any] | Any, field: str) -> Any:
    if isinstance(scenario, Mapping):
        return scenario.get(field)
    return getattr(scenario, field, None)


def _start(scenario: Mapping[str, Any] | Any) -> date:
    value = _get(scenario, "start_date")
    return value if isinstance(value, date) else date.fromisoformat(str(value))
