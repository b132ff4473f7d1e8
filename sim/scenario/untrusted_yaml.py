"""Reading YAML that anyone may have written: safe tags only, and bounded in size and depth.

``yaml.safe_load`` already refuses tags that build Python objects. Two more things can go wrong
with hostile text. Anchors and aliases can make a 400-byte file stand for a billion values
(each alias repeats a whole subtree), which would hang validation and error reporting. And deep
nesting makes PyYAML recurse slowly and then overflow Python's stack. A scenario is a few
hundred values at most five levels deep, so generous limits refuse both at once.

Dates are left as text (see :class:`_Loader`), so that pydantic checks them and names the field.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

__all__ = [
    "MAX_DEPTH",
    "MAX_VALUES",
    "BadKey",
    "TooLarge",
    "UnreadableValue",
    "check_size",
    "load_text",
    "read_value",
]

MAX_VALUES = 100_000
MAX_DEPTH = 50
_BRACKETS = re.compile(r"[\[\]{}]")


class TooLarge(Exception):
    """The YAML nests too deeply or expands to too many values; the message says which."""


class _Loader(yaml.SafeLoader):
    """YAML's safe loader, except that dates stay text for pydantic to check.

    PyYAML turns ``2024-02-30`` into a date itself and raises a bare ValueError, which names
    no field; pydantic reports the same mistake as ``start_date: Input should be a valid
    date``. Only the implicit date rule is dropped, so ``2024-04-01`` is still a date field.
    """


class BadKey(yaml.constructor.ConstructorError):
    """A mapping key given twice, or one that is not a plain value (the message says which)."""


_MERGE = "tag:yaml.org,2002:merge"


def _unique_keys(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    """A mapping whose keys are unique, as YAML requires: a key given twice is refused, never
    silently the last one (``horizon_days: 120`` then ``horizon_days: 30``). Keys a merge
    (``<<: *base``) brings in may be overridden, as YAML says."""
    seen: dict[Any, Any] = {}
    for key_node, _value_node in node.value:
        if key_node.tag == _MERGE:
            continue
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            raise BadKey(
                "while reading a mapping",
                node.start_mark,
                "a key must be a plain value (text or a number), not a list or a mapping",
                key_node.start_mark,
            ) from None
        if key in seen:
            raise BadKey(
                "while reading a mapping",
                node.start_mark,
                f"the key {key!r} appears twice (first at line {seen[key].line + 1}); keep one",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = loader.construct_mapping(node, deep=deep)
    return mapping


_Loader.add_constructor("tag:yaml.org,2002:map", _unique_keys)

_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep"


def load_text(text: str) -> Any:
    """Parse YAML text safely. Raises :class:`TooLarge`, ``yaml.YAMLError``, or ValueError /
    TypeError / OverflowError for a value YAML cannot build (an explicit ``!!timestamp``).

    PyYAML parses nested ``[``/``{`` collections recursively and slowly (seconds for a few
    hundred levels), so they are counted first, which is instant. The count ignores quoting,
    so it errs only on text with 50 unclosed brackets in a row.
    """
    depth = 0
    for bracket in _BRACKETS.findall(text):
        depth = depth + 1 if bracket in "[{" else max(depth - 1, 0)
        if depth > MAX_DEPTH:
            raise TooLarge(_TOO_DEEP)
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader: no object-building tags
    except RecursionError:  # deep block (indented) nesting
        raise TooLarge(_TOO_DEEP) from None


class UnreadableValue(ValueError):
    """A YAML value from the command line cannot be read; the message says why."""


def read_value(text: str) -> Any:
    """One YAML value typed on the command line (``--set``, ``--variant``, ``--param``,
    ``--lever``), read as a scenario file is: safe tags only, dates as text, unique keys, and
    bounded in depth and size. Raises :class:`UnreadableValue` saying why, never anything
    else; empty text is None."""
    if not text.strip():
        return None
    try:
        value = load_text(text)
        check_size(value)
    except TooLarge as error:
        raise UnreadableValue(str(error)) from None
    except BadKey as error:
        raise UnreadableValue(f"the value cannot be read: {error.problem}") from None
    except yaml.constructor.ConstructorError as error:
        raise UnreadableValue(
            f"the value is not valid YAML here: tags that build objects are not allowed "
            f"({error.problem})"
        ) from None
    except yaml.YAMLError:
        raise UnreadableValue("the value is not valid YAML") from None
    except (ValueError, TypeError, OverflowError, RecursionError) as error:
        raise UnreadableValue(f"the value cannot be read: {error}") from None
    return value


def check_size(data: Any) -> None:
    """Raise :class:`TooLarge` if ``data`` nests too deeply or expands to too many values.

    Sizes are memoised by object identity, so a subtree that aliases repeat is measured once
    and the check stays fast on exactly the inputs it is there to refuse.
    """
    sizes: dict[int, int] = {}

    def size(value: Any, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise TooLarge(_TOO_DEEP)
        if not isinstance(value, (dict, list)):
            return 1
        known = sizes.get(id(value))
        if known is not None:
            return known
        total = 1
        for child in value.values() if isinstance(value, dict) else value:
            total += size(child, depth + 1)
            if total > MAX_VALUES:
                raise TooLarge(
                    f"holds more than {MAX_VALUES:,} values (YAML aliases repeating large "
                    "parts?); a scenario has a few hundred"
                )
        sizes[id(value)] = total
        return total

    size(data, 0)
