"""Numbers and dates rounded for people: chief officers read "about 190", not "189.7000".

Every number a person reads (the HTML report, the tables the commands print) goes through
:func:`human_number`, so rounding is the same everywhere. It has one rule with two purposes:

* a *measured* value (the default: a mean over replications, a change, a count of hours) is
  shown as a whole number from 10 up and with one decimal below 10, where a mean of 0.4
  differs from 0; never a trailing ".0" and never "-0";
* a value *as written* in a scenario (``significant=4``: a parameter, a bound) keeps up to that
  many significant figures, so an out-of-home probability of 0.025 is not shown as 0, and whole
  numbers are shown in full.

Around it: shares as whole percentages, hours with their unit, intervals as "160 to 220",
observed figures in their metric's unit (a ratio to a tenth of a percent, as a fit is judged
closely), and dates as "1 March 2023". A missing value (None or NaN) is a dash everywhere.

This module sits beside :mod:`sim.levels` at the top of the package and imports nothing from
the package, so every stage that shows numbers to people (the report, the commands, figures,
the scenario reference) can use it without importing a stage further down the flow.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date

__all__ = [
    "MISSING",
    "counted",
    "human_date",
    "human_hours",
    "human_month",
    "human_number",
    "human_observed",
    "human_range",
    "human_share",
]

MISSING = "–"
"""What a person sees for a value that is unknown (None, NaN): an en dash."""

WHOLE_FROM = 9.95
"""Measured values at or above this (in size) are whole numbers: 9.96 is "10", not "10.0"."""


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``1 problem``, ``3 problems``: a count with its noun in the right number (never
    ``problem(s)`` or ``1 replications``)."""
    return f"{count:,} {noun if count == 1 else (plural or noun + 's')}"


def human_number(value: float | None, *, significant: int | None = None, sign: bool = False) -> str:
    """A number as a person reads it, with thousands separators.

    Measured (the default): '1,523', '190', '4.2', '0.4', '0'. With ``sign``, a change:
    '+40', '-4.2', '+0' (a small rise), '0' (exactly none). With ``significant=N``, a value as
    written: '0.025', '1.5', '20,230,301', '12,346'. True and False read 'yes' and 'no'; a
    missing value is a dash.
    """
    if value is None or math.isnan(value):
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    plus = "+" if sign and value > 0 else ""
    if significant is not None:
        if float(value).is_integer():
            return f"{plus}{int(value):,}"
        text = f"{value:,.{significant}g}"
        # never scientific notation for large numbers: more figures, not fewer, when whole
        return f"{plus}{value:,.0f}" if "e+" in text else f"{plus}{text}"
    if value == 0:
        return "0"
    decimals = 0 if abs(value) >= WHOLE_FROM else 1
    text = f"{value:{'+' if sign else ''},.{decimals}f}".removesuffix(".0")
    return "0" if text == "-0" and not sign else text


def human_share(value: float | None, decimals: int = 0) -> str:
    """A share as a whole percentage ('68%'); '<1%' for small non-zero shares.

    With ``decimals``, a fixed number of decimals for a column that compares shares closely
    ('68.0%', '67.4%', '<0.1%').
    """
    if value is None or math.isnan(value):
        return MISSING
    smallest = 10.0**-decimals
    if 0 < abs(value) * 100 < smallest / 2:
        return f"<{smallest:.{decimals}f}%"
    return f"{value:.{decimals}%}"


def human_hours(value: float | None) -> str:
    """Hours of officers' time, measured: '1,234 h', '4.5 h'."""
    if value is None or math.isnan(value):
        return MISSING
    return f"{human_number(value)} h"


def human_range(
    low: float | None,
    high: float | None,
    form: Callable[[float | None], str] = human_number,
) -> str:
    """'160 to 220'; a dash when the interval is unknown (one replication)."""
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return MISSING
    return f"{form(low)} to {form(high)}"


def human_observed(value: float | None, metric: str) -> str:
    """A figure of an observation's metric (observed or simulated) in the metric's unit.

    A ratio of sums (a metric with '/', such as ``visits_completed / visit_attempts``) is a
    share: a percentage with one decimal, as a fit is judged to a point or two ('68.0%',
    '67.4%'). Anything else is a count, measured.
    """
    return human_share(value, decimals=1) if "/" in metric else human_number(value)


def human_date(value: date) -> str:
    """'1 March 2023'."""
    return f"{value.day} {value:%B %Y}"


def human_month(period: str, short: bool = False) -> str:
    """'2023-11' -> 'November 2023' (or 'Nov 2023' with ``short``, for table rows)."""
    year, month = (int(part) for part in period.split("-"))
    return f"{date(year, month, 1):%b %Y}" if short else f"{date(year, month, 1):%B %Y}"
