import sys
from pathlib import Path

# These helper modules (repo, helpers, scenario_factory, ...) first, then the repository's
# root (run_sim.py).
sys.path.insert(0, str(Path(__file__).resolve().parent))

from repo import ROOT  # noqa: E402

sys.path.insert(1, str(ROOT))

from hypothesis import settings  # noqa: E402

# Property tests see the same examples on every machine and every run (no example database,
# no random seed), so CI is deterministic; a failure prints the shrunk scenario to reproduce.
settings.register_profile("repo", derandomize=True, database=None, deadline=None)
settings.load_profile("repo")


def pytest_collection_modifyitems(config, items):
    """Run the shipped-calibration regression last: a model bug should show in a unit test.

    (The calibration moves with almost any change to the model, so its failure says little
    about where a bug is; the unit tests say which rule broke.)
    """
    items.sort(key=lambda item: item.get_closest_marker("calibration") is not None)
