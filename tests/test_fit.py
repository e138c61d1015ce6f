"""Where a catalog KPI fits: conditions on the client's answers and the misfits it names."""

from pathlib import Path

import pytest

from advisor.fit import fit_verdict
from catalog.loader import load_catalog

GOOD = Path(__file__).parent / "data" / "catalog" / "good.yaml"
FITS = """
    fits:
      revenue_models: [recurring]
      business_models: [b2b]
      channels: [website, marketplace]
    misfits:
      - industries: [food_beverage]
        sizes: [micro, small]
        why: {vi: "Quán nhỏ không cần.", en: "A small restaurant has no use for it."}
"""


@pytest.fixture(scope="module")
def kpi(tmp_path_factory):
    path = tmp_path_factory.mktemp("fit") / "sales.yaml"
    path.write_text(GOOD.read_text("utf-8").rstrip("\n") + FITS, "utf-8")
    return load_catalog([path]).kpis[0]


@pytest.mark.parametrize(("answers", "failed", "misfit"), [
    ({}, (), False),  # nothing answered: nothing counts against the KPI
    ({"revenue_model": "recurring", "business_model": "b2b", "channels": ["website"]}, (), False),
    ({"revenue_model": "one_off"}, ("revenue_models",), False),
    ({"business_model": "b2c"}, ("business_models",), False),
    ({"business_model": "both"}, (), False),  # selling to businesses too
    ({"channels": ["email"]}, ("channels",), False),
    ({"channels": ["email", "marketplace"]}, (), False),
    ({"industry": "food_beverage", "size": "small"}, (), True),
    ({"industry": "food_beverage", "size": "large"}, (), False),
    ({"industry": "food_beverage"}, (), False),  # a misfit needs every condition to hold
])
def test_fit_verdict(kpi, answers, failed, misfit):
    verdict = fit_verdict(kpi, answers)
    assert verdict.failed == failed
    assert bool(verdict.misfits) is misfit
    assert verdict.fits is (not failed and not misfit)
    if misfit:
        assert verdict.misfits[0].en == "A small restaurant has no use for it."


def test_kpi_without_conditions_fits_everyone():
    plain = load_catalog([GOOD]).kpis[0]
    assert fit_verdict(plain, {"industry": "nonprofit", "revenue_model": "one_off"}).fits


def test_the_recommendations_fast_fit_agrees_with_the_verdict():
    """The recommendation judges fit from conditions read once per catalog (FitRule); it must
    say what fit_verdict says, for every KPI and every scenario client."""
    from advisor.fit import ANSWER_OF, FitRule, fit_verdict
    from catalog.loader import builtin_catalog
    from tests.scenario_judge import scenarios

    catalog = builtin_catalog()
    for scenario in scenarios():
        answers = {name: scenario["answers"].get(name) for name in ANSWER_OF.values()}
        for kpi in catalog.kpis:
            fits, met, unknown, _ = FitRule.of(kpi).judge(answers)
            assert fits == fit_verdict(kpi, answers).fits, (scenario["id"], kpi.id)
            assert met + unknown <= len(FitRule.of(kpi).fits)
