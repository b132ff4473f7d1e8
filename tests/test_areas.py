"""Areas: several forces (or teams) in one scenario, each with its own caseload and staff.

Expected numbers come from the rules: an area is the top-level sections with its own changes;
areas share no staff; the total is the sum of the areas (the oldest item is the oldest of any
area); an area's numbers depend only on its own name and settings, not on the other areas.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import simulate
from repo import runner
from scenario_factory import make_scenario, scenario_dict

from sim.analysis.metrics import total_only
from sim.analysis.summary import summarise
from sim.model.replication import single_run
from sim.records import DAILY_COLUMNS, OLDEST_COLUMNS
from sim.scenario.file import ScenarioError, parse_scenario


def _area(name: str, size: int, managers: int, **population) -> dict:
    return {
        "name": name,
        "population": {"initial": {"size": size}, **population},
        "staffing": {"offender_managers": managers},
    }


def test_an_area_is_the_top_level_with_its_own_changes():
    scenario = make_scenario(
        areas=[_area("north", 20, 3), {"name": "south", "staffing": {"availability": 0.5}}]
    )
    (north_name, north), (south_name, south) = scenario.area_scenarios()
    assert (north_name, south_name) == ("north", "south")
    assert north.population.initial.size == 20 and north.staffing.offender_managers == 3
    # what north did not change comes from the top level
    assert north.staffing.hours_per_day == scenario.staffing.hours_per_day
    assert north.population.initial.risk_mix == scenario.population.initial.risk_mix
    # south changed only availability: its caseload and staff are the top level's
    assert south.population.initial.size == scenario.population.initial.size
    assert south.staffing.offender_managers == scenario.staffing.offender_managers
    assert south.staffing.availability == 0.5
    assert north.areas == [] and south.areas == []


def test_visits_in_areas_add_up_to_the_same_caseload_undivided():
    # Deterministic base: everyone medium risk, always in, a visit every 30 days on the due
    # date, ample staff every day. First due dates fall in days 0-29, so each offender is
    # visited on days d0, d0+30, ..., d0+330: 12 visits in 360 days, however the 50 offenders
    # are split between areas.
    whole = simulate(make_scenario())
    split = simulate(make_scenario(areas=[_area("a", 20, 50), _area("b", 30, 50)]))
    assert whole["visits_completed"].sum() == 12 * 50
    totals = total_only(split)
    assert totals["visits_completed"].sum() == 12 * 50
    by_area = split[split["area"] != "total"].groupby("area")["visits_completed"].sum()
    assert by_area.to_dict() == {"a": 12 * 20, "b": 12 * 30}
    assert (totals["population"] == 50).all()


def test_areas_do_not_share_staff():
    # Area "none" has no offender managers: its offenders are never visited, although the
    # other area's officers have hours to spare.
    frame = simulate(make_scenario(areas=[_area("none", 20, 0), _area("ample", 20, 50)]))
    attempts = frame.groupby("area")["visit_attempts"].sum()
    assert attempts["none"] == 0
    assert attempts["ample"] > 0
    assert attempts["total"] == attempts["ample"]


def _mixed_areas(*areas: dict):
    """Random enough to make every column move: risk mix, outs, exits, escalation, scarcity."""
    mix = {"very_high": 0.05, "high": 0.25, "medium": 0.5, "low": 0.2}
    return make_scenario(
        horizon_days=150,
        population={
            "initial": {
                "size": 60,
                "risk_mix": mix,
                "overdue_visits": {"count": 10, "max_days_overdue": 90},
            },
            "registrations": {"per_year": 40, "risk_mix": mix},
            "other_exit_rate_per_year": 0.3,
            "escalation_rate_per_year": {"very_high": 0, "high": 1, "medium": 1, "low": 1},
        },
        visits={"out_probability": {"very_high": 0.3, "high": 0.3, "medium": 0.3, "low": 0.3}},
        staffing={"offender_managers": 2},
        areas=list(areas),
    )


def test_the_total_is_the_sum_of_the_areas_and_the_oldest_is_the_oldest():
    record = single_run(_mixed_areas(_area("a", 60, 2), _area("b", 40, 1)), 0)
    a, b = record.area_tables["a"], record.area_tables["b"]
    oldest = [DAILY_COLUMNS.index(column) for column in OLDEST_COLUMNS]
    adding = [i for i in range(len(DAILY_COLUMNS)) if i not in oldest]
    assert np.allclose(record.table[:, adding], a[:, adding] + b[:, adding])
    assert np.array_equal(record.table[:, oldest], np.maximum(a[:, oldest], b[:, oldest]))
    assert a[:, oldest].max() > 0 and b[:, oldest].max() > 0  # the check was not vacuous


def test_an_area_does_not_depend_on_the_other_areas():
    # Each area's random streams are keyed by its name, so adding an area, or changing
    # another one, leaves an area's results exactly as they were.
    alone = single_run(_mixed_areas(_area("a", 60, 2)), 0).area_tables["a"]
    with_b = single_run(_mixed_areas(_area("a", 60, 2), _area("b", 40, 1)), 0).area_tables["a"]
    b_first = single_run(_mixed_areas(_area("b", 90, 5), _area("a", 60, 2)), 0).area_tables["a"]
    assert np.array_equal(alone, with_b)
    assert np.array_equal(alone, b_first)
    other = single_run(_mixed_areas(_area("c", 60, 2)), 0).area_tables["c"]
    assert not np.array_equal(alone, other)  # same settings, another name: other numbers


def test_outputs_have_an_area_column_only_when_there_are_areas():
    single = simulate(make_scenario(horizon_days=30))
    assert "area" not in single.columns
    assert total_only(single) is single
    assert "area" not in summarise(single).columns

    frame = simulate(make_scenario(horizon_days=30, areas=[_area("a", 20, 5), _area("b", 30, 5)]))
    assert list(frame.columns[:4]) == ["replication", "area", "day", "date"]
    assert list(dict.fromkeys(frame["area"])) == ["total", "a", "b"]
    assert len(frame) == 3 * 30
    summary = summarise(frame)
    assert list(dict.fromkeys(summary["area"])) == ["total", "a", "b"]
    end = summary[(summary["period"] == "end") & (summary["metric"] == "population")]
    assert end.set_index("area")["mean"].to_dict() == {"total": 50, "a": 20, "b": 30}


def _problems(**changes) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(scenario_dict(**changes), "areas.yaml")
    return [str(problem) for problem in caught.value.problems]


def test_area_mistakes_name_the_area_field():
    problems = _problems(areas=[_area("a", 20, -1), {"name": "b", "staffing": {"ofender": 1}}])
    assert any(
        p.startswith("areas.yaml: areas.0.staffing.offender_managers: Input should be greater")
        for p in problems
    )
    unknown = "areas.yaml: areas.1.staffing.ofender: unknown field"
    assert any(p.startswith(unknown) for p in problems)


def test_a_top_level_mistake_is_reported_once_not_once_per_area():
    data = scenario_dict(areas=[_area("a", 20, 1), _area("b", 20, 1), _area("c", 20, 1)])
    data["staffing"]["availability"] = 3
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data, "areas.yaml")
    fields = [problem.field for problem in caught.value.problems]
    assert fields == ["staffing.availability"]


@pytest.mark.parametrize(
    "names, message",
    [(["a", "a"], "repeated: a"), (["total"], "'total' is kept for the sum of the areas")],
)
def test_area_names_are_unique_and_not_total(names, message):
    problems = _problems(areas=[{"name": name} for name in names])
    assert any(p.startswith("areas.yaml: areas:") and message in p for p in problems)


def test_the_national_scenario_has_43_forces_adding_up_to_the_published_total():
    # MoJ MAPPA statistics: 70,052 registered sex offenders in England and Wales at
    # 31 March 2024, in 43 territorial police forces. The file's method (its header): each
    # force's registrations are 12% of its caseload a year and its offender managers one per 50.
    from sim.scenario.file import load_scenario

    scenario = load_scenario("scenarios/england_wales_2024.yaml")
    parts = scenario.area_scenarios()
    assert len(parts) == 43
    assert sum(part.population.initial.size for _, part in parts) == 70_052
    for name, part in parts:
        size = part.population.initial.size
        assert part.population.registrations.per_year == round(0.12 * size), name
        assert part.staffing.offender_managers == max(1, round(size / 50)), name
    assert scenario.horizon_days == 5 * 365 + 1  # 2024-04-01 to 2029-03-31, one leap day


def test_run_with_areas_writes_area_rows_and_a_report(tmp_path):
    # The command line end to end: per-area and total rows in both tables, and the report and
    # the printed summary (which describe the whole scenario) still work.
    import pandas as pd
    import yaml

    from run_sim import app

    data = yaml.safe_load(open("scenarios/small_example.yaml"))
    data["horizon_days"] = 40
    data["areas"] = [
        {"name": "north", "population": {"initial": {"size": 120}}},
        {"name": "south", "population": {"initial": {"size": 80}}},
    ]
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(data))
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["run", str(path), "--replications", "2", "--out", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert "population" in result.output
    frame = pd.read_csv(out / "trajectories.csv")
    assert set(frame["area"]) == {"total", "north", "south"}
    day0 = frame[frame["day"] == 0].groupby("area")["population"].first()
    assert day0["north"] >= 120 and day0["south"] >= 80  # plus any day-0 registrations
    assert day0["total"] == day0["north"] + day0["south"]
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary["area"]) == {"total", "north", "south"}
    assert (out / "report.html").is_file()

    check = runner.invoke(app, ["validate", str(path)])
    assert check.exit_code == 0
    assert "2 areas, 200 offenders" in check.output


def test_stored_replications_keep_their_areas(tmp_path):
    # A resumed batch reads finished replications back from the store: with areas it must get
    # every area's table back, not only the total, or its trajectories would lose the areas.
    from sim.experiments.store import ReplicationStore

    scenario = make_scenario(horizon_days=20, areas=[_area("a", 20, 5), _area("b", 30, 5)])
    record = single_run(scenario, 3)
    store = ReplicationStore(tmp_path)
    store.save(scenario, record)
    loaded = store.load(scenario, 3)
    assert loaded is not None and np.array_equal(loaded.table, record.table)
    assert list(loaded.area_tables) == ["a", "b"]
    for name, table in record.area_tables.items():
        assert np.array_equal(loaded.area_tables[name], table)
    renamed = make_scenario(horizon_days=20, areas=[_area("a", 20, 5), _area("c", 30, 5)])
    assert store.load(renamed, 3) is None  # another scenario never reads these


def test_a_written_scenario_keeps_areas_as_changes_so_top_level_changes_reach_them():
    # The manifest and variants write the scenario out and read it back. Areas are written as
    # what they change, so the copy is equal, and a change to a top-level section reaches the
    # areas that inherit it but not an area that sets its own value.
    from sim.scenario import Scenario

    scenario = make_scenario(
        areas=[_area("a", 20, 3), {"name": "b", "staffing": {"availability": 0.5}}]
    )
    written = scenario.model_dump(mode="json")
    assert written["areas"][0] == {
        "name": "a",
        "population": {"initial": {"size": 20}},
        "staffing": {"offender_managers": 3},
    }
    assert Scenario.model_validate(written) == scenario
    changed = dict(scenario.with_changes({"staffing.availability": 0.8}).area_scenarios())
    assert changed["a"].staffing.availability == 0.8  # inherited: follows the top level
    assert changed["b"].staffing.availability == 0.5  # its own value stays


def test_areas_run_side_by_side_give_the_same_records():
    # The experiment engine gives each area of each replication to the executor separately;
    # since areas are independent, two worker processes must reproduce single_run exactly.
    from sim.experiments.batch import run_replications
    from sim.experiments.executors import ProcessExecutor

    scenario = _mixed_areas(_area("a", 60, 2), _area("b", 40, 1), _area("c", 30, 1))
    with ProcessExecutor(2) as executor:
        records = run_replications(scenario, 2, executor=executor)
    for record in records:
        alone = single_run(scenario, record.replication)
        assert np.array_equal(record.table, alone.table)
        assert list(record.area_tables) == ["a", "b", "c"]
        for name, table in alone.area_tables.items():
            assert np.array_equal(record.area_tables[name], table)
        assert record.simpy_events == alone.simpy_events


def test_replications_of_a_scenario_with_areas_differ_in_every_area():
    # Replication r of an area draws from streams keyed by (seed, r, area name, stream name):
    # another replication is another sample, so every area's table differs, and so does the
    # total; otherwise every confidence interval over replications would have zero width.
    scenario = _mixed_areas(_area("a", 60, 2), _area("b", 40, 1))
    first, second = single_run(scenario, 0), single_run(scenario, 1)
    for area in ("a", "b"):
        assert not np.array_equal(first.area_tables[area], second.area_tables[area]), area
    assert not np.array_equal(first.table, second.table)
    again = single_run(scenario, 1)  # and the same replication is the same sample
    assert np.array_equal(second.table, again.table)
