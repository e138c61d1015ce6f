"""What a person reads for the core's named errors, in their language: the shells (web/problems.py,
cli/shell.py) ask here, so an error reads the same on a page, in the API and in the terminal."""

from advisor.errors import NotFoundError
from advisor.i18n import N_, MessageId, gettext

# What a NotFoundError names ("plan", "session", "KPI"), as a sentence says it.
NOT_FOUND: dict[str, MessageId] = {
    "plan": N_("error.not_found.plan"),
    "session": N_("error.not_found.session"),
    "KPI": N_("error.not_found.kpi"),
}


def not_found_text(exc: NotFoundError, lang: str) -> str:
    """Return what was not found, with its id, in `lang`."""
    msgid = NOT_FOUND.get(exc.what, N_("error.not_found.other"))
    return gettext(lang, msgid, ident=exc.ident, what=exc.what)
