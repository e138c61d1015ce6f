"""The JSON API for the interview and the recommendations."""

from flask import Blueprint, Response, current_app, jsonify

from advisor.interview import next_step, question_json, questions
from advisor.models import RecommendRequest
from advisor.plan_models import Plan
from advisor.recommend import recommend_kpis
from advisor.smart import check_plan
from web.api import requested_lang
from web.body import json_object, lang_of
from web.db import get_catalog

bp = Blueprint("api_advice", __name__, url_prefix="/api/v1")


@bp.get("/questions")
def list_questions() -> Response:
    """Return every interview question, in the order they can be asked."""
    lang = requested_lang()
    return jsonify({"questions": [question_json(q, lang) for q in questions(get_catalog())]})


@bp.post("/interview/next")
def interview_next() -> Response:
    """Return the next question for the answers so far, or done."""
    body = json_object()
    lang = lang_of(body, current_app.config["DEFAULT_LANG"])
    answers = body.get("answers", {k: v for k, v in body.items() if k != "lang"})
    if not isinstance(answers, dict):
        answers = {"answers": answers}
    return jsonify(next_step(answers, get_catalog(), lang).model_dump())


@bp.post("/smart-check")
def smart_check() -> Response:
    """Return the SMART gaps of a plan's KPIs and of the plan as a whole."""
    body = json_object()
    body.setdefault("lang", current_app.config["DEFAULT_LANG"])
    return jsonify(check_plan(Plan.model_validate(body), get_catalog()))


@bp.post("/recommendations")
def recommendations() -> Response:
    """Return a balanced, explained KPI set for the client's answers."""
    body = json_object()
    body.setdefault("lang", current_app.config["DEFAULT_LANG"])
    request_model = RecommendRequest.model_validate(body)
    return jsonify(recommend_kpis(request_model, get_catalog()))
