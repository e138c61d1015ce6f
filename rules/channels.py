"""How a fact reaches durable-rules: each tested field split into typed channels.

Durable compares loosely ("abc" > 5 and True == 1 are true for it), so a field travels in one
channel per kind of value, and a test only reads the channel of the kind it expects; texts
travel as small integer codes of the constants the rules compare them with. No durable here:
this module only builds the JSON the engine asserts.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from dataclasses import dataclass

KINDS = "tsbnvwl"  # channel prefixes, see Channels
MISSING, TEXT, NUMBER, YES_NO, LIST = range(5)  # values of the kind channel
OTHER = -1  # the code of a text no rule mentions
ABSENT = -2  # the text or yes/no channel of a fact whose field is missing or another kind
END = -3  # closes every list, so that no list is empty (durable's $iall is false on [])
INF = float("inf")


@dataclass(frozen=True)
class Channels:
    """The keys under which one fact field reaches durable (None when no rule needs it).

    t: kind (MISSING, TEXT, ...); s: text code or ABSENT; b: 1, 0 or ABSENT; n: the number
    (absent otherwise); v / w: the number, or -inf / +inf otherwise, so that a negated
    comparison holds for a fact without a number; l: text codes followed by END.
    """

    field: str
    t: str | None
    s: str | None
    b: str | None
    n: str | None
    v: str | None
    w: str | None
    l: str | None  # noqa: E741 - one letter per channel, like its siblings
    codes: dict[str, int]


def facts_json(plan: tuple[Channels, ...], facts: list[dict],
               sid: str) -> tuple[str, dict[int, list[int]]]:
    """Return the JSON array durable receives (each distinct projection once, with sid and the
    index of its first fact as id) and, per such index, the later facts that look the same.

    Rules only see a fact's channels, so facts with equal channels match the same rules:
    asserting one of them is enough (a large catalog holds many look-alikes). The projection
    goes field by field, and each distinct value of a field is projected once.
    """
    columns = [_column(channels, facts) for channels in plan]
    slots = zip(*(slot for slot, _ in columns), strict=True) if columns else [()] * len(facts)
    needs_fix = False
    rows = []
    first: dict[tuple[int, ...], int] = {}
    twins: dict[int, list[int]] = {}
    for index, key in enumerate(slots):
        if key in first:
            twins.setdefault(first[key], []).append(index)
            continue
        first[key] = index
        row: dict = {"sid": sid, "id": index}
        for slot, (_, parts) in zip(key, columns, strict=True):
            items, fix = parts[slot]
            row.update(items)
            needs_fix |= fix
        rows.append(row)
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    return (fix_numbers(text) if needs_fix else text), twins


def _column(ch: Channels, facts: list[dict]) -> tuple[list[int], list[tuple[dict, bool]]]:
    """Return, per fact, the number of its field's distinct value, and per such number the
    channels it projects to (and whether their JSON needs repair)."""
    seen: dict = {}  # value -> slot
    projected: dict[str, int] = {}  # projection -> slot: values no rule tells apart share one
    parts: list[tuple[dict, bool]] = []
    slots = []
    for fact in facts:
        value = fact.get(ch.field)
        # True == 1 == 1.0 as dict keys, so anything but text is told apart by its type.
        key = value if value.__class__ is str else (
            value.__class__, tuple(value) if value.__class__ is list else value)
        slot = seen.get(key)
        if slot is None:
            row: dict = {}
            fix = _project(value, ch, row)
            slot = seen[key] = projected.setdefault(json.dumps(row), len(parts))
            if slot == len(parts):
                parts.append((row, fix))
        slots.append(slot)
    return slots, parts


def with_twins(matches: set[int], twins: dict[int, list[int]], width: int) -> set[int]:
    """Return the matches with each asserted fact's look-alikes matching the same rules."""
    extra = set()
    for match in matches if twins else ():
        fact_index, rank = divmod(match, width)
        extra.update(twin * width + rank for twin in twins.get(fact_index, ()))
    return matches | extra


def _project(value: object, ch: Channels, row: dict) -> bool:
    """Add the channels of one field's value to `row`; return True when its numbers need
    JSON repair."""
    kind = _kind(value)
    if ch.t:
        row[ch.t] = kind
    if ch.s:
        row[ch.s] = ch.codes.get(nfc(value), OTHER) if kind == TEXT else ABSENT
    if ch.b:
        row[ch.b] = int(value) if kind == YES_NO else ABSENT
    if ch.l:
        # Items no rule mentions cannot decide contains/not_contains; leave them out.
        coded = [ch.codes.get(nfc(item), OTHER) for item in value] if kind == LIST else []
        row[ch.l] = [code for code in coded if code != OTHER] + [END]
    if kind == NUMBER:
        number, fix = number_for_durable(value)
        for key in (ch.n, ch.v, ch.w):
            if key:
                row[key] = number
        return fix
    if ch.v:
        row[ch.v] = -INF
    if ch.w:
        row[ch.w] = INF
    return bool(ch.v or ch.w)


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


def number_for_durable(value: int | float) -> tuple[int | float, bool]:
    """Return the number as durable should see it, and whether its JSON needs repair."""
    if isinstance(value, int):
        if -(2**63) < value < 2**63:
            return int(value), False
        # Beyond 64 bits only the magnitude matters to a comparison with a rule's constant.
        value = float(value) if abs(value) < 2**1023 else (sys.float_info.max if value > 0
                                                          else -sys.float_info.max)
    magnitude = abs(value)
    # Python writes these magnitudes with an exponent (1e-05, 1e+16); see fix_numbers.
    return float(value), magnitude >= 1e16 or 0 < magnitude < 1e-4


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|(?<![\d.])(-?\d+)([eE][-+]?\d+)')


def fix_numbers(text: str) -> str:
    """Return JSON durable reads right: 1e+16 as 1.0e+16 (it crashes on the former) and
    Infinity as 1.0e+999, which its parser turns into infinity."""
    text = _JSON_TOKENS.sub(
        lambda m: m.group(0) if m.group(1) is None else f"{m.group(1)}.0{m.group(2)}", text)
    return text.replace("Infinity", "1.0e+999")  # outside strings only: texts travel as codes
