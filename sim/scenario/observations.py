"""Observed figures a scenario should reproduce, and how to read them off a simulation.

A scenario's ``observations:`` list says what the force actually reported, e.g.::

    - {metric: overdue_visits, date: 2024-01-17, value: 273,
       tolerance: {relative: 0.15, interval: true}}
    - {metric: visit_attempts, from_date: 2023-11-01, date: 2023-11-30, value: 500,
       tolerance: 0.15}
    - {metric: visits_completed / visit_attempts, from_date: 2023-11-01, date: 2023-11-30,
       value: 0.68, tolerance: {absolute: 0.05}}

``metric`` is a column of the daily table (``sim.records.DAILY_COLUMNS``), a sum of columns
(``overdue_visits_very_high + overdue_visits_high``) or a ratio of two such sums
(``visits_completed / visit_attempts``). All columns of one metric are of one kind:

* a **flow** (attempts, completions ...) is totalled over the days ``from_date`` to ``date``
  inclusive (just ``date`` when there is no ``from_date``); a ratio divides the totals;
* a **state** (overdue visits, population ...) is read at the end of ``date``; with a
  ``from_date`` it is the *worst* (largest) value of any day in the period, which is how "no
  backlog during the whole run" is checked.

This gives one number per replication (:func:`replication_values`);
sim/calibration/fit_table.py turns those into the fit table. The tolerance says what
"reproduced" means: the mean across replications within a relative or absolute distance of the
observed value, and/or the 90% interval of replications (5th to 95th percentile) covering it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from sim.records import DAILY_COLUMNS, FLOW_COLUMNS
from sim.scenario.fields import Date

if TYPE_CHECKING:  # pandas is imported where the values are read, so loading a scenario stays fast
    import numpy as np
    import pandas as pd

__all__ = ["MetricExpression", "Observation", "Tolerance", "parse_metric", "replication_values"]

_NAME = re.compile(r"^[a-z_]+$")


class MetricExpression:
    """A parsed ``metric``: columns summed in the numerator, and optionally a denominator."""

    __slots__ = ("numerator", "denominator", "is_flow")

    def __init__(self, numerator: tuple[str, ...], denominator: tuple[str, ...]) -> None:
        self.numerator = numerator
        self.denominator = denominator
        self.is_flow = numerator[0] in FLOW_COLUMNS

    def columns(self) -> tuple[str, ...]:
        return self.numerator + self.denominator


def _terms(text: str, whole: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in text.split("+"))
    for name in names:
        if not _NAME.match(name) or name not in DAILY_COLUMNS:
            raise ValueError(
                f"'{name}' in metric '{whole}' is not a column of the daily table; "
                f"allowed: {', '.join(DAILY_COLUMNS)}"
            )
    return names


def parse_metric(text: str) -> MetricExpression:
    """Parse ``a``, ``a + b`` or ``a + b / c + d``; every column must be of one kind."""
    numerator_text, slash, denominator_text = text.partition("/")
    if "/" in denominator_text:
        raise ValueError(f"metric '{text}' has more than one '/'; write 'a + b / c + d'")
    numerator = _terms(numerator_text, text)
    denominator = _terms(denominator_text, text) if slash else ()
    expression = MetricExpression(numerator, denominator)
    kinds = {name in FLOW_COLUMNS for name in expression.columns()}
    if len(kinds) > 1:
        raise ValueError(
            f"metric '{text}' mixes flows (totalled over a period) and states (read on a day)"
        )
    return expression


def _number_means_relative(value: Any) -> Any:
    """``tolerance: 0.15`` is short for ``tolerance: {relative: 0.15}``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"relative": value}
    return value


class Tolerance(BaseModel):
    """What counts as reproducing an observed figure (every condition given must hold)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    relative: float | None = Field(
        None,
        gt=0,
        le=10,
        description="The simulated mean must be within this fraction of the observed value "
        "(0.15 = within 15%).",
        json_schema_extra={"unit": "share of the observed value"},
    )
    absolute: float | None = Field(
        None,
        gt=0,
        description="The simulated mean must be within this distance of the observed value, "
        "in the metric's own unit (0.05 = 5 points for a share).",
        json_schema_extra={"unit": "unit of the metric"},
    )
    interval: bool = Field(
        False,
        description="The 90% interval of replications (5th to 95th percentile) must cover "
        "the observed value.",
    )

    @model_validator(mode="after")
    def _says_something(self) -> Tolerance:
        if self.relative is None and self.absolute is None and not self.interval:
            raise ValueError("give relative, absolute or interval: true (or leave tolerance out)")
        return self


class Observation(BaseModel):
    """One figure the force reported, to compare with (or fit) the simulation."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    metric: str = Field(
        description="A daily-table column, a sum 'a + b', or a ratio 'a / b' of such sums."
    )
    date: Date = Field(
        description="Day the figure refers to (a state is read at its end); for a flow, the "
        "last day of the period it is totalled over."
    )
    from_date: Date | None = Field(
        None,
        description="First day of the period (inclusive). A flow is totalled from here to "
        "'date'; a state takes its largest value over the period.",
    )
    value: float = Field(
        description="The observed figure, in the metric's unit.",
        json_schema_extra={"unit": "unit of the metric"},
    )
    tolerance: Annotated[
        Tolerance | None,
        # a plain number is a relative tolerance; json_schema_input_type tells the JSON Schema
        BeforeValidator(
            _number_means_relative,
            json_schema_input_type=Annotated[float, Field(gt=0, le=10)] | Tolerance | None,
        ),
    ] = Field(
        None,
        description="How close the simulation must be; a plain number is a relative "
        "tolerance. Without one, the 90% interval of replications must cover the value.",
        json_schema_extra={"unit": "share of the observed value (a plain number)"},
    )
    source: str = Field("", description="Where the figure comes from (free text).")

    @model_validator(mode="after")
    def _valid(self) -> Observation:
        parse_metric(self.metric)
        if self.from_date is not None and self.from_date > self.date:
            raise ValueError(f"from_date {self.from_date} is after date {self.date}")
        return self

    @property
    def expression(self) -> MetricExpression:
        return parse_metric(self.metric)

    @property
    def first_day(self) -> dt.date:
        return self.from_date or self.date

    def period_label(self) -> str:
        """``2024-01-17`` or ``2023-11-01..2023-11-30``."""
        if self.from_date is None or self.from_date == self.date:
            return self.date.isoformat()
        return f"{self.from_date.isoformat()}..{self.date.isoformat()}"


def replication_values(observation: Observation, trajectories: pd.DataFrame) -> np.ndarray:
    """The observed quantity in each replication (sorted by replication index).

    ``trajectories`` is the daily table of sim/analysis/metrics.py (a ``date`` column of dates). A
    ratio whose denominator is zero in a replication is ``nan`` there.
    """
    import numpy as np
    import pandas as pd

    expression = observation.expression
    dates = pd.to_datetime(trajectories["date"])
    inside = (dates >= pd.Timestamp(observation.first_day)) & (
        dates <= pd.Timestamp(observation.date)
    )
    rows = trajectories.loc[inside, ["replication", *set(expression.columns())]]
    if rows.empty:
        raise ValueError(
            f"observation {observation.metric} on {observation.period_label()} is outside "
            "the simulated days"
        )
    numerator = rows[list(expression.numerator)].sum(axis=1).to_numpy(dtype=float)
    denominator = (
        rows[list(expression.denominator)].sum(axis=1).to_numpy(dtype=float)
        if expression.denominator
        else None
    )
    frame = pd.DataFrame({"replication": rows["replication"].to_numpy(), "num": numerator})
    if denominator is not None:
        frame["den"] = denominator
    grouped = frame.groupby("replication", sort=True)
    if expression.is_flow:
        totals = grouped.sum()
        if denominator is None:
            return totals["num"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(totals["den"] > 0, totals["num"] / totals["den"], np.nan)
    if denominator is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            frame["num"] = np.where(frame["den"] > 0, frame["num"] / frame["den"], np.nan)
    return grouped["num"].max().to_numpy()
