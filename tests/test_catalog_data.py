"""The catalog data itself: complete, bilingual, consistent, and loud when broken."""

import re
from pathlib import Path

import pytest

from catalog.errors import CatalogError
from catalog.loader import builtin_catalog, load_catalog
from catalog.vocab import DATA_SOURCES, DEPARTMENTS, GOALS, PERSPECTIVES

DATA = Path(__file__).parent / "data" / "catalog"

SEED_NAMES = {
    "sales": ["Doanh số bán hàng", "Số lượng khách hàng mới", "Tỷ lệ chuyển đổi",
              "Tỉ lệ thất bại bán hàng", "Mức độ hài lòng", "Doanh thu"],
    "marketing": ["Tăng trưởng số lượng khách hàng", "Tương tác trên mạng xã hội",
                  "Traffic website", "Tỉ lệ mở email", "Tỉ lệ nhấp email", "Thứ hạng SEO",
                  "Tỷ lệ chuyển đổi từ chiến dịch", "Doanh thu từ chiến dịch"],
    "branding": ["Nhận diện thương hiệu", "Ý thức thương hiệu", "Đánh giá và độ tin cậy",
                 "Tầm nhìn", "Giá trị thương hiệu"],
}


# The seed article writes "tỉ lệ"; the catalog spells it "tỷ lệ". Only that syllable is folded.
_TI = re.compile(r"\b(t)ỉ\b", re.IGNORECASE)


def _name_key(name: str) -> str:
    return _TI.sub(lambda m: m.group(1) + "ỷ", name).casefold()


@pytest.fixture(scope="module")
def catalog():
    return builtin_catalog()


def _texts(kpi):
    yield kpi.name
    yield kpi.definition
    yield kpi.formula
    yield kpi.owner_role
    yield from kpi.pitfalls
    yield from kpi.aliases
    for bench in kpi.benchmarks:
        yield bench.context


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_at_least_forty_kpis_per_department(catalog, department):
    assert len(catalog.in_department(department)) >= 40


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_seed_article_kpis_are_present_by_name(catalog, department):
    names = {_name_key(k.name.vi) for k in catalog.in_department(department)}
    for name in SEED_NAMES[department]:
        assert _name_key(name) in names, name


def test_ids_are_unique_and_prefixed(catalog):
    ids = [k.id for k in catalog.kpis]
    assert len(ids) == len(set(ids))
    assert all(k.id.startswith(k.department + ".") for k in catalog.kpis)


def test_both_languages_filled_and_different_somewhere(catalog):
    for kpi in catalog.kpis:
        for text in _texts(kpi):
            assert text.vi.strip() and text.en.strip(), kpi.id
        assert kpi.definition.vi != kpi.definition.en, kpi.id


def test_references_resolve(catalog):
    for kpi in catalog.kpis:
        for ref in [*kpi.counter_kpis, *kpi.related]:
            assert ref in catalog.by_id, (kpi.id, ref)


def test_tags_come_from_the_vocabularies(catalog):
    for kpi in catalog.kpis:
        assert set(kpi.goals) <= set(GOALS), kpi.id
        assert set(kpi.data_sources) <= set(DATA_SOURCES), kpi.id


def test_every_data_source_the_interview_offers_measures_some_kpi(catalog):
    used = {source for kpi in catalog.kpis for source in kpi.data_sources}
    assert used == set(DATA_SOURCES)
    usual = {kpi.id: kpi.data_sources[0] for kpi in catalog.kpis}
    assert usual["sales.sales_rep_attrition"] == "hr_system"
    assert usual["marketing.app_installs"] == "app_store"
    assert usual["branding.share_of_search"] == "search_trends"


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_each_department_is_balanced(catalog, department):
    kpis = catalog.in_department(department)
    assert {k.financial for k in kpis} == {True, False}
    assert {k.indicator for k in kpis} == {"leading", "lagging"}
    assert len({k.perspective for k in kpis}) >= 3


def test_every_goal_is_served_and_all_perspectives_used(catalog):
    assert {g for k in catalog.kpis for g in k.goals} == set(GOALS)
    assert {k.perspective for k in catalog.kpis} == set(PERSPECTIVES)


def test_benchmarks_name_their_source(catalog):
    with_bench = [k for k in catalog.kpis if k.benchmarks]
    assert with_bench, "some KPIs carry a public benchmark"
    for kpi in with_bench:
        for bench in kpi.benchmarks:
            assert len(bench.source) > 10 and bench.low <= bench.high, kpi.id


def test_good_fixture_file_loads():
    catalog = load_catalog([DATA / "good.yaml"])
    assert [k.id for k in catalog.kpis] == ["sales.test_revenue"]
    assert len(catalog.fingerprint) == 16


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("typo_field.yaml", "typo_field.yaml: entry 'sales.test_revenue' (#0): unti: Extra inputs"),
        ("bad_goal.yaml", "bad_goal.yaml: entry 'sales.test_revenue' (#0): goals: Value error, "
                          "unknown goal 'increase_revenu'"),
        ("missing_en.yaml", "missing_en.yaml: entry 'sales.test_revenue' (#0): name.en: Field "
                            "required"),
        ("bad_source.yaml", "bad_source.yaml: entry 'sales.test_revenue' (#0): data_sources: "
                            "Value error, unknown data source 'excel'"),
        ("bad_ref.yaml", "bad_ref.yaml: entry sales.test_revenue: counter_kpis: unknown KPI id "
                         "'sales.nothing_here'"),
        ("bad_fits.yaml", "bad_fits.yaml: entry 'sales.test_revenue' (#0): fits.industries: "
                          "Value error, unknown industry 'bakery'"),
        ("bad_primary_goal.yaml", "bad_primary_goal.yaml: entry 'sales.test_revenue' (#0): -: "
                                  "Value error, primary_goal 'retain_customers' must be one of"),
        ("bad_requirements.yaml", "bad_requirements.yaml: entry 'sales.test_revenue' (#0): -: "
                                  "Value error, data_requirements: ['pos'] must be among"),
        ("bad_misfit.yaml", "bad_misfit.yaml: entry 'sales.test_revenue' (#0): misfits.0: "
                            "Value error, a misfit names at least one condition"),
        ("wrong_department.yaml", "wrong_department.yaml: entry sales.test_revenue: department: "
                                  "is 'sales' in the 'marketing' file"),
        ("bad_yaml.yaml", "bad_yaml.yaml: entry -: -: not valid YAML"),
        ("bad_range.yaml", "bad_range.yaml: entry 'sales.test_revenue' (#0): value_range.high: "
                           "Value error, high must be above low"),
    ],
)
def test_broken_files_name_file_entry_and_field(name, message):
    with pytest.raises(CatalogError) as info:
        load_catalog([DATA / name])
    assert str(info.value).startswith(message)


def test_fingerprint_changes_with_content(tmp_path):
    path = tmp_path / "sales.yaml"
    text = (DATA / "good.yaml").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    first = load_catalog([path]).fingerprint
    path.write_text(text.replace("Money earned.", "Money earned in the period."), "utf-8")
    assert load_catalog([path]).fingerprint != first


def test_a_concept_shared_across_departments_must_be_a_related_pair(tmp_path):
    with pytest.raises(CatalogError) as info:
        load_catalog([DATA / "concept_sales.yaml", DATA / "concept_marketing.yaml"])
    assert str(info.value).startswith(
        "concept_sales.yaml: entry sales.test_revenue: measures: 'revenue' is also measured by "
        "marketing.test_revenue (concept_marketing.yaml); list each other as related")
    paired = tmp_path / "concept_marketing.yaml"
    paired.write_text((DATA / "concept_marketing.yaml").read_text("utf-8").replace(
        "    measures: revenue", "    measures: revenue\n    related: [sales.test_revenue]"),
        "utf-8")
    with pytest.raises(CatalogError, match="sales.test_revenue: measures"):
        load_catalog([DATA / "concept_sales.yaml", paired])
    both = tmp_path / "concept_sales.yaml"
    both.write_text((DATA / "concept_sales.yaml").read_text("utf-8").replace(
        "    measures: revenue", "    measures: revenue\n    related: [marketing.test_revenue]"),
        "utf-8")
    catalog = load_catalog([both, paired])
    first, second = catalog.kpis
    assert first.overlaps(second) and second.overlaps(first)


def test_requirements_default_to_any_one_source():
    kpi = load_catalog([DATA / "good.yaml"]).kpis[0]
    assert kpi.requirements() == [["accounting"]]
