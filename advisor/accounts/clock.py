"""The time the accounts store writes and compares (UTC, ISO 8601)."""

import datetime as dt
import hashlib


def utc_now() -> dt.datetime:
    """Return the current UTC time."""
    return dt.datetime.now(dt.UTC)


def stamp(moment: dt.datetime | None = None) -> str:
    """Return a moment (default now) as stored."""
    return (moment or utc_now()).isoformat(timespec="seconds")


def digest(secret: str) -> str:
    """Return the SHA-256 of a random secret (a token or an invitation link), as stored.

    These secrets carry 256 random bits, so a fast hash is enough and keeps the check of a
    token per request far under a millisecond; passwords, which people choose, use argon2.
    """
    return hashlib.sha256(secret.encode()).hexdigest()
