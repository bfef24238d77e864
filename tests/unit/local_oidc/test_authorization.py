"""The local issuer's authorization request and sign-out: a code only for someone on the roster, back
to the redirect URI with the state; the runtime never redirects a browser to an address that is not
its own; every problem of a bad request named at once."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from infra.local.issuer import LocalIssuer
from infra.local.oidc import CodeFlow, InvalidAuthorization
from tests.unit.local_oidc.support import (
    ORIGIN,
    PORT,
    REDIRECT,
    Clock,
    api_subject,
    auth_params,
    exchange,
    new_verifier,
    refresh,
    refused,
    sign_in,
)
from worklog.errors import Unauthenticated

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
