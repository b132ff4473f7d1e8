"""The working calendar: which simulated days are working days.

Simulation time is measured in days from the scenario's ``start_date`` (day 0 is the start date,
time 0.5 is its midday). Staff work only on the scenario's working weekdays that are not listed
holidays; everything else (due dates, offenders' lives) runs on every calendar day.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from sim.scenario import WEEKDAYS, Staffing

__all__ = ["WorkingCalendar"]


class WorkingCalendar:
    """Answers "is day d a working day?" in constant time for the whole horizon."""

    def __init__(self, start_date: date, horizon_days: int, staffing: Staffing) -> None:
        self.start_date = start_date
        self.horizon_days = horizon_days
        working = {WEEKDAYS.index(day) for day in staffing.working_days}
        holidays = set(staffing.holidays)
        self._is_working = np.array(
            [
                (start_date + timedelta(days=d)).weekday() in working
                and (start_date + timedelta(days=d)) not in holidays
                for d in range(horizon_days)
            ],
            dtype=bool,
        )

    def is_working(self, day: int) -> bool:
        """True if staff work on simulated day ``day`` (0-based)."""
        return bool(self._is_working[day])

    def working_days(self) -> np.ndarray:
        """Indices of the working days within the horizon."""
        return np.flatnonzero(self._is_working)

    def day_of(self, when: date) -> int:
        """Simulated day index of a calendar date (negative before the start)."""
        return (when - self.start_date).days
