"""Staff turnover: officers leave their posts, posts stay vacant, replacements train.

``staffing.turnover`` gives each productive officer a time to leaving, exponential at
``leaving_rate_per_year``. When it comes the officer leaves (at once if idle, after the task in
hand if busy: ``Workforce.depart``) and the post is vacant for ``vacancy_days``; the
replacement then starts and is in post but not productive for ``training_days``, and is hired
into the workforce (with hours from the next shift) when training ends. The replacement is a
new officer, with their own time to leaving and their own absences.

So each post is an alternating renewal process: productive for a mean of ``1 / rate`` years,
then vacant, then in training. Over a long run the share of posts with a productive officer is
``(1 / rate) / (1 / rate + vacancy + training)`` (in the same unit), whatever the shapes of
the distributions. Trainees do not leave.

Each officer's two numbers (time to leaving, then the vacancy that follows) are drawn when the
officer becomes productive, from the officer's own stream (common random numbers: officer k
of a kind leaves on the same day under any policy). Only departures inside the horizon are
scheduled, one SimPy event each, and a replacement only if they would be productive inside it.
An officer a staffing change has already taken is not replaced (the change removed the post).
"""

from __future__ import annotations

import math
from functools import partial

import simpy

from sim.model.streams import Streams
from sim.model.workforce import Officer, Workforce
from sim.scenario import DAYS_PER_YEAR
from sim.scenario.staffing import Turnover

__all__ = ["StaffTurnover"]


class StaffTurnover:
    """Draws each officer's departure and schedules it and the post's refilling."""

    def __init__(
        self,
        env: simpy.Environment,
        workforce: Workforce,
        turnover: Turnover,
        streams: Streams,
        horizon_days: int,
    ) -> None:
        self.env = env
        self.workforce = workforce
        self.turnover = turnover
        self.streams = streams
        self.horizon_days = horizon_days
        self._mean_stay_days = (
            math.inf
            if turnover.leaving_rate_per_year == 0
            else DAYS_PER_YEAR / turnover.leaving_rate_per_year
        )
        workforce.officer_started = self.officer_started
        for officer in (*workforce.managers, *workforce.sergeants):
            self.officer_started(officer)

    def officer_started(self, officer: Officer) -> None:
        """A productive officer from now: draw when they leave and how long the post is empty."""
        rng = self.streams.officer(f"turnover.{officer.kind}", officer.index)
        stay_days = -math.log(1.0 - rng.random()) * self._mean_stay_days
        vacancy_days = self.turnover.vacancy_days.sample(rng)
        leaves_at = self.env.now + stay_days
        if leaves_at >= self.horizon_days:
            return
        event = self.env.timeout(stay_days)
        event.callbacks.append(partial(self._leave, officer, vacancy_days))

    def _leave(self, officer: Officer, vacancy_days: float, _event: simpy.Event) -> None:
        if not self.workforce.depart(officer):
            return  # a staffing change took them first: the post went with them
        productive_in = vacancy_days + self.turnover.training_days
        now = self.env.now
        self.workforce.headcount.in_training(
            officer.kind, 1, now + vacancy_days, now + productive_in
        )
        if now + productive_in >= self.horizon_days:
            return
        event = self.env.timeout(productive_in)
        event.callbacks.append(partial(self._replace, officer.kind))

    def _replace(self, kind: str, _event: simpy.Event) -> None:
        self.workforce.hire(kind, 1)
