"""boto3 clients, created lazily and cached: never at import time.

``AWS_ENDPOINT_URL`` (honoured by boto3 itself) points them at the embedded AWS of the local
runtime; nothing here knows whether it runs locally or on AWS. Hooks registered through
``on_request`` see every request of every client (the benchmark counts them this way). Every API
call of these clients is traced (``worklog.tracing``) when the invocation is.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from worklog import tracing

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=5)
_hooks: list[Callable[..., None]] = []
_lock = threading.Lock()


def _dispatch(**kwargs: Any) -> None:
    for hook in list(_hooks):
        hook(**kwargs)


@cache
def client(service: str) -> Any:
    with _lock:
        c = boto3.session.Session().client(service, config=_CONFIG)  # type: ignore[call-overload]
        c.meta.events.register("before-send", _dispatch)
        tracing.instrument(c.meta.events)
        return c


def on_request(hook: Callable[..., None]) -> Callable[[], None]:
    """Register ``hook(**botocore_before_send_kwargs)``; returns a function that removes it."""
    _hooks.append(hook)
    return lambda: _hooks.remove(hook)


def reset_clients() -> None:
    """Forget cached clients (tests that switch endpoints or moto contexts)."""
    client.cache_clear()
