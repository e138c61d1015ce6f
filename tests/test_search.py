"""Vietnamese-aware catalog search: folding, spelling variants, ranking and filters."""

import pytest

from advisor.store import ensure_catalog, open_db
from catalog.loader import builtin_catalog
from catalog.models import Kpi
from catalog.search import SearchFilters, build_index, fold, search, tokens


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Doanh Số", "doanh so"),
        ("Đạt được", "dat duoc"),
        ("Tỷ lệ chuyển đổi", "ty le chuyen doi"),
        ("Nhận diện thương hiệu", "nhan dien thuong hieu"),
        ("Net Promoter Score", "net promoter score"),
        ("", ""),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_tokens_unify_ty_and_ti():
    assert tokens("Tỷ lệ") == tokens("tỉ lệ") == ["ti", "le"]


def _kpi(kpi_id: str, name: str, definition: str) -> Kpi:
    text = {"vi": name, "en": name}
    return Kpi.model_validate({
        "id": kpi_id, "department": "sales", "name": text,
        "definition": {"vi": definition, "en": definition}, "formula": text,
        "unit": "count", "direction": "higher_is_better", "financial": False,
        "perspective": "customer", "indicator": "lagging", "frequency": "monthly",
        "data_sources": ["crm"], "owner_role": text, "goals": ["retain_customers"],
        "primary_goal": "retain_customers", "measures": kpi_id.split(".")[1],
        "change_pace": "moderate", "pitfalls": [text],
    })


@pytest.fixture
def small_db():
    db = open_db(None)
    build_index(db, [
        _kpi("sales.a", "Tỷ lệ giữ chân", "Ngược lại với churn: phần khách hàng ở lại."),
        _kpi("sales.b", "Churn khách hàng", "Phần khách hàng rời đi trong kỳ."),
        _kpi("sales.c", "Doanh số đạt chỉ tiêu", "Phần trăm chỉ tiêu đã đạt."),
    ])
    return db


def test_name_matches_rank_before_definition_matches(small_db):
    ids, total = search(small_db, "churn")
    assert ids == ["sales.b", "sales.a"] and total == 2


def test_d_folds_and_prefixes_match(small_db):
    assert search(small_db, "dat")[0] == ["sales.c"]
    assert search(small_db, "ĐẠT CHỈ")[0] == ["sales.c"]
    assert search(small_db, "ti le giu")[0] == ["sales.a"]


@pytest.mark.parametrize(("query", "total"), [("", 3), ("   ", 3), (None, 3), ("?!*", 0), ('"', 0)])
def test_blank_queries_list_all_and_wordless_ones_find_nothing(small_db, query, total):
    assert search(small_db, query)[1] == total


def test_fts_syntax_in_queries_is_treated_as_words(small_db):
    assert search(small_db, 'churn" OR "x')[1] == 0
    assert search(small_db, "churn AND NOT")[1] == 0
    assert search(small_db, "churn*")[0] == ["sales.b", "sales.a"]


@pytest.mark.parametrize("query", ["doanh so", "Doanh Số", "doanh số", "DOANH SO BAN"])
def test_doanh_so_finds_sales_volume_first(catalog_db, query):
    ids, _ = search(catalog_db, query)
    assert ids[0] == "sales.sales_volume"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tỷ lệ chuyển đổi", "sales.conversion_rate"),
        ("tỉ lệ chuyển đổi", "sales.conversion_rate"),
        ("ti le chuyen doi", "sales.conversion_rate"),
        ("conversion rate", "sales.conversion_rate"),
        ("net promoter", "branding.net_promoter_score"),
        ("NPS", "branding.net_promoter_score"),
        ("customer acquisition cost", "marketing.customer_acquisition_cost"),
        ("chi phi thu hut khach hang", "marketing.customer_acquisition_cost"),
        ("email open rate", "marketing.email_open_rate"),
        ("tỉ lệ mở email", "marketing.email_open_rate"),
        ("nhan dien thuong hieu", "branding.brand_recognition"),
        ("share of voice", "branding.share_of_voice"),
        ("win rate", "sales.win_rate"),
    ],
)
def test_real_queries_find_the_expected_kpi_near_the_top(catalog_db, query, expected):
    ids, _ = search(catalog_db, query)
    assert expected in ids[:3], ids[:5]


def test_dat_finds_words_with_dat(catalog_db):
    ids, total = search(catalog_db, "dat")
    catalog = builtin_catalog()
    assert total > 0
    for kpi_id in ids:
        kpi = catalog.by_id[kpi_id]
        text = " ".join([kpi.name.vi, kpi.name.en, kpi.definition.vi, kpi.definition.en,
                         kpi.formula.vi, kpi.formula.en, *[a.vi + " " + a.en for a in kpi.aliases],
                         kpi.id])
        assert "dat" in fold(text)


def test_filters_combine_with_query(catalog_db):
    ids, total = search(catalog_db, "rate", SearchFilters(department="marketing", financial=False))
    catalog = builtin_catalog()
    assert total == len(search(catalog_db, "rate", SearchFilters(department="marketing",
                                                                 financial=False), 200)[0])
    assert ids and all(catalog.by_id[i].department == "marketing" for i in ids)
    assert not any(catalog.by_id[i].financial for i in ids)


def test_goal_filter_and_paging(catalog_db):
    first, total = search(catalog_db, None, SearchFilters(goal="build_brand_awareness"), 5, 0)
    second, _ = search(catalog_db, None, SearchFilters(goal="build_brand_awareness"), 5, 5)
    assert total > 5 and len(first) == 5 and not set(first) & set(second)
    catalog = builtin_catalog()
    assert all("build_brand_awareness" in catalog.by_id[i].goals for i in first + second)


def test_catalog_is_rebuilt_only_when_files_change(tmp_path):
    db = open_db(tmp_path / "x.db")
    catalog = builtin_catalog()
    assert ensure_catalog(db, catalog) is True
    assert ensure_catalog(db, catalog) is False
    db.execute("UPDATE meta SET value = 'old' WHERE key = 'catalog_fingerprint'")
    assert ensure_catalog(db, catalog) is True
    assert db["catalog_kpis"].count == len(catalog.kpis)
