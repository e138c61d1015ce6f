"""Catalog files checked at load: a `fits` or `misfits` that names a word no interview answer
can give, or a `measures` concept two departments share without knowing it, stops the load with
the file, the entry and the field named. Each case is a real file written to a temp folder."""

import copy
from pathlib import Path

import pytest
import yaml

from catalog.errors import CatalogError
from catalog.loader import load_catalog

GOOD = yaml.safe_load((Path(__file__).parent / "data" / "catalog" / "good.yaml")
                      .read_text(encoding="utf-8"))
WHY = {"vi": "Không hợp.", "en": "Does not fit."}


def write(folder: Path, name: str, department: str, *entries: dict) -> Path:
    """Write a catalog file of `department` holding `entries` (each changes the good entry)."""
    kpis = []
    for changes in entries:
        entry = copy.deepcopy(GOOD["kpis"][0])
        entry.update(department=department, id=f"{department}.test_revenue")
        entry.update(changes)
        kpis.append({k: v for k, v in entry.items() if v is not None})
    path = folder / name
    path.write_text(yaml.safe_dump({"department": department, "kpis": kpis},
                                   allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def load_error(*paths: Path) -> str:
    with pytest.raises(CatalogError) as info:
        load_catalog(paths)
    return str(info.value)


ENTRY = "'sales.test_revenue' (#0)"


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"fits": {"industries": ["bakery"]}}, "fits.industries", "unknown industry 'bakery'"),
    ({"fits": {"revenue_models": ["subscription"]}}, "fits.revenue_models",
     "unknown revenue model 'subscription'"),
    ({"fits": {"business_models": ["b2g"]}}, "fits.business_models",
     "unknown business model 'b2g'"),
    ({"fits": {"sales_motions": ["door_to_door"]}}, "fits.sales_motions",
     "unknown sales motion 'door_to_door'"),
    ({"fits": {"channels": ["website", "fax"]}}, "fits.channels", "unknown channel 'fax'"),
    ({"fits": {"stages": ["teen"]}}, "fits.stages", "unknown stage 'teen'"),
    ({"fits": {"sizes": ["huge"]}}, "fits.sizes", "unknown size 'huge'"),
    ({"fits": {"industry": ["retail"]}}, "fits.industry", "Extra inputs are not permitted"),
    ({"fits": {"industries": ["retail", "retail"]}}, "fits.industries", "duplicate industry"),
    ({"misfits": [{"industries": ["bakery"], "why": WHY}]}, "misfits.0.industries",
     "unknown industry 'bakery'"),
    ({"misfits": [{"industries": ["retail"], "why": WHY},
                  {"revenue_models": ["rent"], "why": WHY}]}, "misfits.1.revenue_models",
     "unknown revenue model 'rent'"),
    ({"misfits": [{"channels": ["telegram"], "why": WHY}]}, "misfits.0.channels",
     "unknown channel 'telegram'"),
    ({"misfits": [{"industries": ["retail"]}]}, "misfits.0.why", "Field required"),
    ({"misfits": [{"why": WHY}]}, "misfits.0", "a misfit names at least one condition"),
    ({"headline_for": ["be_famous"]}, "headline_for", "unknown goal 'be_famous'"),
    ({"data_sources": ["accounting", "loyalty_card"]}, "data_sources",
     "unknown data source 'loyalty_card'"),
    ({"measures": "Revenue!"}, "measures", "String should match pattern"),
])
def test_unknown_context_words_fail_at_load_naming_file_entry_and_field(tmp_path, changes,
                                                                        field, message):
    path = write(tmp_path, "sales_test.yaml", "sales", changes)
    error = load_error(path)
    assert error.startswith(f"sales_test.yaml: entry {ENTRY}: {field}: "), error
    assert message in error


@pytest.mark.parametrize("changes", [
    {"fits": {"industries": ["retail", "food_beverage"], "revenue_models": ["repeat"],
              "channels": ["retail_stores"], "why": WHY}},
    {"misfits": [{"industries": ["software_saas"], "why": WHY},
                 {"revenue_models": ["one_off"], "sizes": ["micro"], "why": WHY}]},
    {"data_sources": ["pos", "footfall_counter", "loyalty_program", "erp"],
     "data_requirements": [["pos"], ["footfall_counter"]]},
])
def test_every_interview_word_is_accepted(tmp_path, changes):
    catalog = load_catalog([write(tmp_path, "sales_test.yaml", "sales", changes)])
    assert catalog.get("sales.test_revenue") is not None


def test_a_concept_two_departments_share_needs_both_to_name_each_other(tmp_path):
    sales_alone = write(tmp_path, "sales_a.yaml", "sales", {"measures": "revenue"})
    marketing_alone = write(tmp_path, "marketing_a.yaml", "marketing", {"measures": "revenue"})
    assert load_error(sales_alone, marketing_alone).startswith(
        "sales_a.yaml: entry sales.test_revenue: measures: 'revenue' is also measured by "
        "marketing.test_revenue (marketing_a.yaml); list each other as related")
    # One side naming the other is not enough: the side that does not is named.
    sales_names = write(tmp_path, "sales_b.yaml", "sales",
                        {"measures": "revenue", "related": ["marketing.test_revenue"]})
    assert load_error(sales_names, marketing_alone).startswith(
        "marketing_a.yaml: entry marketing.test_revenue: measures: 'revenue' is also measured "
        "by sales.test_revenue (sales_b.yaml)")
    marketing_names = write(tmp_path, "marketing_b.yaml", "marketing",
                            {"measures": "revenue", "related": ["sales.test_revenue"]})
    assert load_error(sales_alone, marketing_names).startswith(
        "sales_a.yaml: entry sales.test_revenue: measures:")
    catalog = load_catalog([sales_names, marketing_names])
    first, second = catalog.kpis
    assert first.overlaps(second) and second.overlaps(first)


def test_a_third_department_on_a_known_pair_must_join_it(tmp_path):
    ids = {d: f"{d}.test_revenue" for d in ("sales", "marketing", "branding")}
    files = [write(tmp_path, f"{d}_c.yaml", d, {
        "measures": "revenue",
        "related": [ids[o] for o in ("sales", "marketing") if o != d] if d != "branding" else None,
    }) for d in ids]
    error = load_error(*files)
    assert "measures: 'revenue' is also measured by branding.test_revenue (branding_c.yaml)" \
        in error and error.startswith("sales_c.yaml: entry sales.test_revenue")


def test_one_department_may_measure_a_concept_twice(tmp_path):
    path = tmp_path / "sales_d.yaml"
    first = write(tmp_path, "one.yaml", "sales", {"measures": "revenue"})
    data = yaml.safe_load(first.read_text(encoding="utf-8"))
    second = copy.deepcopy(data["kpis"][0])
    second["id"] = "sales.test_gmv"
    data["kpis"].append(second)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert len(load_catalog([path]).kpis) == 2


def test_a_guard_names_every_entry_of_the_measure_it_names(tmp_path):
    # Two entries measure sales value (one for shops, one for marketplaces): a KPI guarded by
    # one of them is guarded by whichever fits the client, so it lists both.
    value = {"id": "sales.test_value", "measures": "sales_value"}
    gmv = {"id": "sales.test_gmv", "measures": "sales_value"}
    one = write(tmp_path, "sales_e.yaml", "sales", value, gmv,
                {"counter_kpis": ["sales.test_value"]})
    assert load_error(one).startswith(
        "sales_e.yaml: entry sales.test_revenue: counter_kpis: sales.test_value measures "
        "'sales_value', as sales.test_gmv also do; list them too")
    both = write(tmp_path, "sales_f.yaml", "sales", value, gmv,
                 {"counter_kpis": ["sales.test_value", "sales.test_gmv"]})
    assert load_catalog([both]).get("sales.test_revenue").counter_kpis == [
        "sales.test_value", "sales.test_gmv"]
