"""Runs a rule set on flat facts with durable-rules; the only module that imports durable.

We drive durable's C core (`durable_rules_engine`) directly rather than its Python `Host`:
the Host starts two timer threads that race with request threads, writes numbers such as
1e+16 in a form the core's parser crashes on, raises on facts no rule matches, and wraps
every action in a closure with a JSON round trip of the session state. What the core needs
from us, measured on 2.0.28:

- one lock around every call into the core (it is not thread-safe);
- a fresh random session id per evaluation, deleted in `finally`, so sessions never pile up
  and 32-bit sid hash collisions cannot mix two evaluations;
- an opening fact whose rule fires first, because deleting a session in which no action
  ran crashes the core;
- a unique `id` per fact, because two identical facts in one session are refused;
- at most 64 alpha nodes pending for one fact (error 303 beyond) and at most 255 rules
  ending on one alpha node (error 108): every rule becomes its alternatives (an OR of ANDs
  of tests), equal alternatives become one durable rule, a durable ruleset gets at most
  `SHARD_PATHS` of them, and a shard that overflows is split in two and run again;
- a batch may hold facts no rule matches: the core then answers 1 but handles the rest
  (durable's Python client raises MessageNotHandledException instead);
- only comparisons of a fact with constants (joins between facts read freed memory).

How rules become durable's paths, and facts its channels: rules.compiler, rules.channels.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import durable_rules_engine

from rules.channels import Projection, looks_json, project
from rules.compiler import Compiled, Group, compile_ruleset, shard_json
from rules.errors import EngineError
from rules.facts import Firing, Hit, check_columns, check_facts
from rules.models import RuleSet

__all__ = ["Firing", "Hit", "evaluate", "hits_by_columns", "hits_by_fact", "live_sessions"]

SHARD_PATHS = 500
"""Durable rules per durable ruleset at first (the core loops forever once one alpha node
has 512 children); a shard that overflows its stack is halved."""

_STACK_OVERFLOW = 303

_lock = threading.Lock()
_compiled: dict[str, Compiled] = {}
_live: set[tuple[int, str]] = set()


def evaluate(ruleset: RuleSet, facts: list[dict]) -> list[Firing]:
    """Return every (rule, fact) match of `ruleset` on `facts`, sorted deterministically.

    Order: by fact index, then higher priority first, then rule order in the file.
    """
    firings = []
    for index, (fact, hits) in enumerate(zip(facts, hits_by_fact(ruleset, facts), strict=True)):
        for rule_id, priority, action, reason in hits:
            firings.append(Firing(rule_id, priority, action, reason, index, fact))
    return firings


def hits_by_fact(ruleset: RuleSet, facts: list[dict]) -> list[tuple[Hit, ...]]:
    """Return, per fact, the rules of `ruleset` that fired for it, in evaluate's order.

    Facts that look alike to the rules, or that the same rules fired for, share one tuple of
    hits, so a caller with thousands of facts can work once per tuple (tell them apart with
    `is`).
    """
    return _hits(ruleset, check_facts(facts), len(facts))


def hits_by_columns(ruleset: RuleSet, columns: Mapping[str, Sequence],
                    count: int) -> list[tuple[Hit, ...]]:
    """Return what hits_by_fact returns for `count` facts given as columns: each field's
    values fact by fact, None where a fact lacks the field (no dict per fact to build)."""
    return _hits(ruleset, check_columns(columns, count), count)


def _hits(ruleset: RuleSet, columns: Mapping[str, Sequence],
          count: int) -> list[tuple[Hit, ...]]:
    compiled = _compiled_for(ruleset)
    if not count:
        return []
    projection = project(compiled.plan, columns, count)
    hit = compiled.hits.__getitem__
    # Looks that differ in fields no rule that fired tells apart share their tuple of hits.
    shared: dict[tuple[int, ...], tuple[Hit, ...]] = {}
    by_look = []
    for ranks in _ranks_by_look(compiled, projection):
        key = tuple(sorted(ranks))
        hits = shared.get(key)
        if hits is None:
            hits = shared[key] = tuple(map(hit, key))
        by_look.append(hits)
    return list(map(by_look.__getitem__, projection.look_of))


def _ranks_by_look(compiled: Compiled, projection: Projection) -> list[list[int]]:
    """Run every group on its rows and return, per look, the ranks of the rules that fired."""
    sid = uuid.uuid4().hex[:16]  # one live session per durable ruleset: 64 random bits do
    ranks_of_look: list[list[int]] = [[] for _ in projection.looks]
    for group in compiled.groups:
        payload, row_of_look = looks_json(projection, group.fields, sid)
        found: set[int] = set()
        with _lock:
            _run_shards(compiled, group, payload, sid, found)
        ranks_of_row: dict[int, list[int]] = {}
        for match in found:  # row * width + rank
            row, rank = divmod(match, group.width)
            ranks_of_row.setdefault(row, []).append(rank)
        for look, row in enumerate(row_of_look):
            if row in ranks_of_row:
                ranks_of_look[look] += ranks_of_row[row]
    return ranks_of_look


def live_sessions() -> int:
    """Return how many durable sessions exist that were not deleted yet (0 when idle)."""
    return len(_live)


# --- Compiling a rule set -------------------------------------------------------------------


@dataclass
class _Shard:
    handle: int
    paths: list[tuple[int, tuple[str, ...]]]  # (path number, its tests)

def _compiled_for(ruleset: RuleSet) -> Compiled:
    compiled = _compiled.get(ruleset.digest)
    if compiled is None:
        compiled = compile_ruleset(ruleset)
        with _lock:
            if ruleset.digest not in _compiled:
                for group in compiled.groups:
                    group.shards = [
                        _new_shard(compiled, group, group.paths[start:start + SHARD_PATHS])
                        for start in range(0, len(group.paths), SHARD_PATHS)]
                _compiled[ruleset.digest] = compiled
            compiled = _compiled[ruleset.digest]
    return compiled

def _new_shard(compiled: Compiled, group: Group,
               paths: list[tuple[int, tuple[str, ...]]]) -> _Shard:
    name = f"{compiled.name}_g{group.number}_{paths[0][0]}_{len(paths)}"
    try:
        return _Shard(durable_rules_engine.create_ruleset(name, shard_json(paths)), paths)
    except durable_rules_engine.error as exc:
        raise EngineError(f"durable-rules refused rule set {compiled.name}: {exc}") from None

# --- Sessions -------------------------------------------------------------------------------


class _Overflow(Exception):
    """A fact reached more alpha nodes at once than durable's stack holds (error 303)."""


def _run_shards(compiled: Compiled, group: Group, payload: str, sid: str,
                matches: set[int]) -> None:
    """Run every shard of a group; halve a shard that overflows and run its halves instead."""
    pending = list(reversed(group.shards))
    done = []
    while pending:
        shard = pending.pop()
        try:
            _run_session(group, shard.handle, payload, sid, matches)
            done.append(shard)
        except _Overflow:
            if len(shard.paths) == 1:
                raise EngineError("durable-rules overflowed on a single rule") from None
            half = len(shard.paths) // 2
            pending += [_new_shard(compiled, group, shard.paths[half:]),
                        _new_shard(compiled, group, shard.paths[:half])]
    group.shards = done


def _run_session(group: Group, handle: int, payload: str, sid: str,
                 matches: set[int]) -> None:
    """Assert the facts in a fresh session of one durable ruleset and add its matches."""
    _live.add((handle, sid))
    opened = False
    found: set[int] = set()
    try:
        opening = json.dumps({"sid": sid, "id": -1, "open": 1})
        state = _assert(handle, durable_rules_engine.assert_fact, opening)
        _drain(group, handle, state, found)
        opened = True
        _assert(handle, durable_rules_engine.assert_facts, payload)
        _drain(group, handle, state, found)
    finally:
        # Without the opening action, deleting would crash the process; a session left
        # behind costs memory and shows in live_sessions().
        if opened:
            _delete(handle, sid)
    matches |= found


def _assert(handle: int, call: Any, text: str) -> int:
    try:
        code, state = call(handle, text)
    except durable_rules_engine.error as exc:
        if f"error code: {_STACK_OVERFLOW}" in str(exc):
            raise _Overflow from None
        raise EngineError(f"durable-rules refused the facts: {exc}") from None
    # 1 means some fact matched no rule; the core went on with the rest of the batch.
    if code not in (0, 1):
        raise EngineError(f"durable-rules refused the facts (code {code})")
    return state


def _drain(group: Group, handle: int, state: int, found: set[int]) -> None:
    try:
        result = durable_rules_engine.start_action_for_state(handle, state)
        message = result[1] if result else None
        while message:
            try:
                _collect(group, message, found)
            except EngineError:
                durable_rules_engine.abandon_action(handle, state)
                raise
            message = durable_rules_engine.complete_and_start_action(handle, state)
    except durable_rules_engine.error as exc:
        raise EngineError(f"durable-rules failed while running actions: {exc}") from None


_ACTION_NAME = re.compile(r'\{\s*"(?:p(\d+)|open)"')
_FACT_ID = re.compile(r'"id":\s*(-?\d+)')


def _collect(group: Group, message: str, found: set[int]) -> None:
    # Durable hands back each fact's text as asserted: its only "id" key is the row number
    # (quotes inside texts would be escaped, and texts travel as codes anyway).
    name = _ACTION_NAME.match(message)
    if name is None:
        raise EngineError(f"unexpected action message from durable-rules: {message[:80]!r}")
    if name.group(1) is None:
        return
    ranks = group.ranks[int(name.group(1))]
    width = group.width
    for fact_id in _FACT_ID.findall(message):
        base = int(fact_id) * width
        found.update(base + rank for rank in ranks)


def _delete(handle: int, sid: str) -> None:
    try:
        durable_rules_engine.delete_state(handle, sid)
    except durable_rules_engine.error as exc:
        raise EngineError(f"durable-rules could not delete session {sid}: {exc}") from None
    _live.discard((handle, sid))
