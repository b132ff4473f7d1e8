"""A finished world is freed by reference counting (Replication.release, sim/model/replication.py).

Without release() a finished world is one web of reference cycles (processes and the events
they wait for, the event queue, turnover's hook on the workforce), which the cyclic collector
must traverse whole to free: for a large register that was most of the growth of CPU time per
event with the population. These tests count what the collector still finds after a run:
thousands of objects without release(), a handful (the environment's own bound methods)
with it.
"""

from __future__ import annotations

import gc

import pytest
from scenario_factory import make_scenario, per_level

from sim.model.replication import Replication, _simulate

# more than a few objects left for the collector means the world was not taken apart
AT_MOST_LEFT = 20


def _busy_scenario():
    """Personal caseloads, absences with cover, turnover, custody, chance at the door: every
    kind of process and hook the model makes."""
    return make_scenario(
        horizon_days=120,
        population={"initial": {"size": 80}, "registrations": {"per_year": 40}},
        visits={
            "out_probability": per_level(0.3),
            "police_action_probability": per_level(0.2),
            "custody": {"share_of_police_actions": per_level(0.5), "spell_days": 20},
        },
        staffing={
            "offender_managers": 4,
            "caseloads": "personal",
            "absences": {
                "sickness": {"spells_per_year": 6, "spell_workdays": 5},
                "cover_after_workdays": 2,
            },
            "turnover": {"leaving_rate_per_year": 2.0, "vacancy_days": 10, "training_days": 5},
        },
    )


def _left_for_the_collector(run) -> int:
    gc.collect()
    gc.freeze()  # only what the run leaves behind is counted
    try:
        run()
        return gc.collect()
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("release", [True, False])
def test_a_released_world_leaves_nothing_for_the_cyclic_collector(release):
    scenario = _busy_scenario()

    def run() -> None:
        world = Replication(scenario, 0)
        world.populate()
        world.run()
        if release:
            world.release()

    left = _left_for_the_collector(run)
    if release:
        assert left <= AT_MOST_LEFT
    else:  # the check can fail: the same world, not taken apart, is all cycles
        assert left > 50 * AT_MOST_LEFT


def test_every_simulated_area_is_released():
    # _simulate is what run_area (and so every replication) runs before its own collection
    left = _left_for_the_collector(lambda: _simulate(_busy_scenario(), 0, None))
    assert left <= AT_MOST_LEFT
