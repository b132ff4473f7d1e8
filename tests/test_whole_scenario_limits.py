"""The size limits hold for the whole scenario, areas included, and validation is linear.

Each area is simulated with its own register and adds a row per replication-day to
trajectories.csv (plus one for the total), so the offender limit (2,000,000) is on the sum over
areas and the daily-row limit (1,000,000) counts (areas + 1) rows per replication-day.
"""

from __future__ import annotations

import time

import pytest
import yaml
from repo import SMALL, runner

from run_sim import app
from sim.scenario.file import ScenarioError, load_scenario


def _areas(n: int, size: int | None = None) -> str:
    area = "{name: a%d}" if size is None else "{name: a%d, population: {initial: {size: %d}}}"
    items = [area % ((i,) if size is None else (i, size)) for i in range(n)]
    return "areas=[" + ", ".join(items) + "]"


def _problems(*overrides: str) -> str:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(SMALL, list(overrides))
    return str(caught.value)


def test_offenders_over_all_areas_are_limited():
    # 4 areas of 600,000: each under the limit, together 2.4 million
    assert "2,000,000" in _problems(_areas(4, 600_000))
    load_scenario(SMALL, [_areas(4, 400_000)])  # 1.6 million (plus registrations): fine


def test_daily_rows_count_every_area_and_the_total():
    # 10 replications x 120 days x (900 areas + total) = 1,081,200 rows
    message = _problems(_areas(900), "replications=10")
    assert "daily rows" in message and "areas" in message
    load_scenario(SMALL, [_areas(800), "replications=10"])  # 961,200 rows


def test_too_many_areas_are_refused_quickly(tmp_path):
    path = tmp_path / "many.yaml"
    data = yaml.safe_load(SMALL.read_text())
    data["areas"] = [{"name": f"a{i}"} for i in range(5_000)]
    path.write_text(yaml.safe_dump(data))
    started = time.monotonic()
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "areas" in result.output
    assert time.monotonic() - started < 60


def test_validation_time_grows_linearly_with_areas():
    def seconds(n: int) -> float:
        started = time.perf_counter()
        load_scenario(SMALL, [_areas(n), "replications=1"])
        return time.perf_counter() - started

    seconds(50)  # warm up
    small, large = min(seconds(100) for _ in range(2)), min(seconds(800) for _ in range(2))
    # 8 times the areas: linear is ~8x; the old quadratic checks were far above 20x
    assert large < 20 * small + 1.0, (small, large)
