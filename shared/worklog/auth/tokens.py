"""Bearer-token verification: OIDC-style JWTs against the configured JWKS.

The JWKS URL may be https:// (Cognito or any OIDC provider; fetched and cached, worklog.auth.jwks)
or file:// (the local runtime's issuer writes its key set to a file; read without any socket).
Tokens are verified by our own compact-JWS verifier on cryptography's primitives
(worklog.auth.jose), not a general JWT library.

The expected audience is ``TOKEN_AUDIENCE``, or, when that is empty and
``TOKEN_AUDIENCE_PARAMETER`` names one, the value of that SSM parameter, read once per container.
The deployed stack needs the parameter: the Cognito app client's callback URL is on the CloudFront
distribution, which fronts these very functions, so the client id cannot be in their environment
without a dependency cycle (docs/decisions.md). A parameter that cannot be read is an outage (503),
never an audience check silently skipped.

Each key is pinned to the one algorithm its type allows (an RSA key verifies RS256 only, an EC
P-256 key ES256 only) and a token is verified with its key's algorithm alone: a header naming any
other algorithm is refused before any signature is checked. ``exp``, ``iat`` and ``iss`` are
required, ``nbf`` honoured, with 30 seconds of leeway, against the real time (the issuers sign with
it; the runtime's movable clock is for the business dates). Whatever goes wrong with a token — its
header, its segments, its signature, its claims — is a 401 (``token_expired`` when it is only too
old, ``invalid_token`` otherwise); only an outage fetching the issuer's key set is a 503.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from worklog import aws
from worklog.auth import jose
from worklog.auth.jwks import KeySetUnavailable, key_source
from worklog.errors import ServiceUnavailable, Unauthenticated
from worklog.messages import MSG
from worklog.settings import Settings, get_settings

LEEWAY_SECONDS = 30


def _ssm_parameter(name: str) -> str:
    value: str = aws.client("ssm").get_parameter(Name=name)["Parameter"]["Value"]
    return value


class TokenVerifier:
    def __init__(
        self,
        settings: Settings,
        *,
        read_parameter: Callable[[str], str] = _ssm_parameter,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.issuer = settings.token_issuer
        self.audience = settings.token_audience
        self._audience_parameter = "" if self.audience else settings.token_audience_parameter
        self._read_parameter = read_parameter
        self._now = now
        self.subject_claim = settings.subject_claim
        self._keys = key_source(settings.jwks_url)
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
        except jose.TokenExpired as err:
            raise Unauthenticated(MSG["token_expired"], code="token_expired") from err
        except Exception as err:
            # jose.InvalidToken, and whatever else a forged or mangled token might still provoke:
            # the client's token is invalid, never a server error.
            raise Unauthenticated(MSG["invalid_token"], code="invalid_token") from err
        subject = claims.get(self.subject_claim)
        if not isinstance(subject, str) or not subject:
            raise Unauthenticated(MSG["invalid_token"], code="invalid_token")
        return subject

    def _claims(self, token: str) -> dict[str, Any]:
        parsed = jose.parse_compact(token)
        kid = parsed.header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise jose.InvalidToken("the token names no key")
        audience = self._expected_audience()
        try:
            key = self._keys.key(kid)
        except KeySetUnavailable as err:
            # The issuer's key set could not be fetched or read: an outage, not a bad token.
            raise ServiceUnavailable(MSG["auth_unavailable"], code="auth_unavailable") from err
        if key is None:
            raise jose.InvalidToken(f"no usable key {kid!r} in the issuer's key set")
        return jose.verified_claims(
            parsed, key, now=self._now(), issuer=self.issuer, audience=audience, leeway=LEEWAY_SECONDS
        )


def _bearer(authorization: str | None) -> str:
    if not authorization:
        raise Unauthenticated(MSG["missing_token"], code="missing_token")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(MSG["missing_token"], code="missing_token")
    return token.strip()


@lru_cache(maxsize=1)
def _verifier() -> TokenVerifier:
    return TokenVerifier(get_settings())


def subject(authorization: str | None) -> str:
    """The subject of a valid bearer token in ``authorization`` (the container's verifier, built on
    first use from the settings); 401 for a missing, invalid or expired one."""
    return _verifier().subject(authorization)
