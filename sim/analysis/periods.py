"""A daily table grouped by area, period and replication at once (pure numpy/pandas).

``summary.csv`` and the inspectorate's measures describe every metric of every area over
every period (the whole run, then each calendar month) across the replications. Looping over
areas, months and metrics in Python cost as much as simulating the national scenario, so the
whole daily table is grouped once here and every statistic is computed over arrays:

* :class:`Periods` sorts the rows by area (in the order they first appear), replication and
  day, and gives for any daily columns the state at each period's end (:meth:`Periods.last`)
  and the flow totalled over it (:meth:`Periods.total`) as one array of shape
  ``(areas, periods, columns, replications)``;
* :func:`describe_rows` gives the mean, the 95% CI of the mean and the 5th/50th/95th
  percentiles along the last axis, skipping missing values (NaN), with the same numbers,
  bit for bit, as :func:`sim.analysis.summary.describe` on each row.

The result is the same as grouping each area's and each month's rows on their own: sums run
over the same rows in the same order (pandas' group sums), and a state is read on the last
day the replication has in the period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import stdtrit

__all__ = ["END", "STATISTICS", "Periods", "describe_rows", "long_rows"]

END = "end"  # the whole run's period label
STATISTICS = ("mean", "ci95_low", "ci95_high", "p5", "p50", "p95")


@dataclass(frozen=True)
class Periods:
    """The rows of a daily table (``replication``, ``day``, ``date``, optionally ``area``)
    sorted and labelled by area, replication and calendar month; see the module docstring."""

    frame: pd.DataFrame  # the rows sorted by area, replication, day
    areas: list[str] | None  # in the order they first appear; None without an area column
    months: list[str]  # "YYYY-MM", sorted
    replications: np.ndarray  # sorted
    area_code: np.ndarray  # per sorted row
    replication_code: np.ndarray
    month_code: np.ndarray

    @classmethod
    def of(cls, frame: pd.DataFrame) -> Periods:
        """Group ``frame``'s rows (any columns besides the keys are carried along)."""
        if "area" in frame.columns:
            area_code, area_names = pd.factorize(frame["area"], sort=False)
            areas: list[str] | None = [str(name) for name in area_names]
        else:
            area_code, areas = np.zeros(len(frame), dtype=np.int64), None
        replications, replication_code = np.unique(
            frame["replication"].to_numpy(), return_inverse=True
        )
        dates = pd.to_datetime(frame["date"])
        month_number = (dates.dt.year * 12 + dates.dt.month - 1).to_numpy()
        numbers, month_code = np.unique(month_number, return_inverse=True)
        months = [f"{number // 12:04d}-{number % 12 + 1:02d}" for number in numbers]
        order = np.lexsort((frame["day"].to_numpy(), replication_code, area_code))
        return cls(
            frame=frame.iloc[order].reset_index(drop=True),
            areas=areas,
            months=months,
            replications=replications,
            area_code=np.asarray(area_code)[order],
            replication_code=replication_code[order],
            month_code=month_code[order],
        )

    @property
    def labels(self) -> list[str]:
        """The periods in order: the whole run, then each month."""
        return [END, *self.months]

    @property
    def _shape(self) -> tuple[int, int, int]:
        return (len(self.areas or [None]), len(self.replications), len(self.months))

    def _keys(self) -> tuple[np.ndarray, np.ndarray]:
        """Flat group numbers per sorted row: (area, replication) and (area, replication,
        month); both never decrease down the sorted rows."""
        _areas, replications, months = self._shape
        run = self.area_code * replications + self.replication_code
        return run, run * months + self.month_code

    def _grid(self, groups: list[tuple[np.ndarray, np.ndarray]], columns: int) -> np.ndarray:
        """Scatter (group numbers, values) of the whole run and of the months into an array
        ``(areas, periods, columns, replications)``; NaN where a replication has no rows."""
        areas, replications, months = self._shape
        grid = np.full((areas, replications, 1 + months, columns), np.nan)
        (run_keys, run_values), (month_keys, month_values) = groups
        grid[run_keys // replications, run_keys % replications, 0] = run_values
        run, month = month_keys // months, month_keys % months
        grid[run // replications, run % replications, 1 + month] = month_values
        return np.ascontiguousarray(grid.transpose(0, 2, 3, 1))

    def last(self, values: pd.DataFrame) -> np.ndarray:
        """States: each column's value on the last day of every period (rows as sorted)."""
        array = values.to_numpy(dtype=float)
        groups = []
        for key in self._keys():
            ends = np.flatnonzero(np.append(key[1:] != key[:-1], True))
            groups.append((key[ends], array[ends]))
        return self._grid(groups, array.shape[1])

    def total(self, values: pd.DataFrame) -> np.ndarray:
        """Flows: each column totalled over every period (pandas' group sums, missing values
        skipped, as grouping each period's rows on their own would give)."""
        groups = []
        for key in self._keys():
            sums = values.groupby(key, sort=True).sum()
            groups.append((sums.index.to_numpy(), sums.to_numpy(dtype=float)))
        return self._grid(groups, values.shape[1])


def describe_rows(values: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Statistics of each row of ``values`` (replications on the last axis), NaN skipped.

    Returns the STATISTICS as arrays of ``values.shape[:-1]`` and the count of values
    described in each row (0: nothing to describe, statistics NaN). Rows are described in
    batches of the same count, so every number is computed by the same operations as
    :func:`sim.analysis.summary.describe` on that row's values alone.
    """
    shape = values.shape[:-1]
    rows = values.reshape(-1, values.shape[-1])
    finite = ~np.isnan(rows)
    counts = finite.sum(axis=1)
    out = {name: np.full(len(rows), np.nan) for name in STATISTICS}
    complete = counts == rows.shape[1]
    batches: list[tuple[np.ndarray, np.ndarray]] = []
    if complete.any():
        batches.append((np.flatnonzero(complete), rows[complete]))
    ragged = np.flatnonzero(~complete & (counts > 0))
    for n in np.unique(counts[ragged]):
        chosen = ragged[counts[ragged] == n]
        batches.append((chosen, np.stack([rows[i][finite[i]] for i in chosen])))
    for chosen, batch in batches:
        for name, column in _describe_batch(batch).items():
            out[name][chosen] = column
    return {name: column.reshape(shape) for name, column in out.items()}, counts.reshape(shape)


def _describe_batch(batch: np.ndarray) -> dict[str, np.ndarray]:
    """summary.describe for each row of a 2-D batch with no missing values."""
    batch = np.ascontiguousarray(batch, dtype=float)
    n = batch.shape[1]
    mean = batch.mean(axis=1)
    if n > 1:
        half = stdtrit(n - 1, 0.975) * batch.std(axis=1, ddof=1) / np.sqrt(n)
    else:
        half = np.full(len(batch), np.nan)
    p5, p50, p95 = np.percentile(batch, [5, 50, 95], axis=1)
    return {
        "mean": mean,
        "ci95_low": mean - half,
        "ci95_high": mean + half,
        "p5": p5,
        "p50": p50,
        "p95": p95,
    }


def long_rows(
    statistics: dict[str, np.ndarray],
    counts: np.ndarray,
    periods: Sequence[str],
    metrics: Sequence[str],
    kinds: Sequence[str],
    keep: np.ndarray | None = None,
) -> pd.DataFrame:
    """Lay out statistics of shape ``(areas, periods, metrics)`` as summary rows: area,
    period, metric, kind, the STATISTICS and ``replications`` (the count), area by area,
    period by period, metric by metric; rows where ``keep`` is False are left out."""
    areas = counts.shape[0]
    p, m = len(periods), len(metrics)
    table = {
        "area": np.repeat(np.arange(areas), p * m),
        "period": np.tile(np.repeat(np.asarray(periods, dtype=object), m), areas),
        "metric": np.tile(np.asarray(metrics, dtype=object), areas * p),
        "kind": np.tile(np.asarray(kinds, dtype=object), areas * p),
        **{name: statistics[name].reshape(-1) for name in STATISTICS},
        "replications": counts.reshape(-1).astype(np.int64),
    }
    frame = pd.DataFrame(table)
    if keep is not None:
        frame = frame[keep.reshape(-1)].reset_index(drop=True)
    return frame
