"""Who is making the changes of the running request or command, for the store to record.

The web shell sets it once access is checked (the signed-in user, or the owner of the API token)
and the CLI for its commands; store functions that write read it, so no change is recorded
without its author and no handler can forget to pass one.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_ACTOR: ContextVar[int | None] = ContextVar("kpi_advisor_actor", default=None)


def current_actor() -> int | None:
    """Return the id of the user making the current changes, or None (an unattended job)."""
    return _ACTOR.get()


def set_actor(user_id: int | None) -> object:
    """Make `user_id` the author of the changes that follow; return a token to reset it."""
    return _ACTOR.set(user_id)


def reset_actor(token: object) -> None:
    """Restore the author that was current before `set_actor`."""
    _ACTOR.reset(token)  # type: ignore[arg-type]


@contextmanager
def acting_as(user_id: int | None) -> Iterator[None]:
    """Record the changes made inside the block as made by `user_id`."""
    token = set_actor(user_id)
    try:
        yield
    finally:
        reset_actor(token)
