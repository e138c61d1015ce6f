"""Named exceptions of the advisor core; web/ and the CLI turn them into statuses and exit codes."""


class AdvisorError(Exception):
    """Base class of every error the advisor core raises on purpose."""


class ConfigError(AdvisorError):
    """A setting has a value that cannot be used."""


class NotFoundError(AdvisorError):
    """Something asked for by id does not exist."""

    def __init__(self, what: str, ident: str):
        super().__init__(f"{what} {ident!r} not found")
        self.what = what
        self.ident = ident


class InvalidInputError(AdvisorError):
    """Input that names a field and what is allowed there."""

    def __init__(self, errors: list[dict]):
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors
