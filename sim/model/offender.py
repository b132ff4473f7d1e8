"""One registered sex offender as the model sees them: plain state, no behaviour.

Kept as a ``__slots__`` class because a national run holds tens of thousands of them and the
visit and assessment cycles read these fields on every event. ``level`` is the risk level
the force believes (it drives the visit schedule); ``true_level`` is the real one, which can
rise (hidden escalation) or fall (de-escalation) unseen until the next completed visit or
assessment. ``risk_version`` counts changes of the true level, so a booked risk change drawn
for an earlier level is ignored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import simpy

    from sim.model.agenda import Wakeup
    from sim.model.streams import OffenderStream

__all__ = ["Offender"]


class Offender:
    """State of one offender; their processes and the register (register.py) change it."""

    __slots__ = (
        "id",
        "level",
        "true_level",
        "active",
        "reactive",
        "low_since_day",
        "exit_time",
        "escalated_at",
        "risk_version",
        "visit_due_day",
        "visit_version",
        "visit_overdue",
        "visit_wakeup",
        "assessment_due_day",
        "assessment_version",
        "assessment_overdue",
        "assessment_wakeup",
        "reactivated",
        "in_custody",
        "released",
        "rng_visit",
        "rng_assessment",
        "rng_escalation",
        "rng_deescalation",
        "rng_custody",
    )

    def __init__(self, offender_id: int, level: int, exit_time: float) -> None:
        self.id = offender_id
        self.level = level
        self.true_level = level
        self.active = True
        self.reactive = False
        self.low_since_day = 0.0
        self.exit_time = exit_time
        self.escalated_at: float | None = None  # first unseen rise while true risk is higher
        self.risk_version = 0
        self.visit_due_day = 0
        self.visit_version = 0
        self.visit_overdue = False
        self.visit_wakeup: Wakeup | None = None  # booked while waiting for the window
        self.assessment_due_day = 0
        self.assessment_version = 0
        self.assessment_overdue = False
        self.assessment_wakeup: Wakeup | None = None
        self.reactivated: simpy.Event | None = None  # what the reactive visit process waits on
        self.in_custody = False  # off the community caseload: nothing due until released
        self.released: simpy.Event | None = None  # what both processes wait on in custody
        self.rng_visit: OffenderStream | None = None
        self.rng_assessment: OffenderStream | None = None
        self.rng_escalation: OffenderStream | None = None
        self.rng_deescalation: OffenderStream | None = None
        self.rng_custody: OffenderStream | None = None

    def __repr__(self) -> str:
        return (
            f"Offender(id={self.id}, level={self.level}, true_level={self.true_level}, "
            f"visit_due_day={self.visit_due_day}, active={self.active})"
        )
