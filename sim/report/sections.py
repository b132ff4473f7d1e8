"""The report's sections as plain data: headline, tables and charts, ready for the template.

Each function takes the loaded :class:`~sim.report.data.Results` and returns a dict with the
table rows (already rounded for people), the chart as a data URI and its alt text. Tables
carry every number the chart shows, so the report can be read without the pictures.
"""

from __future__ import annotations

import base64
import numbers
from functools import partial

import pandas as pd

from sim.format import (
    MISSING,
    counted,
    human_date,
    human_hours,
    human_month,
    human_number,
    human_observed,
    human_range,
    human_share,
)
from sim.levels import LEVEL_NAMES, LEVELS
from sim.report import figures
from sim.report.data import Results, milestones, month_days, monthly, observed_points
from sim.titles import days_to_reach

__all__ = [
    "activity_section",
    "assessments_section",
    "backlog_section",
    "calibration_section",
    "escalations_section",
    "headline_section",
    "utilisation_section",
]


def _by_month(table: pd.DataFrame) -> dict[str, dict[str, float]]:
    """A :func:`~sim.report.data.monthly` table as {month: {metric: value}}, months in order."""
    return {
        str(period): {str(metric): float(value) for metric, value in row.items()}
        for period, row in table.iterrows()
    }


def _month_labels(results: Results, periods: list[str]) -> list[str]:
    days = month_days(results)
    labels = []
    for period in periods:
        in_month = pd.Period(period, freq="M").days_in_month
        label = human_month(period, short=True)
        if days.get(period, in_month) < in_month:
            label += f" ({days[period]} days)"
        labels.append(label)
    return labels


def headline_section(results: Results) -> dict:
    """Backlog at the start, in 6 and 12 months and at the end, with intervals."""
    metrics = ("overdue_visits", "overdue_assessments")
    found, beyond = milestones(results, metrics)
    rows = []
    for milestone in found:
        cells = [milestone.label, human_date(milestone.date)]
        for metric in metrics:
            stats = milestone.stats[metric]
            # a count's mean cannot be below 0, though the symmetric t interval can dip there
            cells += [
                human_number(stats["mean"]),
                human_range(max(stats["ci95_low"], 0.0), stats["ci95_high"]),
                human_range(stats["p5"], stats["p95"]),
            ]
        rows.append(cells)
    first, last = found[0], found[-1]
    visits_first, visits_last = first.stats["overdue_visits"], last.stats["overdue_visits"]
    sentences = [
        f"Overdue visits go from {human_number(visits_first['mean'])} on "
        f"{human_date(first.date)} to {human_number(visits_last['mean'])} on "
        f"{human_date(last.date)} (mean of {results.replications} runs; 90% of runs: "
        f"{human_range(visits_last['p5'], visits_last['p95'])})."
    ]
    for milestone in found[1:-1]:
        stats = milestone.stats["overdue_visits"]
        sentences.append(
            f"{milestone.label} ({human_date(milestone.date)}): "
            f"{human_number(stats['mean'])} overdue visits "
            f"(90% of runs: {human_range(stats['p5'], stats['p95'])})."
        )
    assessments = last.stats["overdue_assessments"]
    sentences.append(
        f"Overdue risk assessments at the end: {human_number(assessments['mean'])} "
        f"(90% of runs: {human_range(assessments['p5'], assessments['p95'])})."
    )
    horizon = int(results.trajectories["day"].max()) + 1
    note = ""
    if beyond:
        note = (
            f"The run covers {horizon} days, so it cannot show the backlog "
            f"{' or '.join(beyond)}. "
            "To see 12 months ahead, run again with --months 12 (the same as --set "
            f"horizon_days={days_to_reach(results.start_date, 12)} from this start date, "
            "counting any leap day)."
        )
    return {"rows": rows, "sentences": sentences, "note": note}


def _level_table(results: Results, prefix: str, oldest: str) -> dict:
    columns = [prefix, *(f"{prefix}_{level}" for level in LEVELS), oldest]
    means = _by_month(monthly(results, columns))
    low = _by_month(monthly(results, [prefix], "p5"))
    high = _by_month(monthly(results, [prefix], "p95"))
    labels = _month_labels(results, list(means))
    rows = []
    for label, (period, row) in zip(labels, means.items(), strict=True):
        rows.append(
            [
                label,
                human_number(row[prefix]),
                human_range(low[period][prefix], high[period][prefix]),
                *(human_number(row[f"{prefix}_{level}"]) for level in LEVELS),
                human_number(row[oldest]),
            ]
        )
    return {"rows": rows, "level_names": list(LEVEL_NAMES)}


def _levels_alt(results: Results, prefix: str, what: str) -> str:
    frame = results.trajectories
    first = frame[frame["day"] == 0][prefix].mean()
    last = frame[frame["day"] == frame["day"].max()][prefix].mean()
    return (
        f"Line chart of {what} over time for all levels and each risk level, mean of "
        f"{results.replications} runs with a band covering 90% of runs. All levels: "
        f"{human_number(first)} at the start, {human_number(last)} at the end. The table below "
        "gives the values at each month end."
    )


def backlog_section(results: Results) -> dict:
    points = observed_points(results)
    chart = figures.levels_chart(results.trajectories, "overdue_visits", "overdue visits", points)
    mine = points[points["metric"].str.startswith("overdue_visits")] if not points.empty else points
    return {
        **_level_table(results, "overdue_visits", "oldest_overdue_visit_days"),
        "chart": figures.data_uri(chart),
        "alt": _levels_alt(results, "overdue_visits", "overdue visits")
        + (f" Black diamonds mark {counted(len(mine), 'reported figure')}." if len(mine) else ""),
        "observed": len(mine),
    }


def assessments_section(results: Results) -> dict:
    points = observed_points(results)
    chart = figures.levels_chart(
        results.trajectories, "overdue_assessments", "overdue assessments", points
    )
    mine = (
        points[points["metric"].str.startswith("overdue_assessments")]
        if not points.empty
        else points
    )
    return {
        **_level_table(results, "overdue_assessments", "oldest_overdue_assessment_days"),
        "chart": figures.data_uri(chart),
        "alt": _levels_alt(results, "overdue_assessments", "overdue risk assessments")
        + (f" Black diamonds mark {counted(len(mine), 'reported figure')}." if len(mine) else ""),
        "observed": len(mine),
    }


ACTIVITY = {
    "visit_attempts": "visit attempts",
    "visits_completed": "contacts (offender in)",
    "police_actions": "police actions",
}


def activity_section(results: Results) -> dict:
    metrics = [*ACTIVITY, "lone_visit_attempts", "assessments_completed"]
    table = monthly(results, metrics)
    means = _by_month(table)
    rows = []
    for label, row in zip(_month_labels(results, list(means)), means.values(), strict=True):
        attempts = row["visit_attempts"]
        rows.append(
            [
                label,
                human_number(attempts),
                human_number(row["visits_completed"]),
                human_share(row["visits_completed"] / attempts) if attempts else MISSING,
                human_number(row["police_actions"]),
                human_number(row.get("lone_visit_attempts", float("nan"))),
                human_number(row["assessments_completed"]),
            ]
        )
    busiest = max(means, key=lambda period: means[period]["visit_attempts"])  # the first if tied
    chart = figures.activity_chart(table[list(ACTIVITY)], ACTIVITY)
    return {
        "rows": rows,
        "chart": figures.data_uri(chart),
        "alt": "Bar chart of visit attempts, contacts and police actions per month (mean of "
        f"{results.replications} runs). The most attempts are in {human_month(busiest)}: "
        f"{human_number(means[busiest]['visit_attempts'])}. The table below gives every "
        "month.",
    }


def utilisation_section(results: Results) -> dict:
    metrics = [
        "officer_hours_used",
        "officer_hours_available",
        "offender_managers",
        "sergeants",
        "work_needed_share_of_capacity",  # absent from folders of older versions: a dash
    ]
    table = monthly(results, metrics)
    available = table["officer_hours_available"]
    share = (table["officer_hours_used"] / available).where(available > 0)
    means = _by_month(table)
    rows = [
        [
            label,
            human_number(row["offender_managers"]),
            human_number(row["sergeants"]),
            human_hours(row["officer_hours_available"]),
            human_hours(row["officer_hours_used"]),
            human_share(used_share),
            human_share(row.get("work_needed_share_of_capacity")),
        ]
        for label, row, used_share in zip(
            _month_labels(results, list(means)), means.values(), share.to_list(), strict=True
        )
    ]
    end = results.summary[results.summary["period"] == "end"].set_index("metric")["mean"]
    overall = (
        end["officer_hours_used"] / end["officer_hours_available"]
        if end.get("officer_hours_available", 0) > 0
        else float("nan")
    )
    labelled = share.dropna()
    labelled.index = pd.Index([human_month(str(period), short=True) for period in labelled.index])
    return {
        "rows": rows,
        "overall": human_share(overall),
        "chart": figures.data_uri(figures.utilisation_chart(labelled)),
        "alt": "Line chart of officer hours used as a share of hours available, by month, "
        f"with 100% marked. Over the whole run: {human_share(overall)}. The table below gives "
        "every month.",
    }


def escalations_section(results: Results) -> dict:
    metrics = [
        "undetected_escalations",
        "escalations",
        "escalations_detected",
        "escalation_days_unnoticed",
    ]
    means = _by_month(monthly(results, metrics))
    high = _by_month(monthly(results, ["undetected_escalations"], "p95"))
    low = _by_month(monthly(results, ["undetected_escalations"], "p5"))
    rows = []
    for label, (period, row) in zip(
        _month_labels(results, list(means)), means.items(), strict=True
    ):
        found = row["escalations_detected"]
        rows.append(
            [
                label,
                human_number(row["undetected_escalations"]),
                human_range(
                    low[period]["undetected_escalations"], high[period]["undetected_escalations"]
                ),
                human_number(row["escalations"]),
                human_number(found),
                human_number(row["escalation_days_unnoticed"] / found) if found > 0 else MISSING,
            ]
        )
    chart = figures.single_series_chart(
        results.trajectories, "undetected_escalations", "escalations not yet noticed"
    )
    last = results.trajectories[results.trajectories["day"] == results.trajectories["day"].max()]
    return {
        "rows": rows,
        "chart": figures.data_uri(chart),
        "alt": "Line chart of offenders whose risk has risen without the force knowing, over "
        f"time (mean and 90% of runs). At the end: "
        f"{human_number(last['undetected_escalations'].mean())}. The table below gives every "
        "month.",
    }


def _calibration_chart(results: Results) -> str | None:
    """calibration.png as a data URI (the run drew it beside calibration.csv), or None."""
    picture = results.path / "calibration.png"
    if not picture.is_file():
        return None
    return "data:image/png;base64," + base64.b64encode(picture.read_bytes()).decode("ascii")


def calibration_section(results: Results) -> dict | None:
    """Observed figures beside the simulation: calibration.csv, or the scenario's list."""
    table = results.calibration
    if table is not None and {"metric", "period", "observed"} <= set(table.columns):
        rows = []
        for _, row in table.iterrows():
            metric = str(row["metric"])
            within = _truth(row.get("within"))
            rows.append(
                [
                    metric,
                    str(row["period"]),
                    human_observed(_number(row["observed"]), metric),
                    human_observed(_number(row.get("simulated_mean")), metric),
                    human_range(
                        _number(row.get("simulated_p5")),
                        _number(row.get("simulated_p95")),
                        partial(human_observed, metric=metric),
                    ),
                    str(row.get("tolerance", "")),
                    MISSING if within is None else ("yes" if within else "no"),
                ]
            )
        return {"rows": rows, "source": "calibration.csv", "chart": _calibration_chart(results)}
    points = results.scenario.get("observations") or []
    if not points:
        return None
    rows = []
    for item in points:
        metric = str(item.get("metric"))
        period = item.get("date", "")
        if item.get("from_date"):
            period = f"{item['from_date']} to {period}"
        observed = human_observed(_number(item.get("value")), metric)
        rows.append([metric, str(period), observed, MISSING, MISSING, "", MISSING])
    return {"rows": rows, "source": "the scenario's observations (no calibration.csv)"}


def _truth(value: object) -> bool | None:
    """A yes/no cell of calibration.csv (a bool, or its text once read back), else None."""
    if isinstance(value, str):
        return {"true": True, "false": False}.get(value.strip().lower())
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return bool(value)


def _number(value: object) -> float | None:
    """A cell that should hold a number, as a float; None if it is empty or not a number."""
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None
