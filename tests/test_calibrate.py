"""The calibrate command: it recovers known parameters, and refuses bad requests clearly.

Recovery case: the factory's base with 150 medium-risk offenders visited every 30 days by 3
offender managers (about 12.5 h of visit work a day against 3 x 7.5 x availability h: a
backlog builds). The truth is availability 0.6 and out-probability 0.3. Observations are the
truth's own simulated means on the same seed and replications, so under common random
numbers the loss at the truth is exactly 0 and the fit should land next to it. The two
parameters are separately identifiable: the share of attempts that find the offender in
depends only on the out-probability, while attempts per month and the backlog depend on the
hours available.
"""

from __future__ import annotations

import copy

import pandas as pd
import pytest
import yaml
from repo import runner
from scenario_factory import per_level, scenario_dict

from run_sim import app
from sim.analysis.metrics import trajectories
from sim.calibration.fitting import Objective, parse_parameter
from sim.experiments.batch import run_replications
from sim.io.folder import is_complete
from sim.scenario.file import ScenarioError, load_scenario, parse_scenario
from sim.scenario.observations import Observation, replication_values

TRUE_AVAILABILITY, TRUE_OUT = 0.6, 0.3
REPLICATIONS = 2
OBSERVED = [
    {
        "metric": "visits_completed / visit_attempts",
        "from_date": "2024-01-01",
        "date": "2024-03-15",
        "tolerance": {"absolute": 0.02},
    },
    {
        "metric": "visit_attempts",
        "from_date": "2024-02-01",
        "date": "2024-02-29",
        "tolerance": 0.05,
    },
    {"metric": "overdue_visits", "date": "2024-03-15", "tolerance": 0.1},
]


def _truth() -> dict:
    return scenario_dict(
        horizon_days=75,
        replications=REPLICATIONS,
        population={"initial": {"size": 150}},
        visits={"out_probability": per_level(TRUE_OUT)},
        staffing={"offender_managers": 3, "availability": TRUE_AVAILABILITY},
    )


def _with_observations_of_the_truth() -> dict:
    truth = _truth()
    scenario = parse_scenario(truth, "truth")
    frame = trajectories(run_replications(scenario, REPLICATIONS), scenario.start_date)
    data = copy.deepcopy(truth)
    data["observations"] = []
    for spec in OBSERVED:
        values = replication_values(Observation.model_validate({**spec, "value": 0}), frame)
        data["observations"].append({**spec, "value": float(values.mean())})
    return data


def test_common_random_numbers_make_the_loss_exact_and_zero_at_the_truth():
    data = _with_observations_of_the_truth()
    parameters = [
        parse_parameter("staffing.availability=0.3:0.9", data),
        parse_parameter("visits.out_probability.medium=0.05:0.6", data),
    ]
    objective = Objective(data, "test", parameters, REPLICATIONS)
    # the same values twice give bit-identical losses (nothing is left to chance) ...
    assert objective.table_at((0.5, 0.2))[0] == objective.table_at((0.5 + 0.0, 0.2))[0]
    assert len(objective.evaluations) == 1  # ... and the second was not even re-run
    # ... and the truth reproduces its own observations exactly
    assert objective.table_at((TRUE_AVAILABILITY, TRUE_OUT))[0] == 0.0
    assert objective.table_at((0.5, 0.2))[0] > 1.0


def test_calibrate_recovers_known_parameters(tmp_path):
    data = _with_observations_of_the_truth()
    data["staffing"]["availability"] = 0.85  # a wrong starting guess for both
    data["visits"]["out_probability"] = per_level(0.1)
    path = tmp_path / "guess.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    out = tmp_path / "fit"
    result = runner.invoke(
        app,
        [
            "calibrate",
            str(path),
            "--param",
            "staffing.availability=0.3:0.9",
            "--param",
            "visits.out_probability.medium=0.05:0.6",
            "--max-evaluations",
            "30",
            "--out",
            str(out),
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    fitted = pd.read_csv(out / "fitted_parameters.csv").set_index("parameter")["fitted"]
    assert fitted["staffing.availability"] == pytest.approx(TRUE_AVAILABILITY, abs=0.03)
    assert fitted["visits.out_probability.medium"] == pytest.approx(TRUE_OUT, abs=0.03)
    # the calibrated copy is a valid scenario carrying the fitted values
    copy_path = out / "test_calibrated.yaml"
    calibrated = load_scenario(copy_path)
    assert calibrated.staffing.availability == pytest.approx(fitted["staffing.availability"])
    assert calibrated.visits.out_probability.medium == pytest.approx(
        fitted["visits.out_probability.medium"]
    )
    assert copy_path.read_text().startswith("# Calibrated copy of")
    table = pd.read_csv(out / "calibration.csv")
    assert table["within"].all()
    evaluations = pd.read_csv(out / "evaluations.csv")
    assert 2 < len(evaluations) <= 30 and evaluations["loss"].min() == pytest.approx(
        table["scaled_error"].pow(2).sum(), abs=1e-3
    )
    assert {"calibration.png", "manifest.json"} <= {p.name for p in out.iterdir()}
    assert is_complete(out)  # the manifest lists every file with its SHA-256


@pytest.mark.parametrize(
    "param, expected",
    [
        ("staffing.availabilty=0.3:0.9", "no such field"),
        ("visits.travel_hours=0.5:2", "must be a number"),
        ("staffing.availability=0.9:0.3", "LOW must be less than HIGH"),
        ("staffing.availability=low:high", "must be numbers"),
        ("staffing.availability", "dotted.key=LOW:HIGH"),
        ("staffing.availability=0.5:1.5", "range must give a valid scenario"),
    ],
)
def test_bad_params_exit_2_with_a_clear_message(tmp_path, param, expected):
    data = _truth()
    data["visits"]["travel_hours"] = {"dist": "uniform", "low": 0.5, "high": 1.5}
    data["observations"] = [{"metric": "population", "date": "2024-01-10", "value": 150}]
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data))
    out = tmp_path / "fit"
    result = runner.invoke(app, ["calibrate", str(path), "--param", param, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert expected in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_a_scenario_without_observations_cannot_be_calibrated(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(_truth()))
    result = runner.invoke(
        app, ["calibrate", str(path), "--param", "staffing.availability=0.3:0.9"]
    )
    assert result.exit_code == 2 and "no observations to fit" in result.output


def test_integer_fields_are_fitted_as_integers():
    data = _truth()
    parameter = parse_parameter("staffing.offender_managers=2:8", data)
    assert parameter.integer and parameter.value_at(0.55) == 5  # 2 + 0.55 x 6 = 5.3 -> 5
    with pytest.raises(ScenarioError, match="must be a number"):
        parse_parameter("population.notification_periods=0:1", data)


def test_calibrate_refuses_a_folder_it_did_not_write(tmp_path):
    # the results-folder guard every command shares: someone's notes are never overwritten
    data = _truth()
    data["observations"] = [{"metric": "population", "date": "2024-01-10", "value": 150}]
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data))
    out = tmp_path / "notes"
    out.mkdir()
    (out / "my_notes.txt").write_text("keep me")
    result = runner.invoke(
        app, ["calibrate", str(path), "--param", "staffing.availability=0.3:0.9", "--out", str(out)]
    )
    assert result.exit_code == 2 and "--force" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["my_notes.txt"]
