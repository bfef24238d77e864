"""Token verification pins each key to one algorithm; only a key-set outage is not the token's fault."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.error import URLError

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

from worklog.auth.jose import pinned_algorithm
from worklog.auth.tokens import TokenVerifier
from worklog.errors import ServiceUnavailable, Unauthenticated
from worklog.settings import Settings

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_JWK: dict[str, Any] = RSAAlgorithm.to_jwk(RSA_KEY.public_key(), as_dict=True)


def ec_jwk(curve: ec.EllipticCurve) -> dict[str, Any]:
    return ECAlgorithm.to_jwk(ec.generate_private_key(curve).public_key(), as_dict=True)


@pytest.mark.parametrize(
    ("jwk", "pinned"),
    [
        (RSA_JWK, "RS256"),
        ({**RSA_JWK, "alg": "RS256"}, "RS256"),
        ({**RSA_JWK, "alg": "RS512"}, None),
        ({**RSA_JWK, "alg": "PS256"}, None),
        (ec_jwk(ec.SECP256R1()), "ES256"),
        ({**ec_jwk(ec.SECP256R1()), "alg": "ES256"}, "ES256"),
        (ec_jwk(ec.SECP384R1()), None),
        (ec_jwk(ec.SECP521R1()), None),
        (OKPAlgorithm.to_jwk(ed25519.Ed25519PrivateKey.generate().public_key(), as_dict=True), None),
        ({"kty": "oct", "k": "c2VjcmV0"}, None),
        (RSAAlgorithm.to_jwk(RSA_KEY, as_dict=True), None),  # a private key is never a verifying key
    ],
)
def test_a_key_verifies_only_the_algorithm_its_type_allows(jwk: dict[str, Any], pinned: str | None) -> None:
    assert pinned_algorithm(jwk) == pinned


def _token() -> str:
    now = int(time.time())
    claims = {"iss": "https://issuer.example", "sub": "c0001", "iat": now, "exp": now + 600}
    return jwt.encode(claims, RSA_KEY, algorithm="RS256", headers={"kid": "k1"})


def _verifier(jwks_url: str) -> TokenVerifier:
    # Every token setting given, so nothing in the environment of the test run leaks in.
    settings = Settings(
        JWKS_URL=jwks_url, TOKEN_ISSUER="https://issuer.example", TOKEN_AUDIENCE="", TOKEN_SUBJECT_CLAIM="sub"
    )
    return TokenVerifier(settings)


def test_an_issuer_whose_key_set_cannot_be_fetched_is_503_auth_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def outage(self: urllib.request.OpenerDirector, *args: object, **kwargs: object) -> None:
        raise URLError("connection refused")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", outage)
    with pytest.raises(ServiceUnavailable) as raised:
        _verifier("https://issuer.example/.well-known/jwks.json").subject(f"Bearer {_token()}")
    assert raised.value.code == "auth_unavailable"


def test_a_local_key_set_that_is_not_json_is_503_auth_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "jwks.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ServiceUnavailable):
        _verifier(path.as_uri()).subject(f"Bearer {_token()}")


def _local_key_set(tmp_path: Path) -> str:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [{**RSA_JWK, "kid": "k1", "use": "sig"}]}), encoding="utf-8")
    return path.as_uri()


def test_a_token_by_the_pinned_algorithm_names_its_subject(tmp_path: Path) -> None:
    assert _verifier(_local_key_set(tmp_path)).subject(f"Bearer {_token()}") == "c0001"


@pytest.mark.parametrize("alg", ["ES256", "ES384", "ES512"])
def test_a_token_naming_an_algorithm_other_than_its_keys_is_401_invalid_token(
    tmp_path: Path, alg: str
) -> None:
    curve = {"ES256": ec.SECP256R1(), "ES384": ec.SECP384R1(), "ES512": ec.SECP521R1()}[alg]
    now = int(time.time())
    claims = {"iss": "https://issuer.example", "sub": "c0001", "iat": now, "exp": now + 600}
    token = jwt.encode(claims, ec.generate_private_key(curve), algorithm=alg, headers={"kid": "k1"})
    with pytest.raises(Unauthenticated) as raised:
        _verifier(_local_key_set(tmp_path)).subject(f"Bearer {token}")
    assert raised.value.code == "invalid_token"


# --------------------------------------------------------------------------- audience from a parameter


def _token_for(audience: str) -> str:
    now = int(time.time())
    claims = {"iss": "https://issuer.example", "sub": "c0001", "aud": audience, "iat": now, "exp": now + 600}
    return jwt.encode(claims, RSA_KEY, algorithm="RS256", headers={"kid": "k1"})


def _verifier_reading(jwks_url: str, read_parameter: Any) -> TokenVerifier:
    settings = Settings(
        JWKS_URL=jwks_url,
        TOKEN_ISSUER="https://issuer.example",
        TOKEN_AUDIENCE="",
        TOKEN_AUDIENCE_PARAMETER="/worklog/stack/app-client-id",
        TOKEN_SUBJECT_CLAIM="sub",
    )
    return TokenVerifier(settings, read_parameter=read_parameter)


def test_the_audience_named_by_a_parameter_is_read_once_and_enforced(tmp_path: Path) -> None:
    # Given a verifier whose audience lives in a parameter (the deployed Cognito app client id)
    reads: list[str] = []

    def read(name: str) -> str:
        reads.append(name)
        return "client-123"

    verifier = _verifier_reading(_local_key_set(tmp_path), read)
    # When tokens for that client arrive, they name their subject
    assert verifier.subject(f"Bearer {_token_for('client-123')}") == "c0001"
    assert verifier.subject(f"Bearer {_token_for('client-123')}") == "c0001"
    # And a token minted for another client is refused
    with pytest.raises(Unauthenticated) as raised:
        verifier.subject(f"Bearer {_token_for('another-client')}")
    assert raised.value.code == "invalid_token"
    # Then the parameter was read once, by its name
    assert reads == ["/worklog/stack/app-client-id"]


def test_a_given_audience_wins_over_the_parameter(tmp_path: Path) -> None:
    def read(name: str) -> str:
        raise AssertionError("the parameter must not be read when TOKEN_AUDIENCE is set")

    settings = Settings(
        JWKS_URL=_local_key_set(tmp_path),
        TOKEN_ISSUER="https://issuer.example",
        TOKEN_AUDIENCE="worklog-app",
        TOKEN_AUDIENCE_PARAMETER="/worklog/stack/app-client-id",
        TOKEN_SUBJECT_CLAIM="sub",
    )

    verifier = TokenVerifier(settings, read_parameter=read)

    assert verifier.subject(f"Bearer {_token_for('worklog-app')}") == "c0001"


@pytest.mark.parametrize("failure", [RuntimeError("ParameterNotFound"), None])
def test_an_audience_parameter_that_cannot_be_read_is_503_never_an_unchecked_audience(
    tmp_path: Path, failure: Exception | None
) -> None:
    # Given a parameter that is missing (or, impossibly, empty)
    def read(name: str) -> str:
        if failure is not None:
            raise failure
        return " "

    verifier = _verifier_reading(_local_key_set(tmp_path), read)
    # When a token for any audience arrives, Then it is an outage, not an accepted token
    with pytest.raises(ServiceUnavailable) as raised:
        verifier.subject(f"Bearer {_token_for('whatever')}")
    assert raised.value.code == "auth_unavailable"
