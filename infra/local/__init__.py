"""The local runtime (``make run`` → ``python -m infra.local``): the whole system on this machine.

See ``infra.local.runtime.LocalRuntime``, which the other modules here serve; the HTTP contract of
its ``/_local`` endpoints (``infra.local.control``) is in docs/api.md ("The local runtime only")
and the README.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from infra.local.runtime import LocalRuntime

__all__ = ["LocalRuntime"]


def __getattr__(name: str) -> Any:
    # Lazy, so that `infra.local.events` and `infra.local.scheduler` import without boto3 or moto.
    if name == "LocalRuntime":
        from infra.local.runtime import LocalRuntime

        return LocalRuntime
    raise AttributeError(name)
