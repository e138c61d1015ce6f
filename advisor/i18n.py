"""Every text a person reads that is not catalog or rule data, from one gettext catalog a language.

The catalogs are `advisor/translations/<lang>/LC_MESSAGES/messages.po`, plain text in the
repository. Message ids are stable dotted keys (``review.action.raise``) and both catalogs carry
every text, so Vietnamese and English are equal and a missing text is visible in either. A `.po`
file is compiled in memory by Babel the first time its language is asked for; nothing is read at
import time and no compiled `.mo` file is kept in the repository.

Texts are python-format: placeholders are written ``%(name)s`` and a literal percent sign ``%%``,
and every text is formatted, with or without values, so the two spellings never mix. Asking for an
id that a catalog lacks raises MissingTranslationError: a page never shows a key.

Code marks a message id it stores for later with `N_("key")` and translates it when it knows the
reader's language with `gettext(lang, key, **values)`; extraction (see tests/test_i18n.py) finds
both, so every id in use is a literal in the source.
"""

import io
from functools import cache
from importlib import resources
from typing import BinaryIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from advisor.config import LANGS
from advisor.errors import AdvisorError

__all__ = ["LANGS", "MissingTranslationError", "N_", "both", "gettext", "translations"]
DOMAIN = "messages"
# Keyword specs for babel.messages.extract: which argument of each call is the message id.
KEYWORDS: dict[str, tuple[int, ...] | None] = {"_": None, "N_": None, "both": None,
                                              "gettext": (2,)}


class MissingTranslationError(AdvisorError):
    """A message id has no text in the language asked for (or the language is unknown)."""

    def __init__(self, lang: str, msgid: str):
        super().__init__(f"no {lang!r} text for message {msgid!r}")
        self.lang = lang
        self.msgid = msgid


class StrictTranslations(Translations):
    """Babel translations that raise on a missing id instead of returning the id itself."""

    lang = ""

    def gettext(self, message: str) -> str:
        """Return the text of `message`; raise MissingTranslationError if there is none."""
        try:
            return self._catalog[message]
        except KeyError:
            raise MissingTranslationError(self.lang, message) from None

    ugettext = gettext


def po_path(lang: str):
    """Return the catalog file of `lang` (an importlib.resources Traversable)."""
    return resources.files("advisor") / "translations" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_po(po_file: BinaryIO, lang: str) -> StrictTranslations:
    """Return the translations of a .po file, compiled in memory."""
    catalog = read_po(po_file, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    # write_mo leaves out fuzzy and empty entries, so they count as missing.
    write_mo(compiled, catalog)
    compiled.seek(0)
    found = StrictTranslations(compiled, domain=DOMAIN)
    found.lang = lang
    return found


@cache
def translations(lang: str) -> StrictTranslations:
    """Return the catalog of `lang`, compiled from its .po file on first use."""
    if lang not in LANGS:
        raise MissingTranslationError(lang, "*")
    with po_path(lang).open("rb") as handle:
        return compile_po(handle, lang)


def gettext(lang: str, msgid: str, **values: object) -> str:
    """Return the text of `msgid` in `lang` with `values` filled in (%(name)s placeholders)."""
    return translations(lang).gettext(msgid) % values


def both(msgid: str, **values: object) -> dict[str, str]:
    """Return the text of `msgid` in every language, as {"vi": ..., "en": ...}; a value that is
    a function of the language (a number to format, a name to pick) is called per language."""
    return {lang: gettext(lang, msgid, **{key: value(lang) if callable(value) else value
                                          for key, value in values.items()})
            for lang in LANGS}


class MessageId(str):
    """A message id kept for later; `pick(lang)` gives its text, as a {vi, en} text's would."""

    __slots__ = ()

    def pick(self, lang: str) -> str:
        """Return the text of this id in `lang`."""
        return gettext(lang, self)


def N_(msgid: str) -> MessageId:
    """Return `msgid` as a MessageId: marks an id that is stored now and translated later."""
    return MessageId(msgid)
