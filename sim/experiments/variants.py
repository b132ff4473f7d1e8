"""Variants: the scenarios a comparison runs side by side, built from one base by changes.

A *change* is ``{dotted.path: value}``, the same paths as ``--set``. Variants come from three
places, in this order:

1. the base scenario itself, named ``baseline`` (or by the one variant in the file that
   changes nothing, e.g. ``two_officers: {}``);
2. the file's ``variants:`` mapping, in file order;
3. ``--variant NAME:KEY=VALUE[,KEY=VALUE]`` on the command line.

Several scenario files can be compared too: each file gives its base and its own variants.
Under common random numbers every variant runs with the *first* scenario's seed, so
replication ``r`` of each variant sees the same arrivals, caseload and at-home draws and the
results pair up replication by replication. ``independent_seeds`` gives each variant a seed of
its own instead (``--no-crn``), to show what common random numbers buy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.scenario import NAME_PATTERN, Scenario
from sim.scenario.file import Problem, ScenarioError, change_problems
from sim.scenario.scenario import FIXED_ACROSS_VARIANTS
from sim.scenario.untrusted_yaml import UnreadableValue, read_value

__all__ = [
    "BASE_NAME",
    "Variant",
    "apply_changes",
    "comparison_variants",
    "independent_seeds",
    "parse_variant_option",
    "split_outside_brackets",
]

BASE_NAME = "baseline"


@dataclass(frozen=True)
class Variant:
    """One arm of a comparison: a label and the scenario it runs (with no variants of its own)."""

    name: str
    scenario: Scenario


def apply_changes(scenario: Scenario, changes: Mapping[str, Any], source: str) -> Scenario:
    """``scenario`` with ``{dotted.path: value}`` changes, or a ScenarioError naming ``source``."""
    problems = change_problems(scenario, dict(changes), source)
    if problems:
        raise ScenarioError(problems)
    return scenario.with_changes(changes)


def split_outside_brackets(text: str, separator: str = ",") -> list[str]:
    """Split at ``separator`` except inside ``{}``/``[]`` or quotes (YAML flow values)."""
    parts: list[str] = []
    current: list[str] = []
    depth, quote = 0, ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def parse_variant_option(text: str) -> tuple[str, dict[str, Any]]:
    """``"one_officer:visits.officers_per_visit=1,staffing.sergeants=2"`` -> (name, changes).

    Values are YAML, so ``--variant 'mixed:visits.officers_per_visit={high: 2, low: 1}'``
    works: commas inside braces, brackets or quotes do not split.
    """
    source = f"--variant {_clip(text)}"
    name, sep, body = text.partition(":")
    name = name.strip()
    usage = "write --variant NAME:dotted.key=value[,dotted.key=value]"
    if not sep or not name:
        raise ScenarioError([Problem(source, "", text, usage)])
    if not _valid_name(name):
        raise ScenarioError(
            [Problem(source, "", name, "a variant name uses letters, digits, '_', '.', '-'")]
        )
    changes: dict[str, Any] = {}
    for item in split_outside_brackets(body):
        key, eq, raw = item.partition("=")
        if not eq or not key.strip():
            raise ScenarioError([Problem(source, key.strip(), item, usage)])
        if key.strip().split(".")[0].split("[")[0] in FIXED_ACROSS_VARIANTS:
            raise ScenarioError(
                [
                    Problem(
                        source,
                        key.strip(),
                        _clip(raw),
                        f"{', '.join(FIXED_ACROSS_VARIANTS)} are shared by every variant (the "
                        "same seeds and days, so the arms compare); use --set to change them "
                        "for all",
                    )
                ]
            )
        try:
            changes[key.strip()] = read_value(raw)
        except UnreadableValue as error:
            raise ScenarioError([Problem(source, key.strip(), _clip(raw), str(error))]) from None
    return name, changes


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _valid_name(name: str) -> bool:
    return re.fullmatch(NAME_PATTERN, name) is not None and len(name) <= 100


def _variants_of(
    scenario: Scenario,
    extra: Sequence[tuple[str, Mapping[str, Any]]],
    base_label: str | None,
    prefix: str,
) -> list[Variant]:
    """The base then its named variants and the ``extra`` ones, labelled ``prefix + name``.

    The base is labelled ``base_label`` if given, else by the file's variant that changes
    nothing, else 'baseline'.
    """
    base = scenario.model_copy(update={"variants": {}})
    unchanged = next((name for name, changes in scenario.variants.items() if not changes), None)
    variants = [Variant(base_label or prefix + (unchanged or BASE_NAME), base)]
    for name, changes in scenario.variants.items():
        if changes:
            variants.append(Variant(prefix + name, base.with_changes(changes)))
    for name, given in extra:
        variants.append(Variant(prefix + name, apply_changes(base, given, f"--variant {name}")))
    return variants


def comparison_variants(
    scenarios: Sequence[tuple[str, Scenario]],
    extra: Sequence[tuple[str, Mapping[str, Any]]] = (),
) -> list[Variant]:
    """Every arm of a comparison, base first, all sharing the first scenario's seed.

    ``scenarios`` are (source, scenario) pairs, one per file; ``extra`` are command-line
    variants, applied to the first file's base. With several files each base is labelled by
    its scenario name and its variants ``name/variant``. All arms must share the start date
    and the horizon.
    """
    several = len(scenarios) > 1
    variants: list[Variant] = []
    for index, (_source, scenario) in enumerate(scenarios):
        variants += _variants_of(
            scenario,
            extra if index == 0 else (),
            base_label=scenario.name if several else None,
            prefix=f"{scenario.name}/" if several else "",
        )
    first_source, first = scenarios[0]
    problems = []
    for source, scenario in scenarios[1:]:
        for field in ("start_date", "horizon_days"):
            if getattr(scenario, field) != getattr(first, field):
                problems.append(
                    Problem(
                        source,
                        field,
                        str(getattr(scenario, field)),
                        f"must equal {first_source}'s {getattr(first, field)}: compared "
                        "scenarios are read day by day over the same dates",
                    )
                )
    names = [variant.name for variant in variants]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        problems.append(
            Problem("variants", "", ", ".join(duplicates), "each variant needs its own name")
        )
    if problems:
        raise ScenarioError(problems)
    shared = {"seed": first.seed, "replications": first.replications}
    return [Variant(v.name, v.scenario.model_copy(update=shared)) for v in variants]


def independent_seeds(variants: Sequence[Variant]) -> list[Variant]:
    """The same variants, each but the first with a seed of its own (no common random numbers).

    Seed ``i`` is drawn from ``SeedSequence([base seed, i])``, so it is reproducible and, with
    overwhelming probability, unrelated to the base seed's streams.
    """
    result = []
    for index, variant in enumerate(variants):
        scenario = variant.scenario
        if index > 0:
            state = np.random.SeedSequence([scenario.seed, index]).generate_state(2, np.uint32)
            seed = (int(state[0]) << 31) ^ int(state[1])  # 63 bits: within the seed's range
            scenario = scenario.model_copy(update={"seed": seed})
        result.append(Variant(variant.name, scenario))
    return result
