"""`validate`: check a scenario file without running it."""

from __future__ import annotations

from sim.experiments.default_workers import starting_size

from .app import ScenarioPath, SetOption, app, load, out

__all__ = ["validate"]


@app.command()
def validate(scenario: ScenarioPath, set_: SetOption = None) -> None:
    """Check a scenario file and print a one-line summary (exit 2 listing problems if invalid).

    Example: python run_sim.py validate scenarios/avon_somerset_2023.yaml
    """
    loaded = load(scenario, set_ or [])
    parts = [part for _area, part in loaded.area_scenarios()]  # the scenario itself if no areas
    offenders = sum(starting_size(part) for part in parts)
    from_file = " (caseload file)" if any(p.population.initial is None for p in parts) else ""
    managers = sum(part.staffing.offender_managers for part in parts)
    sergeants = sum(part.staffing.sergeants for part in parts)
    areas = f"{len(loaded.areas)} areas, " if loaded.areas else ""
    out.print(
        f"OK {scenario}: '{loaded.name}', {areas}{offenders} offenders{from_file}, "
        f"{managers} offender manager{'s' if managers != 1 else ''}, "
        f"{sergeants} sergeant{'s' if sergeants != 1 else ''}, "
        f"{loaded.horizon_days} days from {loaded.start_date}, priority {loaded.priority}",
        markup=False,
        highlight=False,
    )
    if loaded.variants:
        out.print(f"  variants (for compare): {', '.join(loaded.variants)}", highlight=False)
