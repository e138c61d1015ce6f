"""The interview: questions as data, the next one chosen by the interview rules."""

import pytest

from advisor.errors import InvalidInputError
from advisor.interview import next_step, questions
from catalog.loader import builtin_catalog

FULL = {
    "org_name": "Công ty An Phát",
    "goals": ["acquire_customers", "increase_revenue"],
    "departments": ["sales", "marketing"],
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
    assert asked == ["org_name", "goals", "departments", "business_model", "stage", "size",
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
