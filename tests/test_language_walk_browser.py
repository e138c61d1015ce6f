"""A walk through every page type in real Chromium, in Vietnamese and in English: no text of the
other language, no raw code, no ISO date, and numbers and dates in the page's own style.

What a page may show in another language on purpose is left out of the check: an element whose
`lang` says so (the language switch), `<code>` labels (rule ids, field paths: secondary details),
what the person typed in themselves (the data below is written in the walk's language), and the
input formats the help texts name (2025-03, 2025-Q1, 2025-W07, 2025-03-15)."""

import datetime as dt
import re

import pytest
from flask import Blueprint

from advisor.formatting import date_text, number_text
from tests.conftest import PASSWORD, screenshot
from tests.test_review_browser import _post, _send_file
from tests.test_wizard_browser import (
    EN,
    ROUTE,
    VI,
    answer,
    current_question,
    fill_plan,
    unfold,
)

pytestmark = pytest.mark.browser

# English words that no Vietnamese page uses (short Vietnamese words such as "to", "an", "do"
# are English words too, so they are not in the list).
ENGLISH = re.compile(r"\b(the|and|of|is|are|with|for|your|this|that|not|from|which|will|has|"
                     r"have|been|target|value|period|error|found|missing|invalid|request|"
                     r"please|should|must|cannot|save|back|continue|download|none|yes|no)\b",
                     re.IGNORECASE)
VIETNAMESE = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]",
                        re.IGNORECASE)
SNAKE_CODE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
DOTTED_CODE = re.compile(r"(?<![@\w.])[a-z]+\.[a-z][a-z_]+\b")  # an email is no code
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
INPUT_EXAMPLES = ("2025-03-15",)
# A decimal mark of the other language: 12.5 on a Vietnamese page, 12,5 on an English one.
FOREIGN_DECIMAL = {"vi": re.compile(r"(?<![\d.])\d+\.\d{1,2}(?![\d.])"),
                   "en": re.compile(r"(?<![\d,])\d+,\d{1,2}(?![\d,])")}

PAGE_TEXT = """(lang) => {
  const skip = (el) => el.closest('script, style, code')
    || el.closest('[lang]').getAttribute('lang') !== lang;
  const out = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!skip(node.parentElement) && node.textContent.trim()) out.push(node.textContent.trim());
  }
  for (const el of document.body.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
    if (skip(el)) continue;
    for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
      if (el.getAttribute(name)) out.push(el.getAttribute(name));
    }
  }
  return out.join('\\n');
}"""

# What the walk types in (in its own language; fill_plan's names are Vietnamese in both).
DATA = {
    "vi": {"org": "Công ty Bình Minh", "customers": "Khách hàng mới", "file": "bad.csv"},
    "en": {"org": "Sunrise Trading", "customers": "New customers", "file": "bad.csv",
           "owner": "Chị Lan", "report_to": "Ban giám đốc"},
}


FOUND: list = []


def text_of(page, lang: str) -> str:
    """Return what a reader meets on the page (text, titles, labels), minus what may differ."""
    text = page.evaluate(PAGE_TEXT, lang)
    for mine in DATA[lang].values():
        text = text.replace(mine, "")
    for example in INPUT_EXAMPLES:
        text = text.replace(example, "")
    return text


def assert_speaks(page, lang: str, name: str) -> str:
    """Check that the page reads entirely in `lang`; return its text."""
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.lang") == lang, name
    text = text_of(page, lang)
    other = ENGLISH if lang == "vi" else VIETNAMESE
    found = {
        "other language": sorted(set(m.group(0) for m in other.finditer(text))),
        "snake_case codes": sorted(set(SNAKE_CODE.findall(text))),
        "dotted codes": sorted(set(DOTTED_CODE.findall(text))),
        "ISO dates": sorted(set(ISO_DATE.findall(text))),
        "foreign decimals": sorted(set(FOREIGN_DECIMAL[lang].findall(text))),
    }
    screenshot(page, f"walk-{lang}-{name}")
    FOUND.extend((lang, name, k, v) for k, v in found.items() if v)
    return text


def follow(locator) -> None:
    """Click a link or button and wait for the page it leads to."""
    with locator.page.expect_navigation():
        locator.click()


@pytest.fixture
def app(app):
    """The app, with a route that fails as a bug would: the 500 page is part of the walk."""
    bp = Blueprint("walk_probe", __name__)

    @bp.get("/probe/fail")
    def fail():
        return {}["missing"]

    app.register_blueprint(bp)
    return app


def walk_accounts(page, base: str, lang: str) -> None:
    """The sign-in page (a wrong password too), the workspace, members and tokens pages."""
    page.goto(f"{base}/login?lang={lang}")
    assert_speaks(page, lang, "login")
    page.fill("#email", "owner@example.com")
    page.fill("#password", "not the password")
    follow(page.locator("form.account-form button[type=submit]"))
    assert page.locator(".error-summary").is_visible()
    assert_speaks(page, lang, "login-wrong")
    page.fill("#password", PASSWORD)
    follow(page.locator("form.account-form button[type=submit]"))
    assert_speaks(page, lang, "home-signed-in")
    for name, path in (("workspace", "/w/test"), ("members", "/w/test/members"),
                       ("tokens", "/w/test/tokens")):
        page.goto(f"{base}{path}?lang={lang}")
        assert_speaks(page, lang, name)
    page.goto(f"{base}/w/test/members?lang={lang}")
    page.fill("#email", "client@example.com")
    follow(page.locator("form.account-form button[type=submit]"))
    assert_speaks(page, lang, "invitation-created")
    link = page.locator("#invitation-link").input_value()
    page.goto(f"{link}?lang={lang}")
    assert_speaks(page, lang, "invitation")
    page.goto(f"{base}/?lang={lang}")


def walk_wizard(page, base: str, lang: str, words: dict) -> None:
    """Home, every question, check, results, plan (with its gaps, then filled), plan report."""
    page.goto(f"{base}/?lang={lang}")
    assert_speaks(page, lang, "home")
    follow(page.locator("form[action='/wizard/start'] button"))
    route = {**ROUTE, "org_name": ("text", DATA[lang]["org"])}
    while "/q/" in page.url:
        qid = current_question(page)
        assert_speaks(page, lang, f"question-{qid}")
        answer(page, qid, words, route)
    assert_speaks(page, lang, "check")
    follow(page.get_by_role("button", name=words["confirm"]))
    assert_speaks(page, lang, "results")
    follow(page.get_by_role("link", name=words["to_plan"]))
    assert_speaks(page, lang, "plan-with-gaps")
    rows = fill_plan(page)
    follow(page.locator("form.plan-form > button"))
    text = assert_speaks(page, lang, "plan-filled")
    # The SMART check suggests checkpoints (T.no_milestones) with dates in the page's style.
    deadline = dt.date.today() + dt.timedelta(days=180)
    assert date_text(deadline, lang) in text
    walk_checkpoints(page, lang, rows[0])
    follow(page.locator("a[href$='/report']"))
    text = assert_speaks(page, lang, "plan-report")
    assert date_text(dt.date.today(), lang) in text
    assert date_text(deadline, lang) in text


def walk_checkpoints(page, lang: str, row: str) -> None:
    """The plan's Checkpoints field: a bad one is refused next to the field in the page's
    language; a good one, typed as the page writes dates, comes back in the same style."""
    field = f"#kpi-{row}-milestones"
    unfold(page, row)
    page.fill(field, "31/02/2026: 52")
    follow(page.locator("form.plan-form > button"))
    assert page.locator(f"{field}-error").is_visible()
    assert_speaks(page, lang, "plan-checkpoint-error")
    lower = page.input_value(f"#kpi-{row}-target") == "45"
    day = dt.date.today() + dt.timedelta(days=90)
    typed = f"{date_text(day, lang)}: {number_text(47.5 if lower else 52.5, lang)}"
    page.fill(field, typed)
    follow(page.locator("form.plan-form > button"))
    unfold(page, row)
    assert page.locator(f"{field}-error").count() == 0
    assert page.input_value(field) == typed
    assert_speaks(page, lang, "plan-checkpoints")


def walk_review(page, base: str, lang: str) -> None:
    """A plan with imported measurements: the review page and its printable report."""
    plan = {"org_name": DATA[lang]["org"], "lang": lang, "kpis": [
        {"kpi_id": "sales.revenue", "target": 400, "frequency": "monthly"},
        {"name": DATA[lang]["customers"], "unit": "count", "frequency": "monthly",
         "target": 30}]}
    plan_id = _post(f"{base}/api/v1/plans", plan)["id"]
    months = [31, 35, 29, 33, 30, 34, 28, 32, 31, 30, 33, 58]
    lines = ["kpi,period,value,target"] + [
        f"sales.revenue,2024-{m:02d},{300 + 7.5 * m + (m % 3) * 4.25},400" for m in range(1, 13)]
    lines += [f"{DATA[lang]['customers']},2024-{m:02d},{v}" for m, v in enumerate(months, 1)]
    _send_file(base, plan_id, "history.csv", "\n".join(lines).encode())
    page.goto(f"{base}/plans/{plan_id}/review?lang={lang}")
    text = assert_speaks(page, lang, "review")
    assert page.locator("svg.pbc").count() == 2
    assert (re.search(r"\d,\d", text) if lang == "vi" else re.search(r"\d\.\d", text))
    follow(page.get_by_role("link", name="Báo cáo quý (bản in)" if lang == "vi"
                            else "Quarterly report (printable)"))
    assert_speaks(page, lang, "review-report")
    # An import with a bad row: the problems are listed in the page's language.
    page.goto(f"{base}/plans/{plan_id}/review?lang={lang}")
    page.set_input_files("#import-file", files=[{
        "name": "bad.csv", "mimeType": "text/csv",
        "buffer": b"kpi,period,value\nsales.revenue,2025-13,12.5.1\n"}])
    follow(page.locator("form[action$='/review/import'] button"))
    assert page.locator(".import-errors").is_visible()
    assert_speaks(page, lang, "review-import-errors")


def walk_api_docs(page, base: str, lang: str) -> None:
    """The API reference: its own headings in the page's language (the generated OpenAPI
    content is English and marked so)."""
    page.goto(f"{base}/api/v1/docs?lang={lang}")
    assert page.locator("section.endpoint").count() >= 3
    assert_speaks(page, lang, "api-docs")


def walk_errors(page, base: str, lang: str, words: dict) -> None:
    """404, 405, 413, 500 and the missing security token (400)."""
    for name, path in (("404", "/no/such/page"), ("405", "/wizard/start"),
                       ("500", "/probe/fail")):
        response = page.goto(f"{base}{path}?lang={lang}")
        assert response.status == int(name)
        assert_speaks(page, lang, f"error-{name}")
    page.goto(f"{base}/?lang={lang}")
    with page.expect_navigation():
        page.evaluate("""() => {
          const form = document.querySelector("form[action='/wizard/start']");
          const big = document.createElement('textarea');
          big.name = 'padding'; big.value = 'x'.repeat(3 * 1024 * 1024);
          form.appendChild(big); form.submit();
        }""")
    assert "413" in page.inner_text("main")
    assert_speaks(page, lang, "error-413")
    page.goto(f"{base}/?lang={lang}")
    page.evaluate("document.querySelector(\"form[action='/wizard/start'] "
                  "input[name=csrf_token]\").remove()")
    follow(page.locator("form[action='/wizard/start'] button"))
    assert "400" in page.inner_text("main")
    assert_speaks(page, lang, "error-400-csrf")


@pytest.mark.parametrize(("lang", "words"), [("vi", VI), ("en", EN)])
def test_every_page_reads_in_one_language(live_server, browser, lang, words):
    context = browser.new_context(locale="vi-VN" if lang == "vi" else "en-GB")
    page = context.new_page()
    FOUND.clear()
    try:
        walk_accounts(page, live_server, lang)
        walk_wizard(page, live_server, lang, words)
        walk_review(page, live_server, lang)
        walk_api_docs(page, live_server, lang)
        walk_errors(page, live_server, lang, words)
    finally:
        context.close()
    assert not FOUND, "\n".join(map(str, FOUND))
