"""One translation mechanism: every message id in use is extracted, has both languages, and a
missing one fails; the language is chosen per request and kept."""

import ast
import io
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po
from flask import render_template_string

from advisor.i18n import (
    KEYWORDS,
    LANGS,
    MissingTranslationError,
    compile_po,
    gettext,
    po_path,
)

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _extracted() -> dict[str, list[str]]:
    """Return {message id: [where it is used]} as Babel extracts them with babel.cfg."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        found.setdefault(message, []).append(f"{filename}:{lineno}")
    return found


def _catalog(lang: str) -> Catalog:
    with po_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang)


@pytest.fixture(scope="module")
def extracted() -> dict[str, list[str]]:
    return _extracted()


def test_extraction_finds_the_messages_of_every_layer(extracted):
    places = {where.split("/")[0] for uses in extracted.values() for where in uses}
    assert {"advisor", "web", "cli"} <= places
    assert any(".html:" in where for uses in extracted.values() for where in uses)
    # One id of each kind of call: template _(), Python _(), N_() marks, core gettext(lang, id).
    for msgid in ("app.tagline", "review.saved", "wizard.section.strategy",
                  "review.attainment.met_so_far", "review.import.number_fix"):
        assert msgid in extracted, msgid


@pytest.mark.parametrize("lang", LANGS)
def test_every_extracted_message_is_in_the_catalog_and_none_is_stale(extracted, lang):
    ids = {m.id for m in _catalog(lang) if m.id}
    missing = sorted(set(extracted) - ids)
    stale = sorted(ids - set(extracted))
    assert not missing, f"{lang}: ids used but not translated: {missing}"
    assert not stale, f"{lang}: ids translated but used nowhere: {stale}"


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_has_a_text_that_formats(lang):
    for message in _catalog(lang):
        if not message.id:
            continue
        assert message.string.strip(), (lang, message.id)
        assert not message.fuzzy, (lang, message.id)
        names = dict.fromkeys(PLACEHOLDER.findall(message.string), "x")
        # Every text is %-formatted, so a lone % would break it (a percent sign is %%).
        assert "%" not in PLACEHOLDER.sub("", message.string).replace("%%", ""), message.id
        assert message.string % names


def test_both_languages_fill_in_the_same_values():
    vi, en = _catalog("vi"), _catalog("en")
    for message in vi:
        if message.id:
            assert set(PLACEHOLDER.findall(message.string)) == set(
                PLACEHOLDER.findall(en[message.id].string)), message.id


def test_vietnamese_texts_are_not_english_copies():
    vi, en = _catalog("vi"), _catalog("en")
    # Words that read the same in both (names, abbreviations, formats) are the exceptions.
    same = {m.id for m in vi if m.id and m.string == en[m.id].string}
    allowed = {"app.name", "nav.api", "review.entry.kpi", "review.line.kpi", "review.column.kpi",
               "review.measurement.kpi", "plan.column.name", "plan.gap.kpi", "wizard.report.kpi",
               "review.source.api", "review.period.labelled", "review.import.fix_because",
               "lang.switch", "wizard.plan.score", "plan.statement.blank",
               "wizard.plan.field_changed"}
    assert same <= allowed, sorted(same - allowed)


def _po_with(entries: list[tuple[str, str, bool]]) -> io.BytesIO:
    catalog = Catalog(locale="vi")
    for msgid, text, fuzzy in entries:
        catalog.add(msgid, text, flags=("fuzzy",) if fuzzy else ())
    data = io.BytesIO()
    write_po(data, catalog)
    data.seek(0)
    return data


def test_a_missing_empty_or_fuzzy_text_fails_instead_of_showing_its_key():
    compiled = compile_po(_po_with([("a.ok", "Có", False), ("a.empty", "", False),
                                    ("a.fuzzy", "Đoán", True)]), "vi")
    assert compiled.gettext("a.ok") == "Có"
    for msgid in ("a.empty", "a.fuzzy", "a.unknown"):
        with pytest.raises(MissingTranslationError) as caught:
            compiled.gettext(msgid)
        assert caught.value.msgid == msgid and caught.value.lang == "vi"
    with pytest.raises(MissingTranslationError):
        gettext("vi", "no.such.message")
    with pytest.raises(MissingTranslationError):
        gettext("fr", "app.name")


def test_a_template_asking_for_a_missing_text_fails(app):
    with app.test_request_context("/?lang=vi"):
        assert render_template_string('{{ _("app.tagline") }}').startswith("Chọn, kiểm tra")
        with pytest.raises(MissingTranslationError):
            render_template_string('{{ _("no.such.message") }}')


def test_values_are_escaped_in_templates_and_filled_in_python(app):
    with app.test_request_context("/?lang=en"):
        html = render_template_string('{{ _("wizard.notice.added", kpi="<b>x</b>") }}')
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert gettext("vi", "review.column.committed_level", committed=80) == "Mức cam kết (~80%)"


# --- Message ids are literals: nothing builds one at run time ------------------------------

_BUILT = (ast.JoinedStr, ast.BinOp, ast.Call, ast.IfExp, ast.BoolOp)


def _id_argument(call: ast.Call) -> ast.expr | None:
    """Return the argument of a translation call that holds the message id (None if none)."""
    if not isinstance(call.func, ast.Name) or call.func.id not in KEYWORDS:
        return None
    position = (KEYWORDS[call.func.id] or (1,))[0] - 1
    return call.args[position] if len(call.args) > position else None


def test_python_never_builds_a_message_id():
    built = []
    for path in [*ROOT.glob("advisor/**/*.py"), *ROOT.glob("web/**/*.py"),
                 *ROOT.glob("cli/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                argument = _id_argument(node)
                if isinstance(argument, _BUILT):
                    built.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not built, built


def test_templates_never_build_a_message_id(app):
    from jinja2 import nodes

    built = []
    for path in (ROOT / "web" / "templates").rglob("*.html"):
        tree = app.jinja_env.parse(path.read_text(encoding="utf-8"))
        for call in tree.find_all(nodes.Call):
            if isinstance(call.node, nodes.Name) and call.node.name in ("_", "gettext") \
                    and call.args and isinstance(call.args[0], (nodes.Concat, nodes.BinExpr,
                                                                nodes.CondExpr, nodes.Filter)):
                built.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert not built, built


# --- The language of a request ---------------------------------------------------------------


@pytest.mark.parametrize(("args", "headers", "expected"), [
    ("?lang=en", {}, "Choose, check and review KPIs"),
    ("?lang=vi", {}, "Chọn, kiểm tra và rà soát KPI"),
    ("", {"Accept-Language": "en-GB,en;q=0.9"}, "Choose, check and review KPIs"),
    ("", {"Accept-Language": "vi-VN,vi;q=0.9"}, "Chọn, kiểm tra và rà soát KPI"),
])
def test_language_is_chosen_per_request(client, args, headers, expected):
    html = client.get("/" + args, headers=headers).get_data(as_text=True)
    assert expected in html


def test_language_choice_is_kept_for_the_session(client):
    client.get("/?lang=en")
    html = client.get("/", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert '<html lang="en">' in html


def test_default_language_applies_when_the_request_names_none(tmp_path):
    from web import create_app

    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "t.db"),
                      "SECRET_KEY": "x", "DEFAULT_LANG": "en"})
    # An empty database leads the newcomer to the first account's page.
    html = app.test_client().get("/", headers={"Accept-Language": "fr"},
                                 follow_redirects=True).get_data(as_text=True)
    assert '<html lang="en">' in html and "Choose, check and review KPIs" in html
