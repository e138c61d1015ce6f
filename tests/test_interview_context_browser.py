"""The client's context in real Chromium: the wizard asks the industry, then how the client
earns (not of a non-profit), each choice described, and the check page shows both answers."""

import pytest

from catalog.vocab import INDUSTRIES
from tests.conftest import screenshot
from tests.test_wizard_browser import EN, ROUTE, VI, answer, current_question

pytestmark = pytest.mark.browser

# What each language shows for the walk's answers (ecommerce, repeat) and a described choice.
SAYS = {
    "vi": {"industry": "Khách hàng hoạt động trong ngành nào?", "ecommerce": "Thương mại điện tử",
           "ecommerce_help": "Bán trực tuyến: website riêng, Shopee, Lazada",
           "revenue": "Doanh thu chủ yếu đến theo cách nào?",
           "repeat": "Khách quay lại mua (không cần hợp đồng)",
           "one_off_help": "Ít ai mua lần thứ hai", "nonprofit": "Tổ chức phi lợi nhuận",
           "dropped": "không còn phù hợp"},
    "en": {"industry": "Which industry is the client in?", "ecommerce": "E-commerce",
           "ecommerce_help": "Selling online: an own web shop, Shopee, Lazada",
           "revenue": "How does most of the revenue come in?",
           "repeat": "Repeat (customers come back without a contract)",
           "one_off_help": "Few customers buy twice", "nonprofit": "Non-profit",
           "dropped": "no longer apply"},
}
WORDS = {"vi": VI, "en": EN}


def start(page, base: str, lang: str) -> None:
    page.goto(f"{base}/?lang={lang}")
    page.locator("form[action='/wizard/start'] button").click()


def answer_until(page, qid: str, lang: str, route: dict = ROUTE) -> list[str]:
    """Answer the questions on screen until `qid` is; return the ids answered."""
    seen = []
    while "/q/" in page.url and current_question(page) != qid:
        seen.append(current_question(page))
        answer(page, seen[-1], WORDS[lang], route)
    return seen


def summary_row(page, qid: str) -> str:
    """Return the check page's row of one question: its text and the answer."""
    return page.locator(".summary-row", has=page.locator(f"#change-{qid}")).inner_text()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_wizard_asks_the_industry_then_the_revenue_model(live_server, page, lang):
    says = SAYS[lang]
    start(page, live_server, lang)
    assert answer_until(page, "industry", lang) == ["org_name", "goals", "departments"]
    assert page.locator("h1").inner_text() == says["industry"]
    assert page.locator("input[name=industry]").count() == len(INDUSTRIES)
    described = page.locator("#industry-ecommerce").get_attribute("aria-describedby")
    assert says["ecommerce_help"] in page.inner_text(f"#{described}")
    screenshot(page, f"wizard-question-industry-{lang}")
    answer(page, "industry", WORDS[lang])
    assert current_question(page) == "revenue_model"
    assert page.locator("h1").inner_text() == says["revenue"]
    assert page.locator("input[name=revenue_model]").count() == 4
    assert says["one_off_help"] in page.inner_text("#revenue_model-one_off-def")
    page.locator("a.back-link").click()  # back keeps the answer
    assert current_question(page) == "industry" and page.is_checked("#industry-ecommerce")
    answer(page, "industry", WORDS[lang])
    answer(page, "revenue_model", WORDS[lang])
    assert current_question(page) == "business_model"
    answer_until(page, "check", lang)
    assert page.url.endswith("/check")
    industry, revenue = summary_row(page, "industry"), summary_row(page, "revenue_model")
    assert says["industry"] in industry and says["ecommerce"] in industry
    assert says["revenue"] in revenue and says["repeat"] in revenue
    screenshot(page, f"wizard-check-context-{lang}")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_non_profit_is_not_asked_how_it_earns(live_server, page, lang):
    says = SAYS[lang]
    route = {**ROUTE, "industry": ("radio", "nonprofit")}
    start(page, live_server, lang)
    answer_until(page, "industry", lang, route)
    answer(page, "industry", WORDS[lang], route)
    assert current_question(page) == "business_model"
    page.locator("a.back-link").click()
    assert current_question(page) == "industry"  # the route back skips the question too
    answer(page, "industry", WORDS[lang], route)
    answer_until(page, "check", lang, route)
    assert page.url.endswith("/check")
    assert says["nonprofit"] in summary_row(page, "industry")
    assert page.locator("#change-revenue_model").count() == 0
    assert says["revenue"] not in page.inner_text(".summary")


def test_changing_the_industry_to_non_profit_drops_the_revenue_model(live_server, page):
    says = SAYS["vi"]
    start(page, live_server, "vi")
    answer_until(page, "check", "vi")
    assert says["repeat"] in summary_row(page, "revenue_model")
    page.locator("#change-industry").click()
    page.check("#industry-nonprofit")
    page.get_by_role("button", name=VI["continue"]).click()
    assert page.url.endswith("/check")
    notice = page.inner_text(".notice")
    assert says["dropped"] in notice and says["revenue"] in notice
    assert page.locator("#change-revenue_model").count() == 0
    page.locator("#change-industry").click()
    page.check("#industry-retail")
    page.get_by_role("button", name=VI["continue"]).click()
    assert current_question(page) == "revenue_model"  # asked again, then back to the check
    answer(page, "revenue_model", VI)
    assert page.url.endswith("/check")
    assert says["repeat"] in summary_row(page, "revenue_model")
