"""The interview: questions as data, the next one chosen by the interview rules."""

import pytest
from pydantic import ValidationError

from advisor.errors import InvalidInputError
from advisor.interview import Question, next_step, questions
from catalog.loader import builtin_catalog
from catalog.vocab import DATA_SOURCES, INDUSTRIES, REVENUE_MODELS

FULL = {
    "org_name": "Công ty An Phát",
    "goals": ["acquire_customers", "increase_revenue"],
    "departments": ["sales", "marketing"],
    "industry": "software_saas",
    "revenue_model": "recurring",
    "business_model": "b2b",
    "stage": "startup",
    "size": "small",
    "sales_motion": "inside",
    "channels": ["website", "email", "paid_ads"],
    "email_list_size": 4000,
    "monthly_ad_budget": 30000000,
    "data_sources": ["crm", "web_analytics", "email_platform", "ad_platform"],
    "max_kpis_per_department": 5,
    "keep": [],
}


def test_every_question_is_bilingual_with_help_and_options():
    for question in questions(builtin_catalog()):
        assert question.text.vi and question.text.en and question.help.vi and question.help.en
        if question.type in ("single", "multiple"):
            assert question.options, question.id
            assert all(o.label.vi and o.label.en for o in question.options)


def test_interview_starts_with_the_organisation():
    step = next_step({}, builtin_catalog())
    assert not step.done and step.question["id"] == "org_name"
    assert step.progress["answered"] == 0


def walk(answers: dict) -> list[str]:
    """Return the questions asked, in order, answering each from `answers`."""
    given, asked = {}, []
    for _ in range(30):
        step = next_step(given, builtin_catalog(), "en")
        if step.done:
            return asked
        qid = step.question["id"]
        asked.append(qid)
        given[qid] = answers[qid]
    raise AssertionError("interview did not end")


def test_full_interview_asks_each_relevant_question_once():
    asked = walk(FULL)
    assert asked == ["org_name", "goals", "departments", "industry", "revenue_model",
                     "business_model", "stage", "size",
                     "sales_motion", "channels", "email_list_size", "monthly_ad_budget",
                     "data_sources", "max_kpis_per_department", "keep"]


@pytest.mark.parametrize(
    ("changes", "absent", "present"),
    [
        ({"departments": ["branding"]}, {"channels", "sales_motion", "email_list_size"}, set()),
        ({"departments": ["marketing"]}, {"sales_motion"}, {"channels"}),
        ({"channels": ["website", "seo"]}, {"email_list_size", "monthly_ad_budget"},
         {"channels"}),
        ({"channels": ["email"]}, {"monthly_ad_budget"}, {"email_list_size"}),
        ({"industry": "nonprofit"}, {"revenue_model"}, {"industry", "business_model"}),
        ({"industry": "food_beverage"}, set(), {"industry", "revenue_model"}),
    ],
)
def test_irrelevant_questions_are_skipped(changes, absent, present):
    asked = set(walk({**FULL, **changes}))
    assert not asked & absent
    assert present <= asked


def test_changing_an_answer_drops_only_what_no_longer_applies():
    step = next_step({**FULL, "departments": ["branding"]}, builtin_catalog())
    assert step.done
    assert set(step.dropped) == {"sales_motion", "channels", "email_list_size",
                                 "monthly_ad_budget"}
    assert step.answers["org_name"] == FULL["org_name"]
    assert "goals" in step.answers and "channels" not in step.answers


def test_the_industry_and_the_revenue_model_are_asked_in_both_languages_with_descriptions():
    by_id = {q.id: q for q in questions(builtin_catalog())}
    industry, revenue = by_id["industry"], by_id["revenue_model"]
    assert industry.type == revenue.type == "single"
    assert [o.value for o in industry.options] == list(INDUSTRIES)
    assert [o.value for o in revenue.options] == list(REVENUE_MODELS)
    for option in (*industry.options, *revenue.options):
        assert option.description, option.value
        assert option.description.vi != option.description.en
        assert option.description.en not in option.label.en  # says more than the label
    described = {o.value: o.description.en for o in revenue.options}
    assert "subscription" in described["recurring"] and "contract" in described["repeat"]
    assert "flat" in described["one_off"] and "quoted" in described["project"]


def test_a_non_profit_is_not_asked_how_it_earns_and_loses_an_earlier_answer():
    start = {k: FULL[k] for k in ("org_name", "goals", "departments")}
    step = next_step({**start, "industry": "nonprofit"}, builtin_catalog(), "vi")
    assert step.question["id"] == "business_model"
    assert any(t["rule"] == "skip_revenue_model_for_nonprofit" for t in step.trace)
    step = next_step({**start, "industry": "nonprofit", "revenue_model": "repeat"},
                     builtin_catalog())
    assert step.dropped == ["revenue_model"] and "revenue_model" not in step.answers
    step = next_step({**start, "industry": "education"}, builtin_catalog(), "vi")
    assert step.question["id"] == "revenue_model"
    assert step.question["text"] == "Doanh thu chủ yếu đến theo cách nào?"


def test_answers_without_industry_or_revenue_model_still_parse():
    answers = {k: v for k, v in FULL.items() if k not in ("industry", "revenue_model")}
    step = next_step(answers, builtin_catalog(), "en")
    assert step.question["id"] == "industry" and not step.dropped


def test_every_data_source_word_is_offered_with_both_labels():
    by_id = {q.id: q for q in questions(builtin_catalog())}
    offered = {o.value: o.label for o in by_id["data_sources"].options}
    assert list(offered) == list(DATA_SOURCES)
    for word in ("loyalty_program", "marketplace_center", "erp", "dms", "footfall_counter",
                 "market_research", "product_analytics"):
        assert offered[word].vi and offered[word].en and offered[word].vi != word, word


def test_progress_counts_by_section():
    step = next_step({k: FULL[k] for k in ("org_name", "goals", "departments")},
                     builtin_catalog())
    sections = {s["section"]: s for s in step.progress["sections"]}
    assert sections["organisation"] == {"section": "organisation", "answered": 1, "total": 1}
    assert sections["strategy"]["answered"] == 2
    assert 0 < step.progress["percent"] < 100


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"goals": ["be_famous"]}, "goals.0"),
        ({"departments": "sales"}, "departments"),
        ({"channels": ["fax"]}, "channels.0"),
        ({"data_sources": ["excel"]}, "data_sources.0"),
        ({"stage": "teenager"}, "stage"),
        ({"industry": "bakery"}, "industry"),
        ({"industry": ["retail"]}, "industry"),
        ({"revenue_model": "subscription"}, "revenue_model"),
        ({"data_sources": ["crm", "loyalty_card"]}, "data_sources.1"),
        ({"max_kpis_per_department": 0}, "max_kpis_per_department"),
        ({"email_list_size": "many"}, "email_list_size"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
    ],
)
def test_bad_answers_name_the_field(answers, field):
    with pytest.raises(InvalidInputError) as info:
        next_step(answers, builtin_catalog())
    assert info.value.errors[0]["field"] == field


def test_same_answers_same_step_byte_for_byte():
    first = next_step(FULL, builtin_catalog(), "vi").model_dump_json()
    assert all(next_step(FULL, builtin_catalog(), "vi").model_dump_json() == first
               for _ in range(5))


def test_a_question_cannot_describe_an_option_it_does_not_offer():
    text = {"vi": "Ngành?", "en": "Industry?"}
    base = {"id": "industry", "section": "business", "type": "single", "text": text,
            "help": text, "options_from": "industries"}
    assert Question.model_validate({**base, "descriptions": {"retail": text}})
    with pytest.raises(ValidationError, match=r"descriptions name words that are not options: "
                                              r"\['bakery'\]"):
        Question.model_validate({**base, "descriptions": {"bakery": text}})


@pytest.mark.parametrize(("size", "suggested"),
                         [("micro", 3), ("small", 3), ("medium", 4), ("large", 5)])
def test_the_kpis_per_department_question_suggests_the_policys_number_for_the_size(
        size, suggested):
    before = {k: v for k, v in FULL.items() if k not in ("max_kpis_per_department", "keep")}
    before["size"] = size
    step = next_step(before, builtin_catalog(), "en")
    assert step.question["id"] == "max_kpis_per_department"
    assert step.question["default"] == suggested
