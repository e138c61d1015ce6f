"""Password rules and hashing (argon2id through argon2-cffi)."""

from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from advisor.accounts.errors import WeakPasswordError
from advisor.i18n import N_

MIN_LENGTH = 10
# A hash checked against when the email is unknown, so a wrong email costs as long as a wrong
# password and the time does not tell which accounts exist.
_DUMMY_PASSWORD = "not a password of anyone"


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def common_passwords() -> frozenset[str]:
    """Return the common passwords refused for new accounts (package data, lower case)."""
    text = resources.files("advisor.accounts").joinpath("common_passwords.txt").read_text(
        encoding="utf-8")
    return frozenset(line.strip().casefold() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def check_password(password: str, email: str = "") -> None:
    """Raise WeakPasswordError when the password is too short, common or the email itself."""
    if len(password) < MIN_LENGTH:
        raise WeakPasswordError(N_("auth.password.short"), "password", min=MIN_LENGTH)
    folded = password.casefold()
    if folded in common_passwords() or (email and folded == email.casefold()):
        raise WeakPasswordError(N_("auth.password.common"), "password")


def hash_password(password: str) -> str:
    """Return the argon2id hash to store for a password."""
    return _hasher().hash(password)


def password_matches(stored_hash: str | None, password: str) -> bool:
    """Return True when `password` is the one `stored_hash` was made from (None: no account)."""
    try:
        return _hasher().verify(stored_hash or _dummy_hash(), password) and bool(stored_hash)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    return _hasher().hash(_DUMMY_PASSWORD)
