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


class PlanChangedError(AdvisorError):
    """A plan was saved by someone else since the version an edit started from."""

    def __init__(self, plan_id: int, expected: int, current: int):
        super().__init__(f"plan {plan_id} is at version {current}, not {expected}")
        self.plan_id = plan_id
        self.expected = expected
        self.current = current
