"""The report's first screen, by risk level: the inspectorate's measures, ready for the template.

The backlog by risk level at the start, in 6 and 12 months and at the end; the high-risk
backlog (very high and high together); the share of visits and assessments done by their due
date; the oldest overdue visit. Computed from the run's trajectories with
:mod:`sim.analysis.inspectorate`, so a report rebuilt from an older folder gets them too.

From folders written since the model counts them: the backlog by age at the end of the run
and the oldest item, with the share done by the due date, by risk level (one compact table),
and work needed against capacity (a sentence). An older folder's report leaves them out.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd

from sim.analysis.inspectorate import capacity_share, has_exact_shares, high_risk, on_time_share
from sim.analysis.summary import describe
from sim.format import human_date, human_number, human_range, human_share
from sim.levels import LEVEL_NAMES, LEVELS
from sim.records import AGE_BANDS
from sim.report.data import Results, milestones

__all__ = ["areas_section", "inspectorate_section"]

LEVEL_METRICS = tuple(f"overdue_visits_{level}" for level in LEVELS)
OLDEST = "oldest_overdue_visit_days"


def _spread(stats: dict[str, float]) -> str:
    return human_range(stats["p5"], stats["p95"])


def _share_text(values: np.ndarray) -> tuple[str, str]:
    """(mean share, 90% of runs) of per-replication shares, NaNs left out."""
    values = values[~np.isnan(values)]
    if not len(values):
        return "nothing fell due", ""
    stats = describe(values)
    return human_share(stats["mean"]), human_range(stats["p5"], stats["p95"], form=human_share)


def inspectorate_section(results: Results) -> dict:
    """Rows of the by-level table, the shares done on time and the sentences above them."""
    found, _ = milestones(results, (*LEVEL_METRICS, OLDEST))
    rows = []
    for milestone in found:
        cells = [milestone.label, human_date(milestone.date)]
        for metric in LEVEL_METRICS:
            stats = milestone.stats[metric]
            cells.append(f"{human_number(stats['mean'])} ({_spread(stats)})")
        cells.append(human_number(milestone.stats[OLDEST]["mean"]))
        rows.append(cells)
    frame = results.trajectories
    last = frame[frame["day"] == frame["day"].max()]
    risky = describe(high_risk(last, "visits").to_numpy(dtype=float))
    visits_share, visits_spread = _share_text(on_time_share(frame, "visits").to_numpy(float))
    assess_share, assess_spread = _share_text(on_time_share(frame, "assessments").to_numpy(float))
    end = found[-1]
    sentences = [
        f"Very high and high risk overdue visits on {human_date(end.date)}: "
        f"{human_number(risky['mean'])} (90% of runs: {_spread(risky)}); the oldest overdue "
        f"visit is then {human_number(end.stats[OLDEST]['mean'])} days overdue (mean of runs).",
        f"Visits done by their due date over the run: {visits_share}"
        + (f" (90% of runs: {visits_spread})" if visits_spread else "")
        + f"; risk assessments: {assess_share}"
        + (f" (90% of runs: {assess_spread})." if assess_spread else "."),
    ]
    shares = [
        ["visits", visits_share, visits_spread],
        ["risk assessments", assess_share, assess_spread],
    ]
    exact = has_exact_shares(frame)
    if exact:
        sentences.append(_capacity_sentence(frame))
    return {
        "rows": rows,
        "level_names": list(LEVEL_NAMES),
        "sentences": sentences,
        "shares": shares,
        "exact": exact,
        "ages": _ages_rows(frame, last) if exact else [],
        "age_headers": [_band_label(first, final) for _, first, final in AGE_BANDS],
    }


def _band_label(first: int, last: int | None) -> str:
    return f"over {first - 1}" if last is None else f"{first}-{last}"


def _mean(values: pd.Series) -> str:
    return human_number(float(values.to_numpy(dtype=float).mean()))


def _ages_rows(frame: pd.DataFrame, last: pd.DataFrame) -> list[list[str]]:
    """Overdue items at the end of the run by days overdue, the oldest, and the share done by
    the due date over the run (mean of runs, 90% of runs in brackets): visits by risk level,
    all visits, all assessments."""
    rows = []
    for level, name in (*zip(LEVELS, LEVEL_NAMES, strict=True), (None, "all levels")):
        suffix = "" if level is None else f"_{level}"
        share, spread = _share_text(on_time_share(frame, "visits", level).to_numpy(float))
        rows.append(
            [
                f"visits, {name}",
                *(_mean(last[f"overdue_visits{suffix}_age_{band}"]) for band, _, _ in AGE_BANDS),
                _mean(last[f"oldest_overdue_visit_days{suffix}"]),
                f"{share} ({spread})" if spread else share,
            ]
        )
    share, spread = _share_text(on_time_share(frame, "assessments").to_numpy(float))
    rows.append(
        [
            "risk assessments, all levels",
            *(_mean(last[f"overdue_assessments_age_{band}"]) for band, _, _ in AGE_BANDS),
            _mean(last["oldest_overdue_assessment_days"]),
            f"{share} ({spread})" if spread else share,
        ]
    )
    return rows


def _capacity_sentence(frame: pd.DataFrame) -> str:
    """Work needed against capacity over the run, as probation's workload tool states it."""
    values = capacity_share(frame).dropna().to_numpy(dtype=float)
    if not len(values):
        return "Work needed against capacity: no officer-hours were available in the run."
    stats = describe(values)
    over = "; above 100% the schedule cannot be kept with these hours" if stats["mean"] > 1 else ""
    return (
        f"Work needed against capacity over the run: {human_share(stats['mean'])} (90% of runs: "
        f"{human_range(stats['p5'], stats['p95'], form=human_share)}): the officer-hours the "
        "schedule asks for (each level's visit and assessment intervals, failed attempts "
        f"included) over the officer-hours available{over}."
    )


AREA_COLUMNS = (
    ("overdue_visits", "overdue visits"),
    ("overdue_visits_high_risk", "of which very high and high"),
    ("visits_on_time_share", "visits done by the due date"),
    ("oldest_overdue_visit_days", "oldest (days overdue)"),
    ("work_needed_share_of_capacity", "work needed / capacity"),
    ("population", "offenders managed"),
)


def _at(table: pd.DataFrame, row: object, column: str) -> float:
    """One cell of a numeric pivot table as a float."""
    return float(cast(float, table.at[row, column]))


def areas_section(results: Results) -> dict | None:
    """Each area at the end of the run, most overdue visits first (None without areas):
    rows of the table, and a chart of the same ranking with its 90%-of-runs bars."""
    table = results.area_summary
    if table is None or table.empty:
        return None
    end = table[table["period"] == "end"]
    means = end.pivot(index="area", columns="metric", values="mean")
    low = end.pivot(index="area", columns="metric", values="p5")
    high = end.pivot(index="area", columns="metric", values="p95")
    order = means["overdue_visits"].sort_values(ascending=False).index
    rows = []
    for rank, area in enumerate(order, start=1):
        cells = [str(rank), str(area)]
        for metric, _ in AREA_COLUMNS:
            if metric not in means.columns:
                cells.append(human_number(None))
                continue
            value = _at(means, area, metric)
            if "_share" in metric:  # a share of items, or of capacity
                cells.append(human_share(value))
            elif metric == "overdue_visits":
                spread = human_range(_at(low, area, metric), _at(high, area, metric))
                cells.append(f"{human_number(value)} ({spread})")
            else:
                cells.append(human_number(value))
        rows.append(cells)
    ranked = pd.DataFrame(
        {
            "area": list(order),
            "mean": means.loc[order, "overdue_visits"].to_numpy(float),
            "low": low.loc[order, "overdue_visits"].to_numpy(float),
            "high": high.loc[order, "overdue_visits"].to_numpy(float),
        }
    )
    top = ranked.iloc[0]
    return {
        "rows": rows,
        "headers": [label for _, label in AREA_COLUMNS],
        "ranked": ranked,
        "alt": (
            f"Overdue visits at the end of the run in each of {len(ranked)} areas, most first: "
            f"{top['area']} has the most ({human_number(top['mean'])}). The table below gives "
            "every area's figures."
        ),
    }
