"""The local issuer over HTTP: the sign-in pages (no script, nothing from elsewhere, what the request
carries escaped), the token endpoint's JSON never cached, discovery, the key set, and sign-out."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from infra.local.issuer import LocalIssuer
from infra.local.oidc import CodeFlow, SignInEndpoints
from infra.local.security import APP_CSP
from tests.unit.local_oidc.support import (
    ACCOUNTS,
    FORM,
    ORIGIN,
    REDIRECT,
    auth_params,
    code_exchange,
    new_verifier,
    parse_page,
    sign_in,
)

# --- over HTTP ----------------------------------------------------------------------------------


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
    form = code_exchange(code, verifier)

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
