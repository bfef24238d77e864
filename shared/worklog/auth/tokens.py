"""Bearer-token verification: OIDC-style JWTs against the configured JWKS.

The JWKS URL may be https:// (Cognito or any OIDC provider; fetched and cached by PyJWKClient) or
file:// (the local runtime's issuer writes its key set to a file; read without any socket).

Each key is pinned to the one algorithm its type allows (an RSA key verifies RS256 only, an EC
P-256 key ES256 only) and a token is verified with its key's algorithm alone: a header naming any
other algorithm is refused before PyJWT sees the key. Whatever goes wrong with a token — its
header, its segments, its signature, its claims — is a 401; only an outage fetching the issuer's
key set is a 503.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from worklog.errors import ServiceUnavailable, Unauthenticated
from worklog.messages import MSG
from worklog.settings import Settings

RS256 = "RS256"
ES256 = "ES256"


class _KeySource(Protocol):
    def get_signing_key(self, kid: str) -> jwt.PyJWK: ...


class _Refused(Exception):
    """A token this verifier will not check further (its header or its key does not fit)."""


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self.issuer = settings.token_issuer
        self.audience = settings.token_audience
        self.subject_claim = settings.subject_claim
        self._keys = _key_source(settings.jwks_url)
        self._lock = threading.Lock()

    def subject(self, authorization: str | None) -> str:
        """The roster subject named by a valid ``Authorization: Bearer`` header, else 401."""
        token = _bearer(authorization)
        try:
            claims = self._claims(token)
        except ServiceUnavailable:
            raise
        except jwt.ExpiredSignatureError as err:
            raise Unauthenticated(MSG["token_expired"], code="token_expired") from err
        except Exception as err:
            # Anything a forged or mangled token can make PyJWT raise (TypeError, KeyError,
            # binascii.Error, ...) is the client's token being invalid, never a server error.
            raise Unauthenticated(MSG["invalid_token"], code="invalid_token") from err
        subject = claims.get(self.subject_claim)
        if not isinstance(subject, str) or not subject:
            raise Unauthenticated(MSG["invalid_token"], code="invalid_token")
        return subject

    def _claims(self, token: str) -> dict[str, Any]:
        header = jwt.get_unverified_header(token)
        kid, alg = header.get("kid"), header.get("alg")
        if not isinstance(kid, str) or not kid:
            raise _Refused("the token names no key")
        key = self._signing_key(kid)
        pinned = pinned_algorithm(key)
        if pinned is None:
            raise _Refused(f"key {kid!r} is of no type this service accepts")
        if alg != pinned:
            raise _Refused(f"key {kid!r} verifies {pinned} only, the token names {alg!r}")
        claims: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=[pinned],
            audience=self.audience or None,
            issuer=self.issuer or None,
            options={"require": ["exp", "iat", "iss"], "verify_aud": bool(self.audience)},
            leeway=30,
        )
        return claims

    def _signing_key(self, kid: str) -> jwt.PyJWK:
        try:
            with self._lock:
                return self._keys.get_signing_key(kid)
        except (jwt.PyJWKClientConnectionError, jwt.PyJWKSetError, OSError) as err:
            # The issuer's key set could not be fetched or read: an outage, not a bad token.
            raise ServiceUnavailable(MSG["auth_unavailable"], code="auth_unavailable") from err


def pinned_algorithm(key: jwt.PyJWK) -> str | None:
    """The one algorithm ``key`` may verify, from the key material and the JWK's own ``alg``.

    The key object decides (an RSA public key → RS256, an EC public key on P-256 → ES256); a JWK
    whose ``alg`` (given or inferred by PyJWT from kty/crv) says otherwise is unusable, as is any
    other key type (symmetric, OKP, other curves, private keys).
    """
    material = key.key
    if isinstance(material, rsa.RSAPublicKey):
        pinned = RS256
    elif isinstance(material, ec.EllipticCurvePublicKey) and isinstance(material.curve, ec.SECP256R1):
        pinned = ES256
    else:
        return None
    return pinned if key.algorithm_name == pinned else None


def _bearer(authorization: str | None) -> str:
    if not authorization:
        raise Unauthenticated(MSG["missing_token"], code="missing_token")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(MSG["missing_token"], code="missing_token")
    return token.strip()


class _FileKeys:
    """A JWKS kept in a local file (re-read when the file changes)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._mtime = -1.0
        self._set: jwt.PyJWKSet | None = None

    def get_signing_key(self, kid: str) -> jwt.PyJWK:
        mtime = self.path.stat().st_mtime
        if self._set is None or mtime != self._mtime:
            text = self.path.read_text("utf-8")
            try:
                self._set, self._mtime = jwt.PyJWKSet.from_json(text), mtime
            except Exception as err:  # the issuer wrote a broken key set: nothing a token did
                raise jwt.PyJWKSetError(f"{self.path} holds no usable key set") from err
        for key in self._set.keys:
            if key.key_id == kid:
                return key
        raise jwt.PyJWKClientError(f"no key {kid!r} in the key set")


def _key_source(url: str) -> _KeySource:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return _FileKeys(Path(unquote(parsed.path)))
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=3600, timeout=5)
