"""The app's sign-in against the running local runtime, step by step as a browser and the app's OIDC
library take it: settings → discovery → the sign-in page → a demo account → back to the app with a
code → tokens for the PKCE verifier → the API → a refresh → sign-out."""

from __future__ import annotations

import base64
import hashlib
import secrets
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from infra.local.security import APP_CSP
from tests.e2e.conftest import Runtime

pytestmark = pytest.mark.e2e


class _Page(HTMLParser):
    """The first form of the sign-in page: its action, hidden inputs and account buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.hidden: dict[str, str] = {}
        self.accounts: list[str] = []
        self._forms = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._forms += 1
            if self._forms == 1:
                self.action = a.get("action")
        elif self._forms == 1 and tag == "input" and a.get("type") == "hidden":
            self.hidden[a["name"]] = a["value"]
        elif self._forms == 1 and tag == "button" and a.get("name") == "cadre_id":
            self.accounts.append(a["value"])


def _form(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    return page


@pytest.fixture(scope="module")
def settings(runtime: Runtime) -> dict[str, Any]:
    resp = requests.get(f"{runtime.url}/app/config.json", timeout=10)
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


@pytest.fixture(scope="module")
def discovery(runtime: Runtime, settings: dict[str, Any]) -> dict[str, Any]:
    resp = requests.get(f"{settings['authority']}/.well-known/openid-configuration", timeout=10)
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def test_the_apps_settings_name_this_runtimes_issuer(runtime: Runtime, settings: dict[str, Any]) -> None:
    assert settings == {
        "authority": f"{runtime.url}/_local",
        "client_id": "worklog-local",
        "scope": "openid",
        "redirect_path": "/app/callback",
        "post_logout_path": "/app/",
        "sign_out_url": None,
        "environment": "local",
        "authorization_endpoint": f"{runtime.url}/_local/authorize",
        "token_endpoint": f"{runtime.url}/_local/oauth2/token",
        "revocation_endpoint": None,
        "end_session_endpoint": f"{runtime.url}/_local/logout",
    }


def test_the_endpoints_the_settings_name_are_the_ones_the_issuer_publishes(
    settings: dict[str, Any], discovery: dict[str, Any]
) -> None:
    """The app starts without the discovery document: the settings must say what it would."""
    for name in ("authorization_endpoint", "token_endpoint", "end_session_endpoint"):
        assert settings[name] == discovery[name], name


def test_a_full_sign_in_refresh_and_sign_out(
    runtime: Runtime, settings: dict[str, Any], discovery: dict[str, Any]
):
    assert discovery["issuer"] == settings["authority"]
    redirect_uri = runtime.url + settings["redirect_path"]
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    state, nonce = secrets.token_hex(16), secrets.token_hex(16)
    browser = requests.Session()

    # The app sends the browser to the authorization endpoint.
    page = browser.get(
        discovery["authorization_endpoint"],
        params={
            "response_type": "code",
            "client_id": settings["client_id"],
            "redirect_uri": redirect_uri,
            "scope": settings["scope"],
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "nonce": nonce,
        },
        timeout=10,
    )
    assert page.status_code == 200, page.text
    assert "演示环境" in page.text
    assert page.headers["Content-Security-Policy"] == APP_CSP
    form = _form(page.text)
    assert form.accounts, "the sign-in page lists no demo account"
    cadre_id = form.accounts[0]

    # The person picks an account: the browser posts the form and is sent back with a code.
    chosen = browser.post(
        runtime.url + str(form.action),
        data={**form.hidden, "cadre_id": cadre_id},
        allow_redirects=False,
        timeout=10,
    )
    assert chosen.status_code == 302, chosen.text
    location = urlsplit(chosen.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == redirect_uri
    query = parse_qs(location.query)
    assert query["state"] == [state]
    code = query["code"][0]

    # The app exchanges the code, with its verifier, for tokens.
    tokens = browser.post(
        discovery["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": settings["client_id"],
            "code_verifier": verifier,
        },
        timeout=10,
    )
    assert tokens.status_code == 200, tokens.text
    assert tokens.headers["Cache-Control"] == "no-store"
    first = tokens.json()
    assert first["token_type"] == "Bearer" and first["expires_in"] > 0

    # The API takes the id token as the bearer.
    me = browser.get(
        f"{runtime.url}/me", headers={"Authorization": f"Bearer {first['id_token']}"}, timeout=30
    )
    assert me.status_code == 200, me.text
    assert me.json()["cadre_id"] == cadre_id

    # A refresh gives new tokens that work; the refresh token used is spent.
    renewed = browser.post(
        discovery["token_endpoint"],
        data={
            "grant_type": "refresh_token",
            "refresh_token": first["refresh_token"],
            "client_id": "worklog-local",
        },
        timeout=10,
    )
    assert renewed.status_code == 200, renewed.text
    second = renewed.json()
    me_again = browser.get(
        f"{runtime.url}/me", headers={"Authorization": f"Bearer {second['id_token']}"}, timeout=30
    )
    assert me_again.status_code == 200 and me_again.json()["cadre_id"] == cadre_id
    replay = browser.post(
        discovery["token_endpoint"],
        data={
            "grant_type": "refresh_token",
            "refresh_token": first["refresh_token"],
            "client_id": "worklog-local",
        },
        timeout=10,
    )
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"

    # Sign-out ends the session and comes back to the app.
    home = runtime.url + settings["post_logout_path"]
    signed_out = browser.get(
        discovery["end_session_endpoint"],
        params={"id_token_hint": second["id_token"], "post_logout_redirect_uri": home, "state": "bye"},
        allow_redirects=False,
        timeout=10,
    )
    assert signed_out.status_code == 302
    assert signed_out.headers["Location"] == f"{home}?state=bye"
    after = browser.post(
        discovery["token_endpoint"],
        data={
            "grant_type": "refresh_token",
            "refresh_token": second["refresh_token"],
            "client_id": "worklog-local",
        },
        timeout=10,
    )
    assert after.status_code == 400 and after.json()["error"] == "invalid_grant"


def test_a_sign_in_sending_the_browser_elsewhere_is_refused_with_a_page(
    runtime: Runtime, discovery: dict[str, Any]
) -> None:
    resp = requests.get(
        discovery["authorization_endpoint"],
        params={
            "response_type": "code",
            "client_id": "worklog-local",
            "redirect_uri": "https://evil.example/callback",
            "scope": "openid",
            "state": "s",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
        },
        allow_redirects=False,
        timeout=10,
    )

    assert resp.status_code == 400 and "Location" not in resp.headers
    assert "redirect_uri" in resp.text


def test_the_app_answers_with_its_security_headers_built_or_not(runtime: Runtime) -> None:
    resp = requests.get(f"{runtime.url}/app/", timeout=10)

    # 200 with a build of web/, 503 naming `make web` without one.
    assert resp.status_code in {200, 503}
    if resp.status_code == 503:
        assert "make web" in resp.text
    assert resp.headers["Content-Security-Policy"] == APP_CSP
    assert resp.headers["Referrer-Policy"] == "no-referrer"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_the_app_reached_as_localhost_moves_to_the_issuers_origin(runtime: Runtime) -> None:
    resp = requests.get(
        f"{runtime.url}/app/today?x=1",
        headers={"Host": f"localhost:{runtime.port}"},
        allow_redirects=False,
        timeout=10,
    )

    assert resp.status_code == 302
    assert resp.headers["Location"] == f"{runtime.url}/app/today?x=1"


def test_the_old_token_endpoint_still_mints_tokens(runtime: Runtime, users: list[dict]) -> None:
    resp = requests.post(f"{runtime.url}/_local/token", json={"cadre_id": users[0]["cadre_id"]}, timeout=10)

    assert resp.status_code == 200 and resp.json()["expires_in"] == 8 * 3600
