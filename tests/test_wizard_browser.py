"""The wizard in real Chromium: whole interviews in both languages, back and change, resume,
CSRF, validation, keyboard use and both exports."""

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from tests.conftest import screenshot

pytestmark = pytest.mark.browser

VI = {
    "continue": "Tiếp tục", "confirm": "Xác nhận và xem KPI đề xuất",
    "to_plan": "Tiếp tục lập kế hoạch", "save": "Lưu và kiểm tra",
}
EN = {
    "continue": "Continue", "confirm": "Confirm and see the recommended KPIs",
    "to_plan": "Continue to the plan", "save": "Save and check",
}
ROUTE = {
    "org_name": ("text", "Công ty Bình Minh"),
    "goals": ("rank", ["increase_revenue", "acquire_customers"]),
    "departments": ("check", ["sales", "marketing"]),
    "business_model": ("radio", "b2c"),
    "stage": ("radio", "startup"),
    "size": ("radio", "micro"),
    "sales_motion": ("radio", "self_serve"),
    "channels": ("check", ["website", "social_media", "email"]),
    "email_list_size": ("text", "2.500"),
    "data_sources": ("check", ["crm", "web_analytics", "email_platform"]),
    "max_kpis_per_department": ("text", "3"),
    "keep": ("check", []),
}


def current_question(page) -> str:
    return page.url.split("/q/")[1].split("?")[0]


def answer(page, qid: str, words: dict, route: dict = ROUTE) -> None:
    """Answer the question on screen the way a person would, then continue."""
    kind, value = route[qid]
    if kind == "text":
        page.fill(f"#{qid}", value)
    elif kind == "radio":
        page.check(f"#{qid}-{value}")
    elif kind == "check":
        for item in value:
            page.check(f"#{qid}-{item}")
    elif kind == "rank":
        for priority, goal in enumerate(value, start=1):
            page.select_option(f"#rank-{goal}", str(priority))
    page.get_by_role("button", name=words["continue"]).click()


def interview(page, base: str, lang: str, words: dict, shots: str = "") -> None:
    """Start from the home page and answer until the check page."""
    page.goto(f"{base}/?lang={lang}")
    if shots:
        screenshot(page, f"wizard-home-{shots}")
    page.locator("form[action='/wizard/start'] button").click()
    while "/q/" in page.url:
        qid = current_question(page)
        if shots and qid in ("org_name", "goals", "channels", "keep"):
            screenshot(page, f"wizard-question-{qid}-{shots}")
        answer(page, qid, words)
    assert page.url.endswith("/check")


def fill_plan(page, count: int) -> None:
    """Fill every KPI of the plan form with a plausible SMART target."""
    today = dt.date.today()
    for i in range(count):
        page.fill(f"#k{i}-owner", "Chị Lan")
        page.fill(f"#k{i}-report_to", "Ban giám đốc")
        page.fill(f"#k{i}-baseline", "50")
        page.fill(f"#k{i}-baseline_date", today.isoformat())
        lower = "Càng thấp" in page.inner_text(f"#plan-k{i} .tags") or \
            "Lower is better" in page.inner_text(f"#plan-k{i} .tags")
        page.fill(f"#k{i}-target", "45" if lower else "55")
        page.fill(f"#k{i}-deadline", (today + dt.timedelta(days=180)).isoformat())
        page.select_option(f"#k{i}-commitment", "committed")


def download(page, link_text: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_text, exact=True).click()
    return open(info.value.path(), "rb").read()


@pytest.mark.parametrize(("lang", "words"), [("vi", VI), ("en", EN)])
def test_full_interview_ends_in_a_plan_and_both_exports(live_server, page, lang, words):
    interview(page, live_server, lang, words, shots=lang)
    screenshot(page, f"wizard-check-{lang}")
    page.get_by_role("button", name=words["confirm"]).click()
    assert page.url.endswith("/results")
    assert page.locator(".kpi-card").count() == 6
    screenshot(page, f"wizard-results-{lang}")
    page.get_by_role("link", name=words["to_plan"]).click()
    count = page.locator("fieldset.plan-kpi").count()
    screenshot(page, f"wizard-plan-gaps-{lang}")
    fill_plan(page, count)
    # Wait for the saved page: counting at once could count the gaps of the page before it.
    with page.expect_navigation():
        page.locator("form.plan-form > button").click()
    assert page.locator(".gap-error").count() == 0
    page.locator("form[action$='/status'] button").click()
    status = page.inner_text(".status-line")
    assert ("Sẵn sàng" if lang == "vi" else "Ready") in status
    screenshot(page, f"wizard-plan-ready-{lang}")

    text = download(page, "CSV").decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][0] == ("Bộ phận" if lang == "vi" else "Department")
    assert len(rows) == 1 + count and rows[1][6] == "Chị Lan" and rows[1][7] == "Ban giám đốc"
    book = load_workbook(io.BytesIO(download(page, "XLSX")))
    values = list(book.worksheets[0].values)
    assert len(values) == 1 + count
    assert values[1][0] == ("Kinh doanh" if lang == "vi" else "Sales")
    assert values[1][6] == "Chị Lan" and values[1][16] == ("Có" if lang == "vi" else "Yes")
    assert book.sheetnames[0] == ("Kế hoạch KPI" if lang == "vi" else "KPI plan")

    page.get_by_role("link", name="Bản in một trang" if lang == "vi" else
                     "One-page printable report").click()
    assert "Công ty Bình Minh" in page.inner_text("h1")
    screenshot(page, f"wizard-report-{lang}")
    page.emulate_media(media="print")
    assert not page.locator("header.site").is_visible()
    page.emulate_media(media="screen")


def test_back_and_change_an_answer_and_the_route_and_results_follow(live_server, page):
    interview(page, live_server, "vi", VI)
    page.get_by_role("button", name=VI["confirm"]).click()
    assert page.locator("#dept-sales").count() == 1
    page.locator("a.back-link").click()
    assert page.url.endswith("/check")
    page.locator("#change-departments").click()
    page.uncheck("#departments-sales")
    page.uncheck("#departments-marketing")
    page.check("#departments-branding")
    page.get_by_role("button", name=VI["continue"]).click()
    assert page.url.endswith("/check")
    notice = page.inner_text(".notice")
    assert "không còn phù hợp" in notice and "kênh" in notice
    assert page.locator("#change-channels").count() == 0
    screenshot(page, "wizard-check-after-change")
    page.get_by_role("button", name="Dựng lại bộ KPI").click()
    assert page.locator("#dept-branding").count() == 1 and page.locator("#dept-sales").count() == 0

    page.locator("a.back-link").click()
    page.locator("#change-departments").click()
    page.check("#departments-marketing")
    page.get_by_role("button", name=VI["continue"]).click()
    assert current_question(page) == "channels"
    answer(page, "channels", VI, {"channels": ("check", ["seo"])})
    assert page.url.endswith("/check")


def test_swap_a_kpi_with_the_keyboard_and_the_balance_follows(live_server, page):
    interview(page, live_server, "vi", VI)
    page.get_by_role("button", name=VI["confirm"]).click()
    first = page.locator(".kpi-card h3").first.inner_text()
    page.locator(".kpi-card a.button").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/swap/.*"))
    page.fill("#q", "doanh thu")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*q=doanh\+thu.*"))
    screenshot(page, "wizard-swap")
    chosen = page.locator(".option-card h3").first.inner_text()
    page.locator(".option-card button").first.click()
    assert page.url.endswith("/results")
    names = page.locator(".kpi-card h3").all_inner_texts()
    assert chosen in names and first not in names
    assert "Đã thay" in page.inner_text(".notice")


def test_resume_a_session_from_its_link_in_a_new_browser(live_server, page, browser):
    interview(page, live_server, "vi", VI)
    link = page.locator("input[data-copy]").input_value()
    check = page.url
    other = browser.new_context(locale="en-GB")
    try:
        stranger = other.new_page()
        assert stranger.goto(check).status == 404
        stranger.goto(link)
        assert stranger.url == check
        assert "Công ty Bình Minh" in stranger.inner_text("main")
        stranger.goto(live_server + "/")
        assert "Công ty Bình Minh" in stranger.inner_text("#sessions")
        screenshot(stranger, "wizard-home-resumed-en")
    finally:
        other.close()


def test_a_form_without_its_csrf_token_is_refused(live_server, page):
    page.goto(live_server + "/?lang=vi")
    page.locator("form[action='/wizard/start'] button").click()
    page.fill("#org_name", "Công ty Không Token")
    page.evaluate("document.querySelector('input[name=csrf_token]').remove()")
    page.get_by_role("button", name=VI["continue"]).click()
    # The Vietnamese page no longer carries the English text beside the Vietnamese one.
    assert "Mã bảo mật" in page.inner_text("main")
    assert "security token" not in page.inner_text("main")


def test_a_validation_error_is_shown_and_the_answer_kept(live_server, page):
    page.goto(live_server + "/?lang=vi")
    page.locator("form[action='/wizard/start'] button").click()
    for _ in range(7):
        qid = current_question(page)
        if qid == "channels":
            break
        answer(page, qid, VI)
    answer(page, "channels", VI)
    assert current_question(page) == "email_list_size"
    page.fill("#email_list_size", "khoảng hai nghìn")
    page.get_by_role("button", name=VI["continue"]).click()
    summary = page.locator(".error-summary")
    assert summary.is_visible() and summary.evaluate("e => e === document.activeElement")
    assert page.locator("#email_list_size").input_value() == "khoảng hai nghìn"
    assert page.get_attribute("#email_list_size", "aria-invalid") == "true"
    assert "email_list_size-error" in page.get_attribute("#email_list_size", "aria-describedby")
    screenshot(page, "wizard-question-error")
    summary.locator("a").click()
    assert page.evaluate("document.activeElement.id") == "email_list_size"


def test_the_first_questions_can_be_answered_with_the_keyboard_alone(live_server, page):
    page.goto(live_server + "/?lang=vi")
    page.locator("form[action='/wizard/start'] button").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/q/org_name$"))
    page.locator("#org_name").focus()
    page.keyboard.type("Công ty Phím")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/q/goals$"))
    page.locator("#rank-increase_revenue").focus()
    page.keyboard.press("ArrowDown")
    page.locator("#rank-increase_revenue").press("Tab")
    page.keyboard.press("Shift+Tab")
    assert page.locator("#rank-increase_revenue").input_value() == "1"
    page.get_by_role("button", name=VI["continue"]).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/q/departments$"))
    page.locator("#departments-branding").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/q/business_model$"))
    page.locator("#business_model-b2b").focus()
    page.keyboard.press("Space")
    assert page.is_checked("#business_model-b2b")
    screenshot(page, "wizard-question-radio-keyboard")
