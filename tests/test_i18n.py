"""Both languages everywhere: catalogs in step, language chosen per request and kept."""

import json
from importlib import resources

import pytest

from web.i18n import LANGS


def _files():
    folder = resources.files("web") / "messages"
    return sorted(e.name for e in folder.iterdir() if e.name.endswith(".json"))


def test_every_feature_has_both_languages_with_the_same_keys():
    folder = resources.files("web") / "messages"
    features = {name.rsplit(".", 2)[0] for name in _files()}
    assert "common" in features
    for feature in features:
        texts = {lang: json.loads((folder / f"{feature}.{lang}.json").read_text("utf-8"))
                 for lang in LANGS}
        assert set(texts["vi"]) == set(texts["en"]), feature
        for key in texts["vi"]:
            assert texts["vi"][key].strip() and texts["en"][key].strip(), (feature, key)


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
