"""What the emulator's patches share: the lock, moto's item size limit, and the marks the patches
leave on moto's tables and items (kept in their ``__dict__``, out of moto's way)."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

# One request at a time, across every way into the embedded AWS (moto's backends are not thread-safe).
lock = threading.RLock()

ITEM_SIZE_LIMIT = 405_000  # moto's figure for DynamoDB's 400 KB
SCALARS = frozenset({"S", "N", "BOOL", "NULL"})

GENERATION = "_worklog_generation"  # on a table: how many times it changed
LOOKUP = "_worklog_lookup"  # on a table: its items by an attribute's value, and the generation seen
SIZE = "_worklog_size"  # on an item: its size, forgotten when the item changes in place


def marker(value: Any) -> tuple[str, Any] | None:
    """A hashable stand-in for a key value that compares as DynamoDB does (numbers by value)."""
    if value.type == "S":
        return ("S", value.value)
    if value.type == "N":
        return ("N", Decimal(value.value))
    return None


def mark_changed(table: Any) -> None:
    table.__dict__[GENERATION] = table.__dict__.get(GENERATION, 0) + 1
