"""Tokens built by hand for the verifier's tests (test_jose.py, test_jwks.py): genuine and forged."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from worklog.auth.tokens import TokenVerifier
from worklog.errors import Unauthenticated

ISSUER = "https://issuer.example"
AUDIENCE = "worklog-app"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
# The order of P-256's base point: r and s of a signature lie in [1, P256_N).
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
DROP = object()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def uint(value: int) -> str:
    return b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def rsa_jwk(key: rsa.RSAPublicKey) -> dict[str, Any]:
    numbers = key.public_numbers()
    return {"kty": "RSA", "n": uint(numbers.n), "e": uint(numbers.e)}


def ec_jwk(key: ec.EllipticCurvePublicKey) -> dict[str, Any]:
    numbers = key.public_numbers()
    size = (key.curve.key_size + 7) // 8
    return {
        "kty": "EC",
        "crv": {256: "P-256", 384: "P-384", 521: "P-521"}[key.curve.key_size],
        "x": b64(numbers.x.to_bytes(size, "big")),
        "y": b64(numbers.y.to_bytes(size, "big")),
    }


def rs256(data: bytes) -> bytes:
    return RSA_KEY.sign(data, padding.PKCS1v15(), hashes.SHA256())


def es256_pair(data: bytes) -> tuple[int, int]:
    r, s = decode_dss_signature(EC_KEY.sign(data, ec.ECDSA(hashes.SHA256())))
    return r, s


def raw(r: int, s: int, size: int = 32) -> bytes:
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def es256(data: bytes) -> bytes:
    return raw(*es256_pair(data))


def claims(**overrides: object) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {"iss": ISSUER, "aud": AUDIENCE, "sub": "c0001", "iat": now, "exp": now + 600}
    base.update(overrides)
    return {name: value for name, value in base.items() if value is not DROP}


def encoded(part: dict[str, Any] | list[Any] | bytes) -> str:
    return b64(part if isinstance(part, bytes) else json.dumps(part).encode("utf-8"))


def compact(
    header: dict[str, Any] | bytes,
    payload: dict[str, Any] | list[Any] | bytes,
    sign: Callable[[bytes], bytes],
) -> str:
    signing_input = f"{encoded(header)}.{encoded(payload)}"
    return f"{signing_input}.{b64(sign(signing_input.encode('ascii')))}"


def rs_token(payload: dict[str, Any] | list[Any] | bytes | None = None, **header: object) -> str:
    return compact({"alg": "RS256", "kid": "rsa", **header}, claims() if payload is None else payload, rs256)


def es_token(payload: dict[str, Any] | None = None, **header: object) -> str:
    return compact({"alg": "ES256", "kid": "ec", **header}, claims() if payload is None else payload, es256)


def answer(verifier: TokenVerifier, token: str) -> str:
    """The subject a token names, or the code of the 401 it gets."""
    try:
        return verifier.subject(f"Bearer {token}")
    except Unauthenticated as refused:
        return refused.code
