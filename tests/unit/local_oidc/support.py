"""What the local issuer's tests share: its port and redirect URI, a clock moved by hand, the
steps of the code flow as a client takes them, and a reader of the sign-in pages' forms."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from infra.local.issuer import LocalIssuer
from infra.local.oidc import CLIENT_ID, CodeFlow, DemoAccount, OAuthError
from worklog.auth.tokens import TokenVerifier
from worklog.settings import Settings

PORT = 8080
ORIGIN = f"http://127.0.0.1:{PORT}"
REDIRECT = f"{ORIGIN}/app/callback"
ROSTER = {"c0001", "c0002"}


class Clock:
    """Seconds that a test moves by hand."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def challenge_of(verifier: str) -> str:
    """RFC 7636's S256, computed here independently of the code under test."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def new_verifier() -> str:
    return secrets.token_urlsafe(48)  # 64 unreserved characters


def auth_params(verifier: str, **overrides: str | None) -> dict[str, list[str]]:
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": "openid",
        "state": "st-123",
        "code_challenge": challenge_of(verifier),
        "code_challenge_method": "S256",
        "nonce": "n-456",
        **overrides,
    }
    return {k: [v] for k, v in params.items() if v is not None}


def sign_in(flow: CodeFlow, cadre_id: str = "c0001", **overrides: str | None) -> tuple[str, str]:
    """Authorize as ``cadre_id``: the code the client gets back, and its verifier."""
    verifier = new_verifier()
    request = flow.parse_authorization(auth_params(verifier, **overrides))
    location = flow.grant(request, cadre_id)
    query = parse_qs(urlsplit(location).query)
    return query["code"][0], verifier


def token_form(**fields: str) -> dict[str, list[str]]:
    return {k: [v] for k, v in fields.items()}


def code_exchange(code: str, verifier: str) -> dict[str, str]:
    """The fields of a code exchange, as the app's client sends them."""
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": CLIENT_ID,
        "code_verifier": verifier,
    }


def exchange(flow: CodeFlow, code: str, verifier: str, **overrides: str) -> dict[str, Any]:
    return flow.token(token_form(**{**code_exchange(code, verifier), **overrides}))


def refresh(flow: CodeFlow, refresh_token: str, **overrides: str) -> dict[str, Any]:
    fields = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": CLIENT_ID,
        **overrides,
    }
    return flow.token(token_form(**fields))


def api_subject(issuer: LocalIssuer, token: str) -> str:
    """Who the API's own verifier says the token is for."""
    settings = Settings(
        JWKS_URL=issuer.jwks_url,
        TOKEN_ISSUER=issuer.issuer,
        TOKEN_AUDIENCE="worklog-local",
        TOKEN_SUBJECT_CLAIM="sub",
    )
    return TokenVerifier(settings).subject(f"Bearer {token}")


def refused(call: Any, error: str) -> OAuthError:
    with pytest.raises(OAuthError) as caught:
        call()
    assert caught.value.error == error, caught.value
    return caught.value


ACCOUNTS = [
    DemoAccount("c0001", "张明", "区教育局", ("普通干部",)),
    DemoAccount("c0002", "李华", "区教育局", ("普通干部", "单位负责人")),
]


class _Forms(HTMLParser):
    """The forms of a page: action, method, hidden inputs and submit buttons' values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self.tags: set[str] = set()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.add(tag)
        self.urls.extend(a[k] for k in ("src", "href", "action") if k in a)
        if tag == "form":
            self.forms.append(
                {"action": a.get("action"), "method": a.get("method"), "hidden": [], "buttons": []}
            )
        elif tag == "input" and a.get("type") == "hidden":
            self.forms[-1]["hidden"].append((a["name"], a["value"]))
        elif tag == "button" and a.get("name"):
            self.forms[-1]["buttons"].append((a["name"], a["value"]))


def parse_page(body: bytes) -> _Forms:
    parser = _Forms()
    parser.feed(body.decode("utf-8"))
    return parser


FORM = {"content-type": "application/x-www-form-urlencoded"}
