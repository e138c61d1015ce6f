"""Narrowing of what the accounts' SQL gives back (inserted ids, rows just written)."""
from __future__ import annotations

import sqlite3
from typing import TypeVar

T = TypeVar("T")


def inserted_id(cursor: sqlite3.Cursor) -> int:
    """Return the id of the row an INSERT has just written."""
    if cursor.lastrowid is None:
        raise TypeError("the INSERT wrote no row")
    return cursor.lastrowid


def written(value: T | None) -> T:
    """Return a row read back in the transaction that wrote it (never missing)."""
    if value is None:
        raise LookupError("a row written in this transaction is missing")
    return value
