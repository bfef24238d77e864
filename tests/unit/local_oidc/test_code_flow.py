"""The local issuer speaks the authorization code flow with PKCE, as the app signs in with it.

A code is bound to the client, the redirect URI, the PKCE challenge, the nonce and the person; it
works once, within 60 seconds, with the verifier whose S256 digest is the challenge. Refresh tokens
rotate on use. The authorization request and sign-out: test_authorization.py; the endpoints over HTTP:
test_over_http.py.
"""

from __future__ import annotations

import re

import jwt
import pytest

from infra.local.issuer import LocalIssuer
from infra.local.oidc import CLIENT_ID, CodeFlow, InvalidAuthorization, s256
from tests.unit.local_oidc.support import (
    ORIGIN,
    REDIRECT,
    Clock,
    api_subject,
    auth_params,
    challenge_of,
    code_exchange,
    exchange,
    new_verifier,
    refresh,
    refused,
    sign_in,
    token_form,
)

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
    fields = code_exchange(code, verifier)
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
