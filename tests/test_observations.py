"""Observed figures: how they are read off replications, judged, and validated.

The trajectories here are built by hand, so every expected number is simple arithmetic on
the rows written in the test.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError
from repo import SMALL, runner
from scenario_factory import make_scenario

from sim.calibration.fit_table import fit_table, loss, scale_of
from sim.scenario.observations import Observation, replication_values

DAYS = pd.date_range("2024-01-01", periods=10, freq="D").date


def _frame(**columns_by_replication: list[list[float]]) -> pd.DataFrame:
    """Two replications x 10 days; each keyword gives [values of rep 0, values of rep 1]."""
    rows = []
    for replication in (0, 1):
        for day, date in enumerate(DAYS):
            row = {"replication": replication, "day": day, "date": date}
            for name, per_rep in columns_by_replication.items():
                row[name] = per_rep[replication][day]
            rows.append(row)
    return pd.DataFrame(rows)


TRAJECTORIES = _frame(
    overdue_visits=[list(range(10)), [5] * 10],
    overdue_visits_high=[[0, 0, 3, 0, 0, 0, 0, 0, 0, 0], [1] * 10],
    overdue_visits_very_high=[[0, 0, 1, 0, 0, 0, 0, 0, 0, 0], [0] * 10],
    visit_attempts=[[2] * 10, [4] * 10],
    visits_completed=[[1] * 10, [3] * 10],
)


def obs(**fields) -> Observation:
    return Observation.model_validate({"value": 0, **fields})


def test_state_is_read_at_the_end_of_its_date():
    # rep 0 has overdue_visits = day index, so 2024-01-04 (day 3) reads 3; rep 1 is always 5
    values = replication_values(obs(metric="overdue_visits", date="2024-01-04"), TRAJECTORIES)
    assert values.tolist() == [3, 5]


def test_flow_is_totalled_over_the_period_inclusive():
    # days 2..6 inclusive are 5 days: rep 0 makes 2 attempts a day, rep 1 makes 4
    observation = obs(metric="visit_attempts", from_date="2024-01-03", date="2024-01-07")
    assert replication_values(observation, TRAJECTORIES).tolist() == [10, 20]


def test_flow_without_from_date_is_one_day():
    observation = obs(metric="visit_attempts", date="2024-01-07")
    assert replication_values(observation, TRAJECTORIES).tolist() == [2, 4]


def test_ratio_divides_the_totals():
    observation = obs(
        metric="visits_completed / visit_attempts", from_date="2024-01-01", date="2024-01-10"
    )
    assert replication_values(observation, TRAJECTORIES).tolist() == pytest.approx([0.5, 0.75])


def test_state_over_a_period_is_its_worst_day_of_a_sum():
    # rep 0: high + very high is 0 except 4 on day 2; rep 1: always 1
    observation = obs(
        metric="overdue_visits_very_high + overdue_visits_high",
        from_date="2024-01-01",
        date="2024-01-10",
    )
    assert replication_values(observation, TRAJECTORIES).tolist() == [4, 1]


def test_ratio_with_nothing_to_divide_by_is_undefined():
    frame = _frame(visit_attempts=[[0] * 10, [2] * 10], visits_completed=[[0] * 10, [1] * 10])
    observation = obs(metric="visits_completed / visit_attempts", date="2024-01-05")
    values = replication_values(observation, frame)
    assert math.isnan(values[0]) and values[1] == 0.5
    table = fit_table([observation.model_copy(update={"value": 0.5})], frame)
    # the undefined replication is left out of the mean, which is then exactly 0.5
    assert table["simulated_mean"].item() == 0.5 and table["replications"].item() == 1


def test_tolerances_decide_within():
    # overdue_visits on 2024-01-04: replications 3 and 5, mean 4, 90% interval 3.1 to 4.9
    at = {"metric": "overdue_visits", "date": "2024-01-04"}
    cases = [
        (obs(**at, value=4.5, tolerance=0.15), True),  # |4 - 4.5| = 0.5 <= 0.675
        (obs(**at, value=5.0, tolerance=0.15), False),  # 1.0 > 0.75
        (obs(**at, value=4.5, tolerance={"absolute": 0.4}), False),  # 0.5 > 0.4
        (obs(**at, value=4.5), True),  # interval only: 3.1 <= 4.5 <= 4.9
        (obs(**at, value=5.0), False),  # 5.0 is above the 95th percentile 4.9
        (obs(**at, value=4.95, tolerance={"relative": 0.5, "interval": True}), False),
    ]
    table = fit_table([case for case, _ in cases], TRAJECTORIES)
    assert table["within"].tolist() == [expected for _, expected in cases]
    assert table["simulated_mean"].tolist() == [4.0] * len(cases)
    assert table["simulated_p5"].iloc[0] == pytest.approx(3.1)


def test_scaled_error_and_loss():
    # mean 4 against 5 with a 10% tolerance: error -1 in units of 0.5 -> -2, loss 4;
    # against 4.5 with an absolute tolerance of 0.25: -0.5 / 0.25 = -2, loss 4 more
    at = {"metric": "overdue_visits", "date": "2024-01-04"}
    observations = [
        obs(**at, value=5.0, tolerance=0.1),
        obs(**at, value=4.5, tolerance={"absolute": 0.25, "relative": 0.5}),
    ]
    assert [scale_of(o) for o in observations] == pytest.approx([0.5, 0.25])
    table = fit_table(observations, TRAJECTORIES)
    assert table["scaled_error"].tolist() == pytest.approx([-2.0, -2.0])
    assert loss(table) == pytest.approx(8.0)
    # when the interval must cover the value, half the simulated 90% interval (3.1 to 4.9,
    # so 0.9) is the scale if it is tighter: (4 - 4.5) / 0.9; a 50% tolerance (2.25) is not
    interval = obs(**at, value=4.5, tolerance={"relative": 0.5, "interval": True})
    assert fit_table([interval], TRAJECTORIES)["scaled_error"].item() == pytest.approx(-0.5 / 0.9)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"metric": "overdue_vists", "date": "2024-01-01"}, "not a column"),
        ({"metric": "overdue_visits + visit_attempts", "date": "2024-01-01"}, "mixes flows"),
        ({"metric": "a / b / c", "date": "2024-01-01"}, "more than one '/'"),
        (
            {"metric": "visit_attempts", "from_date": "2024-02-01", "date": "2024-01-01"},
            "after date",
        ),
        ({"metric": "visit_attempts", "date": "2024-01-01", "tolerance": {}}, "relative"),
        ({"metric": "visit_attempts", "date": "2024-01-01", "tolerance": -0.1}, "greater"),
        ({"metric": "visit_attempts", "date": "2024-01-01", "toleranse": 0.1}, "Extra"),
    ],
)
def test_bad_observations_are_refused(fields, message):
    with pytest.raises(ValidationError, match=message):
        Observation.model_validate({"value": 1, **fields})


def test_observations_must_lie_inside_the_run():
    # the factory's base runs 360 days from 2024-01-01, so its last day is 2024-12-25
    inside = {"metric": "population", "date": "2024-12-25", "value": 50}
    assert make_scenario(observations=[inside]).observations[0].date == dt.date(2024, 12, 25)
    for outside in ("2024-12-26", "2023-12-31"):
        with pytest.raises(ValidationError, match="inside the simulated days"):
            make_scenario(observations=[{**inside, "date": outside}])


def test_fit_table_on_a_deterministic_run_is_exact():
    # The factory's base: 50 medium offenders visited every 30 days, always in, ample staff,
    # due dates spread over the first 30 days -> every offender is visited once in any
    # 30-day cycle, no visit is ever overdue and the population stays 50.
    from helpers import simulate

    scenario = make_scenario(horizon_days=120)
    observations = [
        Observation(metric="population", date=dt.date(2024, 4, 1), value=50, tolerance=0.01),
        Observation(metric="overdue_visits", date=dt.date(2024, 4, 1), value=0),
        Observation(
            metric="visits_completed / visit_attempts",
            from_date=dt.date(2024, 1, 1),
            date=dt.date(2024, 4, 1),
            value=1.0,
            tolerance={"absolute": 1e-9},
        ),
    ]
    table = fit_table(observations, simulate(scenario, replications=2))
    assert table["simulated_mean"].tolist() == [50, 0, 1.0]
    assert table["within"].all()
    assert loss(table) == 0.0
    assert np.isfinite(table["scaled_error"]).all()


def test_run_writes_the_fit_table_and_figure(tmp_path):
    """`run` on a scenario with observations: calibration.csv agrees with trajectories.csv."""
    import json

    import yaml

    from run_sim import app

    data = yaml.safe_load(SMALL.read_text())
    data["observations"] = [
        {"metric": "overdue_visits", "date": "2024-06-15", "value": 10, "source": "test"},
        {
            "metric": "visits_completed / visit_attempts",
            "from_date": "2024-05-01",
            "date": "2024-05-31",
            "value": 0.68,
            "tolerance": {"absolute": 0.05},
        },
    ]
    path = tmp_path / "observed.yaml"
    path.write_text(yaml.safe_dump(data))
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["run", str(path), "--replications", "3", "--out", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert "Observed figures:" in result.output  # one line; the table is in the report
    manifest = json.loads((out / "manifest.json").read_text())
    assert {"calibration.csv", "calibration.png"} <= set(manifest["files"])
    assert (out / "calibration.png").stat().st_size > 10_000
    table = pd.read_csv(out / "calibration.csv")
    trajectories = pd.read_csv(out / "trajectories.csv")
    june15 = trajectories[trajectories["date"] == "2024-06-15"]["overdue_visits"]
    assert table.loc[0, "simulated_mean"] == pytest.approx(june15.mean(), abs=1e-4)
    may = trajectories[trajectories["date"].str.startswith("2024-05")]
    totals = may.groupby("replication")[["visits_completed", "visit_attempts"]].sum()
    share = (totals["visits_completed"] / totals["visit_attempts"]).mean()
    assert table.loc[1, "simulated_mean"] == pytest.approx(share, abs=1e-4)
    assert table.loc[0, "source"] == "test"
    assert table["within"].dtype == bool
