"""The page's language and its texts: Flask-Babel over the core's gettext catalogs.

The language comes from ?lang=, then the session, then the browser's Accept-Language, then the
DEFAULT_LANG setting; Flask-Babel asks `current_lang` for it. Texts come from the same catalogs
as the core's (advisor/i18n.py: one .po file per language, compiled on first use); templates
call `_("key", name=value)` through Jinja's i18n extension, Python code calls `_` from here.
A missing text raises MissingTranslationError, it never shows its key.
"""

from urllib.parse import urlencode

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import Babel, Domain, get_locale
from werkzeug.utils import cached_property

from advisor import formatting
from advisor.i18n import LANGS, N_, gettext, translations
from web.words import NAMES

__all__ = ["LANGS", "N_", "_", "current_lang", "init_app", "pick"]


def current_lang() -> str:
    """Return the language of this request (the default language outside a request)."""
    if not has_request_context():
        return current_app.config["DEFAULT_LANG"]
    return str(get_locale())


def choose_lang() -> str:
    """Return the language a request asks for; an explicit ?lang= is kept in the session."""
    asked = request.args.get("lang")
    if asked in LANGS:
        session["lang"] = asked
        return asked
    if session.get("lang") in LANGS:
        return session["lang"]
    best = request.accept_languages.best_match(LANGS)
    return best or current_app.config["DEFAULT_LANG"]


def _(msgid: str, **values: object) -> str:
    """Return the text of `msgid` in the request's language with `values` filled in."""
    return gettext(current_lang(), msgid, **values)


def pick(text, lang: str | None = None) -> str:
    """Return a {vi, en} text (dict or model) of catalog or rule data in the request's
    language."""
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


class CatalogDomain(Domain):
    """Flask-Babel's message domain, served from the core's catalogs instead of .mo files."""

    def get_translations(self):
        """Return the strict translations of the request's language."""
        return translations(current_lang())


class CatalogBabel(Babel):
    """Flask-Babel with the core's catalogs as its one domain."""

    @cached_property
    def domain_instance(self) -> Domain:
        """Return the domain every request translates with."""
        return CatalogDomain()


def init_app(app: Flask) -> None:
    """Set up Flask-Babel (locale selector, Jinja's i18n extension) and the template helpers."""
    CatalogBabel(app, locale_selector=choose_lang,
                 default_locale=app.config["DEFAULT_LANG"])
    app.jinja_env.globals.update(pick=pick, names=NAMES, **{
        name: getattr(formatting, name) for name in formatting.TEMPLATE_HELPERS})
    app.jinja_env.filters["merge_args"] = merge_args
    app.context_processor(lambda: {"lang": current_lang()})
