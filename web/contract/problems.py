"""The problem details every error answers with (RFC 9457), and what each status means here."""

from pydantic import Field

from web.contract.catalog import Out

PROBLEM = "application/problem+json"


class FieldError(Out):
    """One bad field: its dotted path and what is allowed there."""

    field: str = Field(description="Dotted path of the field: `kpis.0.target`, `limit`, "
                       "`body` for the body as a whole.")
    message: str
    allowed: list[str] | None = Field(default=None, description="Where the field takes one "
                                      "of a list of words: every word it takes.")
    line: int | None = Field(default=None, description="Imports: the file's line.")
    column: str | None = Field(default=None, description="Imports: the column.")
    fix: str | None = Field(default=None, description="Imports: how to fix the row.")


class Problem(Out):
    """What went wrong, for a person and for a program."""

    type: str
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    errors: list[FieldError] = Field(default_factory=list)


STATUSES: dict[int, str] = {
    400: "The request could not be read (a Host that is not allowed, a malformed request).",
    401: "Sign-in needed: the request carries no valid API token.",
    403: "Not allowed: a read-only token or a viewer writing, or another site's page sending.",
    404: "Nothing at this address: an unknown id (ids are whole numbers below 2^63).",
    405: "The path exists but not with this method; `Allow` lists the methods it takes.",
    413: "The body is larger than the server accepts (KPI_ADVISOR_MAX_BYTES).",
    415: "The body is not in a media type this operation reads.",
    422: "Invalid input: `errors` names each field and what is allowed there.",
    429: "Too many requests; `Retry-After` says when to try again.",
    500: "Something went wrong on our side; it has been logged.",
}
