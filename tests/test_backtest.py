"""backtest: a forecast's folder scored against figures reported later.

The forecast is the factory's deterministic base (50 offenders, no registrations, no exits),
so every replication has exactly 50 offenders on every day: the forecast's mean and all its
percentiles are 50. An actual of 50 is inside both intervals with error 0; an actual of 60 is
outside both with error -10 (forecast minus actual) and relative error -1/6. Coverage over
the two is one half for each interval.
"""

from __future__ import annotations

import pandas as pd
import pytest
import yaml
from repo import runner
from scenario_factory import scenario_dict

from run_sim import app
from sim.io.folder import is_complete

GOOD = """\
actuals:
  - {metric: population, date: 2024-02-01, value: 50, source: board}
  - metric: population
    date: 2024-02-15
    value: 60
"""


@pytest.fixture(scope="module")
def forecast(tmp_path_factory):
    folder = tmp_path_factory.mktemp("forecast")
    scenario = folder.parent / "deterministic.yaml"
    scenario.write_text(yaml.safe_dump(scenario_dict(horizon_days=60, replications=3)))
    out = folder / "run"
    result = runner.invoke(app, ["run", str(scenario), "--out", str(out), "--quiet", "--no-report"])
    assert result.exit_code == 0, result.output
    return out


def _listing(folder):
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


def test_backtest_prints_and_writes_the_table(forecast, tmp_path):
    actuals = tmp_path / "actuals.yaml"
    actuals.write_text(GOOD)
    out = tmp_path / "scored"
    result = runner.invoke(
        app, ["backtest", "--forecast", str(forecast), "--actuals", str(actuals), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "50% inside the 50% intervals" in result.output
    assert "50% inside the 90% intervals" in result.output
    table = pd.read_csv(out / "backtest.csv")
    assert list(table["actual"]) == [50, 60]
    assert list(table["forecast_mean"]) == [50, 50]
    assert list(table["p5"]) == [50, 50] and list(table["p95"]) == [50, 50]
    assert list(table["inside_50"]) == [True, False]
    assert list(table["inside_90"]) == [True, False]
    assert list(table["error"]) == [0, -10]
    assert table["relative_error"].iloc[1] == pytest.approx(-1 / 6, abs=1e-4)
    assert list(table["replications"]) == [3, 3]
    assert table["source"].iloc[0] == "board"
    assert (out / "backtest.png").stat().st_size > 0
    assert is_complete(forecast)  # written elsewhere: the forecast is untouched


def test_backtest_writes_into_the_forecast_folder_by_default(forecast, tmp_path):
    actuals = tmp_path / "actuals.yaml"
    actuals.write_text(GOOD)
    result = runner.invoke(
        app, ["backtest", "--forecast", str(forecast), "--actuals", str(actuals)]
    )
    assert result.exit_code == 0, result.output
    assert (forecast / "backtest.csv").is_file()
    assert is_complete(forecast)  # the forecast's own files are as its manifest says
    (forecast / "backtest.csv").unlink()
    (forecast / "backtest.png").unlink()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            GOOD + "  - {metric: overdue_vists, date: 2024-02-01, value: 3}\n",
            ["line 6", "actuals[2]", "overdue_vists"],
        ),
        (
            GOOD + "  - {metric: population, date: 2024-02-30, value: 3}\n",
            ["line 6", "actuals[2].date"],
        ),
        (
            GOOD + "  - {metric: population, date: 2024-02-01}\n",
            ["line 6", "actuals[2].value", "required field is missing"],
        ),
        (
            GOOD + "  - {metric: population, date: 2025-06-01, value: 50}\n",
            ["line 6", "actuals[2].date", "a day the forecast covers"],
        ),
        ("actuals: [\n", ["YAML syntax error", "line"]),
        ("observations:\n  - {metric: population, date: 2024-02-01, value: 50}\n", ["actuals"]),
    ],
)
def test_a_bad_actuals_file_is_a_clear_error_and_nothing_is_written(
    forecast, tmp_path, text, expected
):
    actuals = tmp_path / "bad.yaml"
    actuals.write_text(text)
    before = _listing(forecast)
    result = runner.invoke(
        app, ["backtest", "--forecast", str(forecast), "--actuals", str(actuals)]
    )
    assert result.exit_code == 2, result.output
    assert str(actuals) in result.output
    for word in expected:
        assert word in result.output
    assert "Traceback" not in result.output
    assert _listing(forecast) == before


def test_a_folder_that_is_not_a_finished_forecast_is_refused(tmp_path):
    actuals = tmp_path / "actuals.yaml"
    actuals.write_text(GOOD)
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(app, ["backtest", "--forecast", str(empty), "--actuals", str(actuals)])
    assert result.exit_code == 2
    assert "not a complete results folder" in result.output
    assert list(empty.iterdir()) == []
