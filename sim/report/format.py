"""Numbers and dates rounded for people: chief officers read "about 190", not "189.7000".

Every figure in the HTML report goes through one of these, so rounding is the same
everywhere: counts as whole numbers (one decimal below 10, where a mean of 0.4 differs from
0), shares as whole percentages, hours as whole hours, dates as "1 March 2023".
"""

from __future__ import annotations

import math
from datetime import date

__all__ = [
    "human_count",
    "human_date",
    "human_hours",
    "human_month",
    "human_number",
    "human_range",
    "human_share",
]


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def human_count(value: float | None) -> str:
    """A mean count: '1,523', '190', '4.2', '0.4', '0'; a dash if unknown."""
    if _missing(value):
        return "–"
    if abs(value) >= 9.95:
        return f"{value:,.0f}"
    text = f"{value:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


def human_number(value: float | None) -> str:
    """A parameter value as written in a scenario: up to 4 significant figures, no '.0'."""
    if _missing(value):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4g}"


def human_share(value: float | None) -> str:
    """A share as a whole percentage ('68%'); '<1%' for small non-zero shares."""
    if _missing(value):
        return "–"
    if 0 < abs(value) < 0.005:
        return "<1%"
    return f"{value:.0%}"


def human_hours(value: float | None) -> str:
    """Hours, whole above 10 ('1,234 h'), one decimal below."""
    if _missing(value):
        return "–"
    return f"{human_count(value)} h"


def human_range(low: float | None, high: float | None, form=human_count) -> str:
    """'160 to 220'; a dash when the interval is unknown (one replication)."""
    if _missing(low) or _missing(high):
        return "–"
    return f"{form(low)} to {form(high)}"


def human_date(value: date) -> str:
    """'1 March 2023'."""
    return f"{value.day} {value:%B %Y}"


def human_month(period: str, short: bool = False) -> str:
    """'2023-11' -> 'November 2023' (or 'Nov 2023' with ``short``, for table rows)."""
    year, month = (int(part) for part in period.split("-"))
    return f"{date(year, month, 1):%b %Y}" if short else f"{date(year, month, 1):%B %Y}"
