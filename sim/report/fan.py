"""The report's fan chart for a run with a parameter sample (``run --parameters``).

Drawn from the folder's fan.csv (sim/analysis/uncertainty.py): the band from chance alone
inside the band from chance and calibration, with the sentence saying how much of the spread
comes from each. None for a run without a sample.
"""

from __future__ import annotations

import pandas as pd

from sim.analysis.uncertainty import spread_sentence
from sim.report.data import Results
from sim.report.figures import data_uri

__all__ = ["fan_section"]


def fan_section(results: Results) -> dict | None:
    """{"chart": data URI, "sentence": ...}, or None without fan.csv."""
    path = results.path / "fan.csv"
    if not path.is_file():
        return None
    from sim.studies.fan_figure import fan_figure

    fan = pd.read_csv(path, parse_dates=["date"])
    sentence = spread_sentence(fan)
    chart = fan_figure(fan, "Overdue visits: chance and calibration", sentence)
    return {"chart": data_uri(chart), "sentence": sentence}
