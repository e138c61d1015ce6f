"""Facts as the engine takes them (dicts or columns, checked flat) and what it returns."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import chain, repeat
from operator import itemgetter
from typing import Any, NamedTuple

from rules.errors import EngineError
from rules.models import Action, Text


class Column(list):
    """A field's values fact by fact, made of a few distinct values: `distinct`, and per fact
    the position of its value among them (`keys`). The engine checks and projects each
    distinct value once; a `memo` kept by the owner of `distinct` (such as a catalog) keeps
    that work between calls. Read-only, like every fact."""

    __slots__ = ("distinct", "keys", "memo")

    def __init__(self, distinct: Sequence, keys: Sequence[int],
                 memo: dict | None = None) -> None:
        super().__init__(pick(distinct, keys))
        self.distinct = distinct
        self.keys = keys
        self.memo: dict = {} if memo is None else memo


def pick(values: Sequence, rows: Sequence[int]) -> list:
    """Return the values at `rows`, in that order."""
    if len(rows) > 1:
        return list(itemgetter(*rows)(values))
    return [values[row] for row in rows]


_SCALARS = frozenset({str, int, bool, type(None)})
_FLAT = _SCALARS | {float, list}
_TEXT = frozenset({str})
_is_float = float.__instancecheck__
_is_list = list.__instancecheck__
_is_dict = dict.__instancecheck__


def check_facts(facts: object) -> dict[str, Sequence]:
    """Return each field's values fact by fact (None where a fact lacks the field); raise
    EngineError naming the first fact value that is not flat (text, number, ...).

    Field by field, so that the usual case costs a few passes in C per field rather than a
    Python step per value; anything unusual is looked at fact by fact.
    """
    if not isinstance(facts, list | tuple):
        raise EngineError(f"facts must be a list of dicts, got {type(facts).__name__}")
    if not all(map(_is_dict, facts)):
        _check_each(facts)
    names = list(set().union(*facts))
    columns = _columns(facts, names)
    if not _TEXT.issuperset(map(type, names)) or not all(
            _plain_column(name, values, facts) for name, values in columns.items()):
        _check_each(facts)  # raises, unless the values are subclasses of the plain kinds
    return columns


def _columns(facts: list | tuple, names: list) -> dict[str, Sequence]:
    """Return each field's values fact by fact, None where a fact lacks the field."""
    if len(names) > 1 and set(map(type, facts)) == {dict}:  # a defaultdict would fill in
        try:  # when every fact has every field, one C pass per fact and one transposition
            return dict(zip(names, zip(*map(itemgetter(*names), facts), strict=True),
                            strict=True))
        except KeyError:
            pass
    return {name: [fact.get(name) for fact in facts] for name in names}


def check_columns(columns: Mapping[str, Sequence], count: int) -> Mapping[str, Sequence]:
    """Return `columns` (each field's values fact by fact, None where a fact lacks the field:
    what check_facts returns) after checking them as check_facts checks facts."""
    for name, values in columns.items():
        if not isinstance(name, str):
            raise EngineError(f"field names must be text, got {type(name).__name__}")
        if len(values) != count:
            raise EngineError(f"field {name!r} has {len(values)} values for {count} facts")
        if not _plain(name, values):
            for index, value in enumerate(values):
                problem = None if value is None else _flat_value_problem(name, value)
                if problem:
                    raise EngineError(f"facts[{index}].{name}: {problem}")
    return columns


def _plain(name: str, values: Sequence) -> bool:
    """Return _plain_column's answer for a column without facts, once per distinct value of a
    Column (once per memo for a Column with a lasting one)."""
    if not isinstance(values, Column):
        return _plain_column(name, values, None)
    known = values.memo.get("plain")
    if known is None:
        known = values.memo["plain"] = _plain_column(name, values.distinct, None)
    return known


def _plain_column(name: str, values: Sequence, facts: list | tuple | None) -> bool:
    """Return True when one field's values are all flat, none an explicit None (without
    `facts`, None stands for a fact without the field)."""
    kinds = set(map(type, values))
    if facts is not None and type(None) in kinds and values.count(None) != len(facts) - sum(
            map(dict.__contains__, facts, repeat(name, len(facts)))):
        return False
    if kinds <= _SCALARS:
        return True
    if not kinds <= _FLAT:
        return False
    if list in kinds and values.count(values[0]) == len(values):
        values = values[:1]  # such as the client's list in every fact: equal lists, one check
    if float in kinds and not all(map(math.isfinite, filter(_is_float, values))):
        return False
    return list not in kinds or _TEXT.issuperset(
        map(type, chain.from_iterable(filter(_is_list, values))))


def _check_each(facts: list | tuple) -> None:
    """Raise EngineError naming the first value, fact by fact, that is not flat."""
    for index, fact in enumerate(facts):
        if not isinstance(fact, dict):
            raise EngineError(f"facts[{index}]: a fact must be a dict, got {type(fact).__name__}")
        for key, value in fact.items():
            problem = _flat_value_problem(key, value)
            if problem:
                raise EngineError(f"facts[{index}].{key}: {problem}")


def _flat_value_problem(key: object, value: object) -> str | None:
    if not isinstance(key, str):
        return f"field names must be text, got {type(key).__name__}"
    if isinstance(value, str | bool | int):
        return None
    if isinstance(value, float):
        return None if value - value == 0 else "numbers must be finite"  # false for inf, nan
    if isinstance(value, list | tuple):
        return None if all(isinstance(item, str) for item in value) else "lists may hold only text"
    if value is None:
        return "None is not allowed; leave the field out instead"
    return (f"a {type(value).__name__} is not allowed; a fact holds text, numbers, "
            "true/false or lists of text")


class Hit(NamedTuple):
    """One rule that fired, with its action and bilingual reason, whatever the fact."""

    rule_id: str
    priority: int
    action: Action
    reason: Text


class Firing(NamedTuple):
    """One rule that fired for one fact, with its action and bilingual reason.

    A named tuple, not a model: the engine builds thousands per evaluation from its own
    validated rules and the caller's fact (not copied), so there is nothing to check, and a
    tuple is built five times faster than a frozen dataclass.
    """

    rule_id: str
    priority: int
    action: Action
    reason: Text
    fact_index: int
    fact: dict[str, Any]
