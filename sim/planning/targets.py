"""Targets a plan must meet, such as ``overdue_visits<=50``, read on one date.

A target names a trajectory metric (any column of ``counters.DAILY_COLUMNS``), a comparison
and a number. Several targets are combined with AND: a replication meets the plan only if it
meets every target on the date. Whether a replication meets it is a plain yes/no, so the
probability of meeting it is the share of replications that do.
"""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sim.records import DAILY_COLUMNS

if TYPE_CHECKING:  # imported where trajectories are read, so `plan --help` starts fast
    import numpy as np
    import pandas as pd

__all__ = ["Goal", "Target", "TargetError", "meets_targets", "parse_targets"]

_COMPARISONS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
    ">": operator.gt,
    "==": operator.eq,
}
_PATTERN = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|==|<|>)\s*(-?[0-9.eE+-]+)\s*$")


class TargetError(ValueError):
    """A target that cannot be read; the message says what is allowed."""


@dataclass(frozen=True)
class Target:
    """``metric comparison value``, e.g. overdue_visits <= 50."""

    metric: str
    comparison: str
    value: float

    def __str__(self) -> str:
        return f"{self.metric}{self.comparison}{self.value:g}"

    def holds(self, values: np.ndarray) -> np.ndarray:
        """Element-wise: does each value meet the target?"""
        return _COMPARISONS[self.comparison](values, self.value)


@dataclass(frozen=True)
class Goal:
    """What a plan must achieve: every target on the date, in a share of replications."""

    targets: tuple[Target, ...]
    by: date
    confidence: float  # the share of replications that must meet the targets
    replications: int  # per option evaluated

    @property
    def text(self) -> str:
        """``overdue_visits<=50 and ...``: the targets as people write them."""
        return " and ".join(str(target) for target in self.targets)


def parse_targets(texts: Sequence[str]) -> tuple[Target, ...]:
    """Read targets such as ``overdue_visits<=50``; one text may hold several joined by commas."""
    targets = []
    for text in texts:
        for part in text.replace(" and ", ",").split(","):
            if not part.strip():
                continue
            match = _PATTERN.match(part)
            if match is None:
                raise TargetError(
                    f"target '{part.strip()}' is not METRIC<=NUMBER (comparisons: "
                    f"{', '.join(_COMPARISONS)}), e.g. overdue_visits<=50"
                )
            metric, comparison, number = match.groups()
            if metric not in DAILY_COLUMNS:
                guess = difflib.get_close_matches(metric, DAILY_COLUMNS, n=1)
                hint = f"; did you mean '{guess[0]}'?" if guess else ""
                raise TargetError(
                    f"target metric '{metric}' is not a trajectory column{hint} "
                    f"Allowed: {', '.join(DAILY_COLUMNS)}"
                )
            try:
                value = float(number)
            except ValueError:
                raise TargetError(f"target '{part.strip()}': '{number}' is not a number") from None
            targets.append(Target(metric, comparison, value))
    if not targets:
        raise TargetError("give at least one target, e.g. --target 'overdue_visits<=50'")
    return tuple(targets)


def meets_targets(
    trajectories: pd.DataFrame, targets: Sequence[Target], on_date: date
) -> pd.Series:
    """Per replication (index, sorted): does it meet every target at the end of ``on_date``?

    State metrics are read as they stand at the end of the date; a target on a flow metric
    (e.g. ``visits_completed>=10``) reads that date's flow.
    """
    import numpy as np
    import pandas as pd

    rows = trajectories[pd.to_datetime(trajectories["date"]) == pd.Timestamp(on_date)]
    if rows.empty:
        first, last = trajectories["date"].min(), trajectories["date"].max()
        raise TargetError(f"the date {on_date} is outside the simulated days {first} to {last}")
    rows = rows.set_index("replication").sort_index()
    met = np.ones(len(rows), dtype=bool)
    for target in targets:
        met &= target.holds(rows[target.metric].to_numpy())
    return pd.Series(met, index=rows.index, name="meets_target")
