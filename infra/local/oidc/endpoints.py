"""The local issuer's OpenID Connect endpoints on HTTP, under ``/_local``.

A request that is not right gets a 400 page saying why (or RFC 6749's JSON error at the token
endpoint), never a redirect to an address the runtime has not checked is its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs, urlencode

from infra.local.events import HttpResponse
from infra.local.oidc.flow import CodeFlow, InvalidAuthorization, OAuthError, one_parameter
from infra.local.oidc.pages import CSS, TEXT, DemoAccount, choice_html, page, problems_html, signed_out_html


class SignInEndpoints:
    """``/_local/.well-known/openid-configuration``, ``/authorize``, ``/oauth2/token``,
    ``/jwks.json``, ``/logout`` and the pages' stylesheet ``/signin.css``."""

    PATHS = frozenset(
        {
            "/.well-known/openid-configuration",
            "/authorize",
            "/oauth2/token",
            "/jwks.json",
            "/logout",
            "/signin.css",
        }
    )

    def __init__(self, flow: CodeFlow, accounts: Callable[[], list[DemoAccount]]) -> None:
        self.flow = flow
        self.accounts = accounts

    def handle(
        self, method: str, name: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> HttpResponse | None:
        """The response for ``/_local<name>``, or None when the path is not one of these."""
        if name not in self.PATHS:
            return None
        method = method.upper()
        if name == "/oauth2/token":
            if method != "POST":
                return _not_allowed("POST")
            return self._token(headers, body)
        if name == "/authorize":
            if method in {"GET", "HEAD"}:
                return self._authorizepage(parse_qs(query))
            if method == "POST":
                return self._authorize_choice(headers, body)
            return _not_allowed("GET, HEAD, POST")
        if method not in {"GET", "HEAD"}:
            return _not_allowed("GET, HEAD")
        if name == "/.well-known/openid-configuration":
            return _json(200, self.flow.discovery(), cache="no-cache")
        if name == "/jwks.json":
            return _json(200, self.flow.issuer.jwks, cache="no-cache")
        if name == "/signin.css":
            headers_out = [("Content-Type", "text/css; charset=utf-8"), ("Cache-Control", "no-cache")]
            return HttpResponse(200, [*headers_out, ("X-Content-Type-Options", "nosniff")], CSS.encode())
        return self._logout(parse_qs(query))

    def _authorizepage(self, params: Mapping[str, Sequence[str]]) -> HttpResponse:
        try:
            request = self.flow.parse_authorization(params)
        except InvalidAuthorization as err:
            return page(400, TEXT["bad_request_title"], problems_html(err.problems))
        return page(200, TEXT["title"], choice_html(request.parameters(), self.accounts()))

    def _authorize_choice(self, headers: Mapping[str, str], body: bytes) -> HttpResponse:
        form = _form(headers, body)
        if form is None:
            return page(400, TEXT["bad_request_title"], problems_html([TEXT["not_a_form"]]))
        try:
            request = self.flow.parse_authorization(form)
        except InvalidAuthorization as err:
            return page(400, TEXT["bad_request_title"], problems_html(err.problems))
        try:
            location = self.flow.grant(request, one_parameter(form, "cadre_id"))
        except InvalidAuthorization as err:
            back = "/_local/authorize?" + urlencode(request.parameters())
            return page(400, TEXT["bad_request_title"], problems_html(err.problems, back=back))
        return HttpResponse(302, [("Location", location), ("Cache-Control", "no-store")])

    def _token(self, headers: Mapping[str, str], body: bytes) -> HttpResponse:
        form = _form(headers, body)
        if form is None:
            return _oauth_error(
                OAuthError("invalid_request", "the body must be application/x-www-form-urlencoded")
            )
        try:
            return _json(200, self.flow.token(form))
        except OAuthError as err:
            return _oauth_error(err)

    def _logout(self, params: Mapping[str, Sequence[str]]) -> HttpResponse:
        location = self.flow.end_session(params)
        if location is not None:
            return HttpResponse(302, [("Location", location), ("Cache-Control", "no-store")])
        return page(200, TEXT["signed_out_title"], signed_out_html())


def _form(headers: Mapping[str, str], body: bytes) -> dict[str, list[str]] | None:
    """A form-encoded body's fields; None when it is not one."""
    content_type = (headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return None
    try:
        return parse_qs(body.decode("utf-8"), max_num_fields=64)
    except (UnicodeDecodeError, ValueError):
        return None


def _json(status: int, payload: Any, *, cache: str = "no-store") -> HttpResponse:
    headers = [("Content-Type", "application/json"), ("Cache-Control", cache)]
    if cache == "no-store":
        headers.append(("Pragma", "no-cache"))  # for HTTP/1.0 caches (RFC 6749 §5.1)
    return HttpResponse(status, headers, json.dumps(payload, ensure_ascii=False).encode("utf-8"))


def _oauth_error(err: OAuthError) -> HttpResponse:
    return _json(400, {"error": err.error, "error_description": err.description})


def _not_allowed(allow: str) -> HttpResponse:
    payload = {"error": "invalid_request", "error_description": f"method not allowed; use {allow}"}
    response = _json(405, payload)
    return HttpResponse(405, [*response.headers, ("Allow", allow)], response.body)
