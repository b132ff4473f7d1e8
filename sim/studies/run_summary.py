"""A run's end-of-horizon summary as JSON, for scripts (``run --json``).

Every metric of summary.csv's ``end`` rows with its kind, mean, 95% confidence interval and
percentiles, plus where the results went. Numbers that are undefined (the interval of a single
replication) are ``null``: NaN is not valid JSON.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from sim.analysis.metrics import total_only
from sim.studies.run import RunResult

__all__ = ["summary_json"]

STATISTICS = ("mean", "ci95_low", "ci95_high", "p5", "p50", "p95")


def _number(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 4)


def summary_json(result: RunResult, target: Path, report_path: Path | None) -> str:
    """The summary as indented JSON text."""
    summary = total_only(result.summary)  # a scenario with areas: the whole scenario
    end = summary[summary["period"] == "end"]
    metrics = {
        row["metric"]: {"kind": row["kind"], **{k: _number(row[k]) for k in STATISTICS}}
        for _, row in end.iterrows()
    }
    used = metrics["officer_hours_used"]["mean"]
    available = metrics["officer_hours_available"]["mean"]
    document = {
        "scenario": result.scenario.name,
        "replications": result.replications,
        "seed": result.scenario.seed,
        "results": str(target),
        "report": str(report_path) if report_path else None,
        "run_seconds": round(result.ran.seconds, 3),
        "officer_utilisation": round(used / available, 4) if available else None,
        "end_of_horizon": metrics,
    }
    return json.dumps(document, indent=2)
