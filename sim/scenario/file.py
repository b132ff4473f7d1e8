"""Read a scenario file (plus ``--set`` overrides) into a validated :class:`Scenario`.

The one way in: read the YAML, apply the overrides, validate, and read the caseload file the
scenario names. Everything a user can get wrong is turned into a :class:`ScenarioError` holding
one :class:`Problem` per mistake (see problems.py; both are re-exported here because every
caller of :func:`load_scenario` catches them). YAML is read by untrusted_yaml.py:
object-construction tags are refused, never executed, and alias bombs and deep nesting are
refused before they can hang or crash anything.
"""

from __future__ import annotations

import copy
import difflib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.scenario.caseload_file import CaseloadError, read_caseload
from sim.scenario.dotted import DottedPathError, set_dotted, split_dotted
from sim.scenario.problems import (
    Origin,
    Problem,
    ScenarioError,
    boolean_problems,
    problems_from,
    with_booleans,
)
from sim.scenario.scenario import Scenario
from sim.scenario.untrusted_yaml import (
    BadKey,
    TooLarge,
    UnreadableValue,
    check_size,
    load_text,
    read_value,
)

__all__ = [
    "Problem",
    "ScenarioError",
    "apply_overrides",
    "change_problems",
    "check_caseload",
    "load_scenario",
    "parse_scenario",
    "read_yaml_mapping",
    "resolve_caseload_path",
]

MAX_FILE_BYTES = 1_000_000  # a scenario is a few KB; PyYAML parses ~60 KB a second


def _clip(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _nearby_hint(path: Path) -> str:
    """'; did you mean scenarios/small_example.yaml?' for a mistyped scenario file name."""
    folder = path.parent
    if not folder.is_dir():
        return f" (there is no folder {folder})"
    names = sorted(p.name for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))
    guess = difflib.get_close_matches(path.name, names, n=1)
    if guess:
        return f"; did you mean {folder / guess[0]}?"
    return f"; scenario files here: {', '.join(names)}" if names else ""


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """Parse the file as YAML and insist on a mapping at the top level."""
    source = str(path)
    if not path.exists():
        raise ScenarioError([Problem(source, "", "", "file not found" + _nearby_hint(path))])
    if not path.is_file():
        raise ScenarioError([Problem(source, "", "", "not a file")])
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ScenarioError(
            [Problem(source, "", "", f"file is larger than {MAX_FILE_BYTES} bytes")]
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(
            [Problem(source, "", "", "not a text (UTF-8) file; a scenario is YAML text")]
        ) from None
    try:
        data = load_text(text)
    except TooLarge as err:
        raise ScenarioError([Problem(source, "", "", str(err))]) from None
    except BadKey as err:
        mark = err.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ScenarioError([Problem(source, "", "", f"{where}{err.problem}")]) from None
    except yaml.constructor.ConstructorError as err:
        raise ScenarioError(
            [
                Problem(
                    source, "", "", f"YAML tags that build objects are not allowed ({err.problem})"
                )
            ]
        ) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise ScenarioError(
            [Problem(source, "", "", f"YAML syntax error at {where}{problem}")]
        ) from None
    except (ValueError, TypeError, OverflowError) as err:  # e.g. an explicit !!timestamp
        raise ScenarioError(
            [Problem(source, "", "", f"a YAML value cannot be read: {err}")]
        ) from None
    if data is None:
        raise ScenarioError([Problem(source, "", "", "file is empty; expected a scenario mapping")])
    if not isinstance(data, dict):
        raise ScenarioError(
            [Problem(source, "", type(data).__name__, "the top level must be a mapping of fields")]
        )
    return data


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> tuple[dict[str, Any], Origin]:
    """Apply ``KEY=VALUE`` overrides (dotted keys, YAML values) to a copy of ``data``.

    Returns the new mapping and, for error messages, which override set each path.
    """
    result = copy.deepcopy(data)
    origin: Origin = {}
    problems: list[Problem] = []
    for item in overrides:
        source = f"--set {_clip(item)}"
        key, sep, raw = item.partition("=")
        try:
            path = split_dotted(key)
        except DottedPathError:
            path = ()
        if not sep or not path:
            problems.append(Problem(source, key, item, "write --set dotted.key=value"))
            continue
        try:
            value = read_value(raw)
        except UnreadableValue as err:
            problems.append(Problem(source, key, _clip(raw), str(err)))
            continue
        try:
            set_dotted(result, path, value)
        except DottedPathError as error:
            problems.append(Problem(source, error.prefix, error.given, error.message))
            continue
        origin[path] = source
    if problems:
        raise ScenarioError(problems)
    return result, origin


def parse_scenario(data: dict[str, Any], source: str, origin: Origin | None = None) -> Scenario:
    """Validate a parsed mapping; errors name ``source`` (or the --set that caused them).

    A file with ``variants:`` is checked in two steps so that each problem names its place:
    first the base scenario alone, then every variant applied to it (``source, variant 'x'``).
    A true/false anywhere is reported at its own field (see ``problems.boolean_problems``).
    """
    origin = origin or {}
    booleans = boolean_problems(data, source, origin)
    variants = data.get("variants")
    if isinstance(variants, dict) and variants:
        try:
            base = Scenario.model_validate({k: v for k, v in data.items() if k != "variants"})
        except ValidationError as err:
            raise ScenarioError(with_booleans(booleans, err, source, origin)) from None
        problems = []
        for name, changes in variants.items():
            if isinstance(changes, dict):
                problems += change_problems(base, changes, f"{source}, variant '{name}'")
        if problems or booleans:
            raise ScenarioError(booleans + problems)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(with_booleans(booleans, err, source, origin)) from None
    if booleans:
        raise ScenarioError(booleans)
    return scenario


def resolve_caseload_path(data: dict[str, Any], scenario_dir: Path, origin: Origin) -> str | None:
    """Make ``population.initial_caseload`` absolute; return the path as the user sees it.

    A path in the file is relative to the file's folder; one given with ``--set`` is relative
    to the current folder. The absolute path is what the scenario (and so the manifest)
    keeps, so a saved scenario still finds its caseload from anywhere.
    """
    population = data.get("population")
    if not isinstance(population, dict):
        return None
    given = population.get("initial_caseload")
    if not isinstance(given, str) or not given.strip():
        return None
    from_set = ("population", "initial_caseload") in origin
    shown = Path(given) if from_set or Path(given).is_absolute() else scenario_dir / given
    population["initial_caseload"] = str(shown.resolve())
    return str(shown)


def check_caseload(scenario: Scenario, shown_path: str | None = None) -> None:
    """Read the scenario's caseload file, if any; its mistakes become problems (row, column)."""
    path = scenario.population.initial_caseload
    if path is None:
        return
    try:
        read_caseload(path, scenario.start_date, scenario.visits.interval_days.as_tuple())
    except CaseloadError as error:
        source = shown_path or error.path
        raise ScenarioError(
            [Problem(source, where, given, allowed) for where, given, allowed in error.problems]
        ) from None


def change_problems(base: Scenario, changes: dict[str, Any], source: str) -> list[Problem]:
    """What is wrong with ``base`` after ``{dotted.path: value}`` changes (empty if nothing)."""
    try:
        base.with_changes(changes)
    except DottedPathError as error:
        return [Problem(source, error.prefix, error.given, error.message)]
    except ValidationError as err:
        return problems_from(err, source, {})
    return []


def load_scenario(path: Path | str, overrides: list[str] | None = None) -> Scenario:
    """Read, override and validate a scenario file. Raises :class:`ScenarioError`."""
    path = Path(path)
    data = read_yaml_mapping(path)
    _check_size(data, str(path))
    data, origin = apply_overrides(data, overrides or [])
    for path_parts, source in origin.items():
        _check_size(_get(data, path_parts), source)
    shown_caseload = resolve_caseload_path(data, path.parent, origin)
    scenario = parse_scenario(data, str(path), origin)
    check_caseload(scenario, shown_caseload)
    return scenario


def _check_size(data: Any, source: str) -> None:
    try:
        check_size(data)
    except TooLarge as err:
        raise ScenarioError([Problem(source, "", "", str(err))]) from None


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        data = data[part]
    return data
