"""Stage 6: staffing plans: the least a force needs to meet a target by a date.

``levers`` are what a plan may change (a scenario field and its values), ``targets`` what it
must meet (e.g. ``overdue_visits<=50`` on a date), ``planner`` the search, ``study`` a whole
``plan`` (with its growth cases), ``results`` and ``figures`` what it writes.
"""
