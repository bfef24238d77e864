"""Requests to the function URLs: the route's function invoked with the function-URL event, and
CORS applied as the function URL service applies it."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from infra.local.events import (
    MAX_PAYLOAD_BYTES,
    HttpResponse,
    error_response,
    to_function_url_event,
    to_http_response,
)
from infra.local.functions import Route, find_route
from infra.local.text import TEXT, not_found, too_large

log = logging.getLogger("infra.local")

_CORS_RESPONSE_HEADERS = {
    "access-control-allow-origin",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-allow-credentials",
    "access-control-expose-headers",
    "access-control-max-age",
}


def dispatch(
    routes: Iterable[Route],
    method: str,
    target: str,
    headers: list[tuple[str, str]],
    body: bytes,
    *,
    client_ip: str,
    now: datetime,
) -> HttpResponse:
    """One request to the function URLs → the answer of the function whose route matches."""
    path = urlsplit(target).path or "/"
    route = find_route(routes, method, path)
    if route is None:
        return not_found()
    function = route.function
    cors = function.cors
    lower = {k.lower(): v for k, v in headers}
    if method.upper() == "OPTIONS" and cors:
        return preflight(cors, lower)
    if len(body) > MAX_PAYLOAD_BYTES:
        return too_large()
    event = to_function_url_event(
        method, target, headers, body, source_ip=client_ip, function_name=function.physical_name, now=now
    )
    try:
        response = to_http_response(function.invoke(event))
    except Exception:
        log.exception("%s failed on %s %s", function.name, method, path)
        return error_response(502, "function_error", TEXT["function_error"])
    if len(response.body) > MAX_PAYLOAD_BYTES:
        log.error("%s returned %d bytes: over the function URL's 6 MB", function.name, len(response.body))
        return error_response(502, "function_error", TEXT["function_error"])
    return with_cors(response, cors, lower.get("origin")) if cors else response


def _allowed_origin(cors: Mapping[str, Any], origin: str | None) -> str | None:
    if not origin:
        return None
    allowed = [str(o) for o in cors.get("AllowOrigins") or []]
    if "*" in allowed:
        return origin if cors.get("AllowCredentials") else "*"
    return origin if origin in allowed else None


def preflight(cors: Mapping[str, Any], headers: Mapping[str, str]) -> HttpResponse:
    """Answer an OPTIONS request from the function URL's CORS configuration."""
    out: list[tuple[str, str]] = [("Vary", "Origin")]
    origin = _allowed_origin(cors, headers.get("origin"))
    if origin:
        out.append(("Access-Control-Allow-Origin", origin))
        methods = [str(m).upper() for m in cors.get("AllowMethods") or []]
        requested = headers.get("access-control-request-method", "")
        if "*" in methods:
            methods = [requested] if requested else ["*"]
        if methods:
            out.append(("Access-Control-Allow-Methods", ",".join(methods)))
        allow_headers = [str(h).lower() for h in cors.get("AllowHeaders") or []]
        if "*" in allow_headers and headers.get("access-control-request-headers"):
            allow_headers = [headers["access-control-request-headers"]]
        if allow_headers:
            out.append(("Access-Control-Allow-Headers", ",".join(allow_headers)))
        if cors.get("MaxAge") is not None:
            out.append(("Access-Control-Max-Age", str(cors["MaxAge"])))
        if cors.get("AllowCredentials"):
            out.append(("Access-Control-Allow-Credentials", "true"))
    return HttpResponse(200, out, b"")


def with_cors(response: HttpResponse, cors: Mapping[str, Any], origin: str | None) -> HttpResponse:
    """The function URL's CORS headers replace any the function set itself."""
    headers = [(k, v) for k, v in response.headers if k.lower() not in _CORS_RESPONSE_HEADERS]
    allowed = _allowed_origin(cors, origin)
    if allowed:
        headers.append(("Access-Control-Allow-Origin", allowed))
        if cors.get("ExposeHeaders"):
            headers.append(("Access-Control-Expose-Headers", ",".join(map(str, cors["ExposeHeaders"]))))
        if cors.get("AllowCredentials"):
            headers.append(("Access-Control-Allow-Credentials", "true"))
        headers.append(("Vary", "Origin"))
    return HttpResponse(response.status, headers, response.body)
