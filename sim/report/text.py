"""The words of the report: the assumptions table and the STRESS-DES model description.

Both are generated from the resolved scenario saved in manifest.json, so they always describe
the run that was made. Field meanings and units come from the scenario's JSON Schema (the same
text as docs/scenario-reference.md). The model description follows the STRESS-DES reporting
checklist for discrete-event simulation (Monks et al., 2019): objectives, logic, data,
experimentation, implementation and code access.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sim.format import counted, human_date, human_number
from sim.levels import LEVEL_NAMES, LEVELS
from sim.scenario.schema import scenario_json_schema

__all__ = ["AssumptionRow", "assumption_sections", "format_value", "stress_des"]

SECTION_TITLES = {
    "": "Run settings",
    "population": "Population: the register, registrations, exits and escalation",
    "visits": "Visits",
    "assessments": "Risk assessments (ARMS)",
    "staffing": "Staffing",
}


@dataclass(frozen=True)
class AssumptionRow:
    """One field of the resolved scenario as the assumptions table shows it."""

    path: str
    value: str
    unit: str
    meaning: str


def _per_level_text(value: dict[str, Any]) -> str:
    return " · ".join(
        f"{name} {format_value(value[level])}"
        for level, name in zip(LEVELS, LEVEL_NAMES, strict=True)
    )


def _number(value: float | None) -> str:
    """A scenario's number as written: up to 4 significant figures."""
    return human_number(value, significant=4)


def _mean(value: float) -> str:
    """A distribution's mean worked out from its parameters: 3 significant figures."""
    return human_number(value, significant=3)


def _distribution_text(value: dict[str, Any]) -> str:
    kind = value.get("dist", "fixed")
    if kind == "fixed":
        return _number(value["value"])
    if kind == "uniform":
        mean = (value["low"] + value["high"]) / 2
        return f"uniform {_number(value['low'])} to {_number(value['high'])} (mean {_mean(mean)})"
    if kind == "triangular":
        mean = (value["low"] + value["mode"] + value["high"]) / 3
        return (
            f"triangular: least {_number(value['low'])}, most likely {_number(value['mode'])}, "
            f"most {_number(value['high'])} (mean {_mean(mean)})"
        )
    # "mean" as written in scenario files; "mean_value" in manifests written before by_alias
    mean = value.get("mean", value.get("mean_value"))
    if kind == "exponential":
        return f"exponential, mean {_number(mean)}"
    if kind == "lognormal":
        return f"lognormal, mean {_number(mean)}, sd {_number(value['sd'])}"
    return ", ".join(f"{k} {format_value(v)}" for k, v in value.items())


def format_value(value: Any) -> str:
    """A scenario value as a person would say it."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if not value:  # e.g. a variant that changes nothing: said, not an empty cell
            return "none"
        if set(value) == set(LEVELS):
            return _per_level_text(value)
        if "dist" in value:
            return _distribution_text(value)
        return "; ".join(f"{key}: {format_value(item)}" for key, item in value.items())
    if isinstance(value, list):
        if not value:
            return "none"
        if all(isinstance(item, dict) for item in value):
            # one line per item (the page keeps the line breaks), unset entries left out:
            # nine observations joined with " | " were one unreadable paragraph (audit)
            return "\n".join(
                "; ".join(f"{key}: {format_value(v)}" for key, v in item.items() if v is not None)
                for item in value
            )
        return ", ".join(format_value(item) for item in value)
    return str(value)


def _field_docs() -> dict[str, dict]:
    """Every field path (as in the reference, lists as ``[]``) -> its schema property."""
    schema = scenario_json_schema(units_in_descriptions=False)
    defs = schema.get("$defs", {})
    docs: dict[str, dict] = {}

    def model_of(prop: dict) -> dict | None:
        for candidate in [prop, *prop.get("anyOf", []), prop.get("items", {})]:
            ref = candidate.get("$ref")
            if ref:
                model = defs[ref.rsplit("/", 1)[-1]]
                if set(model.get("properties", {})) != set(LEVELS):
                    return model
        return None

    def walk(model: dict, prefix: str) -> None:
        for name, prop in model.get("properties", {}).items():
            path = f"{prefix}{name}"
            docs[path] = prop
            child = model_of(prop)
            if child is not None:
                walk(child, f"{path}[]." if prop.get("type") == "array" else f"{path}.")

    walk(schema, "")
    return docs


def assumption_sections(scenario: dict) -> list[tuple[str, list[AssumptionRow]]]:
    """(section title, rows) for every field of the resolved scenario, in file order."""
    docs = _field_docs()
    sections: dict[str, list[AssumptionRow]] = {key: [] for key in SECTION_TITLES}

    def add(path: str, value: Any) -> None:
        top = path.split(".", 1)[0] if "." in path else ""
        prop = docs.get(path, {})
        unit = prop.get("unit", "")
        # identifiers such as the seed are not quantities: no thousands separators
        shown = str(value) if unit == "none" and isinstance(value, int) else format_value(value)
        sections.setdefault(top, []).append(
            AssumptionRow(
                path=path,
                value=shown,
                unit="" if unit in ("none", "unit of the field") else unit,
                meaning=prop.get("description", ""),
            )
        )

    def walk(value: Any, path: str) -> None:
        prop = docs.get(path)
        nested = isinstance(value, dict) and any(key.startswith(f"{path}.") for key in docs)
        if nested and not (set(value) == set(LEVELS) or "dist" in value):
            for key, item in value.items():
                walk(item, f"{path}.{key}")
            return
        if prop is None and path and "." not in path and isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}")
            return
        add(path, value)

    for key, value in scenario.items():
        walk(value, key)
    return [(SECTION_TITLES.get(key, key), rows) for key, rows in sections.items() if rows]


def _levels_text(value: dict[str, Any]) -> str:
    return ", ".join(
        f"{name} {value[level]}" for level, name in zip(LEVELS, LEVEL_NAMES, strict=True)
    )


def _assumptions_text(population: dict, visits: dict, staffing: dict) -> str:
    """The main simplifying assumptions of this run, in a few words each."""
    falls = population.get("deescalation_rate_per_year") or {}
    risk = (
        "Risk rises and falls one level at a time at constant rates by level"
        if any(float(rate) > 0 for rate in falls.values())
        else "Risk only rises"
    )
    custody = (
        "a share of police actions takes the offender off the community caseload for a "
        "drawn spell (they stay on the register)"
        if visits.get("custody")
        else "police action removes nobody from the community caseload"
    )
    hours = (
        "leave, sickness and court or training days are whole working days away"
        if staffing.get("absences")
        else "availability is a fraction of every working day"
    )
    team = "one pooled team"
    if staffing.get("caseloads") == "personal":
        extras = []
        cover = (staffing.get("absences") or {}).get("cover_after_workdays")
        if cover is not None:
            extras.append(f"a colleague covers an absence after {cover} working days")
        if staffing.get("rebalance_caseloads"):
            extras.append("caseloads are rebalanced when managers join")
        team = (
            "each offender has a named offender manager (personal caseloads"
            + "".join(f"; {extra}" for extra in extras)
            + ")"
        )
    return (
        f"{risk}; {hours}; {team} with no geography; visit outcomes are independent draws; "
        f"{custody}. See the README's Limitations section."
    )


def stress_des(manifest: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    """The STRESS-DES checklist, filled in for this run: (section, [(item, text)])."""
    scenario = manifest.get("scenario", {})
    population = scenario.get("population", {})
    visits = scenario.get("visits", {})
    staffing = scenario.get("staffing", {})
    initial = population.get("initial") or {}  # None when the register is a caseload file
    register = (
        f"({_number(initial.get('size', 0))} offenders)"
        if initial
        else "(read from its caseload file)"
    )
    start = scenario.get("start_date", "")
    horizon = scenario.get("horizon_days", 0)
    replications = manifest.get("replications", scenario.get("replications"))
    versions = manifest.get("versions", {})
    software = ", ".join(f"{name} {version}" for name, version in versions.items())
    commit = manifest.get("git_commit") or "not recorded (run outside a git checkout)"
    command = " ".join(manifest.get("command", [])) or "not recorded"
    try:
        start_text = human_date(date.fromisoformat(str(start)))
    except ValueError:
        start_text = str(start)
    officers = visits.get("officers_per_visit")
    officers_text = _levels_text(officers) if isinstance(officers, dict) else str(officers)
    observations = scenario.get("observations") or []
    return [
        (
            "1. Objectives",
            [
                (
                    "Purpose",
                    "Forecast the backlog of overdue home visits and risk assessments (ARMS) "
                    "of a police offender management unit that manages registered sex "
                    "offenders, and compare staffing and visit policies (officers per visit, "
                    "priority rules, sergeants doing assessments).",
                ),
                (
                    "Outputs",
                    "Daily, per replication: offenders managed, overdue visits and "
                    "assessments by risk level and the age of the oldest, visit attempts, "
                    "completed visits (contacts), police actions, assessments, officer hours "
                    "used and available, and hidden risk escalations not yet noticed.",
                ),
                (
                    "Experimentation aims",
                    f"This run: scenario '{scenario.get('name', '')}' with "
                    f"{staffing.get('offender_managers', '?')} offender managers, "
                    f"{staffing.get('sergeants', 0)} sergeants, officers per visit "
                    f"{officers_text}, priority rule {scenario.get('priority', '?')}.",
                ),
            ],
        ),
        (
            "2. Logic",
            [
                ("Overview diagram", "See the diagram above this table."),
                (
                    "Base model logic",
                    "Each offender has a visit cycle and an assessment cycle. Work joins one "
                    "queue a window before its due date and becomes overdue the day after it. "
                    "An officer with hours left takes the best-placed waiting task; a visit "
                    "that needs k officers starts only when k are free. An attempt finds the "
                    "offender in or out (announced visits have their own chance); if out, it "
                    "is retried after a delay. A completed visit may lead to police action "
                    "(extra hours and an earlier assessment; optionally custody or recall for "
                    "a drawn spell, with follow-up hours). "
                    "The next due date counts from completion.",
                ),
                (
                    "Scenario logic",
                    "Policies are inputs: officers per visit by risk level, the priority "
                    "rule, staff numbers and planned changes, sergeants' share of hours for "
                    "assessments. Variants differ only in those inputs.",
                ),
                (
                    "Algorithms",
                    "Registrations: Poisson process (thinning for a growing or scheduled "
                    "rate). Exits: notification periods and exponential other exits. Hidden "
                    "escalation (and de-escalation, if its rates are set): exponential waiting "
                    "times by true level, found at the next completed visit or assessment. "
                    "Durations: fixed, uniform, triangular, "
                    "exponential or lognormal as given in the assumptions.",
                ),
                (
                    "Entities",
                    "Offenders (believed and true risk level, due dates, reactive or active).",
                ),
                ("Activities", "Visit attempts, police action, risk assessments."),
                (
                    "Resources",
                    "Offender managers (visits and assessments) and trained sergeants "
                    "(assessments only), each with a daily hour budget "
                    "(hours per day × availability) on working days.",
                ),
                ("Queues", "One priority queue of due visits and assessments."),
                (
                    "Entry and exit points",
                    "Entry: the register on the start date, then new registrations. Exit: end "
                    "of the notification period or other exits (death, moving, custody).",
                ),
            ],
        ),
        (
            "3. Data",
            [
                (
                    "Data sources",
                    "The scenario file: its values and the sources in its comments (the "
                    "shipped baseline tags each value with its public source or [ASSUMED]). "
                    + (
                        f"{counted(len(observations), 'reported figure')} "
                        f"{'is' if len(observations) == 1 else 'are'} compared with the "
                        "simulation in 'Observed and simulated'."
                        if observations
                        else "This scenario lists no reported figures to compare with."
                    ),
                ),
                (
                    "Pre-processing",
                    "None inside the model: the scenario gives rates, shares and durations "
                    "directly.",
                ),
                ("Input parameters", "Every input of this run is in the Assumptions section."),
                (
                    "Assumptions",
                    _assumptions_text(population, visits, staffing),
                ),
            ],
        ),
        (
            "4. Experimentation",
            [
                (
                    "Initialisation",
                    f"No warm-up: the run starts on {start_text} from the force's register "
                    f"{register} and its backlog on "
                    "that date; other due dates are spread evenly over their interval.",
                ),
                ("Run length", f"{_number(horizon)} days from {start_text}."),
                (
                    "Estimation approach",
                    f"{replications} independent replications. Means have 95% confidence "
                    "intervals (Student t); the spread a single year could show is the 5th "
                    "to 95th percentile over replications ('90% of runs').",
                ),
            ],
        ),
        (
            "5. Implementation",
            [
                ("Software", f"Python with SimPy (discrete-event engine). {software}."),
                (
                    "Random sampling",
                    f"Seed {scenario.get('seed', '?')}. Each random process and each "
                    "offender has its own numpy stream (SeedSequence keyed by seed, "
                    "replication and name), so policies compared with the same seed see the "
                    "same offenders and luck (common random numbers).",
                ),
                (
                    "Model execution",
                    "Time advances event by event (SimPy); counters are read at the end of "
                    f"each simulated day. Command: {command}",
                ),
                (
                    "System specification",
                    f"Run took {manifest.get('run_seconds', '?')} s; started "
                    f"{manifest.get('started_at', '?')} (UTC).",
                ),
            ],
        ),
        (
            "6. Code access",
            [
                (
                    "Code",
                    f"offender-visit-sim, commit {commit}. The resolved scenario in "
                    "manifest.json reproduces this run exactly with that commit.",
                )
            ],
        ),
    ]
