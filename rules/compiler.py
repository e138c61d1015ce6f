"""Rules compiled to durable-rules' paths (JSON tests on channels), in groups; no durable here.

A fact is not sent as is. Each field a rule tests travels in typed channels (see Channels)
so that durable's loose comparisons ("abc" > 5 and True == 1 are true for it) never decide
anything, texts travel as small integer codes of the constants rules compare them with, and
numbers as their position among those constants (see number_position), so durable only ever
reads small integers.
`not` is pushed down to the tests (De Morgan), where padded channels make a negated test
hold for a missing field without an extra alternative.

Durable tries every alpha node at the top of a ruleset on every fact, so the rules run in
groups by the fields they test, each group in durable rulesets of its own, and each group
receives every distinct look of its fields once (the matches go to all facts of that look);
groups of fewer than GROUP_RULES rules run together, as each group asserts its looks again.
A key field (one rules compare with many texts, such as KPI ids) also carries its code's
bucket, and each equality test on it sits below a test of that bucket: a fact then meets
about 2 x sqrt(texts) alpha nodes instead of one per text.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from rules.channels import ABSENT, BELOW, KINDS, LIST, MISSING, Channels, nfc, number_position
from rules.errors import EngineError
from rules.facts import Hit
from rules.models import AllOf, FieldTest, NotOf, Rule, RuleSet

MAX_ALTERNATIVES = 256
"""Most alternatives (ANDs of tests) one rule may expand to; beyond, split the rule."""

KEY_TEXTS = 16
"""A field that rules compare with more texts than this (such as KPI ids) is a key field."""

GROUP_RULES = 16
"""Rules that test the same fields run as a group of their own only when they are this many;
smaller groups run together."""

_CAP = 1000  # matches durable hands over per action: few Python calls per rule
_MAX_CHANNELS = 200  # the core crashes somewhere above 250 properties in one fact


@dataclass
class Group:
    """Rules that test the same fields (or some of them), run in durable rulesets of their
    own on the distinct looks of just those fields."""

    number: int
    width: int  # rules in the whole rule set: a match is row * width + rank
    fields: tuple[int, ...]  # positions in the plan
    ranks: list[tuple[int, ...]]  # per path number: the ranks of the rules it stands for
    paths: list[tuple[int, tuple[str, ...]]]  # (path number, its tests)
    shards: list[Any] = field(default_factory=list)  # the engine's durable rulesets


@dataclass
class Compiled:
    name: str
    plan: tuple[Channels, ...]
    hits: list[Hit]  # per rank (priority, then file order): what a firing of that rule gives
    groups: list[Group]


def compile_ruleset(ruleset: RuleSet) -> Compiled:
    """Return `ruleset` compiled to durable paths in groups, without durable rulesets yet."""
    tests = [test for rule in ruleset.rules for test in _tests(rule.when)]
    fields = sorted({test.field for test in tests})
    codes = _text_codes(tests)
    keys = _Keys(fields, codes, _number_bounds(tests))
    by_rank = sorted(range(len(ruleset.rules)),
                     key=lambda index: (-ruleset.rules[index].priority, index))
    rank_of = {index: rank for rank, index in enumerate(by_rank)}
    position = {name: number for number, name in enumerate(fields)}
    key_fields = set(keys.buckets)
    groups = []
    for number, (tested, members) in enumerate(
            _field_groups(ruleset.rules, key_fields).items()):
        ranks_by_tests: dict[tuple[str, ...], list[int]] = {}
        for index in members:
            rule = ruleset.rules[index]
            alternatives = _alternatives(rule.when, False, keys)
            if len(alternatives) > MAX_ALTERNATIVES:
                raise EngineError(f"rule {rule.id!r} expands to more than {MAX_ALTERNATIVES} "
                                  "alternatives; split it into several rules")
            for alternative in alternatives:
                ranks_by_tests.setdefault(alternative, []).append(rank_of[index])
        placed = tuple(sorted(position[name] for name in tested))
        groups.append(Group(number, len(ruleset.rules), placed,
                             [tuple(r) for r in ranks_by_tests.values()],
                             list(enumerate(ranks_by_tests))))
    if sum(len(kinds) for kinds in keys.needs.values()) > _MAX_CHANNELS:
        raise EngineError(f"rule set {ruleset.ruleset!r} tests too many fields")
    hits = [Hit(rule.id, rule.priority, rule.then, rule.reason)
            for rule in (ruleset.rules[index] for index in by_rank)]
    return Compiled(f"kpi_{ruleset.ruleset}_{ruleset.digest[:16]}", keys.plan(), hits,
                     groups)


def _field_groups(rules: tuple[Rule, ...],
                  key_fields: set[str]) -> dict[frozenset[str], list[int]]:
    """Return the rules (by index) grouped by the fields they test; a rule whose fields are
    all tested by a larger group joins the smallest such group, all rules that test one of
    `key_fields` (compared with many texts, such as KPI ids) form one group, and the groups
    of fewer than GROUP_RULES rules run together.

    Each fact passes every alpha node at the top of a durable ruleset, so a rule set where a
    few hundred rules each name a few KPI ids costs every fact hundreds of tests. Run apart,
    each group sees only the distinct looks of its own fields: fewer facts, fewer tests. A
    key field makes almost every look distinct, so its rules are best run on them once.
    """
    by_fields: dict[frozenset[str], list[int]] = {}
    for index, rule in enumerate(rules):
        by_fields.setdefault(frozenset(t.field for t in _tests(rule.when)), []).append(index)
    groups: dict[frozenset[str], list[int]] = {}
    for tested in sorted(by_fields, key=lambda f: (-len(f), sorted(f))):
        larger = [group for group in groups if tested <= group]
        home = min(larger, key=lambda f: (len(f), sorted(f))) if larger else tested
        groups.setdefault(home, []).extend(by_fields[tested])
    for key in sorted(key_fields):
        keyed = [tested for tested in groups if key in tested]
        if len(keyed) > 1:
            groups[frozenset().union(*keyed)] = [i for tested in keyed for i in groups.pop(tested)]
    # Every group asserts its looks again, so only a large or a key group is worth its own run.
    small = [tested for tested, members in groups.items()
             if len(members) < GROUP_RULES and not tested & key_fields]
    if len(small) > 1:
        rest = [i for tested in small for i in groups.pop(tested)]
        groups.setdefault(frozenset().union(*small), []).extend(rest)
    return {tested: sorted(members) for tested, members in groups.items()}


def shard_json(paths: list[tuple[int, tuple[str, ...]]]) -> str:
    # Tests shared by many paths go first so that durable's alpha network shares their nodes.
    frequency = Counter(test for _, tests in paths for test in tests)
    rules = []
    for number, tests in paths:
        ordered = sorted(tests, key=lambda test: (-frequency[test], test))
        test = ordered[0] if len(ordered) == 1 else '{"$and":[' + ",".join(ordered) + "]}"
        rules.append(f'"p{number}":{{"all":[{{"m":{test}}}],"cap":{_CAP}}}')
    rules.append('"open":{"all":[{"m":{"open":1}}]}')
    return "{" + ",".join(rules) + "}"


def _tests(condition: Any) -> list[FieldTest]:
    if isinstance(condition, FieldTest):
        return [condition]
    if isinstance(condition, NotOf):
        return _tests(condition.not_)
    inner = condition.all if isinstance(condition, AllOf) else condition.any
    return [test for part in inner for test in _tests(part)]


def _text_codes(tests: list[FieldTest]) -> dict[str, dict[str, int]]:
    """Return, per field, a small integer for every text a rule compares it with.

    An equality with a rule's constant only depends on which constant (if any) a text is,
    and durable compares integers faster than it stores and hands back long UTF-8 texts.
    """
    texts: dict[str, set[str]] = {}
    for test in tests:
        for value in test.value if isinstance(test.value, tuple) else (test.value,):
            if isinstance(value, str):
                texts.setdefault(test.field, set()).add(nfc(value))
    return {name: {text: code for code, text in enumerate(sorted(found))}
            for name, found in texts.items()}


def _number_bounds(tests: list[FieldTest]) -> dict[str, tuple[int | float, ...]]:
    """Return, per field, the numbers rules compare it with, sorted (see number_position)."""
    numbers: dict[str, set[int | float]] = {}
    for test in tests:
        for value in test.value if isinstance(test.value, tuple) else (test.value,):
            if isinstance(value, int | float) and not isinstance(value, bool):
                numbers.setdefault(test.field, set()).add(value)
    return {name: tuple(sorted(found)) for name, found in numbers.items()}


class _Keys:
    """Hands out channel keys and text codes, noting which channels facts must carry."""

    def __init__(self, fields: list[str], codes: dict[str, dict[str, int]],
                 bounds: dict[str, tuple[int | float, ...]]) -> None:
        self._numbers = {name: str(number) for number, name in enumerate(fields)}
        self.needs: dict[str, set[str]] = {name: set() for name in fields}
        self._codes = codes
        self.bounds = bounds
        # A key field's equality tests sit below one test of the code's bucket, so that a
        # fact meets about 2 x sqrt(texts) alpha nodes instead of one per text.
        self.buckets = {name: math.isqrt(len(texts)) for name, texts in codes.items()
                        if len(texts) > KEY_TEXTS}

    def __call__(self, name: str, kind: str) -> str:
        self.needs[name].add(kind)
        return kind + self._numbers[name]

    def code(self, name: str, text: str) -> int:
        return self._codes[name][nfc(text)]

    def position(self, name: str, number: int | float) -> int:
        return number_position(number, self.bounds[name])

    def plan(self) -> tuple[Channels, ...]:
        return tuple(
            Channels(field=name, codes=self._codes.get(name, {}),
                     bucket=self.buckets.get(name, 0), bounds=self.bounds.get(name, ()),
                     **{kind: (kind + number if kind in self.needs[name] else None)
                        for kind in KINDS})
            for name, number in self._numbers.items())


def _atom(op: str | None, key: str, value: Any) -> str:
    test = {key: value} if op is None else {op: {key: value}}
    return json.dumps(test, ensure_ascii=False, separators=(",", ":"))


def _alternatives(condition: Any, negated: bool, keys: _Keys) -> list[tuple[str, ...]]:
    """Return `condition` (or its negation) as alternatives, each an AND of atomic tests."""
    if isinstance(condition, FieldTest):
        return _test_alternatives(condition, negated, keys)
    if isinstance(condition, NotOf):
        return _alternatives(condition.not_, not negated, keys)
    inner = condition.all if isinstance(condition, AllOf) else condition.any
    parts = [_alternatives(part, negated, keys) for part in inner]
    if isinstance(condition, AllOf) == negated:  # an OR: any part's alternative will do
        return _unique([alt for part in parts for alt in part])
    combined: list[tuple[str, ...]] = [()]
    for part in parts:  # an AND: one alternative from every part
        combined = _unique([left + right for left in combined for right in part])
        if len(combined) > MAX_ALTERNATIVES:
            break
    return combined


def _unique(alternatives: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    return list(dict.fromkeys(tuple(sorted(set(alt))) for alt in alternatives))


def _test_alternatives(test: FieldTest, negated: bool, keys: _Keys) -> list[tuple[str, ...]]:
    """Return a test (or its negation, true also when the field is missing or of another
    kind) as alternatives of atomic durable tests."""
    name, op = test.field, test.op
    if op in ("exists", "missing"):
        wants_missing = (op == "missing") != negated
        return [(_atom(None if wants_missing else "$neq", keys(name, "t"), MISSING),)]
    value = _constant(test.value, name, keys)
    if op in ("contains", "not_contains"):
        has = _atom("$iany", keys(name, "l"), {"$i": value})
        lacks = _atom("$iall", keys(name, "l"), {"$neq": {"$i": value}})
        if (op == "contains") != negated:
            return [(has,)] if not negated else [(has,), (_not_a_list(name, keys),)]
        return [(lacks,)] if negated else [(lacks, _atom(None, keys(name, "t"), LIST))]
    if op in _BOUNDS:
        if not negated:
            return [(_atom(f"${op}", keys(name, "n"), value),)]
        channel, opposite = _BOUNDS[op]
        return [(_atom(opposite, keys(name, channel), value),)]
    return _scalar_alternatives(op, negated, name, test.value, value, keys)


# Negated comparisons read v (BELOW without a number) or w (above all), so a missing number
# holds.
_BOUNDS = {"gt": ("v", "$lte"), "gte": ("v", "$lt"), "lt": ("w", "$gte"), "lte": ("w", "$gt")}


def _not_a_list(name: str, keys: _Keys) -> str:
    return _atom("$neq", keys(name, "t"), LIST)


def _scalar_alternatives(op: str, negated: bool, name: str, raw: Any, value: Any,
                         keys: _Keys) -> list[tuple[str, ...]]:
    first = raw[0] if isinstance(raw, tuple) else raw
    items = value if isinstance(value, tuple) else (value,)
    wants_equal = (op in ("eq", "in")) != negated
    absent: int
    if isinstance(first, str | bool):  # one channel, holding ABSENT for other facts
        present = padded = keys(name, "b" if isinstance(first, bool) else "s")
        absent = ABSENT
    else:  # numbers: n holds only numbers' positions, v holds BELOW for other facts
        present = keys(name, "n") if not negated or wants_equal else ""
        padded = keys(name, "v") if negated else ""
        absent = BELOW
    if wants_equal:
        size = keys.buckets.get(name, 0) if isinstance(first, str) else 0
        equal: list[tuple[str, ...]] = [
            (_atom(None, keys(name, "k"), item // size), _atom(None, present, item))
            if size else (_atom(None, present, item),) for item in items]
        return [*equal, (_atom(None, padded, absent),)] if negated else equal
    if negated:  # not(eq) / not(in): a missing field differs from every item too
        return [tuple(_atom("$neq", padded, item) for item in items)]
    differs = tuple(_atom("$neq", present, item) for item in items)
    # ne / not_in hold only for a field of this kind ($neq on an absent n is already false).
    return [(*differs, _atom("$neq", present, absent))] if present == padded else [differs]


def _constant(value: Any, name: str, keys: _Keys) -> Any:
    """Return a rule's constant as its channel holds it: texts as codes, yes/no as 1 or 0,
    numbers as their position among the field's constants."""
    if isinstance(value, tuple):
        return tuple(_constant(item, name, keys) for item in value)
    if isinstance(value, str):
        return keys.code(name, value)
    if isinstance(value, bool):
        return int(value)
    return keys.position(name, value)
