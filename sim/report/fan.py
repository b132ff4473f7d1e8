"""The report's fan chart for a run with a parameter sample (``run --parameters``).

The run's own fan.png (the band from chance alone inside the band from chance and
calibration) is embedded as it is, and the sentence on how much of the spread comes from each
is read from fan.csv (sim/analysis/uncertainty.py). None for a run without a sample. Once
the forecast has been scored (``backtest``), its backtest_fan.png (the same fan with the
figures reported later drawn on it) is shown instead.
"""

from __future__ import annotations

import base64

import pandas as pd

from sim.analysis.uncertainty import spread_sentence
from sim.report.data import Results

__all__ = ["fan_section"]


def fan_section(results: Results) -> dict | None:
    """{"chart": data URI of the fan chart, "sentence": ..., "actuals": whether it shows the
    figures a backtest scored it against}, or None without a fan."""
    table, image = results.path / "fan.csv", results.path / "fan.png"
    if not (table.is_file() and image.is_file()):
        return None
    scored = results.path / "backtest_fan.png"
    actuals = scored.is_file()
    shown = scored if actuals else image
    fan = pd.read_csv(table, parse_dates=["date"])
    chart = "data:image/png;base64," + base64.b64encode(shown.read_bytes()).decode("ascii")
    return {"chart": chart, "sentence": spread_sentence(fan), "actuals": actuals}
