"""The report's sections as plain data: headline, tables and charts, ready for the template.

Each function takes the loaded :class:`~sim.report.data.Results` and returns a dict with the
table rows (already rounded for people), the chart as a data URI and its alt text. Tables
carry every number the chart shows, so the report can be read without the pictures.
"""

from __future__ import annotations

import pandas as pd

from sim.levels import LEVELS
from sim.report import figures
from sim.report.data import Results, milestones, month_days, monthly, observed_points
from sim.report.format import (
    human_count,
    human_date,
    human_hours,
    human_month,
    human_range,
    human_share,
)

__all__ = [
    "activity_section",
    "assessments_section",
    "backlog_section",
    "calibration_section",
    "escalations_section",
    "headline_section",
    "utilisation_section",
]

LEVEL_NAMES = [level.replace("_", " ") for level in LEVELS]


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
                human_count(stats["mean"]),
                human_range(max(stats["ci95_low"], 0.0), stats["ci95_high"]),
                human_range(stats["p5"], stats["p95"]),
            ]
        rows.append(cells)
    first, last = found[0], found[-1]
    visits_first, visits_last = first.stats["overdue_visits"], last.stats["overdue_visits"]
    sentences = [
        f"Overdue visits go from {human_count(visits_first['mean'])} on "
        f"{human_date(first.date)} to {human_count(visits_last['mean'])} on "
        f"{human_date(last.date)} (mean of {results.replications} runs; 90% of runs: "
        f"{human_range(visits_last['p5'], visits_last['p95'])})."
    ]
    for milestone in found[1:-1]:
        stats = milestone.stats["overdue_visits"]
        sentences.append(
            f"{milestone.label} ({human_date(milestone.date)}): "
            f"{human_count(stats['mean'])} overdue visits "
            f"(90% of runs: {human_range(stats['p5'], stats['p95'])})."
        )
    assessments = last.stats["overdue_assessments"]
    sentences.append(
        f"Overdue risk assessments at the end: {human_count(assessments['mean'])} "
        f"(90% of runs: {human_range(assessments['p5'], assessments['p95'])})."
    )
    horizon = int(results.trajectories["day"].max()) + 1
    note = ""
    if beyond:
        note = (
            f"The run covers {horizon} days, so it cannot show the backlog "
            f"{' or '.join(beyond)}. "
            "To see that far, run again with a longer horizon, e.g. "
            "--set horizon_days=366."
        )
    return {"rows": rows, "sentences": sentences, "note": note}


def _level_table(results: Results, prefix: str, oldest: str) -> dict:
    columns = [prefix, *(f"{prefix}_{level}" for level in LEVELS), oldest]
    means = monthly(results, columns)
    low = monthly(results, [prefix], "p5")
    high = monthly(results, [prefix], "p95")
    labels = _month_labels(results, list(means.index))
    rows = []
    for label, (period, row) in zip(labels, means.iterrows(), strict=True):
        rows.append(
            [
                label,
                human_count(row[prefix]),
                human_range(low.loc[period, prefix], high.loc[period, prefix]),
                *(human_count(row[f"{prefix}_{level}"]) for level in LEVELS),
                human_count(row[oldest]),
            ]
        )
    return {"rows": rows, "level_names": LEVEL_NAMES}


def _levels_alt(results: Results, prefix: str, what: str) -> str:
    frame = results.trajectories
    first = frame[frame["day"] == 0][prefix].mean()
    last = frame[frame["day"] == frame["day"].max()][prefix].mean()
    return (
        f"Line chart of {what} over time for all levels and each risk level, mean of "
        f"{results.replications} runs with a band covering 90% of runs. All levels: "
        f"{human_count(first)} at the start, {human_count(last)} at the end. The table below "
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
        + (f" Black diamonds mark {len(mine)} reported figure(s)." if len(mine) else ""),
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
        + (f" Black diamonds mark {len(mine)} reported figure(s)." if len(mine) else ""),
        "observed": len(mine),
    }


ACTIVITY = {
    "visit_attempts": "visit attempts",
    "visits_completed": "contacts (offender in)",
    "police_actions": "police actions",
}


def activity_section(results: Results) -> dict:
    metrics = [*ACTIVITY, "lone_visit_attempts", "assessments_completed"]
    means = monthly(results, metrics)
    rows = []
    for label, (_, row) in zip(
        _month_labels(results, list(means.index)), means.iterrows(), strict=True
    ):
        attempts = row["visit_attempts"]
        rows.append(
            [
                label,
                human_count(attempts),
                human_count(row["visits_completed"]),
                human_share(row["visits_completed"] / attempts) if attempts else "–",
                human_count(row["police_actions"]),
                human_count(row.get("lone_visit_attempts", float("nan"))),
                human_count(row["assessments_completed"]),
            ]
        )
    busiest = means["visit_attempts"].idxmax()
    chart = figures.activity_chart(means[list(ACTIVITY)], ACTIVITY)
    return {
        "rows": rows,
        "chart": figures.data_uri(chart),
        "alt": "Bar chart of visit attempts, contacts and police actions per month (mean of "
        f"{results.replications} runs). The most attempts are in {human_month(busiest)}: "
        f"{human_count(means.loc[busiest, 'visit_attempts'])}. The table below gives every "
        "month.",
    }


def utilisation_section(results: Results) -> dict:
    metrics = ["officer_hours_used", "officer_hours_available", "offender_managers", "sergeants"]
    means = monthly(results, metrics)
    available = means["officer_hours_available"]
    share = (means["officer_hours_used"] / available).where(available > 0)
    rows = [
        [
            label,
            human_count(row["offender_managers"]),
            human_count(row["sergeants"]),
            human_hours(row["officer_hours_available"]),
            human_hours(row["officer_hours_used"]),
            human_share(share[period]),
        ]
        for label, (period, row) in zip(
            _month_labels(results, list(means.index)), means.iterrows(), strict=True
        )
    ]
    end = results.summary[results.summary["period"] == "end"].set_index("metric")["mean"]
    overall = (
        end["officer_hours_used"] / end["officer_hours_available"]
        if end.get("officer_hours_available", 0) > 0
        else float("nan")
    )
    labelled = share.dropna()
    labelled.index = [human_month(p)[:3] + " " + p[:4] for p in labelled.index]
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
    means = monthly(results, metrics)
    high = monthly(results, ["undetected_escalations"], "p95")
    low = monthly(results, ["undetected_escalations"], "p5")
    rows = []
    for label, (period, row) in zip(
        _month_labels(results, list(means.index)), means.iterrows(), strict=True
    ):
        found = row["escalations_detected"]
        rows.append(
            [
                label,
                human_count(row["undetected_escalations"]),
                human_range(low.loc[period].iloc[0], high.loc[period].iloc[0]),
                human_count(row["escalations"]),
                human_count(found),
                human_count(row["escalation_days_unnoticed"] / found) if found > 0 else "–",
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
        f"{human_count(last['undetected_escalations'].mean())}. The table below gives every "
        "month.",
    }


def calibration_section(results: Results) -> dict | None:
    """Observed figures beside the simulation: calibration.csv, or the scenario's list."""
    table = results.calibration
    if table is not None and {"metric", "period", "observed"} <= set(table.columns):
        rows = []
        for _, row in table.iterrows():
            within = row.get("within")
            rows.append(
                [
                    str(row["metric"]),
                    str(row["period"]),
                    _figure(row["observed"]),
                    _figure(row.get("simulated_mean")),
                    human_range(row.get("simulated_p5"), row.get("simulated_p95"), _figure),
                    str(row.get("tolerance", "")),
                    {True: "yes", False: "no"}.get(_truth(within), "–"),
                ]
            )
        return {"rows": rows, "source": "calibration.csv"}
    points = results.scenario.get("observations") or []
    if not points:
        return None
    rows = []
    for item in points:
        period = item.get("date", "")
        if item.get("from_date"):
            period = f"{item['from_date']} to {period}"
        rows.append(
            [str(item.get("metric")), str(period), _figure(item.get("value")), "–", "–", "", "–"]
        )
    return {"rows": rows, "source": "the scenario's observations (no calibration.csv)"}


def _truth(value) -> bool | None:
    if isinstance(value, str):
        return {"true": True, "false": False}.get(value.strip().lower())
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return bool(value)


def _figure(value) -> str:
    """An observed or simulated figure: a share below 1 as a percentage, else a count."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    value = float(value)
    return human_share(value) if 0 < abs(value) < 1 else human_count(value)
