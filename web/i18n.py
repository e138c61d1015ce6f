"""Both languages for every string a person reads: JSON message catalogs, one pair per feature.

Catalogs live in web/messages/<feature>.<lang>.json ({"key": "text"}); every feature has a
Vietnamese and an English file with the same keys (a test checks that). Templates call
`_("key", name=value)`; the language comes from ?lang=, then the session, then the browser's
Accept-Language, then the DEFAULT_LANG setting.
"""

import json
from functools import cache
from importlib import resources
from urllib.parse import urlencode

from flask import Flask, current_app, g, request, session

LANGS = ("vi", "en")


@cache
def catalogs() -> dict[str, dict[str, str]]:
    """Return {lang: {key: text}} merged from every message file."""
    merged: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}
    folder = resources.files("web") / "messages"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        name = entry.name
        if not name.endswith(".json"):
            continue
        lang = name.rsplit(".", 2)[-2]
        if lang in merged:
            merged[lang].update(json.loads(entry.read_text(encoding="utf-8")))
    return merged


def current_lang() -> str:
    """Return the language of this request."""
    if "lang" not in g:
        g.lang = _choose_lang()
    return g.lang


def _choose_lang() -> str:
    asked = request.args.get("lang")
    if asked in LANGS:
        session["lang"] = asked
        return asked
    if session.get("lang") in LANGS:
        return session["lang"]
    best = request.accept_languages.best_match(LANGS)
    return best or current_app.config["DEFAULT_LANG"]


def translate(key: str, lang: str | None = None, **values) -> str:
    """Return the text of `key` in the request's language (or `lang`), values filled in."""
    lang = lang or current_lang()
    text = catalogs()[lang].get(key) or catalogs()["en"].get(key) or key
    return text.format(**values) if values else text


def pick(text, lang: str | None = None) -> str:
    """Return a {vi, en} text (dict or model) in the request's language."""
    lang = lang or current_lang()
    if isinstance(text, dict):
        return text.get(lang) or text.get("en", "")
    if hasattr(text, "pick"):
        return text.pick(lang)
    return str(text)


def merge_args(args, **changes) -> str:
    """Return the query string of `args` with `changes` applied (keeps the page's place)."""
    merged = {k: v for k, v in args.items(multi=False) if k not in changes}
    merged.update(changes)
    return urlencode(merged)


def init_app(app: Flask) -> None:
    """Make `_`, `pick` and `lang` available in every template."""
    app.jinja_env.globals.update(_=translate, pick=pick)
    app.jinja_env.filters["merge_args"] = merge_args
    app.context_processor(lambda: {"lang": current_lang() if request else "vi"})
