"""Bearer-token verification: OIDC-style JWTs (RS256/ES256) against the configured JWKS.

The JWKS URL may be https:// (Cognito or any OIDC provider; fetched and cached by PyJWKClient) or
file:// (the local runtime's issuer writes its key set to a file; read without any socket).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import jwt

from worklog.errors import ServiceUnavailable, Unauthenticated
from worklog.messages import MSG
from worklog.settings import Settings

ALGORITHMS = ["RS256", "ES256"]


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
            with self._lock:
                signing_key = self._keys.get_signing_key_from_jwt(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                signing_key.key,
                algorithms=ALGORITHMS,
                audience=self.audience or None,
                issuer=self.issuer or None,
                options={"require": ["exp", "iat", "iss"], "verify_aud": bool(self.audience)},
                leeway=30,
            )
        except jwt.PyJWKClientConnectionError as err:
            # The issuer's key set could not be fetched: an outage, not a bad token.
            raise ServiceUnavailable(MSG["auth_unavailable"], code="auth_unavailable") from err
        except jwt.ExpiredSignatureError as err:
            raise Unauthenticated(MSG["token_expired"], code="token_expired") from err
        except (jwt.PyJWTError, ValueError) as err:
            raise Unauthenticated(MSG["invalid_token"], code="invalid_token") from err
        subject = claims.get(self.subject_claim)
        if not isinstance(subject, str) or not subject:
            raise Unauthenticated(MSG["invalid_token"], code="invalid_token")
        return subject


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

    def get_signing_key_from_jwt(self, token: str) -> jwt.PyJWK:
        kid = jwt.get_unverified_header(token).get("kid")
        mtime = self.path.stat().st_mtime
        if self._set is None or mtime != self._mtime:
            self._set, self._mtime = jwt.PyJWKSet.from_json(self.path.read_text("utf-8")), mtime
        for key in self._set.keys:
            if key.key_id == kid:
                return key
        raise jwt.PyJWKClientError(f"no key {kid!r} in the key set")


def _key_source(url: str) -> Any:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return _FileKeys(Path(unquote(parsed.path)))
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=3600, timeout=5)
