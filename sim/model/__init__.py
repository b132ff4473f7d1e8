"""Stage 2: one replication of one scenario, in SimPy.

``single_run(scenario, replication)`` in ``replication.py`` is the only entry point. Each
offender is two SimPy processes, ``visit_cycle`` (visits.py) and ``assessment_cycle``
(assessments.py); offender managers and trained sergeants are the workforce they queue for
(workforce.py); ``register.py`` keeps the records between visits (due dates, exits, hidden
escalations). Imports inside run one way: replication -> visits, assessments -> register,
registrations, workforce -> caseload, counters, shared -> offender -> agenda, calendar,
streams, event_log. Nothing here reads or writes files except the starting caseload.
"""
