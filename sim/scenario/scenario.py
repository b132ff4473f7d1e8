"""The whole scenario: one force (or its areas) to simulate, and the named variants to compare.

A scenario file (YAML) is parsed into :class:`Scenario`, made of the sections in
``population.py``, ``work.py`` and ``staffing.py``. This module adds what ties the sections
together: the run's dates and size (kept inside the calendar and a laptop's memory), the
priority rule, areas (each the top-level population and staffing with its own changes laid
over them), observations inside the simulated days, and variants (``{dotted.path: value}``
changes that must each give a valid scenario). Variants are made with :meth:`Scenario.with_changes`
or ``model_copy(update=...)``, never by mutation.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Annotated, Any, get_args

from pydantic import (
    BaseModel,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from sim.priority import PriorityName
from sim.scenario.area import AREA_SECTIONS, TOTAL_AREA, Area, area_changes, area_merged
from sim.scenario.dotted import DottedPathError, set_dotted, split_dotted
from sim.scenario.fields import (
    DAYS_PER_YEAR,
    EARLIEST_START_DATE,
    LATEST_END_DATE,
    MAX_AREAS,
    MAX_DAILY_ROWS,
    MAX_HORIZON_DAYS,
    MAX_OFFENDERS,
    NAME_PATTERN,
    Date,
    Frozen,
)
from sim.scenario.observations import Observation
from sim.scenario.population import Population
from sim.scenario.staffing import Staffing
from sim.scenario.work import Assessments, Visits

__all__ = [
    "AREA_SECTIONS",
    "FIXED_ACROSS_VARIANTS",
    "PRIORITY_RULES",
    "TOTAL_AREA",
    "Area",
    "Scenario",
]

PRIORITY_RULES: tuple[str, ...] = get_args(PriorityName)  # every name a scenario may give
# Fields a variant may not change: every variant of a comparison runs the same replications
# (same seeds) over the same days, so that results pair up replication by replication.
FIXED_ACROSS_VARIANTS = (
    "name",
    "seed",
    "replications",
    "start_date",
    "horizon_days",
    "variants",
    "parameter_sample",
)
VariantName = Annotated[str, StringConstraints(pattern=NAME_PATTERN, max_length=100)]


def _most_offenders(
    population: Population, start: date, horizon_days: int
) -> tuple[float, int, float]:
    """(the most offenders a register could hold, its initial size, its highest rate a year)."""
    per_year = population.registrations.highest_per_year(start, horizon_days)
    # a register read from a caseload file is bounded by the file's own size limit
    size = population.initial.size if population.initial is not None else 0
    return size + per_year * horizon_days / DAYS_PER_YEAR, size, per_year


class Scenario(Frozen):
    """One force (or team) to simulate: who is registered, the work, the staff, the rules."""

    name: str = Field(
        pattern=NAME_PATTERN,
        max_length=100,
        description="Short name (letters, digits, _ . -); also the default results folder "
        "results/<name>/.",
    )
    description: str = Field(
        "",
        max_length=2_000,
        description="Free text; the title of backlog.png and of the report (at most 2,000 "
        "characters).",
    )
    start_date: Date = Field(
        description="The first simulated day, day 0 (YYYY-MM-DD), from 1900-01-01 to 2200-12-31."
    )
    horizon_days: int = Field(
        gt=0,
        le=MAX_HORIZON_DAYS,
        description="Number of days simulated (the last day no later than 2200-12-31).",
        json_schema_extra={"unit": "days"},
    )
    seed: int = Field(
        12345,
        ge=0,
        le=2**63 - 1,
        description="Random seed; the same seed gives identical results.",
        json_schema_extra={"unit": "none"},
    )
    replications: int = Field(
        10,
        ge=1,
        le=100_000,
        description="Number of independent runs with different random draws "
        "(replications x horizon_days at most 1,000,000 daily rows).",
        json_schema_extra={"unit": "runs"},
    )
    priority: PriorityName = Field(
        "highest_risk_first", description="Which waiting work is done first."
    )
    population: Population = Field(
        description="Who is on the register, who joins, who leaves, and unseen risk changes."
    )
    visits: Visits = Field(description="Home visits: schedule, durations and outcomes.")
    assessments: Assessments = Field(description="Risk assessments (ARMS): schedule and duration.")
    staffing: Staffing = Field(description="Offender managers, sergeants and their hours.")
    areas: list[Area] = Field(
        default_factory=list,
        max_length=MAX_AREAS,
        description="Areas with their own caseload, inflow and staff, each the top-level "
        "population and staffing with its own changes; empty for a single area.",
    )

    @model_validator(mode="before")
    @classmethod
    def _areas_start_from_the_top_level(cls, data: Any) -> Any:
        """Lay each area's population and staffing changes over the top-level sections."""
        if not isinstance(data, dict) or not isinstance(data.get("areas"), list):
            return data
        if len(data["areas"]) > MAX_AREAS:
            return data  # refused by the field's max_length, without merging them all first
        areas = []
        for area in data["areas"]:
            if isinstance(area, dict):
                area = dict(area)
                for section in AREA_SECTIONS:
                    top = data.get(section)
                    if isinstance(top, BaseModel):
                        top = top.model_dump()
                    own = area.get(section, {})
                    if isinstance(own, BaseModel):
                        own = own.model_dump()
                    area[section] = area_merged(top, own) if isinstance(top, dict) else own
            areas.append(area)
        return {**data, "areas": areas}

    @field_validator("areas")
    @classmethod
    def _area_names_unique(cls, areas: list[Area]) -> list[Area]:
        names = [area.name for area in areas]
        if TOTAL_AREA in names:
            raise ValueError(f"the area name '{TOTAL_AREA}' is kept for the sum of the areas")
        repeated = sorted(name for name, count in Counter(names).items() if count > 1)
        if repeated:
            raise ValueError(f"area names must differ; repeated: {', '.join(repeated)}")
        return areas

    @model_serializer(mode="wrap")
    def _areas_as_their_changes(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Write each area as what it changes, so a written scenario reads back the same and
        a change to a top-level section (a variant, --set) reaches every area that inherits it.

        An area value equal to the top-level value is written as inherited.
        """
        data: dict[str, Any] = handler(self)
        if data.get("areas"):
            data["areas"] = [
                {
                    "name": area["name"],
                    **{
                        section: area_changes(data.get(section), area[section])
                        for section in AREA_SECTIONS
                        if section in area
                    },
                }
                for area in data["areas"]
            ]
        return data

    def area_scenarios(self) -> list[tuple[str | None, Scenario]]:
        """(area name, single-area scenario) for each area; ``[(None, self)]`` if none."""
        if not self.areas:
            return [(None, self)]
        return [(area.name, self.area_scenario(area.name)) for area in self.areas]

    def area_scenario(self, name: str) -> Scenario:
        """The area called ``name`` as a scenario of its own (a KeyError if there is none)."""
        for area in self.areas:
            if area.name == name:
                return self.model_copy(
                    update={"population": area.population, "staffing": area.staffing, "areas": []}
                )
        raise KeyError(name)

    variants: dict[VariantName, dict[str, Any]] = Field(
        default_factory=dict,
        description="Named variants for `compare`: name -> {dotted.path: value}, paths as in "
        "--set. A variant with no changes names the base scenario. `run` ignores them. See "
        "docs/experiments.md.",
    )

    @field_validator("variants")
    @classmethod
    def _variant_paths(cls, variants: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        unchanged = [name for name, changes in variants.items() if not changes]
        if len(unchanged) > 1:
            raise ValueError(
                f"variants {unchanged} change nothing; only one variant may name the base"
            )
        for name, changes in variants.items():
            for key in changes:
                path = split_dotted(str(key))  # a DottedPathError is a ValueError: reported as such
                if path[0] in FIXED_ACROSS_VARIANTS:
                    raise ValueError(
                        f"variant '{name}' changes {key}, but {', '.join(FIXED_ACROSS_VARIANTS)} "
                        "are shared by every variant (same seeds and days, so they compare)"
                    )
        return variants

    @model_validator(mode="after")
    def _variants_give_valid_scenarios(self) -> Scenario:
        for name in self.variants:
            try:
                self.variant(name)
            except (ValidationError, DottedPathError) as error:
                raise ValueError(f"variant '{name}' is not a valid scenario: {error}") from None
        return self

    def with_changes(self, changes: Mapping[str, Any]) -> Scenario:
        """A new, validated scenario: this one with ``{dotted.path: value}`` changes applied.

        The result has no variants of its own (they are relative to this base). Raises
        pydantic's ValidationError or DottedPathError;
        ``sim.experiments.variants.apply_changes`` turns those into a ScenarioError naming
        the field.
        """
        data = self.model_dump(mode="json", by_alias=True, exclude={"variants"})
        for key, value in changes.items():
            set_dotted(data, split_dotted(str(key)), copy.deepcopy(value))
        return Scenario.model_validate(data)

    def variant(self, name: str) -> Scenario:
        """The scenario of the variant called ``name`` (a KeyError if there is none)."""
        return self.with_changes(self.variants[name])

    # -- limits on the size of a run (fields are validated in order, so the earlier ones a
    # check needs are in ``info.data`` when they were valid) ----------------------------------
    @field_validator("start_date")
    @classmethod
    def _in_the_calendar(cls, start: date) -> date:
        if not EARLIEST_START_DATE <= start <= LATEST_END_DATE:
            raise ValueError(f"must be from {EARLIEST_START_DATE} to {LATEST_END_DATE}")
        return start

    @field_validator("horizon_days")
    @classmethod
    def _ends_in_the_calendar(cls, horizon_days: int, info: ValidationInfo) -> int:
        start = info.data.get("start_date")
        if start is not None and (LATEST_END_DATE - start).days < horizon_days - 1:
            raise ValueError(
                f"the horizon from {start} would end after {LATEST_END_DATE}; "
                f"at most {(LATEST_END_DATE - start).days + 1} days from this start date"
            )
        return horizon_days

    @field_validator("replications")
    @classmethod
    def _daily_rows_fit(cls, replications: int, info: ValidationInfo) -> int:
        horizon_days = info.data.get("horizon_days")
        if horizon_days is not None and replications * horizon_days > MAX_DAILY_ROWS:
            raise ValueError(
                f"{replications:,} replications x {horizon_days:,} days = "
                f"{replications * horizon_days:,} daily rows, more than the limit of "
                f"{MAX_DAILY_ROWS:,}; use fewer replications or a shorter horizon"
            )
        return replications

    @field_validator("population")
    @classmethod
    def _register_fits(cls, population: Population, info: ValidationInfo) -> Population:
        start, horizon_days = info.data.get("start_date"), info.data.get("horizon_days")
        if start is None or horizon_days is None:
            return population
        most, size, per_year = _most_offenders(population, start, horizon_days)
        if most > MAX_OFFENDERS:
            raise ValueError(
                f"initial.size ({size:,}) plus registrations over "
                f"{horizon_days:,} days at up to {per_year:,.0f} a year could reach "
                f"{most:,.0f} offenders, more than the limit of {MAX_OFFENDERS:,}"
            )
        return population

    @model_validator(mode="after")
    def _whole_scenario_fits(self) -> Scenario:
        """The limits on offenders and daily rows hold for the whole scenario, areas included:
        every area is simulated with its own register, and trajectories.csv holds a row per
        area and one for their total, per replication and day."""
        if not self.areas:
            return self
        most = sum(
            _most_offenders(area.population, self.start_date, self.horizon_days)[0]
            for area in self.areas
        )
        if most > MAX_OFFENDERS:
            raise ValueError(
                f"the {len(self.areas):,} areas together could reach {most:,.0f} offenders "
                f"(initial sizes plus registrations over {self.horizon_days:,} days), more than "
                f"the limit of {MAX_OFFENDERS:,} for a whole scenario"
            )
        rows = self.replications * self.horizon_days * (len(self.areas) + 1)
        if rows > MAX_DAILY_ROWS:
            raise ValueError(
                f"{self.replications:,} replications x {self.horizon_days:,} days x "
                f"({len(self.areas):,} areas + their total) = {rows:,} daily rows, more than "
                f"the limit of {MAX_DAILY_ROWS:,}; use fewer replications, a shorter horizon "
                "or fewer areas"
            )
        return self

    observations: list[Observation] = Field(
        default_factory=list,
        max_length=500,
        description="Figures the force reported (metric, date, value, tolerance), compared "
        "with the simulation in calibration.csv and fitted by the calibrate command.",
    )

    parameter_sample: str | None = Field(
        None,
        description="A sample of parameter sets (parameter_sample.csv, written by `calibrate "
        "--method abc`; set with --parameters FILE): replication k runs with one set drawn by "
        "weight from a stream that depends only on (seed, k), so the bands carry calibration "
        "uncertainty as well as chance. None: the scenario's own values. In a file, an "
        "absolute path or one relative to the folder the command runs in. See "
        "docs/calibration.md.",
    )

    @field_validator("observations")
    @classmethod
    def _observations_inside_horizon(
        cls, observations: list[Observation], info: ValidationInfo
    ) -> list[Observation]:
        start, horizon = info.data.get("start_date"), info.data.get("horizon_days")
        if start is None or horizon is None:
            return observations  # already reported as wrong
        last_day = start + timedelta(days=horizon - 1)
        for index, observation in enumerate(observations):
            if observation.first_day < start or observation.date > last_day:
                raise ValueError(
                    f"observations[{index}] ({observation.metric}, "
                    f"{observation.period_label()}) must lie inside the simulated days "
                    f"{start} to {last_day}"
                )
        return observations
