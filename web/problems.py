"""What an error says, in the request's language: the title of each HTTP status, the detail of
Werkzeug's own errors (404, 405, 413, ...); the core's errors read as advisor/error_texts.py
writes them.

web/errors.py asks here for the words; the status, the field paths and the codes stay as they
are, so a tool reads the same problem in either language.
"""

from werkzeug.exceptions import HTTPException

from advisor.formatting import number_text
from advisor.i18n import N_, MessageId, gettext

TITLES: dict[int, MessageId] = {
    400: N_("error.title.400"),
    401: N_("error.title.401"),
    403: N_("error.title.403"),
    404: N_("error.title.404"),
    405: N_("error.title.405"),
    408: N_("error.title.408"),
    413: N_("error.title.413"),
    415: N_("error.title.415"),
    422: N_("error.title.422"),
    429: N_("error.title.429"),
    500: N_("error.title.500"),
}
# The detail Werkzeug would write in English, per status, in our words.
DETAILS: dict[int, MessageId] = {
    400: N_("error.detail.400"),
    403: N_("error.detail.403"),
    404: N_("error.detail.404"),
    405: N_("error.detail.405"),
    408: N_("error.detail.408"),
    413: N_("error.detail.413"),
    415: N_("error.detail.415"),
    429: N_("error.detail.429"),
    500: N_("error.detail.500"),
}
def status_title(status: int, lang: str) -> str:
    """Return the title of an HTTP status in `lang` (a 4xx or 5xx without its own title reads
    as the family's)."""
    msgid = TITLES.get(status) or TITLES[500 if status >= 500 else 400]
    return gettext(lang, msgid)


def http_detail(exc: HTTPException, lang: str, max_bytes: int | None = None) -> str:
    """Return the detail of a Werkzeug error: the view's own text when it wrote one (already in
    the reader's language), else ours for the status."""
    own = exc.description
    if own and own != type(exc).description:
        return own
    status = exc.code or 500
    msgid = DETAILS.get(status) or DETAILS[500 if status >= 500 else 400]
    megabytes = number_text((max_bytes or 0) / (1024 * 1024), lang, 1)
    return gettext(lang, msgid, limit=megabytes)

