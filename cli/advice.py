"""`kpi-advisor interview|recommend|check`: the interview, the recommendation, the SMART check."""

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import yaml

from advisor.deliverable.sheets import SEVERITIES
from advisor.errors import InvalidInputError
from advisor.formatting import count_text
from advisor.i18n import gettext
from advisor.interview import Question, next_step, question_by_id
from advisor.models import RecommendRequest
from advisor.plan_models import Plan
from advisor.recommend import recommend_kpis
from advisor.smart import check_plan
from catalog.labels import label
from catalog.loader import Catalog
from cli.shell import LANG, AdvisorCommand, Shell, command_lang, pass_shell, print_json

FILE = click.Path(dir_okay=False)


def read_data_file(path: str, lang: str) -> dict:
    """Return the mapping in a YAML or JSON file, or raise InvalidInputError saying why not
    (in `lang`)."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise InvalidInputError([{"field": path, "message": gettext(
            lang, "cli.file.not_data", reason=str(exc))}]) from exc
    if not isinstance(data, dict):
        raise InvalidInputError([{"field": path,
                                  "message": gettext(lang, "cli.file.not_mapping")}])
    return data


def _run_on_file(path: str, lang: str | None, as_json: bool,
                 model: type[RecommendRequest] | type[Plan],
                 compute: Callable[[Any], dict], render: Callable[[dict, str], str]) -> None:
    """Validate the file as `model`, compute the result and print it (JSON or text in the
    language of --lang, else the file's, else the DEFAULT_LANG setting)."""
    data = read_data_file(path, lang or command_lang(click.get_current_context()))
    if lang or "lang" not in data:
        data["lang"] = lang or command_lang(click.get_current_context())
    request = model.model_validate(data)
    result = compute(request)
    if as_json:
        print_json(result)
    else:
        click.echo(render(result, request.lang))


@click.command(cls=AdvisorCommand)
@click.argument("file", type=FILE)
@click.option("--lang", type=LANG)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_shell
def recommend(shell: Shell, file: str, lang: str | None, as_json: bool) -> None:
    """Recommend a balanced KPI set from interview answers.

    FILE holds the answers as YAML or JSON (see the README).
    """
    _run_on_file(file, lang, as_json, RecommendRequest,
                 lambda request: recommend_kpis(request, shell.catalog), render_recommendation)


def render_recommendation(result: dict, lang: str) -> str:
    """Return the recommendation as a readable text report in `lang`."""
    lines = []
    for department, counts in result["balance"]["departments"].items():
        lines.append("== " + gettext(
            lang, "cli.recommend.department", department=label("departments", department)
            .pick(lang), **{key: count_text(counts[key], lang) for key in (
                "total", "financial", "non_financial", "leading", "lagging")}))
        for item in (k for k in result["kpis"] if k["department"] == department):
            lines.append(f"  {item['name']} [{item['id']}]")
            for text in item["selected_because"]:
                lines.append(f"      * {text}")
            for reason in item["reasons"][:3]:
                lines.append(f"      - {reason['text']} [{reason['rule']}]")
            lines.append(f"      > {item['smart_template']}")
    for warning in result["warnings"]:
        lines.append(f"! {warning['message']}")
    return "\n".join(lines)


@click.command(cls=AdvisorCommand)
@click.argument("file", type=FILE)
@click.option("--lang", type=LANG)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_shell
def check(shell: Shell, file: str, lang: str | None, as_json: bool) -> None:
    """SMART-check a KPI plan.

    FILE holds the plan as YAML or JSON (see the README).
    """
    _run_on_file(file, lang, as_json, Plan, lambda plan: check_plan(plan, shell.catalog),
                 render_check)


def render_check(result: dict, lang: str) -> str:
    """Return the SMART check as a readable text report in `lang`: each gap's severity and
    message first, its code after it as a label, the fix below."""
    lines = []
    for item in result["kpis"]:
        score = gettext(lang, "cli.check.score", score=item["score"])
        not_ready = "" if item["ready"] else gettext(lang, "cli.check.kpi_not_ready")
        lines.append(f"{item['name']}  [{score}]" + (f"  ({not_ready})" if not_ready else ""))
        lines += _gap_lines(item["gaps"], lang, "  ")
    if result["plan_gaps"]:
        lines.append(gettext(lang, "cli.check.plan"))
        lines += _gap_lines(result["plan_gaps"], lang, "  ")
    lines.append(gettext(lang, "cli.check.ready") if result["ready"]
                 else gettext(lang, "cli.check.not_ready"))
    return "\n".join(lines)


def _gap_lines(gaps: list[dict], lang: str, indent: str) -> list[str]:
    """Return two lines per gap: severity, message and [code]; then the fix."""
    width = max((len(gettext(lang, msgid)) for msgid in SEVERITIES.values()), default=0)
    lines = []
    for gap in gaps:
        severity = gettext(lang, SEVERITIES[gap["severity"]])
        lines.append(f"{indent}{severity:<{width}}  {gap['message']} [{gap['code']}]")
        lines.append(f"{indent}{'':<{width}}  -> {gap['fix']}")
    return lines


@click.command(cls=AdvisorCommand)
@click.option("--lang", type=LANG, default="vi", show_default=True)
@click.option("--output", "-o", type=FILE, help="Also write the answers to this JSON file.")
@pass_shell
def interview(shell: Shell, lang: str, output: str | None) -> None:
    """Answer the interview in the terminal.

    Questions go to standard error; the answers are printed as JSON on standard output.
    """
    answers = run_interview(shell.catalog, lang)
    print_json(answers)
    if output:
        Path(output).write_text(json.dumps(answers, ensure_ascii=False, indent=2) + "\n",
                                encoding="utf-8")


def run_interview(catalog: Catalog, lang: str) -> dict:
    """Ask every question that applies, in the interview's order; return the answers."""
    answers: dict = {}
    while True:
        step = next_step(answers, catalog, lang)
        if step.done or step.question is None:
            return answers
        question = question_by_id(step.question["id"], catalog)
        answers[question.id] = _ask(question, lang, step.question.get("default"))
        answers = next_step(answers, catalog, lang).answers


def _ask(question: Question, lang: str, default: Any = None) -> Any:
    """Ask one question on the terminal until the answer is valid (an empty answer takes
    `default`, where there is one); return it."""
    click.echo(f"\n{question.text.pick(lang)}\n  ({question.help.pick(lang)})", err=True)
    for i, option in enumerate(question.options, 1):
        click.echo(f"  {i:>3}. {option.label.pick(lang)}", err=True)
        if option.description:
            click.echo(f"       {option.description.pick(lang)}", err=True)
    while True:
        click.echo("> ", nl=False, err=True)
        raw = sys.stdin.readline()
        if raw == "":
            raise InvalidInputError([{"field": question.id,
                                      "message": gettext(lang, "cli.interview.no_answer")}])
        value = _parse(question, raw.strip(), default)
        if value is not None:
            return value
        click.echo("  ? " + gettext(lang, "cli.interview.invalid"), err=True)


def _parse(question: Question, raw: str, default: Any = None) -> Any:
    """Return the typed answer for `raw`, or None when it is not valid."""
    if question.type == "text":
        return raw or None
    if question.type == "number":
        if raw == "" and default is not None:
            return default
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
