"""Named errors of accounts and workspaces; each carries a message id for the reader's language."""

from advisor.errors import AdvisorError
from advisor.i18n import N_


class AccountError(AdvisorError):
    """An account operation was refused; `msgid` names the message and `values` fill it."""

    def __init__(self, msgid: str, field: str | None = None, **values: object):
        super().__init__(msgid)
        self.msgid = msgid
        self.field = field
        self.values = values


class WeakPasswordError(AccountError):
    """A new password is too short or one of the common passwords."""


class DuplicateError(AccountError):
    """An email or a workspace slug is taken already."""


class UnknownError(AccountError):
    """A user, workspace or member named does not exist."""


class InvitationError(AccountError):
    """An invitation link is unknown, used already or expired."""


class TooManyAttemptsError(AccountError):
    """Too many failed sign-ins from this address for this account; `retry_after` seconds."""

    def __init__(self, retry_after: int):
        super().__init__(N_("auth.too_many"), minutes=max(1, -(-retry_after // 60)))
        self.retry_after = retry_after
