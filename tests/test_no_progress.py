"""No input can make the tool run without progress.

Validation bounds the expected work of a simulated day (sim/scenario/work.py): at every risk
level, either a visit needs at most 100 attempts on average (out_probability <= 0.99), or a
failed attempt with its retry delay takes at least one minute of simulated time on average.
Behind it, the model stops a replication whose clock stands still (sim/model/replication.py).
The inputs here are not the red-team review's exact numbers.
"""

from __future__ import annotations

import copy
import time

import pytest
import simpy
import yaml
from repo import SMALL, runner

import sim.scenario.work as work
from run_sim import app
from sim.model import replication
from sim.model.replication import NoProgressError, _run_until, single_run
from sim.scenario import Scenario

SMALL_DATA = yaml.safe_load(SMALL.read_text())
LEVELS = ("very_high", "high", "medium", "low")


def _visits(out: float, *, retry=0, travel=0, failed=0, write_up=0, at=LEVELS) -> dict:
    data = copy.deepcopy(SMALL_DATA)
    visits = data["visits"]
    visits["out_probability"] = {
        level: (out if level in at else visits["out_probability"][level]) for level in LEVELS
    }
    visits.update(
        retry_delay_days=retry,
        travel_hours=travel,
        failed_on_site_hours=failed,
        write_up_hours=write_up,
    )
    return data


TINY = {"dist": "uniform", "low": 0, "high": 1e-200}
NEVER_ENDING = {
    "almost always out, instant attempts": _visits(0.995, at=("medium",)),
    "always out, a nanosecond of travel": _visits(1.0, travel=3e-13),
    "always out, a retry delay that rounds to nothing": _visits(1.0, retry=TINY),
    "almost always out, a second of write-up": _visits(0.9999, write_up=1 / 3600),
    "always out, 30 seconds in all": _visits(1.0, travel=1 / 240, retry=1 / 5760),
}


@pytest.mark.parametrize("name", NEVER_ENDING)
def test_validation_refuses_unbounded_work_per_day(name, tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(NEVER_ENDING[name]))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "visits" in result.output and "out_probability" in result.output
    assert "at least one minute" in result.output
    assert "Traceback" not in result.output


BOUNDED = {
    "always out, a minute per failed attempt": _visits(1.0, travel=1 / 60),
    "always out, a day's retry delay": _visits(1.0, retry=1),
    "99% out, instant attempts": _visits(0.99),
    "one level always out, an hour's travel": _visits(1.0, travel=1, at=("low",)),
}


@pytest.mark.parametrize("name", BOUNDED)
def test_bounded_work_validates_and_runs_quickly(name):
    data = copy.deepcopy(BOUNDED[name])
    data["horizon_days"] = 30
    scenario = Scenario.model_validate(data)
    started = time.monotonic()
    single_run(scenario, 0)
    assert time.monotonic() - started < 60


def test_the_clock_standing_still_stops_a_day():
    env = simpy.Environment()

    def spin():
        while True:
            yield env.timeout(0)

    env.process(spin())
    with pytest.raises(NoProgressError) as caught:
        _run_until(env, 1, lambda: 1_000_000)
    assert "visits.out_probability" in str(caught.value)


def test_the_guard_runs_the_same_events_as_simpy():
    def world():
        env = simpy.Environment()

        def tick(step):
            while True:
                yield env.timeout(step)

        for step in (0.1, 0.25, 1.0):
            env.process(tick(step))
        return env

    plain, guarded = world(), world()
    for day in range(5):
        plain.run(until=day + 1)
        _run_until(guarded, day + 1, lambda: 10)
        assert plain.now == guarded.now == day + 1
        assert next(plain._eid) == next(guarded._eid)


@pytest.fixture
def unchecked(monkeypatch):
    """Validation's bound switched off, to reach the model's own guard."""
    monkeypatch.setattr(work, "_check_work_per_visit_is_bounded", lambda visits: None)
    monkeypatch.setattr(replication, "STALL_BASE_EVENTS", 200_000)
    monkeypatch.setattr(replication, "STALL_EVENTS_PER_OFFENDER", 100)


def test_a_replication_that_makes_no_progress_stops_with_the_likely_fields(unchecked):
    data = _visits(1.0, travel=1e-300)
    data["horizon_days"] = 30
    started = time.monotonic()
    with pytest.raises(NoProgressError) as caught:
        single_run(Scenario.model_validate(data), 0)
    assert time.monotonic() - started < 60
    assert "retry_delay_days" in str(caught.value)


def test_run_exits_2_when_a_replication_makes_no_progress(unchecked, tmp_path):
    path = tmp_path / "s.yaml"
    data = _visits(1.0, retry=TINY)
    data["horizon_days"] = 30
    path.write_text(yaml.safe_dump(data))
    result = runner.invoke(
        app,
        [
            "run",
            str(path),
            "--workers",
            "1",
            "--quiet",
            "--no-report",
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 2, result.output
    assert "no progress" in result.output and "visits.travel_hours" in result.output
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_the_error_crosses_process_boundaries():
    import pickle

    error = pickle.loads(pickle.dumps(NoProgressError(3.5, 1234)))
    assert isinstance(error, NoProgressError) and error.problems[0].field == "visits"
