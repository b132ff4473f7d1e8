"""Staff turnover (staffing.turnover, sim/model/turnover.py): leavers, vacancies, training.

Each post alternates: productive for an exponential time of mean ``1 / rate``, vacant for
``vacancy_days``, in training for ``training_days``, productive again. Renewal theory gives the
long-run share of posts with a productive officer, ``(1 / rate) / (1 / rate + vacancy +
training)``; the daily table's ``offender_managers`` counts productive officers.
"""

from __future__ import annotations

import math
from statistics import mean, stdev

import numpy as np
from scenario_factory import make_scenario
from scipy import stats
from test_workforce import build, task

from sim.model.replication import single_run
from sim.model.workforce import MANAGER
from sim.records import DAILY_COLUMNS
from sim.scenario import DAYS_PER_YEAR

MANAGERS = DAILY_COLUMNS.index("offender_managers")


def _turnover_scenario(managers: int, horizon_days: int, rate: float, vacancy, training: int):
    return make_scenario(
        horizon_days=horizon_days,
        population={"initial": {"size": 0}},
        staffing={
            "offender_managers": managers,
            "turnover": {
                "leaving_rate_per_year": rate,
                "vacancy_days": vacancy,
                "training_days": training,
            },
        },
    )


def test_a_post_is_empty_for_exactly_the_vacancy_and_the_training():
    # One manager who leaves about four times a year, a 10-day vacancy and 5 days of
    # training: the replacement is productive exactly 15 days after the leaver went, at the
    # same time of day, so every run of days ending with nobody productive is 15 days long
    # (the one still running at the end of the horizon may be shorter).
    scenario = _turnover_scenario(1, 3 * 365, rate=4.0, vacancy=10, training=5)
    counts = single_run(scenario, 0).table[:, MANAGERS]
    assert set(np.unique(counts)) <= {0.0, 1.0}
    runs, length = [], 0
    for count in counts:
        if count == 0:
            length += 1
        elif length:
            runs.append(length)
            length = 0
    assert len(runs) >= 5  # the rule was exercised
    assert runs == [15] * len(runs)
    assert length <= 15


def test_over_a_long_run_the_headcount_matches_the_renewal_arithmetic():
    # 100 posts, two leavers a post a year (a mean stay of 182.625 days), 60 days vacant drawn
    # uniformly from 30 to 90 (mean 60), 30 days in training: the share of posts productive
    # is 182.625 / (182.625 + 60 + 30). Twenty years; the first two (about three cycles) are
    # left out as the start, when every post is filled. The expected share must lie in the
    # 99% confidence interval of the replications' mean shares.
    stay = DAYS_PER_YEAR / 2
    expected = stay / (stay + 60 + 30)
    scenario = _turnover_scenario(
        100, 20 * 365, rate=2.0, vacancy={"dist": "uniform", "low": 30, "high": 90}, training=30
    )
    shares = [
        float(single_run(scenario, r).table[2 * 365 :, MANAGERS].mean() / 100) for r in range(10)
    ]
    half_width = stats.t.ppf(0.995, len(shares) - 1) * stdev(shares) / math.sqrt(len(shares))
    assert abs(mean(shares) - expected) <= half_width
    assert half_width < 0.01  # precise enough to see a vacancy or training of a few days


def test_a_busy_officer_who_leaves_finishes_the_task_first():
    # One manager, busy with A 9:00-11:00; they leave at 10:00 (turnover's depart): A is
    # finished, C (queued at 10:00) is never done, and leaving twice does nothing more.
    env, workforce, _, log = build()
    officer = workforce.managers[0]

    def leave():
        yield env.timeout(10 / 24)
        log.append((10, f"departs {workforce.depart(officer)}"))
        log.append((10, f"again {workforce.depart(officer)}"))
        log.append((10, f"staff {workforce.staff_counts}"))

    env.process(task(env, workforce, log, "A", 2))
    env.process(leave())
    env.process(task(env, workforce, log, "C", 1, at_hour=10))
    env.run(until=3)
    assert log == [(10, "departs True"), (10, "again False"), (10, "staff (0, 0)"), (11, "A")]
    assert workforce.managers == [] and officer.gone


def test_an_officer_a_staffing_change_took_is_not_replaced():
    # Ten managers, all released on day 30 by a staffing change. Turnover would have had
    # some of them leave later and be replaced, but their posts went with them: nobody is
    # ever productive again.
    scenario = make_scenario(
        horizon_days=400,
        population={"initial": {"size": 0}},
        staffing={
            "offender_managers": 10,
            "changes": [{"date": "2024-01-31", "offender_managers": -10}],
            "turnover": {"leaving_rate_per_year": 3.0, "vacancy_days": 5, "training_days": 0},
        },
    )
    counts = single_run(scenario, 0).table[:, MANAGERS]
    assert counts[30:].max() == 0
    assert counts[:29].min() >= 1


def test_turnover_off_keeps_every_officer():
    scenario = _turnover_scenario(5, 400, rate=0.0, vacancy=10, training=5)
    assert set(single_run(scenario, 0).table[:, MANAGERS]) == {5.0}
    assert MANAGER  # the workforce's name for offender managers, as the table's column
