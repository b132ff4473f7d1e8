"""Run a scenario in-process and get its trajectories as a DataFrame."""

from __future__ import annotations

import pandas as pd

from sim.config import Scenario
from sim.experiment import run_replications
from sim.metrics import trajectories


def simulate(scenario: Scenario, replications: int = 1) -> pd.DataFrame:
    return trajectories(run_replications(scenario, replications), scenario.start_date)
