"""Run a scenario in-process and get its trajectories as a DataFrame (and, if asked, its log)."""

from __future__ import annotations

import pandas as pd

from sim.analysis.metrics import trajectories
from sim.experiments.batch import run_replications
from sim.model.event_log import EventLog
from sim.model.replication import Replication
from sim.records import DAILY_COLUMNS
from sim.scenario import Scenario


def simulate(scenario: Scenario, replications: int = 1) -> pd.DataFrame:
    return trajectories(run_replications(scenario, replications), scenario.start_date)


def simulate_with_log(scenario: Scenario, replication: int = 0) -> tuple[pd.DataFrame, EventLog]:
    """One replication's daily table, unrounded (columns as in counters.py), and its event log.

    The table is the same one ``single_run`` returns; the log is the optional per-task record.
    """
    log = EventLog()
    world = Replication(scenario, replication, log)
    world.populate()
    table = pd.DataFrame(world.run(), columns=list(DAILY_COLUMNS))
    table.insert(0, "day", range(len(table)))
    return table, log
