"""Domain exceptions. Each carries its HTTP status and stable snake_case code; the resolver maps
them once (worklog.http). Messages are Simplified Chinese, from worklog.messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class WorklogError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details


class InvalidJson(WorklogError):
    status = 400
    code = "invalid_json"


class Unauthenticated(WorklogError):
    status = 401
    code = "unauthenticated"


class Forbidden(WorklogError):
    status = 403
    code = "forbidden"


class NotFound(WorklogError):
    status = 404
    code = "not_found"


class Conflict(WorklogError):
    status = 409
    code = "conflict"


class PeriodLocked(Conflict):
    code = "period_locked"


class PayloadTooLarge(WorklogError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(WorklogError):
    status = 415
    code = "unsupported_media_type"


class ValidationFailed(WorklogError):
    status = 422
    code = "validation_error"


def invalid(message: str, loc: Sequence[str | int], type_: str) -> ValidationFailed:
    """A 422 about one field: ``loc`` as pydantic says it (``["query", "from"]``), ``type_`` the
    machine-readable reason; the message is both the error's and the field's."""
    return ValidationFailed(message, details=[{"loc": list(loc), "msg": message, "type": type_}])


class RateLimited(WorklogError):
    status = 429
    code = "rate_limited"


class ServiceUnavailable(WorklogError):
    """A dependency of the service is down (never the client's fault)."""

    status = 503
    code = "service_unavailable"
