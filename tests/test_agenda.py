"""The agenda and the immediate process start, in SimPy's own test style: tiny processes
that append (time, what) to a log, driven by the model's day loop, and asserts on the log.

The rules under test (sim/model/agenda.py, sim/model/immediate.py):
* a wake-up at midnight exactly resumes its process when the day starts, with no SimPy event,
  and before anything SimPy holds for that instant;
* a wake-up at any other time resumes its process at exactly that time;
* ``bring_forward`` moves a booked wake-up sooner, never later, and never once it has been
  handed to SimPy; a wake-up past the horizon never happens;
* an ImmediateProcess runs to its first yield when made; ``succeed_now`` resumes the processes
  waiting on an event before the caller goes on.
"""

from __future__ import annotations

import simpy

from sim.model.agenda import Agenda
from sim.model.immediate import ImmediateProcess, succeed_now


def _days(env: simpy.Environment, agenda: Agenda, horizon_days: int) -> None:
    """The replication's day loop: start each day's wake-ups, then simulate the day."""
    for day in range(horizon_days):
        agenda.start_day(day)
        env.run(until=day + 1)


def _world(horizon_days: int = 10) -> tuple[simpy.Environment, Agenda, list]:
    env = simpy.Environment()
    return env, Agenda(env, horizon_days), []


def test_a_midnight_wake_up_resumes_at_the_start_of_the_day_without_a_simpy_event():
    env, agenda, log = _world()

    def sleeper(name, at):
        yield agenda.timeout_at(at)
        log.append((env.now, name))

    ImmediateProcess(env, sleeper("midnight", 3))
    agenda.start_day(0)
    env.run(until=1)
    agenda.start_day(1)
    env.run(until=2)
    agenda.start_day(2)
    env.run(until=3)
    scheduled_before = next(env._eid)  # SimPy numbers events from one counter; peeking uses one
    agenda.start_day(3)  # the process resumes here, inside start_day, before any env.run
    assert log == [(3, "midnight")]
    # Since the peek, SimPy scheduled one event only: the process's own end (a process
    # succeeds when its generator returns). Waking it took none.
    assert next(env._eid) == scheduled_before + 1 + 1


def test_a_midnight_wake_up_comes_before_simpy_events_at_that_instant():
    # A SimPy timeout that ends at midnight of day 2 is still in SimPy's heap when day 2
    # starts; the agenda's midnight wake-ups of day 2 run first (they are work that opens at
    # midnight, asked for before the day's events).
    env, agenda, log = _world()

    def by_simpy():
        yield env.timeout(2)
        log.append((env.now, "simpy"))

    def by_agenda():
        yield agenda.timeout_at(2)
        log.append((env.now, "agenda"))

    env.process(by_simpy())
    ImmediateProcess(env, by_agenda())
    agenda.start_day(0)
    env.run(until=1)
    agenda.start_day(1)
    env.run(until=2)  # stops before the timeout at 2 is processed (until is urgent)
    agenda.start_day(2)
    env.run(until=3)
    assert log == [(2, "agenda"), (2, "simpy")]


def test_a_wake_up_within_a_day_resumes_at_its_exact_time():
    env, agenda, log = _world()

    def sleeper(delay):
        yield agenda.timeout(delay)
        log.append(env.now)

    for delay in (2.75, 0.5, 4.0):
        ImmediateProcess(env, sleeper(delay))
    _days(env, agenda, 10)
    assert log == [0.5, 2.75, 4.0]


def test_wake_ups_at_the_same_midnight_resume_in_the_order_they_were_booked():
    env, agenda, log = _world()

    def sleeper(name):
        yield agenda.timeout_at(5)
        log.append(name)

    for name in ("first", "second", "third"):
        ImmediateProcess(env, sleeper(name))
    _days(env, agenda, 10)
    assert log == ["first", "second", "third"]


def test_bring_forward_wakes_the_process_sooner_but_never_later():
    env, agenda, log = _world(horizon_days=20)
    wakeups = {}

    def sleeper(name, at):
        wakeups[name] = agenda.timeout_at(at)
        yield wakeups[name]
        log.append((env.now, name))

    def mover():
        yield env.timeout(2.5)
        agenda.bring_forward(wakeups["sooner"], 6)  # from 10 to 6
        agenda.bring_forward(wakeups["not later"], 15)  # stays at 8
        agenda.bring_forward(wakeups["to the past"], 1)  # not before now: at 2.5, now

    for name, at in (("sooner", 10), ("not later", 8), ("to the past", 12)):
        ImmediateProcess(env, sleeper(name, at))
    env.process(mover())
    _days(env, agenda, 20)
    assert log == [(2.5, "to the past"), (6, "sooner"), (8, "not later")]


def test_a_wake_up_handed_to_simpy_is_not_moved():
    # At day 3's start, a wake-up at 3.5 goes to SimPy's heap; bringing it forward to 3.2
    # afterwards has no effect (it is no longer the agenda's).
    env, agenda, log = _world()
    wakeup = agenda.timeout_at(3.5)
    wakeup.callbacks.append(lambda _event: log.append(env.now))

    def mover():
        yield env.timeout(3.1)
        agenda.bring_forward(wakeup, 3.2)

    env.process(mover())
    _days(env, agenda, 10)
    assert log == [3.5]


def test_a_wake_up_past_the_horizon_never_happens():
    env, agenda, log = _world(horizon_days=5)
    agenda.call_at(5, lambda: log.append("at the horizon"))
    agenda.call_at(7.5, lambda: log.append("past it"))
    agenda.call_at(4.25, lambda: log.append("inside"))
    _days(env, agenda, 5)
    assert log == ["inside"]


def test_an_immediate_process_takes_its_first_step_when_it_is_made():
    env = simpy.Environment()
    log = []

    def story():
        log.append(("started", env.now))
        yield env.timeout(1)
        log.append(("resumed", env.now))
        return "done"

    process = ImmediateProcess(env, story())
    assert log == [("started", 0)]  # before env.run: no Initialize event was needed
    env.run()
    assert log == [("started", 0), ("resumed", 1)]
    assert process.value == "done"  # still an ordinary SimPy process


def test_succeed_now_resumes_the_waiting_process_before_the_caller_goes_on():
    env = simpy.Environment()
    log = []
    returned = env.event()

    def waiter():
        value = yield returned
        log.append(("resumed", value))

    def caller():
        yield env.timeout(1)
        log.append("before")
        succeed_now(returned, "back")
        log.append("after")

    ImmediateProcess(env, waiter())
    env.process(caller())
    env.run()
    assert log == ["before", ("resumed", "back"), "after"]
