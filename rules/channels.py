"""How a fact reaches durable-rules: each tested field split into typed channels.

Durable compares loosely ("abc" > 5 and True == 1 are true for it), so a field travels in one
channel per kind of value, and a test only reads the channel of the kind it expects; texts
travel as small integer codes of the constants the rules compare them with. No durable here:
this module only builds the JSON the engine asserts.
"""

from __future__ import annotations

import json
import unicodedata
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from operator import is_, itemgetter
from typing import Any, cast

from rules.facts import Column, pick

KINDS = "tsbnvwlk"  # channel prefixes, see Channels
MISSING, TEXT, NUMBER, YES_NO, LIST = range(5)  # values of the kind channel
OTHER = -1  # the code of a text no rule mentions
ABSENT = -2  # the text or yes/no channel of a fact whose field is missing or another kind
END = -3  # closes every list, so that no list is empty (durable's $iall is false on [])
BELOW = -1  # the v channel of a fact without a number: below every number's position


@dataclass(frozen=True)
class Channels:
    """The keys under which one fact field reaches durable (None when no rule needs it).

    t: kind (MISSING, TEXT, ...); s: text code or ABSENT; b: 1, 0 or ABSENT; n: the number's
    position (absent otherwise, see number_position); v / w: the position, or BELOW / above
    every position otherwise, so that a negated comparison holds for a fact without a number;
    l: text codes followed by END; k: the text code's bucket (code // bucket, -1 for none) for
    a key field, see rules.compiler.
    """

    field: str
    t: str | None
    s: str | None
    b: str | None
    n: str | None
    v: str | None
    w: str | None
    l: str | None  # noqa: E741 - one letter per channel, like its siblings
    k: str | None
    codes: dict[str, int]
    bucket: int = 0
    bounds: tuple[int | float, ...] = ()  # the numbers rules compare this field with, sorted

    @property
    def above(self) -> int:
        """Return the w channel of a fact without a number: above every position."""
        return 2 * len(self.bounds) + 1


def number_position(value: int | float, bounds: tuple[int | float, ...]) -> int:
    """Return where a number falls among the rules' sorted constants: 2i + 1 on the i-th,
    2i between the (i-1)-th and the i-th.

    Comparisons with a constant keep their truth on positions (v > c exactly when
    position(v) > position(c)), durable only ever reads small integers (it misreads 1e+16 and
    large integers), and facts that differ only by numbers no rule tells apart look alike.
    """
    index = bisect_left(bounds, value)
    return 2 * index + 1 if index < len(bounds) and bounds[index] == value else 2 * index


class Slots:
    """One field's distinct channel values (slots), each also as JSON object members ("" for
    none), written once however many looks and requests it is part of."""

    __slots__ = ("parts", "_texts")

    def __init__(self, parts: list[dict]) -> None:
        self.parts = parts
        self._texts: list[str] | None = None

    def texts(self) -> list[str]:
        """Return each slot's channels as JSON object members."""
        if self._texts is None:
            self._texts = [json.dumps(part, ensure_ascii=False, separators=(",", ":"))[1:-1]
                           for part in self.parts]
        return self._texts


@dataclass
class Projection:
    """Facts as the rules see them: each field's distinct channel values, the distinct looks
    (combinations of them), and the look of every fact."""

    slots: list[Slots]  # per plan field
    looks: list[tuple[int, ...]]  # per distinct look: the slot of each plan field
    look_of: list[int]  # per fact: the number of its look


def project(plan: tuple[Channels, ...], columns: Mapping[str, Sequence],
            count: int) -> Projection:
    """Return the projection of `count` facts, given as each field's values fact by fact (see
    check_facts), on the channels of `plan`; each distinct value of a field is projected once.

    Rules only see a fact's channels, so facts with the same look match the same rules:
    asserting one of them is enough (a large catalog holds many look-alikes). A field in
    the same slot for every fact (such as the client's answers) is left out of the looks'
    numbering and put back as slot 0.
    """
    projected = [_field(ch, columns.get(ch.field)) for ch in plan]
    varying = [number for number, (slot_of, _) in enumerate(projected) if slot_of is not None]
    keys = list(zip(*(projected[number][0] for number in varying), strict=True)) if varying \
        else [()] * count
    partial, look_of, _ = _numbered(keys, firsts=False)
    looks = partial
    if len(varying) < len(plan):  # a constant field reads the 0 added after the key
        place = dict(zip(varying, range(len(varying)), strict=True))
        full = itemgetter(*(place.get(number, len(varying)) for number in range(len(plan))))
        looks = [full(key + (0,)) for key in partial]
        if len(plan) == 1:
            looks = [(slot,) for slot in looks]
    return Projection([slots for _, slots in projected], looks, look_of)


def looks_json(projection: Projection, fields: tuple[int, ...],
               sid: str) -> tuple[str, list[int]]:
    """Return the JSON array durable receives for rules that test only `fields` (positions in
    the plan): each distinct look of those fields once, numbered from 0 in its id, with sid;
    and, per look of the projection, the number of its row."""
    pick = itemgetter(*fields) if fields else (lambda _: ())
    _, row_of_look, first_look = _numbered(list(map(pick, projection.looks)))
    texts = [projection.slots[position].texts() for position in fields]
    opening = '{"sid":' + json.dumps(sid) + ',"id":'
    rows = []
    for number, look in enumerate(first_look):
        key = projection.looks[look]
        members = [text for text in map(list.__getitem__, texts, map(key.__getitem__, fields))
                   if text]
        rows.append(f"{opening}{number}{',' if members else ''}{','.join(members)}}}")
    return "[" + ",".join(rows) + "]", row_of_look


def _field(ch: Channels, values: Sequence | None) -> tuple[list[int] | None, Slots]:
    """Return, per fact, the slot of its value's channels (None when all facts share slot 0),
    and the field's slots; a Column's distinct values are projected once (once per memo).
    Without values, no fact has the field."""
    if not values:
        return None, Slots([_project(None, ch)])
    if not isinstance(values, Column):
        slot_of, parts = _column(ch, values)
        return (None if len(parts) == 1 else slot_of), Slots(parts)
    found = values.memo.get(id(ch))
    if found is None or found[0] is not ch:  # the memo holds ch, so its id stays its own
        slot_of_distinct, parts = _column(ch, values.distinct)
        found = values.memo[id(ch)] = (ch, slot_of_distinct, Slots(parts))
    _, slot_of_distinct, slots = found
    if slot_of_distinct is None or len(slots.parts) == 1:
        return None, slots
    return pick(slot_of_distinct, values.keys), slots


def _numbered(keys: list, firsts: bool = True) -> tuple[list, list[int], list[int]]:
    """Return the distinct keys in order of first appearance, each key's number, and (when
    `firsts`) per number the position of its first key."""
    number: dict[Any, int] = dict.fromkeys(keys, 0)
    if len(number) == 1:
        return list(number), [0] * len(keys), [0]
    for n, key in enumerate(number):
        number[key] = n
    numbers = list(map(number.__getitem__, keys))
    if not firsts:
        return list(number), numbers, []
    first = dict(zip(reversed(numbers), range(len(numbers) - 1, -1, -1), strict=True))
    return list(number), numbers, [first[n] for n in range(len(number))]


def _column(ch: Channels, values: Sequence) -> tuple[list[int] | None, list[dict]]:
    """Return, per fact, the slot of its value's channels (None when one object is every
    fact's value), and per slot those channels; values no rule tells apart share a slot."""
    if all(map(is_, values, repeat(values[0], len(values)))):
        # one object in every fact, such as the client's answers
        return None, [_project(values[0], ch)]
    keys, shape = _value_keys(values)
    distinct = list(dict.fromkeys(keys))
    value_of = (lambda key: key[1]) if shape == "tagged" else (lambda key: key)
    _, slot_numbers, first = _numbered(_looks(distinct, shape, ch))
    parts = [_project(value_of(distinct[position]), ch) for position in first]
    slot_of = dict(zip(distinct, slot_numbers, strict=True))
    return list(map(slot_of.__getitem__, keys)), parts


def _looks(distinct: list, shape: str, ch: Channels) -> list:
    """Return what the rules can see of each distinct key: equal for keys that project alike
    (texts and list items by their codes; thousands of ids that few rules name look alike)."""
    get = ch.codes.get
    if shape == "text":
        texts = distinct if all(map(str.isascii, distinct)) else list(map(nfc, distinct))
        return list(map(get, texts, repeat(OTHER, len(texts))))
    if shape == "list":
        if not all(map(str.isascii, chain.from_iterable(distinct))):
            distinct = [tuple(map(nfc, items)) for items in distinct]
        return [tuple(filter(OTHER.__ne__, map(get, items, repeat(OTHER, len(items)))))
                for items in distinct]
    return [_look(key[1] if shape == "tagged" else key, ch) for key in distinct]


def _look(value: object, ch: Channels) -> tuple:
    """Return what the rules can see of one value of any kind."""
    kind = _kind(value)
    if kind == TEXT:
        return kind, ch.codes.get(nfc(cast(str, value)), OTHER)
    if kind == LIST:
        items = cast(Sequence[str], value)
        return kind, *(code for code in (ch.codes.get(nfc(item), OTHER) for item in items)
                       if code != OTHER)
    if kind == NUMBER:
        return kind, number_position(cast(float, value), ch.bounds)
    return kind, value


def _value_keys(values: Sequence) -> tuple[Sequence, str]:
    """Return a hashable key per value, equal only for values that project alike, and their
    shape: "text" (all text), "list" (all lists, as tuples), "plain" (the values themselves)
    or "tagged" ((type, value) pairs, lists as tuples).

    True == 1 == 1.0 as dict keys, so a field mixing those kinds is tagged with the type.
    """
    kinds = set(map(type, values))
    if kinds == {str}:
        return values, "text"
    if kinds == {list}:
        if values.count(values[0]) == len(values):  # such as the client's list in every fact
            return [tuple(values[0])] * len(values), "list"
        return list(map(tuple, values)), "list"
    clash = list in kinds or (bool in kinds and (int in kinds or float in kinds)) or (
        int in kinds and float in kinds)
    if not clash:
        return values, "plain"
    return [(v.__class__, tuple(v) if v.__class__ is list else v) for v in values], "tagged"


def _project(value: object, ch: Channels) -> dict:
    """Return the channels of one field's value."""
    row: dict = {}
    kind = _kind(value)
    known = cast(Any, value)  # _kind has told its type: str for TEXT, bool, list, a number
    if ch.t:
        row[ch.t] = kind
    if ch.s or ch.k:
        code = ch.codes.get(nfc(known), OTHER) if kind == TEXT else ABSENT
        if ch.s:
            row[ch.s] = code
        if ch.k:
            row[ch.k] = code // ch.bucket if code >= 0 else -1
    if ch.b:
        row[ch.b] = int(known) if kind == YES_NO else ABSENT
    if ch.l:
        # Items no rule mentions cannot decide contains/not_contains; leave them out.
        coded = [ch.codes.get(nfc(item), OTHER) for item in known] if kind == LIST else []
        row[ch.l] = [code for code in coded if code != OTHER] + [END]
    position = number_position(known, ch.bounds) if kind == NUMBER else None
    for key, otherwise in ((ch.n, None), (ch.v, BELOW), (ch.w, ch.above)):
        if key and (position is not None or otherwise is not None):
            row[key] = otherwise if position is None else position
    return row


def _kind(value: object) -> int:
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return YES_NO
    if isinstance(value, int | float):
        return NUMBER
    return TEXT if isinstance(value, str) else LIST


def nfc(text: str) -> str:
    # Vietnamese letters can be typed composed or decomposed; NFC makes both compare equal.
    return text if text.isascii() else unicodedata.normalize("NFC", text)
