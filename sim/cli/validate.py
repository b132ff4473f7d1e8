"""`validate`: check a scenario file without running it."""

from __future__ import annotations

from ..config import Scenario
from .app import ScenarioPath, SetOption, app, load, out


@app.command()
def validate(scenario: ScenarioPath, set_: SetOption = None) -> None:
    """Check a scenario file and print a one-line summary (exit 2 listing problems if invalid).

    Example: python run_sim.py validate scenarios/avon_somerset_2023.yaml
    """
    loaded = load(scenario, set_ or [])
    staff = loaded.staffing
    out.print(
        f"OK {scenario}: '{loaded.name}', {_starting_size(loaded)}, "
        f"{staff.offender_managers} offender managers, {staff.sergeants} sergeants, "
        f"{loaded.horizon_days} days from {loaded.start_date}, priority {loaded.priority}",
        highlight=False,
    )
    if loaded.variants:
        out.print(f"  variants (for compare): {', '.join(loaded.variants)}", highlight=False)


def _starting_size(scenario: Scenario) -> str:
    population = scenario.population
    if population.initial is not None:
        return f"{population.initial.size} offenders"
    from ..caseload_file import read_caseload

    rows = read_caseload(
        population.initial_caseload,
        scenario.start_date,
        scenario.visits.interval_days.as_tuple(),
    )
    return f"{len(rows)} offenders (caseload file)"
