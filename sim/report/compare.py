"""The report's sections for a comparison folder (written by ``compare``).

A comparison keeps, per variant, one row per outcome in comparison.csv: the mean over
replications and the paired difference against the first (reference) variant with its 95%
confidence interval. Each section shows the same parts of the picture as a single run's
report, as one row per variant, with the change against the reference beside the value.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import date, timedelta

import pandas as pd

from sim.format import MISSING, human_date, human_hours, human_number, human_range, human_share
from sim.levels import LEVEL_NAMES, LEVELS
from sim.report import figures
from sim.report.data import ComparisonResults
from sim.report.text import format_value

__all__ = ["compare_context", "variant_changes"]

# Outcomes shown in the paired-difference tables, in this order, when comparison.csv has them.
KEY_OUTCOMES = {
    "overdue_visits_end": "overdue visits at the end",
    "overdue_visits_average": "overdue visits, average over the run",
    **{
        f"overdue_visits_{level}_end": f"overdue visits at the end, {name}"
        for level, name in zip(LEVELS, LEVEL_NAMES, strict=True)
    },
    "oldest_overdue_visit_days_end": "oldest overdue visit at the end (days)",
    "overdue_assessments_end": "overdue assessments at the end",
    "undetected_escalations_end": "unnoticed escalations at the end",
    "visit_attempts_total": "visit attempts (total)",
    "visits_completed_total": "contacts (total)",
    "lone_visit_attempts_total": "lone-officer attempts (total)",
    **{
        f"lone_visit_attempts_{level}_total": f"lone-officer attempts, {name} (total)"
        for level, name in zip(LEVELS, LEVEL_NAMES, strict=True)
    },
    "officer_hours_used_total": "officer hours used (total)",
}


def _change(results: ComparisonResults, outcome: str, variant: str) -> str:
    """'-40 (95% CI -55 to -25)', or 'reference' for the reference variant."""
    if variant == results.reference:
        return "reference"
    difference = results.value(outcome, variant, "difference")
    low = results.value(outcome, variant, "difference_ci95_low")
    high = results.value(outcome, variant, "difference_ci95_high")
    return f"{human_number(difference, sign=True)} ({human_range(low, high)})"


def _significant(results: ComparisonResults, outcome: str, variant: str) -> str:
    if variant == results.reference:
        return MISSING
    rows = results.table[
        (results.table["outcome"] == outcome) & (results.table["variant"] == variant)
    ]
    if rows.empty:
        return MISSING
    value = rows["significant"].iloc[0]
    if isinstance(value, str):
        value = value.strip().lower() == "true"
    return "yes" if bool(value) else "no"


def _headline(results: ComparisonResults, end: date) -> dict:
    reference = results.reference
    rows = []
    for name in results.names:
        rows.append(
            [
                name,
                human_number(results.value("overdue_visits_end", name)),
                _change(results, "overdue_visits_end", name),
                _significant(results, "overdue_visits_end", name),
                human_number(results.value("overdue_visits_average", name)),
                _change(results, "overdue_visits_average", name),
                human_number(results.value("overdue_assessments_end", name)),
                _change(results, "overdue_assessments_end", name),
            ]
        )
    base = results.value("overdue_visits_end", reference)
    sentences = [
        f"{reference} (the reference) ends with {human_number(base)} overdue visits on "
        f"{human_date(end)} (mean of {results.replications} runs)."
    ]
    for name in results.names:
        if name == reference:
            continue
        clear = _significant(results, "overdue_visits_end", name) == "yes"
        sentences.append(
            f"{name}: {human_number(results.value('overdue_visits_end', name))}, a change of "
            f"{_change(results, 'overdue_visits_end', name)} against {reference}; "
            + ("a clear difference (the 95% CI excludes 0)." if clear else "no clear difference.")
        )
    high_risk = [f"{name} {human_number(_high_risk_end(results, name))}" for name in results.names]
    sentences.append(
        "Very high and high risk overdue visits at the end (mean of runs): "
        + ", ".join(high_risk)
        + "; each level's figures are under 'Overdue visits by risk level'."
    )
    note = (
        "A comparison reports the end of the run and the average over it. For one variant's "
        "month-by-month forecast (in 6 and 12 months), run it on its own: python run_sim.py "
        "run SCENARIO.yaml --set ... --months 12 --out results/VARIANT; to compare the "
        "variants at 12 months, give compare --months 12."
    )
    return {"rows": rows, "sentences": sentences, "note": note}


def _high_risk_end(results: ComparisonResults, name: str) -> float:
    """A variant's mean overdue visits of very high and high risk at the end of the run."""
    return results.value("overdue_visits_very_high_end", name) + results.value(
        "overdue_visits_high_end", name
    )


def _per_variant(results: ComparisonResults, outcomes: Sequence[str]) -> list[list[str]]:
    """A row per variant: its name, then its mean of each outcome (a dash if not in the CSV)."""
    return [
        [
            name,
            *(
                human_number(results.value(outcome, name)) if results.has(outcome) else MISSING
                for outcome in outcomes
            ),
        ]
        for name in results.names
    ]


def _levels(results: ComparisonResults, prefix: str, oldest: str) -> list[list[str]]:
    outcomes = [f"{prefix}_end", *(f"{prefix}_{level}_end" for level in LEVELS), f"{oldest}_end"]
    return _per_variant(results, outcomes)


def _utilisation(results: ComparisonResults) -> list[list]:
    rows = []
    for name in results.names:
        used = results.value("officer_hours_used_total", name)
        available = results.value("officer_hours_available_total", name)
        rows.append(
            [
                name,
                human_number(results.value("offender_managers_end", name)),
                human_number(results.value("sergeants_end", name)),
                human_hours(available),
                human_hours(used),
                human_share(used / available) if available > 0 else MISSING,
            ]
        )
    return rows


def _escalations(results: ComparisonResults) -> list[list]:
    rows = []
    for name in results.names:
        found = results.value("escalations_detected_total", name)
        days = results.value("escalation_days_unnoticed_total", name)
        rows.append(
            [
                name,
                human_number(results.value("undetected_escalations_end", name)),
                _change(results, "undetected_escalations_end", name),
                human_number(results.value("escalations_total", name)),
                human_number(found),
                human_number(days / found) if found > 0 else MISSING,
            ]
        )
    return rows


def _differences(results: ComparisonResults) -> dict:
    """One row per outcome: the reference's mean, then each variant's mean and change."""
    rows = []
    for outcome, label in KEY_OUTCOMES.items():
        if not results.has(outcome):
            continue
        cells = [label, human_number(results.value(outcome, results.reference))]
        for name in results.names:
            if name == results.reference:
                continue
            clear = _significant(results, outcome, name) == "yes"
            cells += [
                human_number(results.value(outcome, name)),
                _change(results, outcome, name) + (", clear" if clear else ""),
            ]
        rows.append(cells)
    others = results.table[results.table["variant"] != results.reference]
    key = others[others["outcome"] == "overdue_visits_end"]
    chart = alt = None
    if not key.empty:
        forest = pd.DataFrame(
            {
                "variant": key["variant"].to_numpy(),
                "difference": key["difference"].to_numpy(dtype=float),
                "low": key["difference_ci95_low"].to_numpy(dtype=float),
                "high": key["difference_ci95_high"].to_numpy(dtype=float),
            }
        )
        chart = figures.data_uri(figures.comparison_chart(forest, "overdue visits at the end"))
        alt = (
            "Chart of the change in overdue visits at the end of the run for each variant "
            f"against {results.reference}, with 95% confidence intervals and a dashed line at "
            "zero. The first table below gives the numbers."
        )
    others_names = [name for name in results.names if name != results.reference]
    return {"rows": rows, "others": others_names, "chart": chart, "alt": alt}


def _flatten(value: object, path: str = "") -> dict[str, object]:
    if isinstance(value, dict) and value and not (set(value) == set(LEVELS) or "dist" in value):
        flat: dict[str, object] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{path}.{key}" if path else str(key)))
        return flat
    return {path: value}


def variant_changes(results: ComparisonResults) -> list[list[str]]:
    """(variant, field, reference value, variant value) for every field a variant changes."""
    base = _flatten(results.scenario)
    rows = []
    for name in results.names:
        if name == results.reference:
            continue
        mine = _flatten(results.variants.get(name, {}))
        for field in sorted(set(base) | set(mine)):
            if field in ("name", "description") or base.get(field) == mine.get(field):
                continue
            rows.append([name, field, format_value(base.get(field)), format_value(mine.get(field))])
    return rows


def compare_context(results: ComparisonResults) -> dict:
    """Everything the comparison template shows, rounded for people."""
    scenario = results.scenario
    start = date.fromisoformat(str(scenario.get("start_date", "2000-01-01")))
    end = start + timedelta(days=int(scenario.get("horizon_days", 1)) - 1)
    figure = None
    if results.figure_png is not None:
        figure = "data:image/png;base64," + base64.b64encode(results.figure_png).decode("ascii")
    means = ", ".join(
        f"{name} {human_number(results.value('overdue_visits_end', name))}"
        for name in results.names
    )
    return {
        "start": human_date(start),
        "end": human_date(end),
        "reference": results.reference,
        "variant_names": results.names,
        "crn": results.manifest.get("common_random_numbers", True),
        "headline": _headline(results, end),
        "backlog": {
            "rows": _levels(results, "overdue_visits", "oldest_overdue_visit_days"),
            "chart": figure,
            "alt": "Charts of each variant's overdue visits and assessments over time (mean "
            f"and 95% CI band) and lone-officer attempts by risk level. Overdue visits at the "
            f"end: {means}. The tables below give the numbers.",
        },
        "activity": _per_variant(
            results,
            [
                "visit_attempts_total",
                "visits_completed_total",
                "police_actions_total",
                "lone_visit_attempts_total",
                "assessments_completed_total",
            ],
        ),
        "utilisation": _utilisation(results),
        "assessments": _levels(results, "overdue_assessments", "oldest_overdue_assessment_days"),
        "escalations": _escalations(results),
        "differences": _differences(results),
        "level_names": list(LEVEL_NAMES),
    }
