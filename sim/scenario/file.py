"""Read a scenario file (plus ``--set`` overrides) into a validated :class:`Scenario`.

Everything a user can get wrong is turned into a :class:`ScenarioError` holding one
:class:`Problem` per mistake: which file (or ``--set``), which field, what was given and what is
allowed. The command line prints those and exits with code 2; nobody sees a traceback. YAML is
read by untrusted_yaml.py: object-construction tags are refused, never executed, and alias
bombs and deep nesting are refused before they can hang or crash anything.
"""

from __future__ import annotations

import difflib
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.scenario.dotted import DottedPathError, set_dotted, split_dotted
from sim.scenario.scenario import Scenario
from sim.scenario.untrusted_yaml import TooLarge, check_size, load_text

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

MAX_FILE_BYTES = 5_000_000


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input."""

    source: str
    field: str
    given: str
    allowed: str

    def __str__(self) -> str:
        where = f"{self.source}: {self.field}" if self.field else self.source
        given = f" (given: {self.given})" if self.given else ""
        return f"{where}: {self.allowed}{given}"


class ScenarioError(Exception):
    """The scenario cannot be used; ``problems`` says why, one entry per mistake."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


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


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> tuple[dict[str, Any], dict]:
    """Apply ``KEY=VALUE`` overrides (dotted keys, YAML values) to a copy of ``data``.

    Returns the new mapping and, for error messages, which override set each path.
    """
    import copy

    result = copy.deepcopy(data)
    origin: dict[tuple[str, ...], str] = {}
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
            value = load_text(raw) if raw.strip() else None
        except (ValueError, TypeError, OverflowError) as err:
            problems.append(Problem(source, key, _clip(raw), f"the value cannot be read: {err}"))
            continue
        except TooLarge as err:
            problems.append(Problem(source, key, _clip(raw), str(err)))
            continue
        except yaml.YAMLError:
            problems.append(Problem(source, key, _clip(raw), "the value is not valid YAML"))
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


def _model_at(path: tuple, model: type[BaseModel] = Scenario) -> type[BaseModel] | None:
    """The pydantic model class reached by following ``path`` from Scenario, if any."""
    current: Any = model
    for part in path:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(part)
        if field is None:
            return None
        current = _first_model(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _first_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is None and not isinstance(annotation, types.UnionType):
        return None
    for arg in typing.get_args(annotation):
        found = _first_model(arg)
        if found is not None:
            return found
    return None


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's internal steps (union tags, validator names) from an error location."""
    kept = []
    for part in loc:
        if isinstance(part, str) and (
            part.startswith("function-")
            or part in {"fixed", "uniform", "triangular", "exponential", "lognormal"}
        ):
            continue
        kept.append(part)
    return tuple(kept)


def _problems_from(err: ValidationError, source: str, origin: dict) -> list[Problem]:
    problems = []
    for item in err.errors():
        loc = _clean_loc(tuple(item["loc"]))
        field = ".".join(str(p) for p in loc)
        where = _where(loc, source, origin)
        message = item["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        if item["type"] == "extra_forbidden":
            parent = _model_at(loc[:-1])
            allowed = sorted(parent.model_fields) if parent else []
            guess = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            hint = f"; did you mean '{guess[0]}'?" if guess else ""
            message = f"unknown field{hint} Allowed here: {', '.join(allowed)}"
        elif item["type"] == "missing":
            message = "required field is missing"
        given = "" if item["type"] == "missing" else _short(item.get("input"))
        problems.append(Problem(where, field, given, message))
    return _without_inherited(problems)


def _without_inherited(problems: list[Problem]) -> list[Problem]:
    """Report a mistake in a top-level section once, not again for every area inheriting it."""
    top_level = {
        (p.field, p.given, p.allowed) for p in problems if not p.field.startswith("areas.")
    }
    kept = []
    for problem in problems:
        parts = problem.field.split(".", 2)
        if parts[0] == "areas" and len(parts) == 3:
            if (parts[2], problem.given, problem.allowed) in top_level:
                continue
        kept.append(problem)
    return kept


def _where(path: tuple, source: str, origin: dict) -> str:
    """The file, or the ``--set`` that set ``path`` (or one of its parents)."""
    for length in range(len(path), 0, -1):
        if tuple(str(p) for p in path[:length]) in origin:
            return origin[tuple(str(p) for p in path[:length])]
    return source


def _boolean_problems(data: Any, source: str, origin: dict, path: tuple = ()) -> list[Problem]:
    """Every true/false where the scenario expects a number, a word or a date.

    pydantic's lax mode would read ``true`` as 1, so ``offender_managers: yes`` would mean one
    officer. No scenario field is a yes/no switch today; one that is will be let through.
    """
    if isinstance(data, bool):
        parent = _model_at(path[:-1]) if path else None
        field = parent.model_fields.get(str(path[-1])) if parent else None
        if field is not None and field.annotation is bool:
            return []
        return [
            Problem(
                _where(path, source, origin),
                ".".join(str(p) for p in path),
                repr(data),
                "true/false is not allowed here: give a number, a word or a date",
            )
        ]
    if isinstance(data, dict):
        children = data.items()
    elif isinstance(data, list):
        children = enumerate(data)
    else:
        return []
    problems = []
    for key, value in children:
        problems += _boolean_problems(value, source, origin, (*path, key))
    return problems


def parse_scenario(data: dict[str, Any], source: str, origin: dict | None = None) -> Scenario:
    """Validate a parsed mapping; errors name ``source`` (or the --set that caused them).

    A file with ``variants:`` is checked in two steps so that each problem names its place:
    first the base scenario alone, then every variant applied to it (``source, variant 'x'``).
    A true/false anywhere is reported at its own field (see :func:`_boolean_problems`).
    """
    origin = origin or {}
    booleans = _boolean_problems(data, source, origin)
    variants = data.get("variants")
    if isinstance(variants, dict) and variants:
        try:
            base = Scenario.model_validate({k: v for k, v in data.items() if k != "variants"})
        except ValidationError as err:
            raise ScenarioError(_with_booleans(booleans, err, source, origin)) from None
        problems = []
        for name, changes in variants.items():
            if isinstance(changes, dict):
                problems += change_problems(base, changes, f"{source}, variant '{name}'")
        if problems or booleans:
            raise ScenarioError(booleans + problems)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(_with_booleans(booleans, err, source, origin)) from None
    if booleans:
        raise ScenarioError(booleans)
    return scenario


def _with_booleans(
    booleans: list[Problem], err: ValidationError, source: str, origin: dict
) -> list[Problem]:
    """The true/false problems, then pydantic's, less those about the same fields."""
    flagged = {problem.field for problem in booleans}
    others = [
        problem
        for problem in _problems_from(err, source, origin)
        if not any(problem.field == f or problem.field.startswith(f + ".") for f in flagged)
    ]
    return booleans + others


def resolve_caseload_path(data: dict[str, Any], scenario_dir: Path, origin: dict) -> str | None:
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
    from sim.scenario.caseload_file import CaseloadError, read_caseload

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
        return _problems_from(err, source, {})
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


def _get(data: dict, path: tuple[str, ...]) -> Any:
    for part in path:
        data = data[part]
    return data
