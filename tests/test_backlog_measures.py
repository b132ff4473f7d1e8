"""The daily columns behind the inspectorate's measures, against reasoned cases.

The backlog by age (``overdue_visits_age_1_30`` ...), the oldest item by level, completions on
time and items falling due by level, the hours the schedule asks for, and the staff in post
and absent (sim/records.py, sim/model/backlog.py, counters.py, demand.py). Expected numbers
come from the rules: an item due on day D is overdue at the end of day t when t > D, and is
then t - D days overdue; the schedule's hours are the register times per-offender rates
worked out by hand; leave is exactly its working days a year.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import simulate
from scenario_factory import make_scenario, per_level

from sim.analysis.inspectorate import daily_due, measures_summary, on_time_share
from sim.levels import LEVELS, LOW
from sim.model.demand import DemandRates
from sim.model.offender import Offender
from sim.model.replication import Replication, single_run
from sim.records import AGE_BANDS, DAILY_COLUMNS

START = date(2024, 1, 1)
BANDS = [band for band, _, _ in AGE_BANDS]
# The bands as the inspectorate states them, written out here rather than read from the code.
BAND_DAYS = {"1_30": (1, 30), "31_90": (31, 90), "91_180": (91, 180), "over_180": (181, 10**9)}
MIX = {"very_high": 0.25, "high": 0.25, "medium": 0.25, "low": 0.25}


def _column(table: np.ndarray, name: str) -> np.ndarray:
    return table[:, DAILY_COLUMNS.index(name)]


# -- ample staff: everything on time, nothing ages ----------------------------------------------
def test_with_ample_staff_every_visit_is_on_time_and_no_backlog_ages():
    # 100 offenders, a quarter at each level with its own interval; 100 officers working every
    # day. Every visit and assessment is done on its due date (the base case's reasoning in
    # test_deterministic_cases.py), so every completion is on time, nothing becomes overdue,
    # every age band and oldest item is 0 and every share is 1, overall and by level.
    scenario = make_scenario(
        population={"initial": {"size": 100, "risk_mix": MIX}},
        visits={"interval_days": {"very_high": 20, "high": 30, "medium": 45, "low": 60}},
        assessments={"interval_days": {"very_high": 60, "high": 90, "medium": 120, "low": 180}},
    )
    frame = simulate(scenario)
    for work in ("visits", "assessments"):
        for level in LEVELS:
            done = frame[f"{work}_completed_{level}"]
            assert done.sum() > 0  # every level did work: the check is not vacuous
            assert (frame[f"{work}_completed_on_time_{level}"] == done).all()
            assert frame[f"{work}_became_overdue_{level}"].sum() == 0
            assert frame[f"oldest_overdue_{work[:-1]}_days_{level}"].max() == 0
    ages = [c for c in frame.columns if "_age_" in c]
    assert len(ages) == 4 + 16 + 4 and frame[ages].to_numpy().max() == 0
    summary = measures_summary(frame)
    shares = summary[summary["metric"].str.contains("on_time_share")]
    assert len(shares) == 10 * summary["period"].nunique()  # overall and by level, each period
    assert np.allclose(shares["mean"], 1.0)


# -- a backlog of known ages --------------------------------------------------------------------
# (level, days overdue on day 0 or, negative, days until due) of each offender's visit, and of
# their assessment. No staff, so nothing is ever done and each item ages a day a day.
KNOWN = [
    ("very_high", 1, 40),
    ("very_high", 30, -3),
    ("high", 31, 200),
    ("high", 90, 0),
    ("high", -5, 91),
    ("medium", 91, 181),
    ("medium", 180, -100),
    ("medium", 181, 5),
    ("low", 400, 31),
    ("low", -40, 180),
]


def _caseload(tmp_path: Path) -> Path:
    rows = ["risk_level,last_visit,next_visit_due,next_assessment_due,notification_end"]
    for level, visit_overdue, assessment_overdue in KNOWN:
        visit_due = START - timedelta(days=visit_overdue)
        assessment_due = START - timedelta(days=assessment_overdue)
        rows.append(f"{level},,{visit_due},{assessment_due},")
    path = tmp_path / "caseload.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def _expected_ages(day: int, overdue_on_day_0: list[int]) -> list[int]:
    """Days overdue at the end of ``day`` of the items overdue then (due day D = -overdue)."""
    return [day + d for d in overdue_on_day_0 if day + d >= 1]


def _in_band(ages: list[int], band: str) -> int:
    first, last = BAND_DAYS[band]
    return sum(1 for age in ages if first <= age <= last)


def test_a_backlog_of_known_ages_lands_in_the_right_bands(tmp_path):
    horizon = 200
    scenario = make_scenario(
        horizon_days=horizon,
        population={"initial": None, "initial_caseload": str(_caseload(tmp_path))},
        staffing={"offender_managers": 0},
    )
    table = single_run(scenario, 0).table
    for day in (0, 1, 5, 6, 30, 59, 60, 89, 90, 91, 150, horizon - 1):
        visits = [(level, d) for level, d, _ in KNOWN]
        every = _expected_ages(day, [d for _, d in visits])
        for band in BANDS:
            assert _column(table, f"overdue_visits_age_{band}")[day] == _in_band(every, band)
        for level in LEVELS:
            ages = _expected_ages(day, [d for name, d in visits if name == level])
            for band in BANDS:
                column = _column(table, f"overdue_visits_{level}_age_{band}")
                assert column[day] == _in_band(ages, band), (day, level, band)
            oldest = _column(table, f"oldest_overdue_visit_days_{level}")[day]
            assert oldest == max(ages, default=0)
        assert _column(table, "oldest_overdue_visit_days")[day] == max(every)
        assessments = [(level, d) for level, _, d in KNOWN]
        every = _expected_ages(day, [d for _, d in assessments])
        for band in BANDS:
            assert _column(table, f"overdue_assessments_age_{band}")[day] == _in_band(every, band)
        for level in LEVELS:
            ages = _expected_ages(day, [d for name, d in assessments if name == level])
            oldest = _column(table, f"oldest_overdue_assessment_days_{level}")[day]
            assert oldest == max(ages, default=0)
    # hand-checked corner: on day 0 the visits are 1, 30 | 31, 90 | 91, 180, 181 | 400 overdue
    assert [_column(table, f"overdue_visits_age_{band}")[0] for band in BANDS] == [2, 2, 2, 2]
    # and the one due in 5 days is overdue (1 day) from day 6, not before
    assert _column(table, "overdue_visits_high_age_1_30")[5] == 0
    assert _column(table, "overdue_visits_high_age_1_30")[6] == 1


# -- everything on: the counts match a scan of the register -------------------------------------
BUSY = {
    "horizon_days": 300,
    "population": {
        "initial": {
            "size": 240,
            "risk_mix": MIX,
            "overdue_visits": {"count": 60, "max_days_overdue": 250},
            "overdue_assessments": {"count": 30, "max_days_overdue": 200},
        },
        "registrations": {"per_year": 120, "risk_mix": MIX},
        "other_exit_rate_per_year": 0.3,
        "reactive_after_years": 0.2,
        "escalation_rate_per_year": {"very_high": 0.0, "high": 1.0, "medium": 1.0, "low": 1.0},
        "deescalation_rate_per_year": {"very_high": 1.0, "high": 1.0, "medium": 1.0, "low": 0},
    },
    "visits": {
        "interval_days": {"very_high": 30, "high": 60, "medium": 90, "low": 120},
        "out_probability": per_level(0.3),
        "police_action_probability": per_level(0.3),
        "custody": {
            "share_of_police_actions": per_level(0.4),
            "spell_days": {"dist": "uniform", "low": 5, "high": 60},
            "follow_up_hours": 2.0,
        },
    },
    "assessments": {"interval_days": per_level(90)},
    "staffing": {
        "offender_managers": 3,
        "sergeants": 1,
        "caseloads": "personal",
        "absences": {
            "annual_leave": {"workdays_per_year": 25, "block_workdays": 5},
            "sickness": {"spells_per_year": 3, "spell_workdays": 4},
        },
        "turnover": {"leaving_rate_per_year": 1.0, "vacancy_days": 20, "training_days": 10},
    },
}


class _Scan:
    """Every offender put on the register, and what a scan of them says at each day's end."""

    def __init__(self, world: Replication) -> None:
        self.offenders: list[Offender] = []
        self.level_moves_while_overdue = 0
        self.custody_spells = 0
        self.failures: list[str] = []
        self.rates = DemandRates.of(world.scenario)
        join, counters = world.join, world.shared.counters
        snapshot, level_changed = counters.snapshot, counters.level_changed
        custody_started = counters.custody_started

        def joining(offender: Offender, *args: float) -> None:
            self.offenders.append(offender)
            join(offender, *args)

        def moved(offender: Offender, old_level: int) -> None:
            self.level_moves_while_overdue += offender.visit_overdue or offender.assessment_overdue
            level_changed(offender, old_level)

        def into_custody(offender: Offender) -> None:
            self.custody_spells += 1
            custody_started(offender)

        def snapshot_then_scan(day: int, staff: tuple[int, ...]) -> None:
            snapshot(day, staff)
            self.check(day, counters.table[day])

        world.join = joining  # type: ignore[method-assign]
        counters.level_changed = moved  # type: ignore[method-assign]
        counters.snapshot = snapshot_then_scan  # type: ignore[method-assign]
        counters.custody_started = into_custody  # type: ignore[method-assign]

    def check(self, day: int, row: np.ndarray) -> None:
        value = dict(zip(DAILY_COLUMNS, row.tolist(), strict=True))
        active = [o for o in self.offenders if o.active]
        expected: dict[str, float] = {}
        for work, due, flag in (
            ("visit", "visit_due_day", "visit_overdue"),
            ("assessment", "assessment_due_day", "assessment_overdue"),
        ):
            overdue = [(o.level, day - getattr(o, due)) for o in active if getattr(o, flag)]
            for index, level in enumerate(LEVELS):
                ages = [age for lv, age in overdue if lv == index]
                expected[f"oldest_overdue_{work}_days_{level}"] = max(ages, default=0)
                if work == "visit":
                    for band in BANDS:
                        expected[f"overdue_visits_{level}_age_{band}"] = _in_band(ages, band)
            for band in BANDS:
                ages = [age for _, age in overdue]
                expected[f"overdue_{work}s_age_{band}"] = _in_band(ages, band)
        hours = 0.0
        for o in active:
            if not o.in_custody:
                hours += self.rates.assessment_hours_per_day[o.level]
                if not o.reactive:
                    hours += self.rates.visit_hours_per_day[o.level]
        expected["scheduled_hours_demand"] = hours
        for name, wanted in expected.items():
            if not np.isclose(value[name], wanted):
                self.failures.append(f"day {day}: {name} is {value[name]}, a scan says {wanted}")


def test_the_daily_counts_match_a_scan_of_every_offender_each_day():
    # With every mechanism on (registrations, exits, escalation found at sergeants'
    # assessments while visits are overdue, de-escalation, reactive management, custody,
    # personal caseloads, absences, turnover) the counts kept on transitions must equal what
    # a scan of every offender finds at the end of each day: ages by band and level, the
    # oldest by level, and the hours the schedule asks for (the register's offenders on the
    # community caseload times their level's rates).
    scenario = make_scenario(**BUSY)
    world = Replication(scenario, 0)
    scan = _Scan(world)
    world.populate()
    table = world.run()
    assert scan.failures == []
    # the hard paths were exercised: level changes of overdue items, custody, aged backlog
    assert scan.level_moves_while_overdue > 0
    assert scan.custody_spells > 0
    assert _column(table, "overdue_visits_age_over_180").max() > 0
    assert _column(table, "reactive").max() > 0


def test_by_level_counts_add_up_to_the_totals_and_on_time_never_exceeds_completions():
    table = pd.DataFrame(single_run(make_scenario(**BUSY), 1).table, columns=list(DAILY_COLUMNS))
    for work in ("visits", "assessments"):
        for count in ("completed", "became_overdue"):
            by_level = table[[f"{work}_{count}_{level}" for level in LEVELS]].sum(axis=1)
            assert (by_level == table[f"{work}_{count}"]).all()
        for level in LEVELS:
            on_time = table[f"{work}_completed_on_time_{level}"]
            assert (on_time <= table[f"{work}_completed_{level}"]).all()
        bands = table[[f"overdue_{work}_age_{band}" for band in BANDS]].sum(axis=1)
        assert (bands == table[f"overdue_{work}"]).all()
        oldest = table[[f"oldest_overdue_{work[:-1]}_days_{level}" for level in LEVELS]]
        assert (oldest.max(axis=1) == table[f"oldest_overdue_{work[:-1]}_days"]).all()
    for level in LEVELS:
        bands = table[[f"overdue_visits_{level}_age_{band}" for band in BANDS]].sum(axis=1)
        assert (bands == table[f"overdue_visits_{level}"]).all()
    assert table["visits_completed"].sum() > table["visits_completed_on_time_low"].sum() > 0


def _without_new_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as an older results folder has it: no on-time counts (derived shares)."""
    return frame.drop(columns=[c for c in frame.columns if "on_time" in c])


@pytest.mark.parametrize("exits", [False, True])
def test_the_exact_share_is_the_derived_one_unless_overdue_offenders_leave(exits):
    # The derived count of late work is the day's fall in the backlog plus what became
    # overdue: late completions, plus overdue items of offenders who left the register. So
    # from day 1 on the derived on-time count is at most the counted one, and equal to it when
    # nobody leaves; level changes move items between levels and leave the total alone.
    # Custody is off: an assessment queued before custody and done during it was no longer
    # due, so it is neither on time nor late, which the derived count cannot tell.
    population = BUSY["population"] | ({} if exits else {"other_exit_rate_per_year": 0.0})
    visits = BUSY["visits"] | {"custody": None}
    scenario = make_scenario(**(BUSY | {"population": population, "visits": visits}))
    frame = simulate(scenario)
    assert (frame["exits"].sum() > 0) == exits
    for work in ("visits", "assessments"):
        exact = daily_due(frame, work).set_index("day")
        derived = daily_due(_without_new_columns(frame), work).set_index("day")
        counted = exact.loc[derived.index, "on_time"]
        assert (derived["on_time"] <= counted).all()
        if not exits:
            assert (derived["on_time"] == counted).all()
    derived_share = on_time_share(_without_new_columns(frame), "visits")
    exact_share = on_time_share(frame, "visits")
    assert ((derived_share < exact_share) if exits else (derived_share == exact_share)).all()


# -- the hours the schedule asks for ------------------------------------------------------------
def test_scheduled_hours_and_capacity_follow_the_hand_arithmetic():
    # 50 medium-risk offenders, a visit every 30 days by 2 officers, out half the time: a visit
    # takes 1 / (1 - 0.5) = 2 attempts, each 1 h travel + 0.5 h write-up = 1.5 h, the failed
    # one 0.5 h at the door, the successful one 1 h on site, and police action (chance 0.2)
    # 2 h more: 2 x 1.5 + 1 x 0.5 + 1 + 0.2 x 2 = 4.9 h per officer, 9.8 officer-hours a visit,
    # 9.8 / 30 a day. An assessment of 3 h a year (365 days). 4 officers at 7.5 h x 0.8 every
    # day give 24 h a day. Nobody joins, leaves or changes level and custody is off, so every
    # day asks for 50 x (9.8 / 30 + 3 / 365) hours.
    scenario = make_scenario(
        horizon_days=120,
        visits={
            "officers_per_visit": 2,
            "out_probability": per_level(0.5),
            "police_action_probability": per_level(0.2),
            "police_action_hours": 2.0,
        },
        staffing={"offender_managers": 4, "availability": 0.8},
    )
    per_day = 50 * (9.8 / 30 + 3 / 365)
    frame = simulate(scenario)
    assert np.allclose(frame["scheduled_hours_demand"], per_day, atol=0.005)  # CSV: 0.01 h
    summary = measures_summary(frame).set_index(["period", "metric"])
    capacity = summary.loc[("end", "work_needed_share_of_capacity"), "mean"]
    assert capacity == pytest.approx(round(per_day, 2) / 24)  # the table's hours: to 0.01 h


def test_reactive_offenders_ask_for_assessments_only_and_custody_follow_up_counts():
    # 40 low-risk offenders, half under reactive management (no scheduled visits) and nobody
    # ever leaving it. Visits every 60 days by one officer, always in (2.5 h), police action
    # (chance 0.5) of 1 h: 3 h a visit, so each day asks for 20 x 3 / 60 + 40 x 3 / 365 hours.
    # With a quarter of police actions ending in custody and 4 h of follow-up each, a visit
    # takes 2.5 + 0.5 x (1 + 0.25 x 4) = 3.5 h.
    low_only = {"very_high": 0.0, "high": 0.0, "medium": 0.0, "low": 1.0}
    scenario = make_scenario(
        horizon_days=30,
        population={"initial": {"size": 40, "risk_mix": low_only, "reactive_share_of_low": 0.5}},
        visits={"interval_days": per_level(60), "police_action_probability": per_level(0.5)},
    )
    frame = simulate(scenario)
    assert (frame["reactive"] == 20).all()
    expected = 20 * 3 / 60 + 40 * 3 / 365
    assert np.allclose(frame["scheduled_hours_demand"], expected, atol=0.005)
    custody = {"share_of_police_actions": per_level(0.25), "spell_days": 10, "follow_up_hours": 4}
    with_custody = make_scenario(
        visits={"interval_days": per_level(60), "custody": custody}
        | {"police_action_probability": per_level(0.5)}
    )
    rates = DemandRates.of(with_custody)
    assert rates.visit_hours_per_day[LOW] == pytest.approx(3.5 / 60)
    assert rates.assessment_hours_per_day[LOW] == pytest.approx(3 / 365)


# -- staff in post and absent -------------------------------------------------------------------
def test_staff_absent_add_up_to_the_leave_taken():
    # Leave only: each officer takes exactly 25 working days in the leave year, which is the
    # 365-day horizon, so the daily absent counts add up to officers x 25, and each working
    # day's available hours are the officers at work times their daily hours.
    scenario = make_scenario(
        horizon_days=365,
        population={"initial": {"size": 10}},
        staffing={
            "offender_managers": 3,
            "sergeants": 2,
            "sergeant_assessment_share": 1.0,
            "working_days": ["mon", "tue", "wed", "thu", "fri"],
            "absences": {"annual_leave": {"workdays_per_year": 25, "block_workdays": 5}},
        },
    )
    frame = simulate(scenario)
    assert frame["offender_managers_absent"].sum() == 3 * 25
    assert frame["sergeants_absent"].sum() == 2 * 25
    weekend = frame["day"] % 7 >= 5  # 2024-01-01 is a Monday
    assert frame.loc[weekend, ["offender_managers_absent", "sergeants_absent"]].sum().sum() == 0
    at_work = (
        frame["offender_managers"]
        - frame["offender_managers_absent"]
        + frame["sergeants"]
        - frame["sergeants_absent"]
    )
    working = ~weekend
    assert np.allclose(frame.loc[working, "officer_hours_available"], 7.5 * at_work[working])
    assert (frame["offender_managers_in_post"] == 3).all() and (
        frame["sergeants_in_post"] == 2
    ).all()


def test_recruits_are_in_post_from_the_change_and_productive_after_training():
    # Two managers join on 1 February (day 31) with 10 days of training: in post from the end
    # of day 31, productive from day 41 (hired at the start of day 41).
    scenario = make_scenario(
        horizon_days=60,
        staffing={
            "offender_managers": 4,
            "changes": [{"date": "2024-02-01", "offender_managers": 2, "training_delay_days": 10}],
        },
    )
    frame = simulate(scenario)
    day = frame["day"]
    assert (frame["offender_managers_in_post"] == np.where(day >= 31, 6, 4)).all()
    assert (frame["offender_managers"] == np.where(day >= 41, 6, 4)).all()


def test_a_replacement_is_in_post_for_the_training_days_before_being_productive():
    # One manager leaving about four times a year, 10 days vacant, 5 in training: each spell
    # of 15 days with nobody productive is 10 days with nobody in post, then 5 with the
    # replacement in post but training (test_turnover.py checks the 15).
    scenario = make_scenario(
        horizon_days=3 * 365,
        population={"initial": {"size": 0}},
        staffing={
            "offender_managers": 1,
            "turnover": {"leaving_rate_per_year": 4.0, "vacancy_days": 10, "training_days": 5},
        },
    )
    table = single_run(scenario, 0).table
    productive = _column(table, "offender_managers")
    in_post = _column(table, "offender_managers_in_post")
    spells = 0
    day = 0
    while day < len(productive):
        if productive[day] == 0:
            length = int(np.argmax(productive[day:] > 0)) or len(productive) - day
            if day + length < len(productive):  # a whole spell, not cut by the horizon
                assert in_post[day : day + length].tolist() == [0] * 10 + [1] * 5
                spells += 1
            day += length
        else:
            assert in_post[day] == 1
            day += 1
    assert spells >= 5


# -- where people read them ---------------------------------------------------------------------
def test_the_report_gives_ages_by_level_and_capacity_and_an_older_folder_leaves_them_out():
    from sim.format import human_number
    from sim.report.data import Results
    from sim.report.measures import inspectorate_section

    frame = simulate(make_scenario(**BUSY), replications=2)
    manifest = {"scenario": {"start_date": str(START)}}
    section = inspectorate_section(Results(Path("."), manifest, frame, pd.DataFrame(), None))
    last = frame[frame["day"] == frame["day"].max()]
    rows = {row[0]: row for row in section["ages"]}
    for level, name in zip(LEVELS, ("very high", "high", "medium", "low"), strict=True):
        ages = [last[f"overdue_visits_{level}_age_{band}"].mean() for band in BANDS]
        assert rows[f"visits, {name}"][1:5] == [human_number(age) for age in ages]
    everything = [last[f"overdue_visits_age_{band}"].mean() for band in BANDS]
    assert rows["visits, all levels"][1:6] == [
        *(human_number(age) for age in everything),
        human_number(last["oldest_overdue_visit_days"].mean()),
    ]
    assert sum(everything) > 0  # a backlog to show
    assert any(s.startswith("Work needed against capacity") for s in section["sentences"])
    older = frame.drop(columns=[c for c in frame.columns if "on_time" in c])
    section = inspectorate_section(Results(Path("."), manifest, older, pd.DataFrame(), None))
    assert section["ages"] == [] and not section["exact"]
    assert not any("capacity" in s for s in section["sentences"])


def test_run_prints_and_writes_the_new_measures(tmp_path):
    from openpyxl import load_workbook
    from repo import SMALL, runner

    from run_sim import app

    out = tmp_path / "small"
    args = ["run", str(SMALL), "--replications", "2", "--workers", "1", "--no-report"]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "work needed / capacity" in result.output
    assert "Overdue visits by days overdue" in result.output
    summary = pd.read_csv(out / "summary.csv")
    metrics = set(summary["metric"])
    assert {"work_needed_share_of_capacity", "visits_on_time_share_very_high"} <= metrics
    assert {"overdue_visits_age_over_180", "offender_managers_in_post"} <= metrics
    headline = [
        list(r) for r in load_workbook(out / "summary.xlsx")["Headline"].iter_rows(values_only=True)
    ]
    labels = {row[0] for row in headline}
    assert {"visits, very high", "visits, all levels", "assessments, all"} <= labels


def test_the_summary_of_the_measures_is_each_periods_own_ratio():
    # measures_summary computes every period at once; each row must be the same as taking
    # the period's rows alone: per replication, on time over on time plus became overdue
    # (by level too), hours asked for over hours available; high-risk backlog on its last day.
    from sim.analysis.inspectorate import LEVEL_SHARE_MEASURES, SHARE_MEASURES, capacity_share
    from sim.analysis.summary import describe

    frame = simulate(make_scenario(**(BUSY | {"horizon_days": 100})), replications=3)
    summary = measures_summary(frame).set_index(["period", "metric"])
    months = pd.to_datetime(frame["date"]).dt.strftime("%Y-%m")
    periods = [("end", frame), *((str(m), part) for m, part in frame.groupby(months))]
    assert summary.index.get_level_values("period").unique().tolist() == [p for p, _ in periods]
    for period, part in periods:
        expected = {}
        for metric in (*SHARE_MEASURES, *LEVEL_SHARE_MEASURES):
            work, level = metric.split("_on_time_share")
            values = on_time_share(part, work, level.lstrip("_") or None).dropna()
            if len(values):
                expected[metric] = describe(values.to_numpy())
        expected["work_needed_share_of_capacity"] = describe(capacity_share(part).to_numpy())
        last = part[part["day"] == part["day"].max()]
        for work in ("visits", "assessments"):
            high = last[f"overdue_{work}_very_high"] + last[f"overdue_{work}_high"]
            expected[f"overdue_{work}_high_risk"] = describe(high.to_numpy(dtype=float))
        rows = summary.loc[period]
        assert set(rows.index) == set(expected)
        for metric, stats in expected.items():
            for key in ("mean", "p5", "p95", "replications"):
                assert rows.loc[metric, key] == pytest.approx(stats[key]), (period, metric, key)
