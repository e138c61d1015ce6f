"""The rule engine: rule files in, firings out, checked against a plain reading of the rules."""

import enum
import random
import threading
import unicodedata
from pathlib import Path

import pytest

from rules.compiler import GROUP_RULES, KEY_TEXTS, compile_ruleset
from rules.engine import (
    SHARD_PATHS,
    evaluate,
    hits_by_columns,
    hits_by_fact,
    live_sessions,
)
from rules.errors import EngineError, RuleFileError
from rules.facts import Column
from rules.loader import load_builtin, load_ruleset, parse_ruleset
from rules.models import ALLOWED_VERBS, AllOf, AnyOf, NotOf, RuleSet

RULES = Path(__file__).resolve().parent / "data" / "rules"
ROOT = Path(__file__).resolve().parents[1]
MISSING = object()


def ruleset_of(*conditions: dict, priorities: list[int] | None = None,
               name: str = "test_rules") -> RuleSet:
    """Return a rule set with one scoring rule per condition, ids r0, r1, ..."""
    priorities = priorities or [0] * len(conditions)
    return RuleSet.model_validate({
        "ruleset": name,
        "description": {"vi": "Luật thử", "en": "Test rules"},
        "rules": [{"id": f"r{n}", "priority": priority, "when": condition,
                   "then": {"action": "score", "points": 1},
                   "reason": {"vi": f"Lý do {n}", "en": f"Reason {n}"}}
                  for n, (condition, priority) in enumerate(zip(conditions, priorities,
                                                                strict=True))],
    })


def fired(ruleset: RuleSet, facts: list[dict]) -> list[tuple[int, str]]:
    """Return (fact index, rule id) of every firing, in the engine's order."""
    return [(f.fact_index, f.rule_id) for f in evaluate(ruleset, facts)]


# --- Each op: true, false, and on a missing field -----------------------------------------

OP_CASES = [
    # op, value, the fact's value (MISSING: field absent), fires?
    ("eq", "growth", "growth", True),
    ("eq", "growth", "startup", False),
    ("eq", "growth", MISSING, False),
    ("eq", "growth", ["growth"], False),
    ("eq", 3, 3.0, True),
    ("eq", 1, True, False),
    ("eq", True, True, True),
    ("eq", False, False, True),
    ("eq", True, 1, False),
    ("ne", "growth", "startup", True),
    ("ne", "growth", "growth", False),
    ("ne", "growth", MISSING, False),
    ("ne", "growth", 7, False),
    ("ne", 5, 6, True),
    ("in", ["startup", "growth"], "growth", True),
    ("in", ["startup", "growth"], "mature", False),
    ("in", ["startup", "growth"], MISSING, False),
    ("in", [1, 2], 2, True),
    ("not_in", ["startup", "growth"], "mature", True),
    ("not_in", ["startup", "growth"], "growth", False),
    ("not_in", ["startup", "growth"], MISSING, False),
    ("not_in", ["startup", "growth"], 4, False),
    ("contains", "email", ["seo", "email"], True),
    ("contains", "email", ["seo"], False),
    ("contains", "email", [], False),
    ("contains", "email", MISSING, False),
    ("contains", "email", "email", False),
    ("not_contains", "email", ["seo"], True),
    ("not_contains", "email", [], True),
    ("not_contains", "email", ["email", "seo"], False),
    ("not_contains", "email", MISSING, False),
    ("not_contains", "email", "seo", False),
    ("gt", 5, 6, True),
    ("gt", 5, 5, False),
    ("gt", 5, MISSING, False),
    ("gt", 5, "9", False),
    ("gt", 0, True, False),
    ("gte", 5, 5, True),
    ("gte", 5, 4.99, False),
    ("gte", 5, MISSING, False),
    ("lt", 0.5, 0.25, True),
    ("lt", 0.5, 0.5, False),
    ("lt", 0.5, MISSING, False),
    ("lte", -2, -2, True),
    ("lte", -2, -1, False),
    ("lte", -2, MISSING, False),
    ("exists", None, "anything", True),
    ("exists", None, [], True),
    ("exists", None, MISSING, False),
    ("missing", None, MISSING, True),
    ("missing", None, 0, False),
    ("missing", None, False, False),
]


def _test(op: str, value: object) -> dict:
    return {"field": "x", "op": op} if value is None else {"field": "x", "op": op, "value": value}


@pytest.mark.parametrize(("op", "value", "fact_value", "fires"), OP_CASES)
def test_each_op(op, value, fact_value, fires):
    fact = {"other": 1} if fact_value is MISSING else {"x": fact_value}
    assert fired(ruleset_of(_test(op, value)), [fact]) == ([(0, "r0")] if fires else [])


@pytest.mark.parametrize(("op", "value", "fact_value", "fires"), OP_CASES)
def test_not_is_the_opposite_of_each_op(op, value, fact_value, fires):
    fact = {"other": 1} if fact_value is MISSING else {"x": fact_value}
    negated = ruleset_of({"not": _test(op, value)})
    assert fired(negated, [fact]) == ([] if fires else [(0, "r0")])


def test_texts_compare_after_unicode_normalisation():
    composed = unicodedata.normalize("NFC", "Tăng doanh thu")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    rules = ruleset_of({"field": "goal", "op": "eq", "value": composed},
                       {"field": "goals", "op": "contains", "value": decomposed})
    assert fired(rules, [{"goal": decomposed, "goals": [composed]}]) == [(0, "r0"), (0, "r1")]


@pytest.mark.parametrize("number", [1e16, 1e-7, -1e300, 2**70, 10**400, -(10**400), 1e-300])
def test_numbers_durable_would_misread(number):
    rules = ruleset_of({"field": "n", "op": "gt", "value": 0},
                       {"field": "n", "op": "lt", "value": 1e-5},
                       {"field": "n", "op": "eq", "value": number})
    expected = [rule for rule, holds in (("r0", number > 0), ("r1", number < 1e-5), ("r2", True))
                if holds]
    assert [rule for _, rule in fired(rules, [{"n": number}])] == expected


def test_numbers_compare_by_value_whatever_their_type():
    rules = ruleset_of({"field": "n", "op": "eq", "value": 1},
                       {"field": "n", "op": "gt", "value": 2},
                       {"field": "n", "op": "gte", "value": 2.0},
                       {"not": {"field": "n", "op": "lt", "value": 2}},
                       {"field": "n", "op": "in", "value": [2, 7.5]})
    facts = [{"n": 1.0}, {"n": 2.0}, {"n": 2}, {"n": 2.5}, {"n": True}, {"n": "2"}, {},
             {"n": 2**80}, {"n": -(10**400)}]
    assert fired(rules, facts) == [
        (0, "r0"), (1, "r2"), (1, "r3"), (1, "r4"), (2, "r2"), (2, "r3"), (2, "r4"),
        (3, "r1"), (3, "r2"), (3, "r3"), (4, "r3"), (5, "r3"), (6, "r3"),
        (7, "r1"), (7, "r2"), (7, "r3")]


# --- Nesting, several rules per fact, ordering ----------------------------------------------


def test_sample_file_fires_the_expected_rules():
    rules = load_ruleset(RULES / "sample.yaml")
    facts = [
        {"kind": "kpi", "matched_goals": ["increase_revenue"], "stage": "growth",
         "missing_source_count": 0, "department": "branding", "keep": True},
        {"kind": "kpi", "matched_goals": ["increase_revenue"], "stage": "mature",
         "missing_source_count": 2, "department": "marketing", "channels": ["seo"]},
        {"kind": "kpi", "matched_goals": ["retain_customers"], "department": "marketing",
         "channels": ["paid_ads"], "answer": "no"},
        {"kind": "plan", "department": "marketing", "budget": 5},
    ]
    assert fired(rules, facts) == [
        (0, "must_keep"), (0, "goal_revenue"), (0, "brand_pair"),
        (1, "not_measurable"), (1, "goal_revenue"), (1, "brand_pair"),
        (2, "not_measurable"), (2, "answer_no"),  # a missing count is not "<= 1"
        (3, "brand_pair"),
    ]


def test_yes_and_no_in_a_rule_file_stay_text():
    rules = load_ruleset(RULES / "sample.yaml")
    answer_no = next(rule for rule in rules.rules if rule.id == "answer_no")
    assert answer_no.when.value == "no"
    assert fired(rules, [{"answer": False}]) == []


def test_three_levels_of_nesting():
    rules = ruleset_of({"all": [
        {"field": "kind", "op": "eq", "value": "kpi"},
        {"any": [
            {"field": "stage", "op": "eq", "value": "startup"},
            {"all": [
                {"field": "stage", "op": "eq", "value": "growth"},
                {"any": [{"field": "budget", "op": "gt", "value": 100},
                         {"not": {"field": "channels", "op": "contains", "value": "ads"}}]},
            ]},
        ]},
    ]})
    facts = [
        {"kind": "kpi", "stage": "startup"},
        {"kind": "kpi", "stage": "growth", "budget": 500, "channels": ["ads"]},
        {"kind": "kpi", "stage": "growth", "budget": 50, "channels": ["ads"]},
        {"kind": "kpi", "stage": "growth", "budget": 50, "channels": ["seo"]},
        {"kind": "kpi", "stage": "growth"},
        {"kind": "plan", "stage": "startup"},
    ]
    assert [index for index, _ in fired(rules, facts)] == [0, 1, 3, 4]


def test_a_rule_fires_once_per_fact_even_when_several_alternatives_hold():
    rules = ruleset_of({"any": [{"field": "a", "op": "eq", "value": 1},
                                {"field": "b", "op": "eq", "value": 1},
                                {"not": {"field": "c", "op": "exists"}}]})
    assert fired(rules, [{"a": 1, "b": 1}]) == [(0, "r0")]


def test_firings_sorted_by_fact_then_priority_then_file_order():
    always = {"field": "kind", "op": "exists"}
    rules = ruleset_of(always, always, always, always, priorities=[0, 5, -1, 5])
    facts = [{"kind": "a"}, {"kind": "b"}]
    assert fired(rules, facts) == [(0, "r1"), (0, "r3"), (0, "r0"), (0, "r2"),
                                   (1, "r1"), (1, "r3"), (1, "r0"), (1, "r2")]


def test_firing_carries_action_reason_and_the_fact_it_matched():
    rules = load_ruleset(RULES / "sample.yaml")
    fact = {"keep": True, "channels": ["seo"]}
    [firing] = evaluate(rules, [fact])
    assert firing.rule_id == "must_keep" and firing.priority == 5
    assert firing.action.action == "require"
    assert firing.reason.pick("vi") == "Khách hàng muốn giữ KPI này."
    assert firing.fact is fact
    with pytest.raises(AttributeError):
        firing.rule_id = "other"


def test_same_input_gives_identical_output():
    first = load_ruleset(RULES / "sample.yaml")
    again = load_ruleset(RULES / "sample.yaml")
    facts = [{"kind": "kpi", "matched_goals": ["increase_revenue"], "stage": "startup",
              "department": "branding", "keep": True}] * 3
    assert first.digest == again.digest
    assert evaluate(first, facts) == evaluate(again, facts) == evaluate(first, facts)
    assert len(evaluate(first, facts)) == 12


def test_identical_facts_fire_separately():
    rules = ruleset_of({"field": "kind", "op": "eq", "value": "kpi"})
    assert fired(rules, [{"kind": "kpi"}] * 3) == [(0, "r0"), (1, "r0"), (2, "r0")]


def test_look_alike_facts_share_matches_but_keep_their_own_fact():
    rules = ruleset_of({"field": "stage", "op": "eq", "value": "startup"},
                       {"field": "goals", "op": "contains", "value": "a"})
    facts = [{"stage": "startup", "name": "one", "goals": ["a", "zz"]},
             {"stage": "mature", "name": "two", "goals": ["a"]},
             {"stage": "startup", "name": "three", "goals": ["a", "yy"]},
             {"stage": "startup", "name": "four", "goals": []}]
    assert fired(rules, facts) == [(0, "r0"), (0, "r1"), (1, "r1"), (2, "r0"), (2, "r1"),
                                   (3, "r0")]
    assert [f.fact["name"] for f in evaluate(rules, facts)] == ["one", "one", "two", "three",
                                                               "three", "four"]


def test_zero_facts_and_facts_no_rule_matches():
    rules = load_ruleset(RULES / "sample.yaml")
    assert evaluate(rules, []) == []
    assert evaluate(rules, [{"kind": "other"}, {}, {"unrelated": ["x"]}]) == []
    assert live_sessions() == 0


# --- Durable's limits do not leak out -------------------------------------------------------


def test_one_fact_matching_hundreds_of_rules():
    # A fact that satisfies many rules at once overflows durable's 64-node stack; the engine
    # splits the durable ruleset and tries again.
    count = SHARD_PATHS - 10
    rules = ruleset_of(*[{"all": [{"field": "kind", "op": "eq", "value": "kpi"},
                                  {"field": "n", "op": "gt", "value": -k}]}
                         for k in range(1, count + 1)])
    firings = fired(rules, [{"kind": "kpi", "n": 0}, {"kind": "kpi", "n": -50}])
    assert len(firings) == count + (count - 50)
    assert live_sessions() == 0


def test_many_rules_with_the_same_condition():
    # Durable refuses more than 255 rules ending on one alpha node; equal conditions share one.
    same = {"all": [{"field": "kind", "op": "eq", "value": "kpi"},
                    {"field": "n", "op": "gte", "value": 1}]}
    rules = ruleset_of(*[same] * 300)
    assert len(fired(rules, [{"kind": "kpi", "n": 2}, {"kind": "kpi", "n": 0}])) == 300


def test_a_rule_that_expands_to_too_many_alternatives():
    wide = [{"any": [{"field": f"f{group}_{n}", "op": "exists"} for n in range(4)]}
            for group in range(5)]
    rules = ruleset_of({"all": wide})  # 4 ** 5 ways to satisfy it
    with pytest.raises(EngineError, match="'r0' expands to more than 256 alternatives"):
        evaluate(rules, [{}])


# --- Compared with a plain-Python reading of the documented semantics -----------------------

FIELDS = ["a", "b", "c", "tags"]
TEXTS = ["x", "y", "Tăng", "z"]


def kind(value: object) -> str:
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, int | float):
        return "number"
    return "list" if isinstance(value, list) else "text"


def holds(condition, fact: dict) -> bool:
    """Return whether `condition` holds for `fact`, read straight from rules/data/README.md."""
    if isinstance(condition, AllOf):
        return all(holds(part, fact) for part in condition.all)
    if isinstance(condition, AnyOf):
        return any(holds(part, fact) for part in condition.any)
    if isinstance(condition, NotOf):
        return not holds(condition.not_, fact)
    op, value = condition.op, condition.value
    if op in ("exists", "missing"):
        return (condition.field in fact) == (op == "exists")
    if condition.field not in fact:
        return False
    have = fact[condition.field]
    if op in ("contains", "not_contains"):
        return kind(have) == "list" and ((value in have) == (op == "contains"))
    if op in ("gt", "gte", "lt", "lte"):
        if kind(have) != "number":
            return False
        return {"gt": have > value, "gte": have >= value,
                "lt": have < value, "lte": have <= value}[op]
    values = list(value) if op in ("in", "not_in") else [value]
    if kind(have) != kind(values[0]):
        return False
    return (have in values) == (op in ("eq", "in"))


def random_test(rng: random.Random) -> dict:
    field = rng.choice(FIELDS)
    op = rng.choice(["eq", "ne", "in", "not_in", "contains", "not_contains",
                     "gt", "gte", "lt", "lte", "exists", "missing"])
    if op in ("exists", "missing"):
        return {"field": field, "op": op}
    if op in ("contains", "not_contains"):
        return {"field": field, "op": op, "value": rng.choice(TEXTS)}
    if op in ("gt", "gte", "lt", "lte"):
        return {"field": field, "op": op, "value": rng.choice([0, 1, 2.5, -1])}
    pool = rng.choice([TEXTS, [0, 1, 2.5, 3], [True, False]])
    if op in ("in", "not_in"):
        return {"field": field, "op": op, "value": rng.sample(pool, rng.randint(1, 2))}
    return {"field": field, "op": op, "value": rng.choice(pool)}


def random_condition(rng: random.Random, depth: int) -> dict:
    shape = rng.random()
    if depth == 0 or shape < 0.4:
        return random_test(rng)
    if shape < 0.55:
        return {"not": random_condition(rng, depth - 1)}
    parts = [random_condition(rng, depth - 1) for _ in range(rng.randint(1, 3))]
    return {"all": parts} if shape < 0.8 else {"any": parts}


def random_fact(rng: random.Random) -> dict:
    fact = {}
    for field in FIELDS:
        choice = rng.randrange(6)
        if choice == 1:
            fact[field] = rng.choice(TEXTS + ["other"])
        elif choice == 2:
            fact[field] = rng.choice([0, 1, 2, 2.5, 3, -1, 7.25])
        elif choice == 3:
            fact[field] = rng.choice([True, False])
        elif choice >= 4:
            fact[field] = rng.sample(TEXTS + ["other"], rng.randint(0, 3))
    return fact


@pytest.mark.parametrize("seed", range(6))
def test_random_rules_agree_with_plain_python(seed):
    rng = random.Random(seed)
    rules = ruleset_of(*[random_condition(rng, 3) for _ in range(60)],
                       priorities=[rng.randint(-2, 2) for _ in range(60)])
    facts = [random_fact(rng) for _ in range(120)]
    expected = sorted(((index, -rule.priority, number, rule.id)
                       for index, fact in enumerate(facts)
                       for number, rule in enumerate(rules.rules) if holds(rule.when, fact)))
    assert fired(rules, facts) == [(index, rule_id) for index, _, _, rule_id in expected]


@pytest.mark.parametrize("seed", range(3))
def test_random_rules_agree_with_plain_python_on_look_alike_facts(seed):
    # Facts drawn from a few looks with a unique id each, the shape of a large catalog: the
    # engine asserts each look once per group of rules and hands the matches to every copy.
    rng = random.Random(100 + seed)
    ids = [f"k{n}" for n in range(300)]
    conditions = [random_condition(rng, 2) for _ in range(40)]
    conditions += [{"all": [random_test(rng), {"field": "id", "op": "in",
                                               "value": rng.sample(ids, 3)}]}
                   for _ in range(20)]
    conditions += [{"field": "id", "op": "not_in", "value": rng.sample(ids, 5)},
                   {"field": "id", "op": "ne", "value": rng.choice(ids)},
                   {"not": {"field": "id", "op": "ne", "value": rng.choice(ids)}},
                   {"not": {"field": "id", "op": "in", "value": rng.sample(ids, 4)}},
                   {"any": [{"field": "id", "op": "eq", "value": rng.choice(ids)},
                            {"field": "id", "op": "missing"}]}]
    rules = ruleset_of(*conditions, priorities=[rng.randint(-2, 2) for _ in conditions])
    looks = [random_fact(rng) for _ in range(12)]
    facts = [{**rng.choice(looks), "id": kpi_id} for kpi_id in ids]
    facts += [rng.choice(looks), {**rng.choice(looks), "id": 3}, {**rng.choice(looks), "id": "x"}]
    expected = sorted(((index, -rule.priority, number, rule.id)
                       for index, fact in enumerate(facts)
                       for number, rule in enumerate(rules.rules) if holds(rule.when, fact)))
    assert fired(rules, facts) == [(index, rule_id) for index, _, _, rule_id in expected]
    assert live_sessions() == 0


def test_hits_by_fact_shares_one_tuple_between_look_alike_facts():
    rules = ruleset_of({"field": "stage", "op": "eq", "value": "growth"},
                       {"field": "size", "op": "gt", "value": 10},
                       priorities=[0, 5])
    facts = [{"stage": "growth", "size": 20, "name": "a"}, {"stage": "growth", "size": 30},
             {"stage": "mature"}, {"stage": "growth", "size": 20, "name": "b"},
             {"stage": "growth", "size": 10}]
    hits = hits_by_fact(rules, facts)
    assert [[h.rule_id for h in fired] for fired in hits] == [
        ["r1", "r0"], ["r1", "r0"], [], ["r1", "r0"], ["r0"]]
    # The rules see stage and where size falls around 10 (not name, not 20 vs 30).
    assert hits[0] is hits[1] is hits[3]
    assert [(f.fact_index, f.rule_id) for f in evaluate(rules, facts)] == [
        (index, hit.rule_id) for index, fired in enumerate(hits) for hit in fired]
    assert hits_by_fact(rules, []) == []



def test_hits_by_columns_answers_as_hits_by_fact_for_the_same_facts():
    rules = ruleset_of({"field": "stage", "op": "eq", "value": "growth"},
                       {"field": "size", "op": "gt", "value": 10},
                       {"field": "tags", "op": "contains", "value": "x"},
                       {"not": {"field": "size", "op": "exists"}})
    facts = [{"stage": "growth", "size": 20, "tags": ["x"]}, {"stage": "mature"},
             {"size": 5, "tags": ["y"]}, {"stage": "growth", "tags": []}]
    names = sorted({name for fact in facts for name in fact})
    columns = {name: [fact.get(name) for fact in facts] for name in names}
    by_columns = hits_by_columns(rules, columns, len(facts))
    assert [[h.rule_id for h in fired] for fired in by_columns] == [
        [h.rule_id for h in fired] for fired in hits_by_fact(rules, facts)] == [
        ["r0", "r1", "r2"], ["r3"], [], ["r0", "r3"]]
    assert hits_by_columns(rules, {}, 0) == []
    assert live_sessions() == 0


@pytest.mark.parametrize("seed", range(3))
def test_columns_of_distinct_values_answer_as_plain_columns(seed):
    # The shape of a catalog's own fields: a few distinct values, a memo kept between calls
    # (and between rule sets) by their owner, each call picking other rows.
    rng = random.Random(200 + seed)
    distinct = [random_fact(rng) for _ in range(30)]
    names = sorted({name for fact in distinct for name in fact})
    values = {name: [fact.get(name) for fact in distinct] for name in names}
    memo: dict[str, dict] = {name: {} for name in names}
    for _ in range(3):
        rules = ruleset_of(*[random_condition(rng, 2) for _ in range(30)])
        rows = [rng.randrange(len(distinct)) for _ in range(rng.randint(1, 80))]
        columns = {name: Column(values[name], rows, memo[name]) for name in names}
        facts = [distinct[row] for row in rows]
        assert [[h.rule_id for h in fired] for fired in hits_by_columns(
            rules, columns, len(rows))] == [[h.rule_id for h in fired]
                                            for fired in hits_by_fact(rules, facts)]
    assert live_sessions() == 0


def test_a_column_checks_only_the_values_its_facts_hold():
    rules = load_ruleset(RULES / "sample.yaml")
    tags = [["x"], ["y", 3]]
    assert len(hits_by_columns(rules, {"tags": Column(tags, [0, 0])}, 2)) == 2
    with pytest.raises(EngineError) as caught:
        hits_by_columns(rules, {"tags": Column(tags, [0, 1])}, 2)
    assert str(caught.value).startswith("facts[1].tags: lists may hold only text")
    assert live_sessions() == 0


@pytest.mark.parametrize(("columns", "count", "message"), [
    ({"tags": [["x"], ["y", 3]]}, 2, "facts[1].tags: lists may hold only text"),
    ({"ratio": [1.0, float("nan")]}, 2, "facts[1].ratio: numbers must be finite"),
    ({"goal": [{"id": "x"}]}, 1, "facts[0].goal: a dict is not allowed"),
    ({"stage": ["growth"]}, 2, "field 'stage' has 1 values for 2 facts"),
])
def test_columns_that_are_not_flat(columns, count, message):
    with pytest.raises(EngineError) as caught:
        hits_by_columns(load_ruleset(RULES / "sample.yaml"), columns, count)
    assert str(caught.value).startswith(message)
    assert live_sessions() == 0

def test_rules_run_in_groups_by_the_fields_they_test():
    stages = [{"all": [{"field": "stage", "op": "eq", "value": f"s{n}"},
                       {"field": "kind", "op": "eq", "value": "kpi"}]}
              for n in range(GROUP_RULES)]
    sizes = [{"field": "size", "op": "gt", "value": n} for n in range(GROUP_RULES)]
    rules = ruleset_of(
        *stages, *sizes,
        {"field": "kind", "op": "eq", "value": "kpi"},  # joins the larger group of its fields
        {"field": "model", "op": "eq", "value": "b2b"},  # two small groups run together
        {"field": "region", "op": "eq", "value": "north"},
    )
    groups = compile_ruleset(rules).groups
    fields = sorted(["kind", "model", "region", "size", "stage"])
    assert sorted(([fields[p] for p in g.fields], len(g.paths)) for g in groups) == [
        (["kind", "stage"], GROUP_RULES + 1), (["model", "region"], 2), (["size"], GROUP_RULES)]
    facts = [{"stage": "s3", "kind": "kpi", "size": 2, "model": "b2b"}, {"region": "north"},
             {"kind": "plan", "stage": "s3", "size": 0}]
    count = 2 * GROUP_RULES
    assert fired(rules, facts) == [(0, "r3"), (0, f"r{GROUP_RULES}"), (0, f"r{GROUP_RULES + 1}"),
                                   (0, f"r{count}"), (0, f"r{count + 1}"), (1, f"r{count + 2}")]


def test_rules_that_name_many_ids_run_in_one_group():
    # id is compared with more than KEY_TEXTS texts, so every rule testing it joins one group.
    ids = [f"k{n}" for n in range(KEY_TEXTS + 4)]
    rules = ruleset_of(
        {"field": "id", "op": "in", "value": ids[:10]},
        {"all": [{"field": "id", "op": "in", "value": ids[10:]},
                 {"field": "stage", "op": "eq", "value": "growth"}]},
        {"all": [{"field": "id", "op": "eq", "value": "k3"},
                 {"field": "model", "op": "eq", "value": "b2b"}]},
        {"field": "size", "op": "gt", "value": 50},
    )
    groups = compile_ruleset(rules).groups
    fields = sorted(["id", "model", "size", "stage"])
    assert sorted(([fields[p] for p in g.fields], len(g.paths)) for g in groups) == [
        (["id", "model", "stage"], len(ids) + 1), (["size"], 1)]
    facts = [{"id": "k3", "stage": "growth", "model": "b2b"},
             {"id": "k15", "stage": "growth"}, {"id": "k15", "stage": "mature", "size": 80}]
    assert fired(rules, facts) == [(0, "r0"), (0, "r2"), (1, "r1"), (2, "r3")]


# --- Facts that are not flat ------------------------------------------------------------------


@pytest.mark.parametrize(("facts", "message"), [
    ({"kind": "kpi"}, "facts must be a list of dicts, got dict"),
    (["kpi"], "facts[0]: a fact must be a dict, got str"),
    ([{}, {"goal": {"id": "x"}}], "facts[1].goal: a dict is not allowed; a fact holds text, "
                                  "numbers, true/false or lists of text"),
    ([{"counts": [1, 2]}], "facts[0].counts: lists may hold only text"),
    ([{"budget": None}], "facts[0].budget: None is not allowed; leave the field out instead"),
    ([{"ratio": float("nan")}], "facts[0].ratio: numbers must be finite"),
    ([{"ratio": float("inf")}], "facts[0].ratio: numbers must be finite"),
    ([{"goals": {"a", "b"}}], "facts[0].goals: a set is not allowed"),
    ([{1: "x"}], "facts[0].1: field names must be text, got int"),
    ([{"a": "x"}, {}, {"a": None}], "facts[2].a: None is not allowed"),
    ([{"a": 1.5}, {"a": 2.0}, {"a": float("inf")}], "facts[2].a: numbers must be finite"),
    ([{"tags": ["x"]}, {"tags": ["y", 3]}], "facts[1].tags: lists may hold only text"),
    ([{"a": "x"}, {"b": 1}, ("not", "a dict")], "facts[2]: a fact must be a dict, got tuple"),
])
def test_facts_that_are_not_flat(facts, message):
    rules = load_ruleset(RULES / "sample.yaml")
    with pytest.raises(EngineError) as caught:
        evaluate(rules, facts)
    assert str(caught.value).startswith(message)
    assert live_sessions() == 0


def test_text_subclasses_and_mixed_kinds_in_one_field():
    class Stage(enum.StrEnum):
        GROWTH = "growth"

    rules = ruleset_of({"field": "a", "op": "eq", "value": "growth"},
                       {"field": "a", "op": "eq", "value": True},
                       {"field": "a", "op": "eq", "value": 1})
    facts = [{"a": Stage.GROWTH}, {"a": True}, {"a": 1}, {"a": 1.0}, {"a": "growth"}, {}]
    assert fired(rules, facts) == [(0, "r0"), (1, "r1"), (2, "r2"), (3, "r2"), (4, "r0")]


# --- Rule files ---------------------------------------------------------------------------

_OPS = "eq, ne, in, not_in, contains, not_contains, gt, gte, lt, lte, exists, missing"


@pytest.mark.parametrize(("name", "message"), [
    ("unknown_op", f"unknown_op.yaml: rule 'goal_revenue' (#2): when.all[1].op: "
                   f"unknown op 'contians'; allowed: {_OPS}"),
    ("review", "review.yaml: rule 'score_in_review' (#2): then.action: action 'score' is not "
               "allowed in rule set 'review'; allowed: suggest, flag"),
    ("unknown_action", "unknown_action.yaml: rule 'typo_verb' (#1): then.action: unknown action "
                       "'scroe'; allowed: ask, skip, score, require, exclude, flag, pair_with, "
                       "gap, suggest"),
    ("missing_reason_en", "missing_reason_en.yaml: rule 'half_reason' (#1): reason.en: "
                          "is required"),
    ("extra_key", "extra_key.yaml: rule 'typo_points' (#1): then.pionts: unknown key"),
    ("duplicate_id", "duplicate_id.yaml: rule 'same' (#3): id: duplicate id; "
                     "rule #1 already uses it"),
    ("bad_yaml", "bad_yaml.yaml: YAML error at line 6, column 9: expected ',' or '}', "
                 "but got ':'"),
    ("duplicate_key", "duplicate_key.yaml: YAML error at line 5, column 34: duplicate key 'op'"),
    ("name_mismatch", "name_mismatch.yaml: ruleset: name 'recommend' must equal the file name "
                      "'name_mismatch'"),
    ("wrong_value_type", "wrong_value_type.yaml: rule 'budget_text' (#1): when.all[1].value: "
                         "op 'gt' needs a number as value, got 'ten million' (text)"),
    ("empty_rules", "empty_rules.yaml: rules: must not be empty"),
    ("condition_shape", "condition_shape.yaml: rule 'both' (#1): when: a condition is exactly "
                        "one of all, any, not, or a test with field and op"),
])
def test_broken_rule_files(name, message):
    with pytest.raises(RuleFileError) as caught:
        load_ruleset(RULES / f"{name}.yaml")
    assert str(caught.value) == message


@pytest.mark.parametrize(("test", "message"), [
    ({"field": "n", "op": "gt", "value": True}, "op 'gt' needs a number as value, got True"),
    ({"field": "n", "op": "in", "value": "growth"}, "op 'in' needs a non-empty list as value"),
    ({"field": "n", "op": "in", "value": []}, "op 'in' needs a non-empty list as value"),
    ({"field": "n", "op": "in", "value": ["a", 1]},
     "op 'in' needs list items of one kind, got number, text"),
    ({"field": "n", "op": "eq"}, "op 'eq' needs a text, number or true/false as value; "
                                 "none given"),
    ({"field": "n", "op": "eq", "value": ["a"]}, "op 'eq' needs a text, number or true/false"),
    ({"field": "n", "op": "contains", "value": 3}, "op 'contains' needs a text (lists hold "
                                                   "texts) as value, got 3 (number)"),
    ({"field": "n", "op": "exists", "value": 1}, "op 'exists' takes no value; remove it"),
    ({"field": "Stage", "op": "eq", "value": 1}, "String should match pattern"),
])
def test_value_checked_for_its_op(test, message):
    text = ("ruleset: typed\ndescription: {vi: a, en: b}\nrules:\n"
            f"  - id: one\n    when: {test!r}\n    then: {{action: require}}\n"
            "    reason: {vi: a, en: b}\n").replace("True", "true")
    with pytest.raises(RuleFileError, match="typed.yaml: rule 'one' \\(#1\\): when") as caught:
        parse_ruleset(text, "typed.yaml")
    assert message in str(caught.value)


@pytest.mark.parametrize(("name", "verb"), [("interview", "score"), ("recommend", "ask"),
                                            ("smart", "flag"), ("review", "gap")])
def test_verbs_a_builtin_rule_set_may_not_use(name, verb):
    text = (f"ruleset: {name}\ndescription: {{vi: a, en: b}}\nrules:\n"
            f"  - id: wrong\n    when: {{field: kind, op: exists}}\n"
            f"    then: {{action: {verb}}}\n    reason: {{vi: a, en: b}}\n")
    with pytest.raises(RuleFileError) as caught:
        parse_ruleset(text, f"{name}.yaml")
    assert str(caught.value) == (
        f"{name}.yaml: rule 'wrong' (#1): then.action: action '{verb}' is not allowed in rule "
        f"set '{name}'; allowed: {', '.join(ALLOWED_VERBS[name])}")


def test_rule_sets_built_in_code_are_checked_too():
    with pytest.raises(ValueError, match="action 'score' is not allowed in rule set 'smart'"):
        ruleset_of({"field": "kind", "op": "exists"}, name="smart")
    one = ruleset_of({"field": "a", "op": "exists"})
    with pytest.raises(ValueError, match="rule 'r0' \\(#2\\): duplicate id"):
        RuleSet(ruleset="twice", description=one.description, rules=[one.rules[0]] * 2)


def test_unknown_builtin_and_missing_file():
    with pytest.raises(RuleFileError, match="nope.yaml: no built-in rule set 'nope'"):
        load_builtin("nope")
    with pytest.raises(RuleFileError, match="absent.yaml: cannot read the file"):
        load_ruleset(RULES / "absent.yaml")


@pytest.mark.parametrize("name", [name for name in ALLOWED_VERBS
                                  if (ROOT / "rules" / "data" / f"{name}.yaml").exists()])
def test_builtin_rule_sets_load_and_run(name):
    rules = load_builtin(name)
    assert rules.ruleset == name
    assert isinstance(evaluate(rules, [{"kind": "kpi"}, {"kind": "answers"}]), list)


def test_only_the_engine_imports_durable():
    importers = [path.relative_to(ROOT).as_posix()
                 for package in ("advisor", "catalog", "rules", "web")
                 for path in (ROOT / package).rglob("*.py")
                 if "import durable" in path.read_text(encoding="utf-8")
                 or "from durable" in path.read_text(encoding="utf-8")]
    assert importers == ["rules/engine.py"]


# --- Threads and memory -------------------------------------------------------------------


def test_threads_get_the_sequential_answers():
    rng = random.Random(7)
    rules = ruleset_of(*[random_condition(rng, 2) for _ in range(40)])
    inputs = [[random_fact(rng) for _ in range(rng.randint(0, 15))] for _ in range(30)]
    expected = [evaluate(rules, facts) for facts in inputs]
    wrong: list[int] = []
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for n in range(300):
                k = (offset + n) % len(inputs)
                if evaluate(rules, inputs[k]) != expected[k]:
                    wrong.append(k)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(offset,)) for offset in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and wrong == []
    assert live_sessions() == 0


def test_no_timer_threads_are_started():
    # durable's own Host starts two timer threads that race with requests; the engine has none.
    before = threading.active_count()
    evaluate(load_ruleset(RULES / "sample.yaml"), [{"keep": True}])
    assert threading.active_count() == before


def rss_kb() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs Linux /proc")
def test_memory_stays_flat_over_many_evaluations():
    rules = load_ruleset(RULES / "sample.yaml")
    facts = [{"kind": "kpi", "matched_goals": ["increase_revenue"], "stage": "growth",
              "missing_source_count": n % 3, "department": "marketing"} for n in range(40)]
    for _ in range(200):
        evaluate(rules, facts)
    before = rss_kb()
    for _ in range(2000):
        evaluate(rules, facts)
    assert rss_kb() - before < 3000


def test_a_policy_block_needs_a_rule_set_that_takes_one():
    text = ("ruleset: plain\ndescription: {vi: a, en: b}\npolicy: {weight: 2}\nrules:\n"
            "  - id: one\n    when: {field: kind, op: exists}\n    then: {action: require}\n"
            "    reason: {vi: a, en: b}\n")
    with pytest.raises(RuleFileError) as caught:
        parse_ruleset(text, "plain.yaml")
    assert str(caught.value) == "plain.yaml: policy: rule set 'plain' takes no policy block"
    assert parse_ruleset(text.replace("policy: {weight: 2}\n", ""), "plain.yaml").policy is None
