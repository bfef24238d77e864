"""HTTP ↔ Lambda function-URL events (payload format 2.0), as the function URL service does it.

The local runtime turns each HTTP request into the event a function URL would deliver and turns the
handler's result back into an HTTP response, so the handlers run unchanged. Pure: no sockets, no
AWS; ``tests/unit/test_local_events.py`` pins the shapes.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

# Function URLs accept request and response payloads up to 6 MB; beyond that they answer 413.
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024
ACCOUNT_ID = "123456789012"  # moto's default account

_TEXT_TYPES = frozenset(
    {
        "application/json",
        "application/javascript",
        "application/xml",
        "application/x-www-form-urlencoded",
        "application/yaml",
        "application/x-yaml",
        "application/graphql",
    }
)


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)


def is_text_content_type(content_type: str | None) -> bool:
    """Whether a body of this type travels as plain text (else base64) in the event."""
    if not content_type:
        return True
    mime = content_type.split(";", 1)[0].strip().lower()
    return mime.startswith("text/") or mime in _TEXT_TYPES or mime.endswith("+json") or mime.endswith("+xml")


def url_id(function_name: str) -> str:
    """A stable stand-in for the <url-id> part of a function URL's domain."""
    return uuid.uuid5(uuid.NAMESPACE_DNS, f"{function_name}.worklog.local").hex


def to_function_url_event(
    method: str,
    target: str,
    headers: Iterable[tuple[str, str]],
    body: bytes = b"",
    *,
    source_ip: str = "127.0.0.1",
    function_name: str = "local",
    now: datetime | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    """The function-URL event (payload 2.0) for one HTTP request.

    ``target`` is the request target as received (path and query, still percent-encoded).
    Repeated headers and query parameters are joined with "," and the Cookie header moves to
    ``cookies``, as the function URL service does.
    """
    parts = urlsplit(target)
    raw_path = parts.path or "/"
    merged, cookies = _merged_headers(headers, source_ip)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": parts.query,
        "headers": merged,
        "requestContext": _request_context(
            method.upper(),
            raw_path,
            merged,
            source_ip=source_ip,
            function_name=function_name,
            moment=(now or datetime.now(UTC)).astimezone(UTC),
            request_id=request_id or str(uuid.uuid4()),
        ),
        "pathParameters": None,
        "stageVariables": None,
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    query = _query_parameters(parts.query)
    if query:
        event["queryStringParameters"] = query
    if body:
        event.update(_body_fields(body, merged.get("content-type")))
    return event


def _merged_headers(headers: Iterable[tuple[str, str]], source_ip: str) -> tuple[dict[str, str], list[str]]:
    """Lower-case header names, repeated ones joined with ","; the cookies apart."""
    merged: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in headers:
        lower = name.lower()
        if lower == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        merged[lower] = f"{merged[lower]},{value}" if lower in merged else value
    merged.setdefault("x-forwarded-for", source_ip)
    merged.setdefault("x-forwarded-proto", "http")
    return merged, cookies


def _request_context(
    method: str,
    raw_path: str,
    headers: Mapping[str, str],
    *,
    source_ip: str,
    function_name: str,
    moment: datetime,
    request_id: str,
) -> dict[str, Any]:
    prefix = url_id(function_name)
    return {
        "accountId": ACCOUNT_ID,
        "apiId": prefix,
        "domainName": headers.get("host") or f"{prefix}.lambda-url.us-east-1.on.aws",
        "domainPrefix": prefix,
        "http": {
            "method": method,
            "path": raw_path,
            "protocol": "HTTP/1.1",
            "sourceIp": source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": request_id,
        "routeKey": "$default",
        "stage": "$default",
        "time": moment.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(moment.timestamp() * 1000),
    }


def _body_fields(body: bytes, content_type: str | None) -> dict[str, Any]:
    """The body as text, or base64 when its type is binary or it is not UTF-8."""
    text = _as_text(body, content_type)
    if text is None:
        return {"body": base64.b64encode(body).decode("ascii"), "isBase64Encoded": True}
    return {"body": text}


def _query_parameters(raw_query: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        values[name] = f"{values[name]},{value}" if name in values else value
    return values


def _as_text(body: bytes, content_type: str | None) -> str | None:
    if not is_text_content_type(content_type):
        return None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def to_http_response(result: Any) -> HttpResponse:
    """The HTTP response a function URL sends for a handler's return value.

    A dict with ``statusCode`` is the structured shape (headers, cookies, body, isBase64Encoded);
    anything else is inferred: 200, ``application/json``, the value serialised as the body.
    """
    if isinstance(result, Mapping) and "statusCode" in result:
        return _structured(result)
    body = json.dumps(result, ensure_ascii=False, default=str).encode("utf-8")
    return HttpResponse(200, [("Content-Type", "application/json")], body)


def _structured(result: Mapping[str, Any]) -> HttpResponse:
    try:
        status = int(result["statusCode"])
    except (TypeError, ValueError) as err:
        raise ValueError(f"statusCode is not an integer: {result['statusCode']!r}") from err
    if not 100 <= status <= 599:
        raise ValueError(f"statusCode out of range: {status}")

    headers: list[tuple[str, str]] = []
    for name, value in (result.get("headers") or {}).items():
        headers.append((str(name), _header_value(value)))
    # Payload 1.0 style multi-value headers are tolerated (Powertools never sends them here).
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((str(name), _header_value(v)) for v in values)
    headers.extend(("Set-Cookie", str(cookie)) for cookie in result.get("cookies") or [])

    raw = result.get("body")
    if raw is None:
        body = b""
    elif result.get("isBase64Encoded"):
        body = base64.b64decode(raw)
    elif isinstance(raw, str):
        body = raw.encode("utf-8")
    else:
        body = json.dumps(raw, ensure_ascii=False, default=str).encode("utf-8")
    return HttpResponse(status, headers, body)


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(_header_value(v) for v in value)
    return str(value)


def error_response(status: int, code: str, message: str, **extra: Any) -> HttpResponse:
    """The project's error body ``{"code", "message"}`` as an HTTP response."""
    payload = {"code": code, "message": message, **extra}
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return HttpResponse(status, [("Content-Type", "application/json; charset=utf-8")], body)


def json_response(status: int, payload: Any, headers: Iterable[tuple[str, str]] = ()) -> HttpResponse:
    body = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
    return HttpResponse(status, [("Content-Type", "application/json; charset=utf-8"), *headers], body)
