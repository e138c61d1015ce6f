"""smart.yaml's policy block: a methodologist changes the numbers and word lists there, and a
mistake in it is an error naming the file and the field."""

from importlib.resources import files

import pytest

from advisor.plan_models import Plan
from advisor.smart import check_plan
from rules.errors import RuleFileError
from rules.loader import parse_ruleset
from tests.test_smart import CATALOG, codes, plan_with
from tests.test_smart_defects import DISTRIBUTOR, VAGUE

TEXT = files("rules").joinpath("data", "smart.yaml").read_text(encoding="utf-8")


def variant(old: str, new: str):
    """Return the built-in rule set with one piece of its text changed."""
    assert TEXT.count(old) == 1, old
    return parse_ruleset(TEXT.replace(old, new), "smart.yaml")


def check(kpi: dict, ruleset=None, **plan) -> set[str]:
    return codes(check_plan(Plan.model_validate(plan_with(kpi, **plan)), CATALOG, ruleset))


def test_the_stage_factor_decides_what_a_mature_firm_can_do():
    assert "A.implausible" in check(DISTRIBUTOR, stage="mature")
    generous = variant("stage_factor: {startup: 3.0, growth: 1.0, mature: 0.5}",
                       "stage_factor: {startup: 3.0, growth: 1.0, mature: 3.0}")
    assert "A.implausible" not in check(DISTRIBUTOR, generous, stage="mature")


def test_the_word_lists_decide_what_is_vague():
    assert "S.vague_statement" in check(VAGUE)
    measured = variant('"thị phần", "đơn hàng", "%"]', '"thị phần", "đơn hàng", "%", "hình ảnh"]')
    assert "S.vague_statement" not in check(VAGUE, measured)


@pytest.mark.parametrize(("old", "new", "field"), [
    ("fast: {rise: 2.0, fall: 0.8,", "fast: {rise: 2.0, fall: 1.5,",
     "policy.plausibility.paces.fast.fall"),
    ("      slow: {rise: 0.4, fall: 0.25, scale_share: 0.08, floor_years: 0.25, by_stage: true}\n",
     "", "policy.plausibility"),
    ("    history_z: 2.5\n", "    history_z: 2.5\n    history_zz: 3\n",
     "policy.plausibility.history_zz"),
    ("    unknown_stage: growth", "    unknown_stage: grown", "policy.plausibility.unknown_stage"),
    ("    range_half_width_share: 0.1", "    range_half_width_share: 0",
     "policy.targets.range_half_width_share"),
])
def test_a_broken_policy_names_the_file_and_the_field(old, new, field):
    with pytest.raises(RuleFileError) as caught:
        variant(old, new)
    assert str(caught.value).startswith(f"smart.yaml: {field}: ")


def test_a_smart_rule_file_without_its_policy_is_refused():
    start, end = TEXT.index("policy:\n"), TEXT.index("rules:\n")
    with pytest.raises(RuleFileError, match=r"smart.yaml: policy.plausibility: is required"):
        parse_ruleset(TEXT[:start] + TEXT[end:], "smart.yaml")
