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


def _pkce_pair() -> tuple[str, str]:
    """A PKCE verifier and its S256 challenge, as the app's OIDC library makes them."""
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


def _open_the_sign_in_page(
    browser: requests.Session, settings: dict[str, Any], discovery: dict[str, Any], **params: str
) -> _Page:
    """The app sends the browser to the authorization endpoint; the page lists the demo accounts."""
    page = browser.get(
        discovery["authorization_endpoint"],
        params={
            "response_type": "code",
            "client_id": settings["client_id"],
            "redirect_uri": params["redirect_uri"],
            "scope": settings["scope"],
            "state": params["state"],
            "code_challenge": params["code_challenge"],
            "code_challenge_method": "S256",
            "nonce": params["nonce"],
        },
        timeout=10,
    )
    assert page.status_code == 200, page.text
    assert "演示环境" in page.text
    assert page.headers["Content-Security-Policy"] == APP_CSP
    form = _form(page.text)
    assert form.accounts, "the sign-in page lists no demo account"
    return form


def _pick_the_account(
    browser: requests.Session, runtime: Runtime, form: _Page, cadre_id: str, redirect_uri: str, state: str
) -> str:
    """The person picks an account: the browser posts the form and is sent back with a code."""
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
    return query["code"][0]


def _exchange_the_code(
    browser: requests.Session, settings: dict[str, Any], discovery: dict[str, Any], **data: str
) -> dict[str, Any]:
    """The app exchanges the code, with its verifier, for tokens."""
    tokens = browser.post(
        discovery["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": data["code"],
            "redirect_uri": data["redirect_uri"],
            "client_id": settings["client_id"],
            "code_verifier": data["code_verifier"],
        },
        timeout=10,
    )
    assert tokens.status_code == 200, tokens.text
    assert tokens.headers["Cache-Control"] == "no-store"
    first = dict(tokens.json())
    assert first["token_type"] == "Bearer" and first["expires_in"] > 0
    return first


def _refresh(browser: requests.Session, discovery: dict[str, Any], refresh_token: str) -> requests.Response:
    return browser.post(
        discovery["token_endpoint"],
        data={"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": "worklog-local"},
        timeout=10,
    )


def _me(browser: requests.Session, runtime: Runtime, id_token: str) -> requests.Response:
    """The API takes the id token as the bearer."""
    return browser.get(f"{runtime.url}/me", headers={"Authorization": f"Bearer {id_token}"}, timeout=30)


def _sign_out(
    browser: requests.Session,
    runtime: Runtime,
    settings: dict[str, Any],
    discovery: dict[str, Any],
    id_token: str,
) -> None:
    """Sign-out ends the session and comes back to the app."""
    home = runtime.url + settings["post_logout_path"]
    signed_out = browser.get(
        discovery["end_session_endpoint"],
        params={"id_token_hint": id_token, "post_logout_redirect_uri": home, "state": "bye"},
        allow_redirects=False,
        timeout=10,
    )
    assert signed_out.status_code == 302
    assert signed_out.headers["Location"] == f"{home}?state=bye"


def test_a_full_sign_in_refresh_and_sign_out(
    runtime: Runtime, settings: dict[str, Any], discovery: dict[str, Any]
):
    assert discovery["issuer"] == settings["authority"]
    redirect_uri = runtime.url + settings["redirect_path"]
    verifier, challenge = _pkce_pair()
    state, nonce = secrets.token_hex(16), secrets.token_hex(16)
    browser = requests.Session()

    form = _open_the_sign_in_page(
        browser,
        settings,
        discovery,
        redirect_uri=redirect_uri,
        state=state,
        code_challenge=challenge,
        nonce=nonce,
    )
    cadre_id = form.accounts[0]
    code = _pick_the_account(browser, runtime, form, cadre_id, redirect_uri, state)
    first = _exchange_the_code(
        browser, settings, discovery, code=code, redirect_uri=redirect_uri, code_verifier=verifier
    )
    me = _me(browser, runtime, first["id_token"])
    assert me.status_code == 200, me.text
    assert me.json()["cadre_id"] == cadre_id

    # A refresh gives new tokens that work; the refresh token used is spent.
    renewed = _refresh(browser, discovery, first["refresh_token"])
    assert renewed.status_code == 200, renewed.text
    second = renewed.json()
    me_again = _me(browser, runtime, second["id_token"])
    assert me_again.status_code == 200 and me_again.json()["cadre_id"] == cadre_id
    replay = _refresh(browser, discovery, first["refresh_token"])
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"

    _sign_out(browser, runtime, settings, discovery, second["id_token"])
    after = _refresh(browser, discovery, second["refresh_token"])
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
