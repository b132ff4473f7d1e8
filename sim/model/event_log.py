"""An optional record of every task and every completed visit or assessment in one replication.

The daily table (counters.py) is what a force would see on its dashboard; it cannot say how long
one visit waited for an officer, or where one offender's due date went after a visit. The
validation tests need exactly that (queueing theory is about the wait of each customer; Little's
law needs the time each visit spent overdue), and so does anyone diagnosing a surprising run.

The log is off unless a caller passes an :class:`EventLog` to ``World``: the model then only
pays one ``is not None`` check per task start and per completion. Rows are plain tuples, one per
event, loaded into pandas only when asked for (like Ciw's records).

Times are in simulated days from the start date (``0.5`` is midday of day 0); due dates are
whole days; a due day's work becomes overdue at the start of the next day.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COMPLETION_COLUMNS", "EventLog", "NO_NEXT_DUE", "TASK_COLUMNS"]

NO_NEXT_DUE = math.inf  # next_due_day of a visit after which the offender became reactive

TASK_COLUMNS: tuple[str, ...] = (
    "offender_id",
    "is_assessment",
    "level",
    "n_officers",
    "hours",
    "queued_at_days",
    "started_at_days",
)
COMPLETION_COLUMNS: tuple[str, ...] = (
    "offender_id",
    "is_assessment",
    "level_before",
    "level_after",
    "completed_at_days",
    "due_day_before",
    "next_due_day",
)


class EventLog:
    """Rows of what happened in one replication (see TASK_COLUMNS and COMPLETION_COLUMNS).

    ``tasks``: one row each time staff *start* a task (a visit attempt, in or out, or an
    assessment): who, how many officers, the hours charged to each, when it joined the queue
    and when it started (the wait is the difference).

    ``completions``: one row per completed visit (offender in) or assessment: the risk level
    before and after (a found escalation raises it), the due day that was met and the next
    one set (``NO_NEXT_DUE``, infinity, when the offender moved to reactive management).
    """

    __slots__ = ("tasks", "completions")

    def __init__(self) -> None:
        self.tasks: list[tuple[int, bool, int, int, float, float, float]] = []
        self.completions: list[tuple[int, bool, int, int, float, int, float]] = []

    def task_started(
        self,
        offender_id: int,
        is_assessment: bool,
        level: int,
        n_officers: int,
        hours: float,
        queued_at_days: float,
        started_at_days: float,
    ) -> None:
        self.tasks.append(
            (offender_id, is_assessment, level, n_officers, hours, queued_at_days, started_at_days)
        )

    def completed(
        self,
        offender_id: int,
        is_assessment: bool,
        level_before: int,
        level_after: int,
        completed_at_days: float,
        due_day_before: int,
        next_due_day: float,
    ) -> None:
        self.completions.append(
            (
                offender_id,
                is_assessment,
                level_before,
                level_after,
                completed_at_days,
                due_day_before,
                next_due_day,
            )
        )

    def task_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.tasks, columns=list(TASK_COLUMNS))

    def completion_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.completions, columns=list(COMPLETION_COLUMNS))
