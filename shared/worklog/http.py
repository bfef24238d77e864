"""The HTTP edge shared by every function-URL function.

``create_app`` builds a Powertools resolver with OpenAPI validation and maps every error once, to
``{"code", "message"}`` with the status of docs/api.md. ``handle`` runs what must happen before routing,
so that none of it depends on a route matching, in this order: the body-size limit (413, nothing
parsed), authentication (401), the body's media type (415) and its JSON syntax (400/422).
"""

from __future__ import annotations

import base64
import json
import traceback
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ValidationError

from worklog.auth.principals import Principal, PrincipalResolver
from worklog.clock import system_clock, today
from worklog.errors import (
    InvalidJson,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    WorklogError,
)
from worklog.messages import MSG
from worklog.models.common import ErrorBody
from worklog.observability import logger
from worklog.resolver import (
    LambdaFunctionUrlResolver,
    NotFoundError,
    OpenAPIResponse,
    RequestUnsupportedContentType,
    RequestValidationError,
    Response,
    ValidationException,
    content_types,
)
from worklog.roster.repository import RosterRepository
from worklog.settings import get_settings

_ERROR_TEXT = {
    400: "请求体不是合法的 JSON",
    401: "未认证：缺少、无效或过期的令牌，或令牌主体不在花名册中",
    403: "无权访问",
    404: "资源不存在",
    409: "冲突（如 period_locked）",
    413: "请求体过大",
    415: "不支持的请求体类型（Content-Type）",
    503: "依赖的服务暂时不可用（如身份提供方），请稍后重试",
    422: "校验失败（code 为 validation_error 等，details 列出字段）",
    429: "请求过于频繁",
}


def responses(
    model: type[BaseModel], errors: tuple[int, ...], *, created: str | None = None, ok: str = "成功"
) -> dict[int, OpenAPIResponse]:
    """OpenAPI documentation of a route's responses: 200 (and 201 when it creates), and its errors."""
    documented: dict[int, OpenAPIResponse] = {
        200: {"description": ok, "content": {content_types.APPLICATION_JSON: {"model": model}}}
    }
    if created:
        documented[201] = {
            "description": created,
            "content": {content_types.APPLICATION_JSON: {"model": model}},
        }
    for status in errors:
        documented[status] = {
            "description": _ERROR_TEXT[status],
            "content": {content_types.APPLICATION_JSON: {"model": ErrorBody}},
        }
    return documented


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_responses(description: str, errors: tuple[int, ...]) -> dict[int, OpenAPIResponse]:
    """OpenAPI documentation of a route that answers a workbook: 200 with the XLSX bytes, and its
    errors as JSON."""
    documented = responses(ErrorBody, errors)
    documented[200] = {
        "description": description,
        "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
    }
    return documented


def error_response(
    status: int, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> Response:
    body = ErrorBody(code=code, message=message, details=details).model_dump(exclude_none=True)
    return Response(status, content_types.APPLICATION_JSON, _dumps(body))


def _details(errors: list[Any]) -> list[dict[str, Any]]:
    out = []
    for e in errors:
        loc = list(e.get("loc", ()))
        out.append({"loc": list(loc), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))})
    return out


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def log_fault(message: str, err: Exception) -> None:
    """Log a fault of ours (an answer 500) with its stack. A validation error's text quotes every
    value it checked — a response model that failed on a cadre's entry would write the entry into
    the log — so for those only each error's type and place are logged, never the values."""
    if isinstance(err, (ValidationError, ValidationException)):
        found = err.errors(include_input=False) if isinstance(err, ValidationError) else err.errors()
        places = [{"type": e.get("type"), "loc": list(e.get("loc", ()))} for e in found]
        stack = "".join(traceback.format_tb(err.__traceback__))
        logger.error(message, error_type=type(err).__name__, errors=places, stack=stack)
        return
    logger.exception(message)


def create_app() -> LambdaFunctionUrlResolver:
    app = LambdaFunctionUrlResolver(enable_validation=True, serializer=_dumps)

    @app.exception_handler(WorklogError)
    def _domain(err: WorklogError) -> Response:
        if err.status >= 500:  # an outage of a dependency, not the client's doing
            logger.error("service unavailable", code=err.code)
        return error_response(err.status, err.code, err.message, err.details)

    @app.exception_handler(RequestUnsupportedContentType)
    def _content_type(err: RequestUnsupportedContentType) -> Response:
        # handle() refuses these first; this keeps the answer the same if Powertools ever sees one.
        problem = _unsupported(JSON_ONLY)
        return error_response(problem.status, problem.code, problem.message)

    @app.exception_handler(RequestValidationError)
    def _validation(err: RequestValidationError) -> Response:
        errors = list(err.errors())
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(400, "invalid_json", MSG["invalid_json"])
        return error_response(422, "validation_error", MSG["validation_error"], _details(errors))

    @app.not_found
    def _not_found(err: NotFoundError) -> Response:
        return error_response(404, "not_found", MSG["not_found"])

    @app.exception_handler(Exception)
    def _unexpected(err: Exception) -> Response:
        log_fault("unhandled error", err)
        return error_response(500, "internal_error", MSG["internal_error"])

    return app


@lru_cache(maxsize=1)
def _principals() -> PrincipalResolver:
    return PrincipalResolver(RosterRepository(), ttl_seconds=get_settings().principal_cache_seconds)


# Methods that change nothing: their caller may be resolved from the container's short cache.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# What a function that takes tokens verifies them with: ``worklog.auth.tokens.subject``, passed by its
# handler, so the verifier and cryptography's primitives load with the functions that verify tokens
# and no other.
SubjectOf = Callable[[str | None], str]


def authenticate(headers: dict[str, str], subject_of: SubjectOf, *, fresh: bool = False) -> Principal:
    """The caller; ``fresh`` reads their roster profile now instead of from the cache."""
    subject = subject_of(headers.get("authorization"))
    principal = _principals().resolve(subject, today(system_clock), fresh=fresh)
    logger.append_keys(cadre_id=principal.cadre_id)
    return principal


def fresh_principal(subject: str, on: date) -> Principal:
    """``subject`` resolved from the roster as it is now (the cached entry replaced or dropped):
    for a write whose own transaction found the profile changed. 401 if they left or are gone."""
    return _principals().resolve(subject, on, fresh=True)


JSON = content_types.APPLICATION_JSON
FORM = "application/x-www-form-urlencoded"
JSON_ONLY: frozenset[str] = frozenset({JSON})
# Methods whose request body this API reads; any other method's body is ignored, never parsed.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_UTF8 = frozenset({"utf-8", "utf8"})


def raw_body(event: dict[str, Any]) -> bytes:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return base64.b64decode(body, validate=False)
    return body.encode("utf-8", errors="surrogatepass")


def _unsupported(accepts: frozenset[str]) -> UnsupportedMediaType:
    return UnsupportedMediaType(MSG["unsupported_media_type"].format(accepted="、".join(sorted(accepts))))


def check_media_type(event: dict[str, Any], raw: bytes, accepts: frozenset[str]) -> str:
    """The body's media type if the endpoint takes it, else 415; the event is left naming it plainly.

    A body without a Content-Type is read as JSON (clients such as a bare ``fetch`` omit it; the
    JSON check that follows still refuses anything that is not a JSON object). A media type is
    compared case-insensitively without its parameters; the only charset taken is UTF-8. The event's
    Content-Type is then rewritten to the bare media type, so that Powertools (which matches by
    prefix: ``application/jsonp`` would pass as JSON, ``multipart/form-data`` would be parsed) and
    the handler read the body exactly as it was checked.
    """
    headers = event.get("headers") or {}
    names = [name for name in headers if name.lower() == "content-type"]
    value = ",".join(str(headers[name]) for name in names).strip()
    if not value:
        if raw and JSON not in accepts:
            raise _unsupported(accepts)
        return JSON
    media, *parameters = value.split(";")
    media = media.strip().lower()
    charsets = {
        v.strip().strip('"').lower()
        for k, _, v in (p.partition("=") for p in parameters)
        if k.strip().lower() == "charset"
    }
    if media not in accepts or not charsets <= _UTF8:
        raise _unsupported(accepts)
    for name in names:
        del headers[name]
    headers["content-type"] = media
    return media


def check_json(event: dict[str, Any], raw: bytes) -> None:
    """A JSON body must be UTF-8 JSON that Python can hold; otherwise 400, before routing.

    Powertools would raise on invalid UTF-8 or on integers longer than Python's digit limit with
    errors that are not JSON errors (they would surface as 500s). The checked text replaces the
    body so that the resolver decodes exactly what was checked.
    """
    if not raw:
        return
    try:
        text = raw.decode("utf-8")
        data = json.loads(text)
    except (ValueError, RecursionError) as err:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise InvalidJson(MSG["invalid_json"]) from err
    if not isinstance(data, dict):
        # Every body of this API is an object; Powertools would read a list as its first element.
        detail = {"loc": ["body"], "msg": "the body must be a JSON object", "type": "model_type"}
        raise ValidationFailed(MSG["validation_error"], details=[detail])
    event["body"], event["isBase64Encoded"] = text, False


def _as_result(resp: Response) -> dict[str, Any]:
    return {"statusCode": resp.status_code, "headers": {"Content-Type": JSON}, "body": resp.body}


def handle(
    app: LambdaFunctionUrlResolver,
    event: dict[str, Any],
    context: Any,
    *,
    subject_of: SubjectOf | None,
    limit: Callable[[str], int] | None = None,
    guarded: Callable[[str], bool] | None = None,
    accepts: frozenset[str] = JSON_ONLY,
) -> dict[str, Any]:
    """What every request passes before routing, cheapest first; then route.

    1. body size (413): ``limit(path)`` may raise a route's limit; nothing is parsed yet;
    2. authentication (401) with ``subject_of`` (None: a public function; every handler says which
       it is), unless a CORS preflight, so that no one without a token gets the body parsed (or
       learns anything from how it is refused). A write (any method but GET, HEAD and OPTIONS) is
       authorised on the roster as it is now: its caller is resolved fresh, one consistent GetItem,
       unless ``guarded(path)`` says the write's own transaction checks the caller's roster profile
       (the journal's saves, whose request budget has no room for the read). Reads may use the
       container's cache (``principal_cache_seconds``);
    3. for POST/PUT/PATCH, the media type (415: ``accepts`` lists what the function takes) and,
       for JSON, its syntax (400/422); any other method's body is dropped unread.
    """
    method = (event.get("requestContext", {}).get("http", {}).get("method") or "GET").upper()
    path = event.get("rawPath", "/")
    try:
        max_bytes = limit(path) if limit else get_settings().rules.max_body_bytes
        raw = raw_body(event)
        if len(raw) > max_bytes:
            raise PayloadTooLarge(MSG["payload_too_large"].format(limit=max_bytes))
        if subject_of is not None and method != "OPTIONS":
            headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
            fresh = method not in READ_METHODS and not (guarded and guarded(path))
            app.append_context(principal=authenticate(headers, subject_of, fresh=fresh))
        if method in BODY_METHODS:
            if check_media_type(event, raw, accepts) == JSON:
                check_json(event, raw)
        else:
            event["body"], event["isBase64Encoded"] = None, False
    except WorklogError as err:
        app.clear_context()
        return _as_result(error_response(err.status, err.code, err.message, err.details))
    except Exception as err:
        # A fault of ours before routing still answers in the API's shape, never as a crashed
        # invocation (which a function URL turns into a bare 502).
        app.clear_context()
        log_fault("unhandled error before routing", err)
        return _as_result(error_response(500, "internal_error", MSG["internal_error"]))
    return app.resolve(event, context)


def principal(app: LambdaFunctionUrlResolver) -> Principal:
    who = app.context.get("principal")
    if not isinstance(who, Principal):  # pragma: no cover - handle() always sets it
        raise RuntimeError("route reached without authentication")
    return who
