"""Whole days away from casework: each officer's leave, sickness, court and training days.

``staffing.absences`` gives three kinds of absence; an officer absent on a working day has no
hours that day (the workforce skips them when the shift opens). Each officer's days are drawn
once, when the officer is created, for the whole run, from the officer's own streams (one per
kind of absence), so under two policies officer k of a kind is away on the same dates
(common random numbers) and changing, say, the sickness rate leaves everyone's leave alone.

Everything is counted in *working days* (the scenario's working weekdays that are not
holidays), since that is how leave and sickness are counted in practice:

* **Annual leave**: each year of the run (365 days from the start date, the last one possibly
  beyond the horizon) every officer takes exactly ``workdays_per_year`` working days, in blocks of
  ``block_workdays``. A block starts on a working day drawn with the month weights and takes the
  next working days not already on leave (wrapping round within the year), so an officer's
  leave never overlaps itself and the total is exact.
* **Sickness**: a spell starts on each working day with probability ``spells_per_year / W``
  (``W``: working days a year), independently, and lasts ``spell_workdays`` working days; spells
  may overlap. Starts are drawn from one year before the start date, so the run begins with
  the spells already under way. With a fixed length ``L`` a working day is a sick day with
  probability ``1 - (1 - p) ** L`` (``p`` the daily start probability).
* **Court and training**: each working day is one with probability
  ``court_training_workdays_per_year / W``, independently.

A day is absent if any of the three says so. Starts of sickness and court days are drawn as
geometric gaps between them (one number each), not one number per day.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from datetime import date, timedelta
from itertools import accumulate

from sim.model.calendar import WorkingCalendar
from sim.model.streams import OffenderStream, Streams
from sim.scenario.staffing import Absences, AnnualLeave, Sickness, Staffing

__all__ = ["AbsencePlan", "LEAVE_YEAR_DAYS"]

LEAVE_YEAR_DAYS = 365  # a leave year: the allowance is taken in each such span from day 0


class AbsencePlan:
    """What every officer's absences are drawn from: the working days and their weights.

    Built once per replication (or area); ``absent_days(streams, kind, index)`` then draws one
    officer's days.
    """

    def __init__(
        self, absences: Absences, start_date: date, horizon_days: int, staffing: Staffing
    ) -> None:
        self.absences = absences
        self.horizon_days = horizon_days
        n_years = max(1, math.ceil(horizon_days / LEAVE_YEAR_DAYS))
        calendar = WorkingCalendar(start_date, n_years * LEAVE_YEAR_DAYS, staffing)
        days: list[int] = [int(d) for d in calendar.working_days()]
        self.working_days = days  # calendar day numbers, whole leave years
        self.working_days_per_year = len(days) / n_years
        self._years = [
            [d for d in days if LEAVE_YEAR_DAYS * y <= d < LEAVE_YEAR_DAYS * (y + 1)]
            for y in range(n_years)
        ]
        leave = absences.annual_leave
        self._cumulative_weights: list[list[float]] = []
        if leave is not None:
            for year in self._years:
                weights = (
                    leave.month_weights[(start_date + timedelta(days=d)).month - 1] for d in year
                )
                self._cumulative_weights.append(list(accumulate(weights)))

    @property
    def court_training_probability(self) -> float:
        """The chance that a working day is a court or training day."""
        w = self.working_days_per_year
        return min(1.0, self.absences.court_training_workdays_per_year / w) if w else 0.0

    def sickness_start_probability(self, sickness: Sickness) -> float:
        """The chance that a spell of sickness starts on a working day."""
        w = self.working_days_per_year
        return min(1.0, sickness.spells_per_year / w) if w else 0.0

    def absent_days(self, streams: Streams, kind: str, index: int) -> frozenset[int]:
        """The days within the horizon on which officer ``index`` of ``kind`` is away."""
        absences = self.absences
        away: set[int] = set()
        if absences.annual_leave is not None:
            rng = streams.officer(f"absences.leave.{kind}", index)
            away.update(self._leave(absences.annual_leave, rng))
        if absences.sickness is not None:
            rng = streams.officer(f"absences.sickness.{kind}", index)
            away.update(self._sickness(absences.sickness, rng))
        if absences.court_training_workdays_per_year > 0:
            rng = streams.officer(f"absences.court_training.{kind}", index)
            days = self.working_days
            for i in _bernoulli_days(self.court_training_probability, len(days), rng):
                away.add(days[i])
        horizon = self.horizon_days
        return frozenset(d for d in away if d < horizon)

    def _leave(self, leave: AnnualLeave, rng: OffenderStream) -> list[int]:
        taken_days: list[int] = []
        for year, cumulative in zip(self._years, self._cumulative_weights, strict=True):
            n = len(year)
            if n == 0:
                continue
            remaining = min(leave.workdays_per_year, n)
            taken: set[int] = set()
            while remaining > 0:
                length = min(remaining, max(1, round(leave.block_workdays.sample(rng))))
                j = min(bisect_right(cumulative, rng.random() * cumulative[-1]), n - 1)
                remaining -= length
                while length > 0:
                    if j not in taken:
                        taken.add(j)
                        length -= 1
                    j = (j + 1) % n
            taken_days.extend(year[j] for j in taken)
        return taken_days

    def _sickness(self, sickness: Sickness, rng: OffenderStream) -> list[int]:
        days = self.working_days
        n = len(days)
        warm_up = round(self.working_days_per_year)  # spells already under way on day 0
        p = self.sickness_start_probability(sickness)
        sick: list[int] = []
        for start in _bernoulli_days(p, warm_up + n, rng):
            length = max(1, round(sickness.spell_workdays.sample(rng)))
            first = start - warm_up
            sick.extend(days[i] for i in range(max(first, 0), min(first + length, n)))
        return sick


def _bernoulli_days(p: float, n: int, rng: OffenderStream) -> list[int]:
    """The indices in [0, n) chosen each with probability ``p``, independently.

    Drawn as geometric gaps between successive chosen indices, one number each (the last
    number drawn is the gap that runs past ``n``).
    """
    if p <= 0.0:
        return []
    if p >= 1.0:
        return list(range(n))
    log_q = math.log1p(-p)
    chosen: list[int] = []
    i = -1
    while True:
        i += 1 + int(math.log(1.0 - rng.random()) / log_q)  # 1 - random() is in (0, 1]
        if i >= n:
            return chosen
        chosen.append(i)
