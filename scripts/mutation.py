"""Mutation check: do the tests fail when the model, the analysis or the validation is wrong?

Each mutant below is one plausible slip (a dropped term, a flipped comparison, a wrong
argument), written as an exact piece of source and what it becomes. For each mutant the
script copies the checkout to a temporary folder (the working tree is never edited), applies
the one change there, and runs the tests that cover that code (``pytest -x -q``, chosen files
per mutant, one core each). A mutant is *killed* when a test fails (or the tests hang past the
time limit: a model that never ends is noticed too), and *survives* when every test passes.

The shipped-calibration regression (tests/test_shipped_calibration.py) is never run here: a
model bug must fail a unit test, not only move the calibrated figures.

    python scripts/mutation.py                 # every mutant, one at a time (about 15 min)
    python scripts/mutation.py --jobs 2        # two at a time (two copies of the checkout)
    python scripts/mutation.py --only window   # the mutants whose name contains "window"
    python scripts/mutation.py --list          # the mutants, without running anything

It exits 1 if the score is below 90% or a mutant no longer applies (its source text is not
found exactly once: the list must follow the code). Not run in CI: it takes minutes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SCORE = 0.90
TIMEOUT_SECONDS = 600

# Test files by what they cover (each runs in a few seconds).
DETERMINISTIC = "tests/test_deterministic_cases.py"
REGISTER = "tests/test_register.py"
BRING_FORWARD = "tests/test_bring_forward.py"
POLICIES = "tests/test_policies.py"
WORKFORCE = "tests/test_workforce.py"
AREAS = "tests/test_areas.py"
STREAMS = "tests/test_streams.py"
AGENDA = "tests/test_agenda.py"
INVARIANTS = "tests/test_invariants.py"
RULES = "tests/test_scenario_rules.py"
SCHEMA = "tests/test_schema.py"
STATISTICS = "tests/test_statistics.py"
PERIODS = "tests/test_periods.py"
SHARE = "tests/test_assessment_share.py"
QUEUEING = "tests/test_queueing_theory.py"
MODEL = (DETERMINISTIC, REGISTER, BRING_FORWARD, POLICIES)


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]
    issue: str = ""  # the behaviour under issue 17's "Why" that this mutant breaks


MUTANTS: list[Mutant] = [
    # -- sim/model: random streams -------------------------------------------------------------
    Mutant(
        "area streams ignore the replication",
        "sim/model/streams.py",
        "else (replication, stream_code(area))",
        "else (stream_code(area),)",
        (AREAS,),
        "replications of a scenario with areas must differ",
    ),
    Mutant(
        "offender streams ignore the offender id",
        "sim/model/streams.py",
        "return _random.Random((key << 64) | offender_id)",
        "return _random.Random(key << 64)",
        (STREAMS, *MODEL),
    ),
    # -- sim/model: who is on the register -----------------------------------------------------
    Mutant(
        "a registration's notification period starts at day 0",
        "sim/model/caseload.py",
        "notification_end = now + years * DAYS_PER_YEAR",
        "notification_end = years * DAYS_PER_YEAR",
        (REGISTER,),
        "new registrations must reach the end of their notification period",
    ),
    Mutant(
        "new registrations never reach the end of their notification period",
        "sim/model/caseload.py",
        "            return min(notification_end, other_exit)\n        return notification_end\n",
        "            return min(notification_end, other_exit)\n        return math.inf\n",
        (REGISTER,),
        "new registrations must reach the end of their notification period",
    ),
    Mutant(
        "the starting register serves whole notification periods",
        "sim/model/caseload.py",
        "years * served * DAYS_PER_YEAR",
        "years * DAYS_PER_YEAR",
        (REGISTER,),
    ),
    Mutant(
        "the oldest starting item is not the stated age",
        "sim/model/caseload.py",
        "days[0] = spec.max_days_overdue",
        "days[0] = spec.max_days_overdue - 1",
        (DETERMINISTIC,),
    ),
    Mutant(
        "the first visit of a registration is due from day 0",
        "sim/model/replication.py",
        "offender.visit_due_day = int(now) + self.scenario.visits.first_visit_due_days",
        "offender.visit_due_day = self.scenario.visits.first_visit_due_days",
        (REGISTER,),
    ),
    Mutant(
        "the first assessment of a registration is due from day 0",
        "sim/model/replication.py",
        "offender.assessment_due_day = int(now) + self.scenario.assessments.first_due_days",
        "offender.assessment_due_day = self.scenario.assessments.first_due_days",
        (REGISTER,),
    ),
    Mutant(
        "registrations are not thinned to the rate",
        "sim/model/registrations.py",
        "if rng.random() * highest < rate(env.now):",
        "if rng.random() * highest < highest:",
        (REGISTER,),
    ),
    # -- sim/model: the register's transitions -------------------------------------------------
    Mutant(
        "a visit is overdue on its due date",
        "sim/model/register.py",
        "becomes_overdue_at = offender.visit_due_day + 1",
        "becomes_overdue_at = offender.visit_due_day",
        (DETERMINISTIC,),
    ),
    Mutant(
        "a visit done before its due date still becomes overdue",
        "sim/model/register.py",
        "                and offender.visit_version == version\n",
        "",
        MODEL,
    ),
    Mutant(
        "a completed visit stays overdue",
        "sim/model/register.py",
        '        counters.add("visits_completed")\n'
        "        counters.visit_no_longer_overdue(offender)\n",
        '        counters.add("visits_completed")\n',
        MODEL,
    ),
    Mutant(
        "the next visit counts from the due date, not the completion",
        "sim/model/register.py",
        "offender.visit_due_day = int(now) + interval_days",
        "offender.visit_due_day = offender.visit_due_day + interval_days",
        (*MODEL, INVARIANTS),
    ),
    Mutant(
        "the next visit uses the level before a found escalation",
        "sim/model/register.py",
        "interval_days = self.shared.visit_params.interval_days[offender.level]",
        "interval_days = self.shared.visit_params.interval_days[level_before]",
        (*MODEL, INVARIANTS),
    ),
    Mutant(
        "the next assessment counts from the due date",
        "sim/model/register.py",
        "offender.assessment_due_day = int(self.env.now) + interval_days",
        "offender.assessment_due_day = offender.assessment_due_day + interval_days",
        (*MODEL, INVARIANTS),
    ),
    Mutant(
        "reactive management for every level",
        "sim/model/register.py",
        "            offender.level == LOW\n            and self.reactive_after_days",
        "            self.reactive_after_days",
        MODEL,
    ),
    Mutant(
        "police action calls for no assessment",
        "sim/model/register.py",
        '            counters.add("police_actions")\n'
        "            self.request_assessment_after_action(offender)\n",
        '            counters.add("police_actions")\n',
        (BRING_FORWARD, *MODEL),
    ),
    Mutant(
        "the assessment after police action is due from day 0",
        "sim/model/register.py",
        "due_day = int(self.env.now) + self.after_police_action_due_days",
        "due_day = self.after_police_action_due_days",
        (BRING_FORWARD, *MODEL),
    ),
    Mutant(
        "an early assessment may be pushed later",
        "sim/model/register.py",
        "if wakeup is not None and due_day < offender.assessment_due_day:",
        "if wakeup is not None and due_day != offender.assessment_due_day:",
        (BRING_FORWARD, *MODEL, INVARIANTS),
    ),
    Mutant(
        "every rise counts as another undetected escalation",
        "sim/model/register.py",
        "        if offender.escalated_at is None and offender.true_level < offender.level:\n"
        "            offender.escalated_at = self.env.now\n"
        "            self.counters.undetected_escalations += 1\n",
        "        self.counters.undetected_escalations += 1\n"
        "        if offender.escalated_at is None and offender.true_level < offender.level:\n"
        "            offender.escalated_at = self.env.now\n",
        (REGISTER,),
        "undetected escalations counted once per offender",
    ),
    Mutant(
        "a found escalation stays counted as undetected",
        "sim/model/register.py",
        "        counters.undetected_escalations -= 1\n        offender.escalated_at = None\n",
        "        offender.escalated_at = None\n",
        (REGISTER,),
        "undetected escalations counted once per offender",
    ),
    Mutant(
        "a found escalation does not change the level",
        "sim/model/register.py",
        "        offender.level = offender.true_level\n        counters.level_changed(",
        "        counters.level_changed(",
        (REGISTER, BRING_FORWARD),
    ),
    Mutant(
        "a visit brought forward may be due in the past",
        "sim/model/register.py",
        "due_day = max(int(self.env.now), last_visit_day + intervals[offender.level])",
        "due_day = last_visit_day + intervals[offender.level]",
        (BRING_FORWARD,),
        "a visit brought forward is never due in the past",
    ),
    Mutant(
        "a found escalation does not bring the visit forward",
        "sim/model/register.py",
        "            self._bring_visit_forward(offender, old_level)\n",
        "            pass\n",
        (BRING_FORWARD,),
    ),
    Mutant(
        "a reactive offender found escalated is not woken",
        "sim/model/register.py",
        "            succeed_now(reactivated)\n",
        "            pass\n",
        (REGISTER, *MODEL),
    ),
    Mutant(
        "a leaver stays on the register's counts",
        "sim/model/register.py",
        "            self.counters.left(offender)\n",
        "",
        (REGISTER,),
    ),
    Mutant(
        "nobody ever leaves",
        "sim/model/register.py",
        "if offender.exit_time < self.horizon_days:",
        "if offender.exit_time < 0:",
        (REGISTER,),
    ),
    Mutant(
        "escalations stop after an offender's exit time (equivalent: a leaver cannot rise)",
        "sim/model/register.py",
        "        if at < self.horizon_days and at < offender.exit_time:\n"
        "            version = offender.risk_version\n"
        "            self.shared.agenda.call_at(at, lambda: self._escalate(",
        "        if at < self.horizon_days:\n"
        "            version = offender.risk_version\n"
        "            self.shared.agenda.call_at(at, lambda: self._escalate(",
        (REGISTER, *MODEL),
    ),
    # -- sim/model: counters ---------------------------------------------------------------------
    Mutant(
        "a leaver's undetected escalation stays counted",
        "sim/model/counters.py",
        "        if offender.escalated_at is not None:\n"
        "            self.undetected_escalations -= 1\n",
        "",
        (REGISTER,),
        "undetected escalations counted once per offender",
    ),
    Mutant(
        "a leaver's overdue visit stays counted",
        "sim/model/counters.py",
        "        if offender.visit_overdue:\n"
        "            self.overdue_visits_by_level[offender.level] -= 1\n"
        "        if offender.assessment_overdue:",
        "        if offender.assessment_overdue:",
        (REGISTER, INVARIANTS),
    ),
    Mutant(
        "the oldest overdue age is a day too old",
        "sim/model/counters.py",
        "0 if oldest_visit is None else day - oldest_visit,",
        "0 if oldest_visit is None else day - oldest_visit + 1,",
        (DETERMINISTIC,),
    ),
    Mutant(
        "two-officer attempts counted as lone",
        "sim/model/counters.py",
        "if n_officers == 1:",
        "if n_officers <= 2:",
        (DETERMINISTIC, POLICIES),
    ),
    Mutant(
        "lone attempts by level in the wrong column",
        "sim/model/counters.py",
        "flows[_LONE_INDEX + 1 + level] += 1",
        "flows[_LONE_INDEX + 1 + min(level + 1, 3)] += 1",
        (DETERMINISTIC, POLICIES, INVARIANTS),
    ),
    Mutant(
        "a level change leaves overdue visits at the old level",
        "sim/model/counters.py",
        "            self.overdue_visits_by_level[old_level] -= 1\n"
        "            self.overdue_visits_by_level[new_level] += 1\n",
        "",
        (REGISTER, INVARIANTS),
    ),
    # -- sim/model: the workforce and the calendar -----------------------------------------------
    Mutant(
        "work starts at the instant the shift ends",
        "sim/model/workforce.py",
        "if self.env.now >= self._shift_ends_at - SHIFT_END_TOLERANCE_DAYS:",
        "if self.env.now > self._shift_ends_at:",
        (WORKFORCE,),
    ),
    Mutant(
        "overtime is forgiven at the next shift",
        "sim/model/workforce.py",
        "officer.budget_hours = min(officer.budget_hours, 0.0) + daily",
        "officer.budget_hours = daily",
        (WORKFORCE,),
    ),
    Mutant(
        "a multi-officer task charges one officer's hours",
        "sim/model/workforce.py",
        'self.counters.add("officer_hours_used", hours * len(officers))',
        'self.counters.add("officer_hours_used", hours)',
        (WORKFORCE, DETERMINISTIC),
    ),
    Mutant(
        "a visit may start with one officer too few",
        "sim/model/workforce.py",
        "if n_officers > n_free:",
        "if n_officers > n_free + 1:",
        (WORKFORCE, POLICIES),
    ),
    Mutant(
        "an officer with no hours left takes more work",
        "sim/model/workforce.py",
        "elif officer.budget_hours > 0:",
        "elif officer.budget_hours >= 0:",
        (WORKFORCE, POLICIES),
    ),
    Mutant(
        "sergeants work their whole day on assessments",
        "sim/model/workforce.py",
        "            * staffing.availability\n            * staffing.sergeant_assessment_share,\n",
        "            * staffing.availability,\n",
        (WORKFORCE,),
    ),
    Mutant(
        "work for a leaver is still done",
        "sim/model/workforce.py",
        "if entry[-1].offender.active:",
        "if entry[-1].offender is not None:",
        (WORKFORCE,),
    ),
    Mutant(
        "a manager's assessment share is not spent",
        "sim/model/workforce.py",
        "officer.assessment_hours -= task.hours",
        "officer.assessment_hours -= 0.0",
        (WORKFORCE, SHARE),
    ),
    Mutant(
        "holidays are working days",
        "sim/model/calendar.py",
        "                and (start_date + timedelta(days=d)) not in holidays\n",
        "",
        (DETERMINISTIC, WORKFORCE),
        "holidays stop work",
    ),
    # -- sim/model: the visit and assessment cycles ----------------------------------------------
    Mutant(
        "a failed attempt is charged the time of a visit",
        "sim/model/visits.py",
        "hours = travel_and_write_up + failed_on_site",
        "hours = travel_and_write_up + on_site",
        (DETERMINISTIC,),
        "hours of a failed attempt charged as the scenario says",
    ),
    Mutant(
        "police action takes no extra time",
        "sim/model/visits.py",
        "hours = travel_and_write_up + on_site + police_action_hours",
        "hours = travel_and_write_up + on_site",
        (DETERMINISTIC,),
        "hours of police action charged as the scenario says",
    ),
    Mutant(
        "police action is drawn for failed attempts too (equivalent: only a completed visit "
        "acts on it)",
        "sim/model/visits.py",
        "police_action = is_in and police_action_draw <",
        "police_action = police_action_draw <",
        (DETERMINISTIC, BRING_FORWARD, STREAMS),
    ),
    Mutant(
        "the queue sees today as the due date",
        "sim/model/visits.py",
        "offender, offender.visit_due_day, attempt.n_officers, hours, VISIT",
        "offender, int(env.now), attempt.n_officers, hours, VISIT",
        (POLICIES, WORKFORCE),
        "most_overdue_first must not behave as first come, first served",
    ),
    Mutant(
        "a failed attempt is retried at once",
        "sim/model/visits.py",
        "yield agenda.timeout(attempt.retry_delay_days)",
        "yield agenda.timeout(0.0)",
        (DETERMINISTIC,),
    ),
    Mutant(
        "the visit window is ignored",
        "sim/model/visits.py",
        "opens_at = offender.visit_due_day - params.window_days[offender.level]",
        "opens_at = offender.visit_due_day",
        (DETERMINISTIC, INVARIANTS),
    ),
    Mutant(
        "the assessment window is ignored",
        "sim/model/assessments.py",
        "opens_at = offender.assessment_due_day - params.window_days[offender.level]",
        "opens_at = offender.assessment_due_day",
        (DETERMINISTIC, SHARE, INVARIANTS),
    ),
    Mutant(
        "the agenda lets a wake-up move later",
        "sim/model/agenda.py",
        "if wakeup.handed_over or at >= wakeup.at:",
        "if wakeup.handed_over:",
        (AGENDA, BRING_FORWARD),
    ),
    # -- sim/priority.py -------------------------------------------------------------------------
    Mutant(
        "most_overdue_first is first come, first served",
        "sim/priority.py",
        "    return (due_day, arrival)\n",
        "    return (arrival,)\n",
        (POLICIES, WORKFORCE),
        "most_overdue_first must not behave as first come, first served",
    ),
    Mutant(
        "the hybrid rule puts high risk with medium and low",
        "sim/priority.py",
        "return (level > HIGH, due_day, arrival)",
        "return (level > HIGH + 1, due_day, arrival)",
        (POLICIES, WORKFORCE),
    ),
    # -- sim/analysis ----------------------------------------------------------------------------
    Mutant(
        "the summary interval uses 1.96",
        "sim/analysis/summary.py",
        "half = float(stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / np.sqrt(n))",
        "half = float(1.96 * values.std(ddof=1) / np.sqrt(n))",
        (STATISTICS,),
        "intervals use Student's t with n - 1 degrees of freedom",
    ),
    Mutant(
        "the summary interval has n degrees of freedom",
        "sim/analysis/summary.py",
        "half = float(stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / np.sqrt(n))",
        "half = float(stats.t.ppf(0.975, n) * values.std(ddof=1) / np.sqrt(n))",
        (STATISTICS,),
        "intervals use Student's t with n - 1 degrees of freedom",
    ),
    Mutant(
        "the summary interval uses the population spread",
        "sim/analysis/summary.py",
        "half = float(stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / np.sqrt(n))",
        "half = float(stats.t.ppf(0.975, n - 1) * values.std() / np.sqrt(n))",
        (STATISTICS,),
        "intervals use the right spread",
    ),
    Mutant(
        "the summary totals states",
        "sim/analysis/summary.py",
        "at_end = periods.last(periods.frame[states])",
        "at_end = periods.total(periods.frame[states])",
        (STATISTICS,),
    ),
    Mutant(
        "the summary reads flows at the end",
        "sim/analysis/summary.py",
        "totals = periods.total(periods.frame[flows])",
        "totals = periods.last(periods.frame[flows])",
        (STATISTICS,),
    ),
    Mutant(
        "percentiles from the 10th",
        "sim/analysis/summary.py",
        "np.percentile(values, [5, 50, 95])",
        "np.percentile(values, [10, 50, 90])",
        (STATISTICS,),
    ),
    # summary.csv's statistics over whole arrays (issue 19) must stay describe's, row by row
    Mutant(
        "the whole-array interval uses 1.96",
        "sim/analysis/periods.py",
        "half = stats.t.ppf(0.975, n - 1) * batch.std(axis=1, ddof=1) / np.sqrt(n)",
        "half = 1.96 * batch.std(axis=1, ddof=1) / np.sqrt(n)",
        (STATISTICS, PERIODS),
        "intervals use Student's t with n - 1 degrees of freedom",
    ),
    Mutant(
        "the whole-array interval uses the population spread",
        "sim/analysis/periods.py",
        "half = stats.t.ppf(0.975, n - 1) * batch.std(axis=1, ddof=1) / np.sqrt(n)",
        "half = stats.t.ppf(0.975, n - 1) * batch.std(axis=1) / np.sqrt(n)",
        (STATISTICS, PERIODS),
        "intervals use the right spread",
    ),
    Mutant(
        "whole-array percentiles from the 10th",
        "sim/analysis/periods.py",
        "np.percentile(batch, [5, 50, 95], axis=1)",
        "np.percentile(batch, [10, 50, 90], axis=1)",
        (STATISTICS, PERIODS),
    ),
    Mutant(
        "a period's state is read on its first day",
        "sim/analysis/periods.py",
        "ends = np.flatnonzero(np.append(key[1:] != key[:-1], True))",
        "ends = np.flatnonzero(np.append(True, key[1:] != key[:-1]))",
        (STATISTICS, PERIODS),
    ),
    Mutant(
        "the comparison interval uses 1.96",
        "sim/analysis/comparison.py",
        "half = float(stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / np.sqrt(n))",
        "half = float(1.96 * values.std(ddof=1) / np.sqrt(n))",
        (STATISTICS,),
        "intervals use Student's t, in paired comparisons too",
    ),
    Mutant(
        "differences are not paired",
        "sim/analysis/comparison.py",
        "difference = mean_ci(values - base)",
        "difference = mean_ci(values - base.mean())",
        (STATISTICS,),
        "paired comparisons use the spread of the differences",
    ),
    Mutant(
        "significant when the interval holds zero",
        "sim/analysis/comparison.py",
        "significant = bool(difference[1] > 0 or difference[2] < 0)",
        "significant = bool(difference[1] > 0 or difference[2] > 0)",
        (STATISTICS,),
    ),
    Mutant(
        "the daily band uses n degrees of freedom",
        "sim/analysis/comparison.py",
        "half = stats.t.ppf(0.975, n - 1) * stacked.std(axis=0, ddof=1) / np.sqrt(n)",
        "half = stats.t.ppf(0.975, n) * stacked.std(axis=0, ddof=1) / np.sqrt(n)",
        (STATISTICS,),
        "intervals use Student's t with n - 1 degrees of freedom",
    ),
    Mutant(
        "the average outcome is the first day",
        "sim/analysis/outcomes.py",
        "np.concatenate([states[-1], states.mean(axis=0),",
        "np.concatenate([states[-1], states[0],",
        (STATISTICS,),
    ),
    Mutant(
        "hours are rounded to whole hours",
        "sim/analysis/metrics.py",
        "columns[column] = np.round(values, 2)",
        "columns[column] = np.round(values, 0)",
        (DETERMINISTIC,),
    ),
    Mutant(
        "the oldest item over areas is summed",
        "sim/records.py",
        "total[:, index] = stacked[:, :, index].max(axis=0)",
        "total[:, index] = stacked[:, :, index].sum(axis=0)",
        (AREAS,),
    ),
    # -- sim/scenario: validation ----------------------------------------------------------------
    Mutant(
        "a window as long as the interval is accepted",
        "sim/scenario/work.py",
        "if window >= interval:",
        "if window > interval:",
        (RULES,),
        "a visit window as long as the visit interval must be refused",
    ),
    Mutant(
        "only the first level's window is checked",
        "sim/scenario/work.py",
        '                f"interval_days.{level} ({interval})"\n            )\n',
        '                f"interval_days.{level} ({interval})"\n            )\n        break\n',
        (RULES,),
        "a visit window as long as the visit interval must be refused",
    ),
    Mutant(
        "endless failed attempts allowed when the attempts take no time",
        "sim/scenario/work.py",
        "    if failed_attempt_days >= MIN_FAILED_ATTEMPT_DAYS:\n        return\n",
        "    if failed_attempt_days >= 0:\n        return\n",
        (RULES, "tests/test_no_progress.py"),
    ),
    Mutant(
        "endless failed attempts refused even when the retry delay takes time",
        "sim/scenario/work.py",
        "    failed_attempt_days = hours / HOURS_PER_DAY + visits.retry_delay_days.mean\n",
        "    failed_attempt_days = hours / HOURS_PER_DAY\n",
        (RULES, "tests/test_no_progress.py"),
    ),
    Mutant(
        "apportionment gives the spare offenders to the smallest remainders",
        "sim/scenario/population.py",
        "key=lambda i: (-(raw[i] - counts[i]), i)",
        "key=lambda i: ((raw[i] - counts[i]), i)",
        (RULES, DETERMINISTIC),
    ),
    Mutant(
        "a backlog may fill its levels and one more",
        "sim/scenario/population.py",
        "if overdue.count > room:",
        "if overdue.count > room + 1:",
        (RULES,),
    ),
    Mutant(
        "notification shares short of 1 accepted",
        "sim/scenario/population.py",
        "if abs(total - 1.0) > MIX_TOLERANCE:",
        "if total - 1.0 > MIX_TOLERANCE:",
        (RULES,),
    ),
    Mutant(
        "a notification period of 0 years accepted",
        "sim/scenario/population.py",
        "if not 0 < years <= 100:",
        "if not 0 <= years <= 100:",
        (RULES,),
    ),
    Mutant(
        "very high risk may escalate",
        "sim/scenario/population.py",
        "if rates.very_high != 0:",
        "if rates.very_high > 100:",
        (RULES, SCHEMA),
    ),
]


def tracked_files(root: Path) -> list[str]:
    """The checkout's files as the working tree has them (committed or not, never ignored)."""
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=root,
        check=True,
        capture_output=True,
    ).stdout
    return [name for name in out.decode().split("\0") if name and (root / name).is_file()]


def copy_checkout(destination: Path) -> None:
    for name in tracked_files(ROOT):
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)


def check_applies(mutant: Mutant) -> str | None:
    """Why the mutant cannot be applied, or None."""
    text = (ROOT / mutant.path).read_text()
    found = text.count(mutant.old)
    return None if found == 1 else f"its source text is found {found} times in {mutant.path}"


def run_tests(copy: Path, tests: tuple[str, ...]) -> tuple[str, str, float]:
    """('pass' | 'fail' | 'timeout', the first failing test, seconds)."""
    env = dict(os.environ, PYTHONPATH=str(copy), PYTHONDONTWRITEBYTECODE="1")
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-x",
        "-q",
        "-n0",
        "-p",
        "no:cacheprovider",
        "--ignore=tests/test_shipped_calibration.py",
        *dict.fromkeys(tests),
    ]
    clock = time.perf_counter()
    try:
        result = subprocess.run(
            command, cwd=copy, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired:
        return "timeout", "", time.perf_counter() - clock
    seconds = time.perf_counter() - clock
    if result.returncode == 0:
        return "pass", "", seconds
    failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", result.stdout, re.MULTILINE)
    first = failed[0] if failed else (result.stdout + result.stderr).strip().splitlines()[-1]
    return "fail", first, seconds


def run_mutant(mutant: Mutant, copy: Path) -> tuple[str, str, float]:
    target = copy / mutant.path
    original = target.read_text()
    target.write_text(original.replace(mutant.old, mutant.new, 1))
    try:
        return run_tests(copy, mutant.tests)
    finally:
        target.write_text(original)


def imports_from(copy: Path) -> str:
    env = dict(os.environ, PYTHONPATH=str(copy))
    return subprocess.run(
        [sys.executable, "-c", "import sim; print(sim.__file__)"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run the mutants whose name contains this")
    parser.add_argument("--jobs", type=int, default=1, help="mutants at a time (one copy each)")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    args = parser.parse_args(argv)
    mutants = [m for m in MUTANTS if args.only.lower() in m.name.lower()]
    stale = [(m, why) for m in mutants if (why := check_applies(m)) is not None]
    for mutant, why in stale:
        print(f"STALE {mutant.name}: {why}")
    if args.list:
        for mutant in mutants:
            print(f"{mutant.path:32} {mutant.name}  [{', '.join(mutant.tests)}]")
        return 1 if stale else 0
    runnable = [m for m in mutants if all(m is not s for s, _ in stale)]
    with tempfile.TemporaryDirectory(prefix="mutation-") as scratch:
        copies = [Path(scratch) / f"copy{i}" for i in range(max(1, args.jobs))]
        for copy in copies:
            copy_checkout(copy)
            where = imports_from(copy)
            if not where.startswith(str(copy)):
                print(f"the copy imports sim from {where}, not from itself: stopping")
                return 2
        # The clean copy must pass every test file used, or kills would mean nothing.
        files = tuple(dict.fromkeys(t for m in runnable for t in m.tests))
        status, first, seconds = run_tests(copies[0], files)
        print(f"unmutated: {len(files)} test files {status} in {seconds:.0f} s {first}")
        if status != "pass":
            return 2
        free = list(copies)

        def one(mutant: Mutant) -> tuple[Mutant, tuple[str, str, float]]:
            copy = free.pop()
            try:
                return mutant, run_mutant(mutant, copy)
            finally:
                free.append(copy)

        results = []
        with ThreadPoolExecutor(max_workers=len(copies)) as pool:
            for mutant, (status, first, seconds) in pool.map(one, runnable):
                verdict = {"fail": "killed", "timeout": "killed (timeout)", "pass": "SURVIVED"}
                print(f"{verdict[status]:16} {seconds:5.0f} s  {mutant.name}  {first}", flush=True)
                results.append((mutant, status, first))
    killed = sum(1 for _, status, _ in results if status != "pass")
    survivors = [m for m, status, _ in results if status == "pass"]
    score = killed / len(results) if results else 0.0
    print(f"\n{time.strftime('%Y-%m-%d')}: {killed} of {len(results)} mutants killed ({score:.0%})")
    for mutant in survivors:
        print(f"  survived: {mutant.name} ({mutant.path})")
    return 0 if score >= TARGET_SCORE and not stale else 1


if __name__ == "__main__":
    sys.exit(main())
