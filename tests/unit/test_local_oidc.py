"""The local issuer speaks the authorization code flow with PKCE, as the app signs in with it.

A code is bound to the client, the redirect URI, the PKCE challenge, the nonce and the person; it
works once, within 60 seconds, with the verifier whose S256 digest is the challenge. Refresh tokens
rotate on use. The runtime never redirects a browser to an address that is not its own.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest

from infra.local.issuer import LocalIssuer
from infra.local.oidc import (
    CLIENT_ID,
    CodeFlow,
    DemoAccount,
    InvalidAuthorization,
    OAuthError,
    SignInEndpoints,
    s256,
)
from infra.local.security import APP_CSP
from worklog.auth.tokens import TokenVerifier
from worklog.errors import Unauthenticated
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


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> LocalIssuer:
    return LocalIssuer(PORT, state_dir=tmp_path_factory.mktemp("issuer"))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def roster() -> Iterator[set[str]]:
    yield set(ROSTER)


@pytest.fixture
def flow(issuer: LocalIssuer, clock: Clock, roster: set[str]) -> CodeFlow:
    return CodeFlow(issuer, is_cadre=lambda cadre_id: cadre_id in roster, token_ttl=900, clock=clock)


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


def exchange(flow: CodeFlow, code: str, verifier: str, **overrides: str) -> dict[str, Any]:
    fields = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": CLIENT_ID,
        "code_verifier": verifier,
        **overrides,
    }
    return flow.token(token_form(**fields))


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


# --- PKCE ---------------------------------------------------------------------------------------


def test_s256_is_rfc_7636s_transformation() -> None:
    # RFC 7636, appendix B.
    assert (
        s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


def test_a_code_with_its_verifier_gives_tokens_the_api_accepts(flow: CodeFlow, issuer: LocalIssuer) -> None:
    code, verifier = sign_in(flow, "c0002")

    tokens = exchange(flow, code, verifier)

    assert tokens["token_type"] == "Bearer" and tokens["scope"] == "openid"
    assert tokens["expires_in"] == 900
    assert api_subject(issuer, tokens["id_token"]) == "c0002"
    assert api_subject(issuer, tokens["access_token"]) == "c0002"
    claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    assert claims["aud"] == "worklog-local" and claims["iss"] == issuer.issuer
    assert claims["nonce"] == "n-456"
    assert claims["exp"] - claims["iat"] == 900
    assert isinstance(claims["auth_time"], int) and claims["sid"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{40,}", tokens["refresh_token"])


def test_a_sign_in_without_a_nonce_gets_an_id_token_without_one(flow: CodeFlow) -> None:
    code, verifier = sign_in(flow, nonce=None)

    claims = jwt.decode(exchange(flow, code, verifier)["id_token"], options={"verify_signature": False})

    assert "nonce" not in claims


def test_a_wrong_verifier_is_refused_and_spends_the_code(flow: CodeFlow) -> None:
    code, verifier = sign_in(flow)

    refused(lambda: exchange(flow, code, new_verifier()), "invalid_grant")

    refused(lambda: exchange(flow, code, verifier), "invalid_grant")


def test_the_challenge_itself_is_not_a_verifier(flow: CodeFlow) -> None:
    code, verifier = sign_in(flow)

    # The challenge is 43 characters of the verifier's alphabet: shaped right, still wrong.
    refused(lambda: exchange(flow, code, challenge_of(verifier)), "invalid_grant")


def test_a_verifier_of_the_wrong_shape_is_an_invalid_request(flow: CodeFlow) -> None:
    code, verifier = sign_in(flow)

    refused(lambda: exchange(flow, code, "short"), "invalid_request")
    refused(lambda: exchange(flow, code, verifier + "!"), "invalid_request")

    assert exchange(flow, code, verifier)["id_token"]  # a malformed request does not spend the code


def test_a_code_works_once(flow: CodeFlow) -> None:
    code, verifier = sign_in(flow)
    exchange(flow, code, verifier)

    error = refused(lambda: exchange(flow, code, verifier), "invalid_grant")
    assert "already been used" in error.description


def test_a_replayed_code_ends_the_session_it_started(flow: CodeFlow) -> None:
    code, verifier = sign_in(flow)
    first = exchange(flow, code, verifier)

    refused(lambda: exchange(flow, code, verifier), "invalid_grant")

    refused(lambda: refresh(flow, first["refresh_token"]), "invalid_grant")


def test_a_code_expires_after_60_seconds(flow: CodeFlow, clock: Clock) -> None:
    in_time, in_time_verifier = sign_in(flow)
    late, late_verifier = sign_in(flow)

    clock.advance(59)
    assert exchange(flow, in_time, in_time_verifier)["id_token"]
    clock.advance(1)
    error = refused(lambda: exchange(flow, late, late_verifier), "invalid_grant")
    assert "expired" in error.description


def test_the_redirect_uri_must_be_the_authorization_requests(flow: CodeFlow) -> None:
    code, verifier = sign_in(flow)

    refused(lambda: exchange(flow, code, verifier, redirect_uri=f"{ORIGIN}/app/other"), "invalid_grant")


def test_another_client_is_refused(flow: CodeFlow) -> None:
    code, verifier = sign_in(flow)

    refused(lambda: exchange(flow, code, verifier, client_id="someone-else"), "invalid_client")
    with pytest.raises(InvalidAuthorization):
        flow.parse_authorization(auth_params(verifier, client_id="someone-else"))


def test_an_unknown_code_is_an_invalid_grant(flow: CodeFlow) -> None:
    refused(lambda: exchange(flow, "made-up", new_verifier()), "invalid_grant")


@pytest.mark.parametrize("missing", ["code", "redirect_uri", "client_id", "code_verifier"])
def test_a_code_exchange_missing_a_parameter_is_an_invalid_request(flow: CodeFlow, missing: str) -> None:
    code, verifier = sign_in(flow)
    fields = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": CLIENT_ID,
        "code_verifier": verifier,
    }
    del fields[missing]

    refused(lambda: flow.token(token_form(**fields)), "invalid_request")


def test_a_parameter_given_twice_is_an_invalid_request(flow: CodeFlow) -> None:
    code, verifier = sign_in(flow)
    form = {
        "grant_type": ["authorization_code"],
        "code": [code, code],
        "redirect_uri": [REDIRECT],
        "client_id": [CLIENT_ID],
        "code_verifier": [verifier],
    }

    refused(lambda: flow.token(form), "invalid_request")


@pytest.mark.parametrize("grant_type", ["password", "client_credentials", "implicit"])
def test_other_grant_types_are_unsupported(flow: CodeFlow, grant_type: str) -> None:
    refused(
        lambda: flow.token(token_form(grant_type=grant_type, client_id=CLIENT_ID)), "unsupported_grant_type"
    )


# --- refresh ------------------------------------------------------------------------------------


def test_a_refresh_gives_new_tokens_and_spends_the_old_refresh_token(
    flow: CodeFlow, issuer: LocalIssuer, clock: Clock
) -> None:
    code, verifier = sign_in(flow, "c0002")
    first = exchange(flow, code, verifier)
    clock.advance(5)

    second = refresh(flow, first["refresh_token"])

    assert second["refresh_token"] != first["refresh_token"]
    assert api_subject(issuer, second["id_token"]) == "c0002"
    assert api_subject(issuer, second["access_token"]) == "c0002"
    refused(lambda: refresh(flow, first["refresh_token"]), "invalid_grant")
    assert refresh(flow, second["refresh_token"])["id_token"]


def test_a_refreshed_id_token_keeps_the_sign_ins_auth_time_session_and_nonce(
    flow: CodeFlow, clock: Clock
) -> None:
    code, verifier = sign_in(flow)
    first = jwt.decode(exchange(flow, code, verifier)["id_token"], options={"verify_signature": False})
    code2, verifier2 = sign_in(flow)
    held = exchange(flow, code2, verifier2)
    original = jwt.decode(held["id_token"], options={"verify_signature": False})
    clock.advance(120)

    renewed = jwt.decode(
        refresh(flow, held["refresh_token"])["id_token"], options={"verify_signature": False}
    )

    assert renewed["iat"] == original["iat"] + 120
    assert (renewed["auth_time"], renewed["sid"], renewed["nonce"], renewed["sub"]) == (
        original["auth_time"],
        original["sid"],
        original["nonce"],
        original["sub"],
    )
    assert first["sid"] != original["sid"]  # each sign-in is a session of its own


def test_a_refresh_token_expires(flow: CodeFlow, clock: Clock) -> None:
    code, verifier = sign_in(flow)
    tokens = exchange(flow, code, verifier)

    clock.advance(12 * 3600)

    refused(lambda: refresh(flow, tokens["refresh_token"]), "invalid_grant")


def test_a_refresh_for_another_client_is_refused(flow: CodeFlow) -> None:
    code, verifier = sign_in(flow)
    tokens = exchange(flow, code, verifier)

    refused(lambda: refresh(flow, tokens["refresh_token"], client_id="someone-else"), "invalid_client")


def test_someone_taken_off_the_roster_cannot_refresh(flow: CodeFlow, roster: set[str]) -> None:
    code, verifier = sign_in(flow, "c0002")
    tokens = exchange(flow, code, verifier)

    roster.discard("c0002")

    refused(lambda: refresh(flow, tokens["refresh_token"]), "invalid_grant")


# --- the authorization request ------------------------------------------------------------------


def test_someone_not_on_the_roster_gets_no_code(flow: CodeFlow) -> None:
    request = flow.parse_authorization(auth_params(new_verifier()))

    with pytest.raises(InvalidAuthorization) as caught:
        flow.grant(request, "nobody")

    assert "nobody" in caught.value.problems[0]


def test_the_code_comes_back_with_the_state_on_the_redirect_uri(flow: CodeFlow) -> None:
    request = flow.parse_authorization(auth_params(new_verifier(), redirect_uri=f"{REDIRECT}?from=tab"))

    location = flow.grant(request, "c0001")

    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == REDIRECT
    query = parse_qs(parts.query)
    assert query["state"] == ["st-123"] and query["from"] == ["tab"] and query["code"][0]


@pytest.mark.parametrize(
    "uri",
    [
        f"{ORIGIN}/app/callback",
        f"http://localhost:{PORT}/app/callback",
        f"http://LOCALHOST:{PORT}/app/",
    ],
)
def test_a_redirect_uri_on_the_runtimes_own_origin_is_accepted(flow: CodeFlow, uri: str) -> None:
    assert flow.parse_authorization(auth_params(new_verifier(), redirect_uri=uri)).redirect_uri == uri


@pytest.mark.parametrize(
    "uri",
    [
        "https://evil.example/app/callback",
        f"http://127.0.0.1:{PORT + 1}/app/callback",
        f"https://127.0.0.1:{PORT}/app/callback",
        f"http://127.0.0.1:{PORT}@evil.example/app/callback",
        f"http://user@127.0.0.1:{PORT}/app/callback",
        f"http://evil.example#@127.0.0.1:{PORT}/",
        f"http://127.0.0.1:{PORT}\\@evil.example/",
        f"http://127.0.0.1:{PORT}/app/callback#fragment",
        f"http://127.0.0.1:{PORT}",
        "//evil.example/app/callback",
        "/app/callback",
        "javascript:alert(1)",
        f"http://127.0.0.1:{PORT}/app/ callback",
        f"http://127.0.0.1.evil.example:{PORT}/app/callback",
    ],
)
def test_a_redirect_uri_elsewhere_is_refused(flow: CodeFlow, uri: str) -> None:
    with pytest.raises(InvalidAuthorization) as caught:
        flow.parse_authorization(auth_params(new_verifier(), redirect_uri=uri))

    assert any("redirect_uri" in p for p in caught.value.problems)


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"response_type": "token"}, "response_type"),
        ({"response_type": None}, "response_type"),
        ({"code_challenge_method": "plain"}, "code_challenge_method"),
        ({"code_challenge_method": None}, "code_challenge_method"),
        ({"code_challenge": None}, "code_challenge"),
        ({"code_challenge": "abc"}, "code_challenge"),
        ({"code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM"}, "code_challenge"),
        ({"scope": "openid profile"}, "scope"),
        ({"scope": None}, "scope"),
        ({"state": None}, "state"),
        ({"state": "x" * 513}, "state"),
        ({"nonce": "bad\nnonce"}, "nonce"),
        ({"response_mode": "fragment"}, "response_mode"),
        ({"client_id": None}, "client_id"),
    ],
)
def test_a_bad_authorization_request_names_its_problem(
    flow: CodeFlow, overrides: dict[str, str | None], named: str
) -> None:
    with pytest.raises(InvalidAuthorization) as caught:
        flow.parse_authorization(auth_params(new_verifier(), **overrides))

    assert any(named in p for p in caught.value.problems), caught.value.problems


def test_an_authorization_parameter_given_twice_is_refused(flow: CodeFlow) -> None:
    params = auth_params(new_verifier())
    params["redirect_uri"] = [REDIRECT, "https://evil.example/cb"]

    with pytest.raises(InvalidAuthorization) as caught:
        flow.parse_authorization(params)

    assert any("redirect_uri" in p for p in caught.value.problems)


def test_every_problem_of_a_request_is_named_at_once(flow: CodeFlow) -> None:
    with pytest.raises(InvalidAuthorization) as caught:
        flow.parse_authorization(
            auth_params(new_verifier(), response_type="token", code_challenge_method="plain")
        )

    assert len(caught.value.problems) == 2


# --- sign-out -----------------------------------------------------------------------------------


def test_sign_out_ends_the_session_the_id_token_names(flow: CodeFlow) -> None:
    code, verifier = sign_in(flow)
    tokens = exchange(flow, code, verifier)
    other_code, other_verifier = sign_in(flow)
    other = exchange(flow, other_code, other_verifier)

    location = flow.end_session({"id_token_hint": [tokens["id_token"]]})

    assert location is None  # nowhere to go back to: the page says so
    refused(lambda: refresh(flow, tokens["refresh_token"]), "invalid_grant")
    assert refresh(flow, other["refresh_token"])["id_token"]  # another sign-in of the same person stays


def test_sign_out_accepts_an_expired_id_token_as_the_hint(flow: CodeFlow, clock: Clock) -> None:
    clock.advance(-2 * 3600)  # tokens minted two hours ago, expired by now
    code, verifier = sign_in(flow)
    tokens = exchange(flow, code, verifier)
    with pytest.raises(Unauthenticated):
        api_subject(flow.issuer, tokens["id_token"])

    flow.end_session({"id_token_hint": [tokens["id_token"]]})

    refused(lambda: refresh(flow, tokens["refresh_token"]), "invalid_grant")


def test_a_forged_hint_ends_nothing(flow: CodeFlow, tmp_path: Path) -> None:
    code, verifier = sign_in(flow)
    tokens = exchange(flow, code, verifier)
    claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    forger = LocalIssuer(PORT, state_dir=tmp_path)  # the same claims, another key
    forged = forger.issue(claims["sub"], claims={"sid": claims["sid"]})

    flow.end_session({"id_token_hint": [forged]})

    assert refresh(flow, tokens["refresh_token"])["id_token"]


def test_sign_out_returns_to_the_runtimes_own_page_with_the_state(flow: CodeFlow) -> None:
    location = flow.end_session({"post_logout_redirect_uri": [f"{ORIGIN}/app/"], "state": ["s1"]})

    assert location == f"{ORIGIN}/app/?state=s1"


@pytest.mark.parametrize("uri", ["https://evil.example/", f"http://127.0.0.1:{PORT}@evil.example/"])
def test_sign_out_never_returns_to_another_origin(flow: CodeFlow, uri: str) -> None:
    assert flow.end_session({"post_logout_redirect_uri": [uri]}) is None


# --- over HTTP ----------------------------------------------------------------------------------

ACCOUNTS = [
    DemoAccount("c0001", "张明", "区教育局", ("普通干部",)),
    DemoAccount("c0002", "李华", "区教育局", ("普通干部", "单位负责人")),
]


@pytest.fixture
def endpoints(flow: CodeFlow) -> SignInEndpoints:
    return SignInEndpoints(flow, lambda: ACCOUNTS)


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


def test_the_authorize_page_lists_the_demo_accounts_as_buttons_of_one_form(
    endpoints: SignInEndpoints,
) -> None:
    verifier = new_verifier()
    query = urlencode([(k, v[0]) for k, v in auth_params(verifier).items()])

    resp = endpoints.handle("GET", "/authorize", query, {}, b"")

    assert resp is not None and resp.status == 200
    text = resp.body.decode("utf-8")
    assert "演示环境" in text and 'lang="zh-CN"' in text
    for account in ACCOUNTS:
        assert account.name in text and account.unit in text
    assert "普通干部 · 单位负责人" in text
    page = parse_page(resp.body)
    first = page.forms[0]
    assert (first["action"], first["method"]) == ("/_local/authorize", "post")
    assert first["buttons"] == [("cadre_id", "c0001"), ("cadre_id", "c0002")]
    assert dict(first["hidden"]) == {k: v[0] for k, v in auth_params(verifier).items()}


def test_the_sign_in_pages_carry_no_script_and_nothing_from_elsewhere(endpoints: SignInEndpoints) -> None:
    query = urlencode([(k, v[0]) for k, v in auth_params(new_verifier()).items()])
    pages = [
        endpoints.handle("GET", "/authorize", query, {}, b""),
        endpoints.handle("GET", "/authorize", "response_type=token", {}, b""),
        endpoints.handle("GET", "/logout", "", {}, b""),
    ]

    for resp in pages:
        assert resp is not None
        page = parse_page(resp.body)
        assert "script" not in page.tags and "style" not in page.tags
        # Own paths only; the empty icon (data:,) is no request at all.
        own = [url for url in page.urls if url != "data:,"]
        assert all(url.startswith("/") and not url.startswith("//") for url in own), page.urls
        assert b" style=" not in resp.body and b"javascript:" not in resp.body
        assert resp.header("Content-Security-Policy") == APP_CSP
        assert resp.header("Referrer-Policy") == "no-referrer"
        assert resp.header("X-Content-Type-Options") == "nosniff"
        assert resp.header("Cache-Control") == "no-store"


def test_the_sign_in_pages_name_an_empty_icon_so_the_browser_asks_for_no_favicon(
    endpoints: SignInEndpoints,
) -> None:
    query = urlencode([(k, v[0]) for k, v in auth_params(new_verifier()).items()])

    resp = endpoints.handle("GET", "/authorize", query, {}, b"")

    assert resp is not None
    assert b'<link rel="icon" href="data:,">' in resp.body


def test_the_authorize_page_escapes_what_the_request_carries(endpoints: SignInEndpoints) -> None:
    state = '"><script>alert(1)</script>'
    query = urlencode([(k, v[0]) for k, v in auth_params(new_verifier(), state=state).items()])

    resp = endpoints.handle("GET", "/authorize", query, {}, b"")

    assert resp is not None and resp.status == 200
    assert b"<script" not in resp.body
    assert ("state", state) in parse_page(resp.body).forms[0]["hidden"]


def test_a_bad_authorization_request_gets_a_400_page_and_no_redirect(endpoints: SignInEndpoints) -> None:
    query = urlencode(
        [(k, v[0]) for k, v in auth_params(new_verifier(), redirect_uri="https://evil.example/cb").items()]
    )

    resp = endpoints.handle("GET", "/authorize", query, {}, b"")

    assert resp is not None and resp.status == 400
    assert resp.header("Location") is None
    text = resp.body.decode("utf-8")
    assert "redirect_uri" in text and "登录请求无效" in text
    assert "evil.example" not in text


def test_choosing_an_account_redirects_with_a_code_and_the_state(endpoints: SignInEndpoints) -> None:
    form = {**{k: v[0] for k, v in auth_params(new_verifier()).items()}, "cadre_id": "c0002"}

    resp = endpoints.handle("POST", "/authorize", "", FORM, urlencode(form).encode())

    assert resp is not None and resp.status == 302
    location = resp.header("Location") or ""
    assert location.startswith(REDIRECT + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["st-123"] and query["code"][0]
    assert resp.header("Cache-Control") == "no-store"


def test_choosing_is_checked_again_on_post(endpoints: SignInEndpoints) -> None:
    form = {**{k: v[0] for k, v in auth_params(new_verifier()).items()}, "cadre_id": "c0002"}
    form["redirect_uri"] = "https://evil.example/cb"

    resp = endpoints.handle("POST", "/authorize", "", FORM, urlencode(form).encode())

    assert resp is not None and resp.status == 400 and resp.header("Location") is None


def test_choosing_someone_not_on_the_roster_gets_a_400_page_with_the_way_back(
    endpoints: SignInEndpoints,
) -> None:
    form = {**{k: v[0] for k, v in auth_params(new_verifier()).items()}, "cadre_id": "nobody"}

    resp = endpoints.handle("POST", "/authorize", "", FORM, urlencode(form).encode())

    assert resp is not None and resp.status == 400 and resp.header("Location") is None
    assert "nobody" in resp.body.decode("utf-8")
    back = [u for u in parse_page(resp.body).urls if u.startswith("/_local/authorize?")]
    assert back and parse_qs(urlsplit(back[0]).query)["state"] == ["st-123"]


def test_a_choice_that_is_not_a_form_is_refused(endpoints: SignInEndpoints) -> None:
    resp = endpoints.handle("POST", "/authorize", "", {"content-type": "application/json"}, b"{}")

    assert resp is not None and resp.status == 400


def test_the_token_endpoint_answers_json_that_is_never_cached(
    endpoints: SignInEndpoints, flow: CodeFlow
) -> None:
    code, verifier = sign_in(flow)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": CLIENT_ID,
        "code_verifier": verifier,
    }

    resp = endpoints.handle("POST", "/oauth2/token", "", FORM, urlencode(form).encode())

    assert resp is not None and resp.status == 200
    assert resp.header("Content-Type") == "application/json"
    assert resp.header("Cache-Control") == "no-store"
    assert set(json.loads(resp.body)) == {
        "access_token",
        "id_token",
        "refresh_token",
        "token_type",
        "expires_in",
        "scope",
    }


@pytest.mark.parametrize(
    ("headers", "body", "error"),
    [
        (FORM, b"grant_type=authorization_code&code=x", "invalid_request"),
        (FORM, b"grant_type=password&username=a&password=b", "unsupported_grant_type"),
        ({"content-type": "application/json"}, b'{"grant_type": "refresh_token"}', "invalid_request"),
        (FORM, b"grant_type=refresh_token&refresh_token=nope&client_id=worklog-local", "invalid_grant"),
    ],
)
def test_token_errors_are_rfc_6749_json_with_400(
    endpoints: SignInEndpoints, headers: dict[str, str], body: bytes, error: str
) -> None:
    resp = endpoints.handle("POST", "/oauth2/token", "", headers, body)

    assert resp is not None and resp.status == 400
    payload = json.loads(resp.body)
    assert payload["error"] == error and payload["error_description"]
    assert resp.header("Cache-Control") == "no-store"


def test_the_token_endpoint_takes_posts_only(endpoints: SignInEndpoints) -> None:
    resp = endpoints.handle("GET", "/oauth2/token", "", {}, b"")

    assert resp is not None and resp.status == 405 and resp.header("Allow") == "POST"


def test_discovery_names_the_endpoints_under_the_issuer(
    endpoints: SignInEndpoints, issuer: LocalIssuer
) -> None:
    resp = endpoints.handle("GET", "/.well-known/openid-configuration", "", {}, b"")

    assert resp is not None and resp.status == 200
    doc = json.loads(resp.body)
    base = f"{ORIGIN}/_local"
    assert doc["issuer"] == issuer.issuer == base
    assert doc["authorization_endpoint"] == f"{base}/authorize"
    assert doc["token_endpoint"] == f"{base}/oauth2/token"
    assert doc["jwks_uri"] == f"{base}/jwks.json"
    assert doc["end_session_endpoint"] == f"{base}/logout"
    assert doc["response_types_supported"] == ["code"]
    assert doc["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert doc["scopes_supported"] == ["openid"]
    assert doc["token_endpoint_auth_methods_supported"] == ["none"]
    assert doc["subject_types_supported"] == ["public"]


def test_the_key_set_is_served_as_the_api_reads_it(endpoints: SignInEndpoints, issuer: LocalIssuer) -> None:
    resp = endpoints.handle("GET", "/jwks.json", "", {}, b"")

    assert resp is not None and json.loads(resp.body) == json.loads(Path(issuer.jwks_path).read_text("utf-8"))


def test_sign_out_over_http_redirects_home_or_shows_a_page(endpoints: SignInEndpoints) -> None:
    home = endpoints.handle(
        "GET", "/logout", urlencode({"post_logout_redirect_uri": f"{ORIGIN}/app/"}), {}, b""
    )
    away = endpoints.handle(
        "GET", "/logout", urlencode({"post_logout_redirect_uri": "https://evil.example/"}), {}, b""
    )

    assert home is not None and home.status == 302 and home.header("Location") == f"{ORIGIN}/app/"
    assert away is not None and away.status == 200 and away.header("Location") is None
    assert "已退出登录" in away.body.decode("utf-8")


def test_paths_that_are_not_the_issuers_are_left_to_the_runtime(endpoints: SignInEndpoints) -> None:
    assert endpoints.handle("GET", "/users", "", {}, b"") is None
