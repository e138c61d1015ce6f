"""Sub-commands for the interview, the recommendation and the SMART check."""

import argparse
import json
import sys
from pathlib import Path

import yaml

from advisor.cli import command, print_json
from advisor.errors import InvalidInputError
from advisor.interview import next_step, question_by_id
from advisor.models import RecommendRequest
from advisor.plan_models import Plan
from advisor.recommend import recommend_kpis
from advisor.smart import check_plan
from catalog.loader import builtin_catalog

LANGS = ("vi", "en")


def read_data_file(path: str) -> dict:
    """Return the mapping in a YAML or JSON file, or raise InvalidInputError saying why not."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise InvalidInputError([{"field": path, "message": f"not valid YAML/JSON: {exc}"}]) \
            from exc
    if not isinstance(data, dict):
        raise InvalidInputError([{"field": path, "message": "must hold a mapping of fields"}])
    return data


def _run_on_file(args: argparse.Namespace, model, compute, render) -> int:
    """Validate the file given on the command line as `model`, compute and print the result."""
    data = read_data_file(args.file)
    if args.lang:
        data["lang"] = args.lang
    result = compute(model.model_validate(data))
    if args.json:
        print_json(result)
    else:
        print(render(result))
    return 0


def _recommend(args: argparse.Namespace) -> int:
    return _run_on_file(args, RecommendRequest, recommend_kpis, render_recommendation)


def render_recommendation(result: dict) -> str:
    """Return the recommendation as a readable text report."""
    lines = []
    for department, counts in result["balance"]["departments"].items():
        lines.append(f"== {department} ({counts['total']} KPI, "
                     f"{counts['financial']}F/{counts['non_financial']}NF, "
                     f"{counts['leading']} leading/{counts['lagging']} lagging)")
        for item in (k for k in result["kpis"] if k["department"] == department):
            lines.append(f"  {item['id']:<40} {item['name']}")
            for text in item["selected_because"]:
                lines.append(f"      * {text}")
            for reason in item["reasons"][:3]:
                lines.append(f"      - {reason['text']} [{reason['rule']}]")
            lines.append(f"      > {item['smart_template']}")
    for warning in result["warnings"]:
        lines.append(f"! {warning['message']}")
    return "\n".join(lines)


def _check(args: argparse.Namespace) -> int:
    return _run_on_file(args, Plan, lambda plan: check_plan(plan, builtin_catalog()),
                        render_check)


def render_check(result: dict) -> str:
    """Return the SMART check as a readable text report."""
    lines = []
    for item in result["kpis"]:
        lines.append(f"{item['name']}  [{item['score']}/5 SMART]"
                     f"{'' if item['ready'] else '  (not ready)'}")
        for gap in item["gaps"]:
            lines.append(f"  {gap['severity']:<7} {gap['code']:<26} {gap['message']}")
            lines.append(f"  {'':<7} {'':<26} -> {gap['fix']}")
    for gap in result["plan_gaps"]:
        lines.append(f"PLAN {gap['severity']:<7} {gap['code']}: {gap['message']} -> {gap['fix']}")
    lines.append("READY" if result["ready"] else "NOT READY")
    return "\n".join(lines)


def _interview(args: argparse.Namespace) -> int:
    answers: dict = {}
    while True:
        step = next_step(answers, args.lang)
        if step.done:
            break
        question = question_by_id(step.question["id"])
        answers[question.id] = _ask(question, args.lang)
        answers = next_step(answers, args.lang).answers
    print_json(answers)
    if args.output:
        Path(args.output).write_text(json.dumps(answers, ensure_ascii=False, indent=2) + "\n",
                                     encoding="utf-8")
    return 0


def _ask(question, lang: str):
    """Ask one question on the terminal until the answer is valid; return it."""
    print(f"\n{question.text.pick(lang)}\n  ({question.help.pick(lang)})", file=sys.stderr)
    for i, option in enumerate(question.options, 1):
        print(f"  {i:>3}. {option.label.pick(lang)}", file=sys.stderr)
    while True:
        print("> ", end="", file=sys.stderr, flush=True)
        raw = sys.stdin.readline()
        if raw == "":
            raise InvalidInputError([{"field": question.id, "message": "no answer (end of input)"}])
        value = _parse(question, raw.strip())
        if value is not None:
            return value
        print("  ?", "Câu trả lời không hợp lệ, hãy thử lại." if lang == "vi"
              else "That answer is not valid, try again.", file=sys.stderr)


def _parse(question, raw: str):
    """Return the typed answer for `raw`, or None when it is not valid."""
    if question.type == "text":
        return raw or None
    if question.type == "number":
        if raw == "" and question.default is not None:
            return question.default
        try:
            number = float(raw)
        except ValueError:
            return None
        return int(number) if number.is_integer() else number
    picks = [p for p in raw.replace(",", " ").split() if p]
    try:
        chosen = [question.options[int(p) - 1].value for p in picks]
    except (ValueError, IndexError):
        return None
    if question.type == "single":
        return chosen[0] if len(chosen) == 1 else None
    return chosen if chosen or question.optional else None


@command
def _register_advice(subs: argparse._SubParsersAction) -> None:
    recommend = subs.add_parser("recommend", help="recommend a balanced KPI set from answers")
    recommend.add_argument("file", help="answers as YAML or JSON (see README)")
    recommend.add_argument("--lang", choices=LANGS)
    recommend.add_argument("--json", action="store_true", help="print JSON")
    recommend.set_defaults(handler=_recommend)
    check = subs.add_parser("check", help="SMART-check a KPI plan")
    check.add_argument("file", help="plan as YAML or JSON (see README)")
    check.add_argument("--lang", choices=LANGS)
    check.add_argument("--json", action="store_true", help="print JSON")
    check.set_defaults(handler=_check)
    interview = subs.add_parser("interview", help="answer the interview in the terminal")
    interview.add_argument("--lang", choices=LANGS, default="vi")
    interview.add_argument("--output", "-o", help="also write the answers to this JSON file")
    interview.set_defaults(handler=_interview)
