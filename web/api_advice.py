"""The JSON API for the interview, the SMART check and the recommendations."""

from flask import Blueprint, current_app

from advisor.interview import next_step, question_json, questions
from advisor.recommend import recommend_kpis
from advisor.smart import check_plan
from web.contract.advice import (
    InterviewRequest,
    InterviewStep,
    Questions,
    QuestionsInLang,
    Recommendation,
    SmartCheck,
)
from web.contract.catalog import LangQuery, SpeakQuery
from web.contract.plans import PlanBody, RecommendBody
from web.contract.registry import Reply, default_lang, operation
from web.db import get_catalog

bp = Blueprint("api_advice", __name__, url_prefix="/api/v1")


@operation(bp, "GET", "/questions", operation_id="listQuestions", tag="interview",
           summary="The interview's questions with text, help, type and options",
           description="Without `lang` every text is {vi, en}; with it, a plain string.",
           query=LangQuery, replies=(Reply(Questions | QuestionsInLang),))
def list_questions(query: LangQuery) -> dict:
    """Return every interview question, in the order they can be asked."""
    return {"questions": [question_json(q, query.lang) for q in questions(get_catalog())]}


@operation(bp, "POST", "/interview/next", operation_id="interviewNext", tag="interview",
           summary="Answers so far in, the next question (or done) out",
           description="Answers that no longer apply after a change are dropped and listed "
           "in `dropped`. A bad answer is named by its question id.",
           query=SpeakQuery, body=InterviewRequest, replies=(Reply(InterviewStep),))
def interview_next(query: SpeakQuery, body: InterviewRequest) -> dict:
    """Return the next question for the answers so far, or done."""
    lang = body.lang or query.lang or current_app.config["DEFAULT_LANG"]
    return next_step(body.answers.given(), get_catalog(), lang).model_dump()


@operation(bp, "POST", "/smart-check", operation_id="smartCheck", tag="advice",
           summary="A plan in, its SMART gaps out: per KPI and for the plan as a whole",
           description="Each KPI names a catalog `kpi_id` or, for a KPI of your own, a `name`.",
           body=PlanBody, body_defaults=default_lang, replies=(Reply(SmartCheck),))
def smart_check(body: PlanBody) -> dict:
    """Return the SMART gaps of a plan's KPIs and of the plan as a whole."""
    return check_plan(body, get_catalog())


@operation(bp, "POST", "/recommendations", operation_id="recommend", tag="advice",
           summary="A balanced, explained KPI set for the client's answers",
           description="Kept KPIs (`keep`) must belong to the departments in scope.",
           body=RecommendBody, body_defaults=default_lang,
           replies=(Reply(Recommendation),))
def recommendations(body: RecommendBody) -> dict:
    """Return a balanced, explained KPI set for the client's answers."""
    return recommend_kpis(body, get_catalog())
