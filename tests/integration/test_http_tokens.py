"""Bad input never gets a 5xx, tokens: a missing, expired, foreign, forged or mangled token is a 401
(docs/api.md's error contract), on every function that takes tokens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
from collections.abc import Callable

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from jwt.algorithms import ECAlgorithm

from infra.inprocess import InProcessStack
from tests.integration.http_contract_support import error


def test_no_token_is_401(stack: InProcessStack) -> None:
    resp = stack.call("entries", "GET", "/me")
    assert resp.status == 401 and error(resp)["code"] == "missing_token"


@pytest.mark.parametrize("claims", [{"exp": -10}, {"iss": "https://evil.example"}, {"aud": "other"}])
def test_expired_or_foreign_tokens_are_401(stack: InProcessStack, claims: dict[str, object]) -> None:
    now = int(time.time())
    base = {
        "iss": stack.issuer.issuer,
        "aud": stack.issuer.audience,
        "sub": "c0001",
        "iat": now,
        "exp": now + 600,
    }
    if "exp" in claims:
        base["exp"] = now - 3600
    else:
        base.update(claims)
    token = jwt.encode(base, stack.issuer._key, algorithm="RS256", headers={"kid": stack.issuer.kid})
    resp = stack.call("entries", "GET", "/me", headers={"authorization": f"Bearer {token}"})
    assert resp.status == 401


def test_a_token_signed_by_another_key_is_401(stack: InProcessStack) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    token = jwt.encode(
        {
            "iss": stack.issuer.issuer,
            "aud": stack.issuer.audience,
            "sub": "c0001",
            "iat": now,
            "exp": now + 600,
        },
        other,
        algorithm="RS256",
        headers={"kid": stack.issuer.kid},
    )
    assert stack.call("entries", "GET", "/me", headers={"authorization": f"Bearer {token}"}).status == 401


# --- forged tokens: every failure to verify a token is a 401, never a 5xx ---------------------------

# One authenticated route of each function that takes tokens (authentication runs before routing).
AUTHENTICATED = [
    ("entries", "/me"),
    ("reviews", "/reviews"),
    ("cases", "/cases"),
    ("admin", "/admin/roster/units"),
]
EC_KID = "ec-p256"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _claims(stack: InProcessStack) -> dict[str, object]:
    now = int(time.time())
    return {
        "iss": stack.issuer.issuer,
        "aud": stack.issuer.audience,
        "sub": "c0001",
        "iat": now,
        "exp": now + 600,
    }


def _compact(header: bytes, claims: dict[str, object], signature: bytes = b"x") -> str:
    return f"{_b64(header)}.{_b64(json.dumps(claims).encode())}.{_b64(signature)}"


@pytest.fixture
def ec_key(stack: InProcessStack) -> ec.EllipticCurvePrivateKey:
    """Given a second key in the issuer's key set: an EC P-256 key (kid ec-p256) beside the RSA key."""
    key = ec.generate_private_key(ec.SECP256R1())
    public = ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    jwks = {"keys": [*stack.issuer.jwks["keys"], {**public, "kid": EC_KID, "use": "sig", "alg": "ES256"}]}
    path = stack.issuer.jwks_path
    path.write_text(json.dumps(jwks), encoding="utf-8")
    later = path.stat().st_mtime_ns + 1_000_000_000  # the verifier re-reads a key set file that changed
    os.utime(path, ns=(later, later))
    return key


def _hmac_with_public_key(stack: InProcessStack) -> str:
    """HS256 keyed with the bytes of the RSA public key: the classic algorithm-confusion forgery."""
    pem = stack.issuer._key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": stack.issuer.kid}).encode())
    payload = _b64(json.dumps(_claims(stack)).encode())
    signature = hmac.new(pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def _signed(alg: str, key: object, kid: str | None) -> Callable[[InProcessStack], str]:
    def forge(stack: InProcessStack) -> str:
        signer = stack.issuer._key if key == "issuer" else key
        headers = {"kid": stack.issuer.kid if kid == "issuer" else kid} if kid else None
        return jwt.encode(_claims(stack), signer, algorithm=alg, headers=headers)  # type: ignore[arg-type]

    return forge


def _raw(header: bytes) -> Callable[[InProcessStack], str]:
    return lambda stack: _compact(header.replace(b"KID", stack.issuer.kid.encode()), _claims(stack))


SECRET = "s" * 64
FORGERIES: dict[str, Callable[[InProcessStack], str]] = {
    "HS256 with the real kid": _signed("HS256", SECRET, "issuer"),
    "HS384 with the real kid": _signed("HS384", SECRET, "issuer"),
    "HS512 with the real kid": _signed("HS512", SECRET, "issuer"),
    "HS256 keyed with the public key": _hmac_with_public_key,
    "alg none with the real kid": _raw(b'{"alg":"none","kid":"KID"}'),
    "PS256 by the real key": _signed("PS256", "issuer", "issuer"),
    "RS384 by the real key": _signed("RS384", "issuer", "issuer"),
    "RS512 by the real key": _signed("RS512", "issuer", "issuer"),
    "ES256 with the real kid": _signed("ES256", ec.generate_private_key(ec.SECP256R1()), "issuer"),
    "ES384 with the real kid": _signed("ES384", ec.generate_private_key(ec.SECP384R1()), "issuer"),
    "ES512 with the real kid": _signed("ES512", ec.generate_private_key(ec.SECP521R1()), "issuer"),
    "EdDSA with the real kid": _signed("EdDSA", ed25519.Ed25519PrivateKey.generate(), "issuer"),
    "RS256 by the real key with the EC key's kid": _signed("RS256", "issuer", EC_KID),
    "HS256 with the EC key's kid": _signed("HS256", SECRET, EC_KID),
    "RS256 by the real key without a kid": _signed("RS256", "issuer", None),
    "a kid that is not a string": _raw(b'{"alg":"RS256","kid":["KID"]}'),
    "no alg": _raw(b'{"kid":"KID"}'),
    "alg as a list": _raw(b'{"alg":["RS256"],"kid":"KID"}'),
    "a header that is not JSON": _raw(b"not json at all"),
    "a header that is a JSON list": _raw(b'["RS256","KID"]'),
    "a header that is a JSON string": _raw(b'"RS256"'),
    "a header that is not UTF-8": _raw(b'{"alg":"RS256","kid":"\xff"}'),
    "a header that is not base64": lambda stack: (
        "@@@." + _signed("RS256", "issuer", "issuer")(stack).split(".", 1)[1]
    ),
    "a payload that is not base64": lambda stack: (
        _signed("RS256", "issuer", "issuer")(stack).split(".")[0] + ".@@@.x"
    ),
    "a signature that is not base64": lambda stack: _signed("RS256", "issuer", "issuer")(stack) + "@@",
    "one segment": lambda stack: "abc",
    "four segments": lambda stack: _signed("RS256", "issuer", "issuer")(stack) + ".x",
}


@pytest.mark.parametrize(("function", "path"), AUTHENTICATED)
def test_a_forged_or_mangled_token_is_401_invalid_token_on_every_function(
    stack: InProcessStack, ec_key: object, function: str, path: str
) -> None:
    answers = {}
    for forgery, forge in FORGERIES.items():
        resp = stack.call(function, "GET", path, headers={"authorization": f"Bearer {forge(stack)}"})
        answers[forgery] = (resp.status, json.loads(resp.body).get("code"))
    assert answers == {forgery: (401, "invalid_token") for forgery in FORGERIES}


def test_an_es256_token_by_the_key_sets_ec_key_is_accepted(
    stack: InProcessStack, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    token = jwt.encode(_claims(stack), ec_key, algorithm="ES256", headers={"kid": EC_KID})
    resp = stack.call("entries", "GET", "/me", headers={"authorization": f"Bearer {token}"})
    assert resp.status == 200 and json.loads(resp.body)["cadre_id"] == "c0001"


def test_an_es256_token_by_the_ec_key_under_the_rsa_kid_is_401(
    stack: InProcessStack, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    token = jwt.encode(_claims(stack), ec_key, algorithm="ES256", headers={"kid": stack.issuer.kid})
    resp = stack.call("entries", "GET", "/me", headers={"authorization": f"Bearer {token}"})
    assert resp.status == 401 and error(resp)["code"] == "invalid_token"


def test_a_key_set_the_issuer_no_longer_serves_is_503_auth_unavailable(stack: InProcessStack) -> None:
    stack.issuer.jwks_path.unlink()
    resp = stack.call("entries", "GET", "/me", as_="c0001")
    assert resp.status == 503 and error(resp)["code"] == "auth_unavailable"


def test_unknown_subject_and_departed_cadre_are_401(stack: InProcessStack) -> None:
    assert error(stack.call("entries", "GET", "/me", as_="c9999"))["code"] == "unknown_subject"
    assert stack.call("entries", "GET", "/me", as_="c0004").status == 401
