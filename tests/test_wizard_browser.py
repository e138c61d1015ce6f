"""The wizard in real Chromium: whole interviews in both languages, back and change, resume,
CSRF, validation, keyboard use and both exports."""

import csv
import datetime as dt
import io
import re
import unicodedata

import pytest
from openpyxl import load_workbook

from tests.conftest import app_account, browser_sign_in, screenshot

pytestmark = pytest.mark.browser

VI = {
    "continue": "Tiếp tục", "confirm": "Xác nhận và xem KPI đề xuất",
    "to_plan": "Tiếp tục lập kế hoạch", "save": "Lưu và kiểm tra", "back": "Quay lại",
}
EN = {
    "continue": "Continue", "confirm": "Confirm and see the recommended KPIs",
    "to_plan": "Continue to the plan", "save": "Save and check", "back": "Back",
}
ROUTE = {
    "org_name": ("text", "Công ty Bình Minh"),
    "goals": ("rank", ["increase_revenue", "acquire_customers"]),
    "departments": ("check", ["sales", "marketing"]),
    "industry": ("radio", "ecommerce"),
    "revenue_model": ("radio", "repeat"),
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


def unfold(page, row: str) -> None:
    """Open a KPI's fields on the plan page (only the KPI that needs the user is open)."""
    fold = page.locator(f"#kpi-{row} details.kpi-fold")
    if fold.get_attribute("open") is None:
        fold.locator("summary").click()


def fill_plan(page) -> list[str]:
    """Fill every KPI of the plan form with a plausible SMART target; return the row ids."""
    today = dt.date.today()
    rows = [s.get_attribute("id").split("-")[1] for s in page.locator("section.plan-kpi").all()]
    for row in rows:
        unfold(page, row)
        k = f"#kpi-{row}-"
        page.fill(k + "owner", "Chị Lan")
        item = page.locator(f"#kpi-{row} li[data-fields='kpi-{row}-owner']")
        assert "check-filled" in item.get_attribute("class")  # ticked while typing
        page.fill(k + "report_to", "Ban giám đốc")
        page.fill(k + "baseline", "50")
        page.fill(k + "baseline_date", today.isoformat())
        tags = page.inner_text(f"#kpi-{row} .tags")
        lower = "Càng thấp" in tags or "Lower is better" in tags
        page.fill(k + "target", "45" if lower else "55")
        page.fill(k + "deadline", (today + dt.timedelta(days=180)).isoformat())
        page.select_option(k + "commitment", "committed")
    return rows


def download(page, link_text: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_text, exact=True).click()
    return open(info.value.path(), "rb").read()


def pdf_pages(page) -> list:
    """Print the page as Chromium does for "Save as PDF"; return pypdf's pages."""
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True))).pages


def pdf_text(pdf_page) -> str:
    """Return a PDF page's text with ligatures (ﬁ) spelt out."""
    return unicodedata.normalize("NFKC", pdf_page.extract_text())


A4 = (595, 842)


def size_pt(pdf_page) -> tuple[int, int]:
    """Return a PDF page's size in points, rounded."""
    return round(float(pdf_page.mediabox.width)), round(float(pdf_page.mediabox.height))


def swap_goal_priorities(page) -> None:
    """Rank two goals, then give the second one priority 1: the first must become 2."""
    page.select_option("#rank-increase_revenue", "1")
    page.select_option("#rank-acquire_customers", "2")
    page.select_option("#rank-acquire_customers", "1")
    assert page.input_value("#rank-increase_revenue") == "2"
    assert page.input_value("#rank-acquire_customers") == "1"


@pytest.mark.parametrize(("lang", "words"), [("vi", VI), ("en", EN)])
def test_interview_to_plan_to_dictionary_cards_and_exports(live_server, page, lang, words):
    vi = lang == "vi"
    page.goto(f"{live_server}/?lang={lang}")
    page.locator("form[action='/wizard/start'] button").click()
    while "/q/" in page.url:
        qid = current_question(page)
        if qid == "goals":
            swap_goal_priorities(page)
            page.get_by_role("button", name=words["continue"]).click()
            continue
        if qid == "keep":
            page.fill("#keep-search", "ty le thang" if vi else "win rate")
            visible = page.locator(".choice:not([hidden]) .choice-label").all_inner_texts()
            everything = page.locator(".choice .choice-label").count()
            assert ("Tỷ lệ thắng" if vi else "Win rate") in visible
            assert len(visible) < everything / 5
        answer(page, qid, words)
    assert page.url.endswith("/check")
    summary = page.inner_text(".summary")
    assert ("Ưu tiên 1: Thu hút khách hàng mới" if vi else
            "Priority 1: Acquire new customers") in summary
    # Change an earlier answer: continue goes straight back to the check page.
    page.locator("#change-stage").click()
    page.check("#stage-growth")
    page.get_by_role("button", name=words["continue"]).click()
    assert page.url.endswith("/check")
    page.get_by_role("button", name=words["confirm"]).click()
    assert page.url.endswith("/results")
    page.get_by_role("link", name=words["to_plan"]).click()
    assert page.locator(".ready-summary.is-checked").count() == 0  # no red before a save
    rows = fill_plan(page)
    # Wait for the saved page: counting at once could count the gaps of the page before it.
    with page.expect_navigation():
        page.locator("form.plan-form > button").click()
    assert page.locator(".gap-error").count() == 0
    blockers = page.locator(".ready-summary .blocker")
    assert blockers.count() == 0, page.inner_text(".ready-summary")
    with page.expect_navigation():
        page.locator("form[action$='/status'] button").click()
    assert ("Sẵn sàng" if vi else "Ready") in page.inner_text(".status-line")
    screenshot(page, f"wizard-plan-ready-{lang}")

    page.get_by_role("link", name="Từ điển KPI (bản in)" if vi else
                     "KPI dictionary (printable)").click()
    page.wait_for_url(re.compile(r".*/dictionary$"))
    assert page.locator(".dict-entry h2").count() == len(rows)
    pages = pdf_pages(page)
    assert all(size_pt(p) == A4 for p in pages) and 1 <= len(pages) <= len(rows)
    text = " ".join(pdf_text(p) for p in pages)
    assert ("Từ điển KPI — Công ty Bình Minh" if vi else
            "KPI dictionary — Công ty Bình Minh") in text
    for heading in (("Định nghĩa", "Công thức", "Cạm bẫy thường gặp") if vi else
                    ("Definition", "Formula", "Common pitfalls")):
        assert text.count(heading) >= len(rows)
    assert "Chị Lan" in text and ("trước" if vi else "by") in text
    page.go_back()
    page.wait_for_url(re.compile(r".*/plan(\?.*)?$"))

    page.get_by_role("link", name="Thẻ KPI (hai thẻ một trang A4)" if vi else
                     "KPI cards (two to an A4 page)").click()
    page.wait_for_url(re.compile(r".*/cards$"))
    cards = pdf_pages(page)
    assert len(cards) == (len(rows) + 1) // 2 and all(size_pt(p) == A4 for p in cards)
    for number, card_page in enumerate(cards):
        shown = re.findall(r"(?:Thẻ|Card) (\d+)/\d+", pdf_text(card_page))
        assert [int(n) for n in shown] == [n for n in (2 * number + 1, 2 * number + 2)
                                           if n <= len(rows)]
    assert ("Nhịp đo và báo cáo" if vi else "Measuring and reporting") in pdf_text(cards[0])
    page.get_by_role("link", name="In mỗi thẻ một trang A5" if vi else
                     "One card per A5 page").click()
    page.wait_for_url(re.compile(r".*/cards\?paper=a5$"))
    a5 = pdf_pages(page)
    assert len(a5) == len(rows) and size_pt(a5[0]) == (595, 420)
    page.get_by_role("link", name=VI["back"] if vi else EN["back"]).click()
    page.wait_for_url(re.compile(r".*/plan$"))

    book = load_workbook(io.BytesIO(download(page, "XLSX")))
    assert book.sheetnames == (["Kế hoạch KPI", "Từ điển KPI", "Khoảng trống SMART"] if vi
                               else ["KPI plan", "KPI dictionary", "SMART gaps"])
    sheet = book.worksheets[0]
    assert sheet["A1"].value.startswith(("Kế hoạch KPI — " if vi else "KPI plan — ")
                                        + "Công ty Bình Minh")
    assert sheet.freeze_panes == "A4"
    header = [c.value for c in sheet[3]]
    owner = header.index("Người phụ trách" if vi else "Owner")
    target = header.index("Mục tiêu" if vi else "Target")
    deadline = header.index("Hạn chót" if vi else "Deadline")
    unit = header.index("Đơn vị" if vi else "Unit")
    data = list(sheet.iter_rows(min_row=4))
    assert len(data) == len(rows)
    for row in data:
        assert row[owner].value == "Chị Lan" and row[owner].data_type == "s"
        assert row[target].data_type == "n" and row[deadline].is_date
        assert row[deadline].number_format == ("dd/mm/yyyy" if vi else "mmm d, yyyy")
        percent = row[unit].value == ("Phần trăm" if vi else "Percent")
        assert row[target].number_format.endswith("%") == percent
        if percent:
            assert row[target].value in (0.45, 0.55)
    dictionary = book.worksheets[1]
    titles = [c.value for c in dictionary[3]]
    definition = titles.index("Định nghĩa" if vi else "Definition")
    assert all(r[definition].value for r in dictionary.iter_rows(min_row=4))

    text = download(page, "CSV").decode("utf-8")
    assert text.startswith("\ufeff")
    table = list(csv.DictReader(io.StringIO(text[1:])))
    assert len(table) == len(rows)
    assert {r["Người phụ trách" if vi else "Owner"] for r in table} == {"Chị Lan"}
    assert {r["Mục tiêu" if vi else "Target"] for r in table} <= {"45", "55"}
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["Hạn chót" if vi else "Deadline"])
               for r in table)
    dictionary_csv = download(page, "Từ điển KPI (CSV)" if vi else "KPI dictionary (CSV)")
    assert len(list(csv.reader(io.StringIO(dictionary_csv.decode("utf-8")[1:])))) == \
        1 + len(rows)


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


FIT_GUARD = {
    "vi": {"fit": "Vì sao phù hợp với khách hàng này", "guard": "KPI đối trọng bảo vệ nó",
           "in_set": "trong bộ", "guarded": "Có KPI đối trọng", "missing": "chưa có trong bộ"},
    "en": {"fit": "Why it fits this client", "guard": "Its guard (counter-KPI)",
           "in_set": "in the set", "guarded": "Guarded by its counter-KPI", "missing":
           "not in the set"},
}


@pytest.mark.parametrize(("lang", "words"), [("vi", VI), ("en", EN)])
def test_each_chosen_kpi_shows_its_fit_and_its_guard(live_server, page, lang, words):
    interview(page, live_server, lang, words)
    page.get_by_role("button", name=words["confirm"]).click()
    assert page.url.endswith("/results")
    texts = FIT_GUARD[lang]
    cards = page.locator(".kpi-card")
    assert cards.count() >= 2
    guarded = 0
    for i in range(cards.count()):
        card = cards.nth(i)
        fit = card.locator(".kpi-fit")
        assert fit.locator("dt").inner_text() == texts["fit"]
        assert len(fit.locator("dd").inner_text()) > 20
        guard = card.locator(".kpi-guard")
        assert guard.locator("dt").inner_text() == texts["guard"]
        said = guard.locator("dd p").inner_text()
        names = card.page.locator(".kpi-card h3").all_inner_texts()
        counters = guard.locator("li").all_inner_texts()
        in_set = guard.locator("li.counter-in-set .counter-name").all_inner_texts()
        for item in guard.locator("li").all():
            tag = texts["in_set"] if "counter-in-set" in item.get_attribute("class") \
                else texts["missing"]
            assert item.inner_text().endswith(tag)
        # What the card says agrees with the set on the page: a counter-KPI marked as in the
        # set is one of the cards, and the sentence says guarded exactly then.
        for counter in in_set:
            assert counter in names, counter
        assert said.startswith(texts["guarded"]) == bool(in_set), (said, counters)
        guarded += bool(in_set)
    assert guarded >= 1
    screenshot(page, f"wizard-fit-guard-{lang}")


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


def test_resume_a_session_from_its_link_in_a_new_browser(live_server, page, browser, app):
    interview(page, live_server, "vi", VI)
    link = page.locator("input[data-copy]").input_value()
    check = page.url
    colleague = app_account(app, "colleague@example.com", "editor")
    outsider = app_account(app, "outsider@example.com", "owner", "elsewhere")
    other = browser.new_context(locale="en-GB")
    try:
        stranger = other.new_page()
        stranger.goto(link)  # signed out: asked to sign in, then taken on
        assert "/login?next=" in stranger.url
        stranger.fill("#email", colleague.email)
        stranger.fill("#password", colleague.password)
        with stranger.expect_navigation():
            stranger.locator("form.account-form button[type=submit]").click()
        assert stranger.url == check
        assert "Công ty Bình Minh" in stranger.inner_text("main")
        stranger.goto(live_server + "/")
        assert "Công ty Bình Minh" in stranger.inner_text("#sessions")
        screenshot(stranger, "wizard-home-resumed-en")
    finally:
        other.close()
    third = browser.new_context(locale="vi-VN")
    try:
        elsewhere = third.new_page()
        browser_sign_in(elsewhere, live_server, outsider.email)
        assert elsewhere.goto(link).status == 404
        assert elsewhere.goto(check).status == 404
    finally:
        third.close()


def test_a_form_without_its_csrf_token_is_refused(live_server, page):
    page.goto(live_server + "/?lang=vi")
    page.locator("form[action='/wizard/start'] button").click()
    page.fill("#org_name", "Công ty Không Token")
    page.evaluate("document.querySelector('form.question-form input[name=csrf_token]')"
                  ".remove()")
    page.get_by_role("button", name=VI["continue"]).click()
    # The Vietnamese page no longer carries the English text beside the Vietnamese one.
    assert "Mã bảo mật" in page.inner_text("main")
    assert "security token" not in page.inner_text("main")


def test_a_validation_error_is_shown_and_the_answer_kept(live_server, page):
    page.goto(live_server + "/?lang=vi")
    page.locator("form[action='/wizard/start'] button").click()
    for _ in range(9):
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
    page.wait_for_url(re.compile(r".*/q/industry$"))
    page.locator("#industry-retail").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/q/revenue_model$"))
    page.locator("#revenue_model-repeat").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/q/business_model$"))
    page.locator("#business_model-b2b").focus()
    page.keyboard.press("Space")
    assert page.is_checked("#business_model-b2b")
    screenshot(page, "wizard-question-radio-keyboard")


def test_cards_of_the_wordiest_kpis_still_fit_two_to_a_page(live_server, page, app):
    """The catalog KPIs with the longest texts, filled in with long names, print two cards
    to an A4 page with nothing cut off."""
    from advisor.plan_models import Plan, PlanKpi
    from advisor.plans import get_plan, get_session, update_plan
    from advisor.store import open_db
    from catalog.loader import builtin_catalog

    interview(page, live_server, "vi", VI)
    page.get_by_role("button", name=VI["confirm"]).click()
    sid = page.url.split("/s/")[1].split("/")[0]
    catalog = builtin_catalog()

    def words(kpi) -> int:
        return len(kpi.definition.vi + kpi.formula.vi + kpi.pitfalls[0].vi) + sum(
            len(catalog.by_id[c].name.vi) for c in kpi.counter_kpis[:2])

    wordiest = sorted((k for k in catalog.kpis if k.department in ("sales", "marketing")),
                      key=words, reverse=True)[:5]
    db = open_db(app.config["DATABASE"])
    try:
        record = get_plan(db, get_session(db, sid).plan_id)
        kpis = [PlanKpi(kpi_id=k.id, department=k.department, frequency=k.frequency,
                        data_source=k.data_sources[0], owner="Nguyễn Thị Phương Thảo",
                        report_to="Hội đồng quản trị và Ban tổng giám đốc", baseline=1234567,
                        target=2345678,
                        statement=f"Tăng {k.name.vi.lower()} từ mức hiện tại lên mục tiêu "
                        "đã cam kết với ban giám đốc trong năm tài chính này")
                for k in wordiest]
        update_plan(db, record.id, Plan.model_validate({**record.plan.model_dump(),
                                                        "kpis": [k.model_dump() for k in kpis]}))
    finally:
        db.close()
    page.goto(f"{live_server}/wizard/s/{sid}/cards")
    page.emulate_media(media="print")
    cut = page.evaluate("[...document.querySelectorAll('.kpi-sheet')]"
                        ".map(e => e.scrollHeight - e.clientHeight)")
    assert cut == [0] * 5
    cards = pdf_pages(page)
    assert len(cards) == 3 and all(size_pt(p) == A4 for p in cards)
    assert "Thẻ 5/5" in pdf_text(cards[2])
