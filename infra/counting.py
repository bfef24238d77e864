"""Counting AWS requests by operation: what the benchmarks (infra/bench*.py) and the request budget
tests measure with. A module of its own so that the benchmark's parts can use it without importing
the benchmark that runs them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from worklog import aws


@contextmanager
def counting() -> Iterator[Counter[str]]:
    """The requests made inside the block, by operation name (``PutItem``, ``Query``, ...)."""
    seen: Counter[str] = Counter()

    def hook(event_name: str = "", **_: Any) -> None:
        seen[event_name.rsplit(".", 1)[-1]] += 1

    remove = aws.on_request(hook)
    try:
        yield seen
    finally:
        remove()
