"""Bearer-token verification: OIDC-style JWTs against the configured JWKS.

The JWKS URL may be https:// (Cognito or any OIDC provider; fetched and cached by PyJWKClient) or
file:// (the local runtime's issuer writes its key set to a file; read without any socket).

The expected audience is ``TOKEN_AUDIENCE``, or, when that is empty and
``TOKEN_AUDIENCE_PARAMETER`` names one, the value of that SSM parameter, read once per container.
The deployed stack needs the parameter: the Cognito app client's callback URL is on the CloudFront
distribution, which fronts these very functions, so the client id cannot be in their environment
without a dependency cycle (docs/decisions.md). A parameter that cannot be read is an outage (503),
never an audience check silently skipped.

Each key is pinned to the one algorithm its type allows (an RSA key verifies RS256 only, an EC
P-256 key ES256 only) and a token is verified with its key's algorithm alone: a header naming any
other algorithm is refused before PyJWT sees the key. Whatever goes wrong with a token — its
header, its segments, its signature, its claims — is a 401; only an outage fetching the issuer's
key set is a 503.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from worklog import aws
from worklog.errors import ServiceUnavailable, Unauthenticated
from worklog.messages import MSG
from worklog.settings import Settings, get_settings

RS256 = "RS256"
ES256 = "ES256"


class _KeySource(Protocol):
    def get_signing_key(self, kid: str) -> jwt.PyJWK: ...


class _Refused(Exception):
    """A token this verifier will not check further (its header or its key does not fit)."""


def _ssm_parameter(name: str) -> str:
    value: str = aws.client("ssm").get_parameter(Name=name)["Parameter"]["Value"]
    return value


class TokenVerifier:
    def __init__(self, settings: Settings, *, read_parameter: Callable[[str], str] = _ssm_parameter) -> None:
        self.issuer = settings.token_issuer
        self.audience = settings.token_audience
        self._audience_parameter = "" if self.audience else settings.token_audience_parameter
        self._read_parameter = read_parameter
        self.subject_claim = settings.subject_claim
        self._keys = _key_source(settings.jwks_url)
        self._lock = threading.Lock()

    def _expected_audience(self) -> str:
        """The audience tokens must name ("" when none is configured at all)."""
        if self.audience or not self._audience_parameter:
            return self.audience
        with self._lock:
            if not self.audience:
                try:
                    value = self._read_parameter(self._audience_parameter).strip()
                except Exception as err:  # throttling, a missing parameter or grant: not the token's fault
                    raise ServiceUnavailable(MSG["auth_unavailable"], code="auth_unavailable") from err
                if not value:
                    raise ServiceUnavailable(MSG["auth_unavailable"], code="auth_unavailable")
                self.audience = value
            return self.audience

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
        audience = self._expected_audience()
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
            audience=audience or None,
            issuer=self.issuer or None,
            options={"require": ["exp", "iat", "iss"], "verify_aud": bool(audience)},
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


@lru_cache(maxsize=1)
def _verifier() -> TokenVerifier:
    return TokenVerifier(get_settings())


def subject(authorization: str | None) -> str:
    """The subject of a valid bearer token in ``authorization`` (the container's verifier, built on
    first use from the settings); 401 for a missing, invalid or expired one."""
    return _verifier().subject(authorization)
