"""The local issuer's authorization code flow with PKCE: the protocol, without HTTP.

What is implemented is what the app uses, strictly: one public client (``worklog-local``, no secret,
token endpoint auth ``none``), ``response_type=code`` answered in the query, PKCE with S256 only
(RFC 7636), scope ``openid``, refresh tokens rotated on every use (RFC 6749 §6, OAuth 2.0 Security
BCP), and RP-initiated logout. A request that is not right gets a 400 page saying why, never a
redirect: the runtime never sends a browser to an address it has not checked is its own.

``CodeFlow`` is the protocol: codes, sessions and refresh tokens in memory, with a clock that tests
move. HTTP is ``infra.local.oidc.endpoints``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt

from infra.local.issuer import LocalIssuer
from infra.local.oidc.pages import TEXT

CLIENT_ID = "worklog-local"  # the one client; also the tokens' audience, as with a Cognito app client
SCOPE = "openid"
CODE_TTL_SECONDS = 60
# Tokens of app sign-ins: short, so that the app's refresh path runs in everyday use and in tests.
DEFAULT_APP_TOKEN_TTL_SECONDS = 15 * 60
REFRESH_TTL_SECONDS = 12 * 3600  # one working day and then some
SPENT_CODE_MEMORY_SECONDS = 10 * 60  # how long a used code is remembered (a replay revokes its session)

_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")  # base64url of a SHA-256 digest, unpadded
_VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")  # RFC 7636 §4.1
_VISIBLE = re.compile(r"[\x20-\x7e]{1,512}")  # state and nonce: printable ASCII (RFC 6749 VSCHAR)
_CADRE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")


class InvalidAuthorization(Exception):
    """An authorization request the runtime will not act on; ``problems`` say why (in Chinese)."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


class OAuthError(Exception):
    """A token endpoint error as RFC 6749 §5.2 words it."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description


@dataclass(frozen=True)
class AuthorizationRequest:
    """A checked authorization request: what a code is bound to besides the person."""

    redirect_uri: str
    state: str
    code_challenge: str
    nonce: str | None = None
    response_mode: str | None = None

    def parameters(self) -> list[tuple[str, str]]:
        """The request's parameters as they travel on (hidden inputs, the link back to the page)."""
        out = [
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", self.redirect_uri),
            ("scope", SCOPE),
            ("state", self.state),
            ("code_challenge", self.code_challenge),
            ("code_challenge_method", "S256"),
        ]
        if self.nonce is not None:
            out.append(("nonce", self.nonce))
        if self.response_mode is not None:
            out.append(("response_mode", self.response_mode))
        return out


@dataclass(frozen=True)
class _Session:
    """One sign-in: its refresh tokens, and what every id token of it repeats."""

    sid: str
    cadre_id: str
    auth_time: int
    nonce: str | None


@dataclass(frozen=True)
class _Code:
    session: _Session
    redirect_uri: str
    code_challenge: str
    expires: float


@dataclass(frozen=True)
class _Refresh:
    session: _Session
    expires: float


def s256(verifier: str) -> str:
    """RFC 7636 §4.2: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))), unpadded."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def one_parameter(
    params: Mapping[str, Sequence[str]], name: str, duplicates: list[str] | None = None
) -> str | None:
    """A parameter given once (RFC 6749 §3.1: never more than once); an empty one counts as absent."""
    values = [v for v in params.get(name, ()) if v != ""]
    if len(values) > 1:
        if duplicates is not None:
            duplicates.append(name)
        return None
    return values[0] if values else None


class CodeFlow:
    """Codes, sessions and refresh tokens of the local issuer, in memory.

    ``is_cadre`` says whether an id is on the roster (asked when a code is granted and on every
    refresh); ``clock`` gives the time in seconds (``time.time``; tests move their own).
    """

    def __init__(
        self,
        issuer: LocalIssuer,
        *,
        is_cadre: Callable[[str], bool],
        token_ttl: int = DEFAULT_APP_TOKEN_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if token_ttl < 1:
            raise ValueError("token_ttl must be at least one second")
        self.issuer = issuer
        self.is_cadre = is_cadre
        self.token_ttl = token_ttl
        self.clock = clock
        # The runtime listens on 127.0.0.1 only; browsers also reach it as localhost.
        self.origins = (f"http://127.0.0.1:{issuer.port}", f"http://localhost:{issuer.port}")
        self._lock = threading.Lock()
        self._codes: dict[str, _Code] = {}
        self._spent: dict[str, tuple[str | None, float]] = {}  # used code → (its session, forget at)
        self._refresh: dict[str, _Refresh] = {}

    # --- discovery ------------------------------------------------------------------------------
    def discovery(self) -> dict[str, Any]:
        base = self.issuer.issuer
        return {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/oauth2/token",
            "jwks_uri": f"{base}/jwks.json",
            "end_session_endpoint": f"{base}/logout",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": [SCOPE],
            "token_endpoint_auth_methods_supported": ["none"],
            "claims_supported": ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "sid"],
        }

    # --- the authorization endpoint -------------------------------------------------------------
    def redirect_uri_allowed(self, uri: str) -> bool:
        """An absolute http URI on this runtime's own origin, with no fragment (RFC 6749 §3.1.2)."""
        if not uri or len(uri) > 2048 or any(ch <= " " or ch > "~" or ch == "\\" for ch in uri):
            return False
        if "#" in uri:
            return False
        try:
            parts = urlsplit(uri)
        except ValueError:
            return False
        origin = f"{parts.scheme}://{parts.netloc.lower()}"
        return origin in self.origins and parts.path.startswith("/")

    def parse_authorization(self, params: Mapping[str, Sequence[str]]) -> AuthorizationRequest:
        """The request checked in full; InvalidAuthorization lists everything that is wrong."""
        duplicates: list[str] = []
        get = {
            name: one_parameter(params, name, duplicates)
            for name in (
                "response_type",
                "client_id",
                "redirect_uri",
                "state",
                "code_challenge",
                "code_challenge_method",
                "scope",
                "nonce",
                "response_mode",
            )
        }
        problems = [TEXT["duplicate"].format(name=name) for name in duplicates]
        if get["response_type"] != "code" and "response_type" not in duplicates:
            problems.append(TEXT["response_type"])
        if get["client_id"] != CLIENT_ID and "client_id" not in duplicates:
            problems.append(TEXT["client_id"].format(client_id=CLIENT_ID))
        redirect_uri = get["redirect_uri"]
        if redirect_uri is None or not self.redirect_uri_allowed(redirect_uri):
            problems.append(TEXT["redirect_uri"].format(origins=" 或 ".join(f"{o}/…" for o in self.origins)))
        state = get["state"]
        if state is None or not _VISIBLE.fullmatch(state):
            problems.append(TEXT["state"])
        if get["code_challenge_method"] != "S256":
            problems.append(TEXT["code_challenge_method"])
        challenge = get["code_challenge"]
        if challenge is None or not _CHALLENGE.fullmatch(challenge):
            problems.append(TEXT["code_challenge"])
        if get["scope"] is None or set(get["scope"].split(" ")) != {SCOPE}:
            problems.append(TEXT["scope"])
        nonce = get["nonce"]
        if nonce is not None and not _VISIBLE.fullmatch(nonce):
            problems.append(TEXT["nonce"])
        mode = get["response_mode"]
        if mode is not None and mode != "query":
            problems.append(TEXT["response_mode"])
        if problems:
            raise InvalidAuthorization(problems)
        assert redirect_uri is not None and state is not None and challenge is not None
        return AuthorizationRequest(redirect_uri, state, challenge, nonce, mode)

    def grant(self, request: AuthorizationRequest, cadre_id: str | None) -> str:
        """A code for ``cadre_id``; returns where the browser goes next (the client, with the code)."""
        if not cadre_id:
            raise InvalidAuthorization([TEXT["no_cadre"]])
        if not _CADRE_ID.fullmatch(cadre_id) or not self.is_cadre(cadre_id):
            raise InvalidAuthorization([TEXT["unknown_cadre"].format(cadre_id=cadre_id)])
        now = self.clock()
        session = _Session(secrets.token_urlsafe(16), cadre_id, int(now), request.nonce)
        code = secrets.token_urlsafe(32)
        with self._lock:
            self._prune(now)
            self._codes[code] = _Code(
                session, request.redirect_uri, request.code_challenge, now + CODE_TTL_SECONDS
            )
        joiner = "&" if urlsplit(request.redirect_uri).query else "?"
        return request.redirect_uri + joiner + urlencode({"code": code, "state": request.state})

    # --- the token endpoint ---------------------------------------------------------------------
    def token(self, form: Mapping[str, Sequence[str]]) -> dict[str, Any]:
        """The token response for a form the client posted; OAuthError says what is wrong."""
        duplicates: list[str] = []
        names = ("grant_type", "code", "redirect_uri", "client_id", "code_verifier", "refresh_token", "scope")
        get = {name: one_parameter(form, name, duplicates) for name in names}
        if duplicates:
            raise OAuthError("invalid_request", f"{duplicates[0]} is given more than once")
        grant_type = get["grant_type"]
        if grant_type is None:
            raise OAuthError("invalid_request", "grant_type is required")
        if grant_type == "authorization_code":
            return self._exchange_code(get)
        if grant_type == "refresh_token":
            return self._refresh_tokens(get)
        raise OAuthError("unsupported_grant_type", "grant_type must be authorization_code or refresh_token")

    def _exchange_code(self, get: Mapping[str, str | None]) -> dict[str, Any]:
        missing = [n for n in ("code", "redirect_uri", "client_id", "code_verifier") if get[n] is None]
        if missing:
            raise OAuthError("invalid_request", f"{', '.join(missing)} required")
        code, redirect_uri, verifier = str(get["code"]), str(get["redirect_uri"]), str(get["code_verifier"])
        if get["client_id"] != CLIENT_ID:
            raise OAuthError("invalid_client", f"unknown client; this issuer has one: {CLIENT_ID}")
        if not _VERIFIER.fullmatch(verifier):
            raise OAuthError("invalid_request", "code_verifier must be 43 to 128 unreserved characters")
        now = self.clock()
        with self._lock:
            self._prune(now)
            # A code is presented once: whatever the outcome, it cannot be tried again.
            grant = self._codes.pop(code, None)
            if grant is None:
                spent = self._spent.get(code)
                if spent is not None:
                    # A replayed code: someone else may hold it; end what it started (RFC 6749 §4.1.2).
                    self._revoke(spent[0])
                    raise OAuthError("invalid_grant", "the code has already been used")
                raise OAuthError("invalid_grant", "unknown or expired code")
            self._spent[code] = (None, now + SPENT_CODE_MEMORY_SECONDS)
            if now >= grant.expires:
                raise OAuthError("invalid_grant", "the code has expired")
            if grant.redirect_uri != redirect_uri:
                raise OAuthError("invalid_grant", "redirect_uri differs from the authorization request's")
            if not hmac.compare_digest(s256(verifier), grant.code_challenge):
                raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")
            self._spent[code] = (grant.session.sid, now + SPENT_CODE_MEMORY_SECONDS)
            return self._tokens(grant.session, now)

    def _refresh_tokens(self, get: Mapping[str, str | None]) -> dict[str, Any]:
        missing = [n for n in ("refresh_token", "client_id") if get[n] is None]
        if missing:
            raise OAuthError("invalid_request", f"{', '.join(missing)} required")
        if get["client_id"] != CLIENT_ID:
            raise OAuthError("invalid_client", f"unknown client; this issuer has one: {CLIENT_ID}")
        scope = get["scope"]
        if scope is not None and set(scope.split(" ")) != {SCOPE}:
            raise OAuthError("invalid_scope", "the only scope is openid")
        now = self.clock()
        with self._lock:
            self._prune(now)
            # Rotation: the token presented is spent now; only the new one works from here on.
            held = self._refresh.pop(str(get["refresh_token"]), None)
            if held is None or now >= held.expires:
                raise OAuthError("invalid_grant", "unknown, used or expired refresh token")
        if not self.is_cadre(held.session.cadre_id):
            with self._lock:
                self._revoke(held.session.sid)
            raise OAuthError("invalid_grant", "the account is no longer on the roster")
        with self._lock:
            return self._tokens(held.session, now)

    def _tokens(self, session: _Session, now: float) -> dict[str, Any]:
        """Access and id tokens the API accepts, and a new refresh token (the caller holds the lock)."""
        issued = int(now)
        access = self.issuer.issue(
            session.cadre_id,
            self.token_ttl,
            now=issued,
            claims={"token_use": "access", "client_id": CLIENT_ID, "scope": SCOPE},
        )
        # auth_time and nonce repeat the sign-in's on every refresh (OIDC Core §12.2).
        id_claims: dict[str, Any] = {"token_use": "id", "auth_time": session.auth_time, "sid": session.sid}
        if session.nonce is not None:
            id_claims["nonce"] = session.nonce
        id_token = self.issuer.issue(session.cadre_id, self.token_ttl, now=issued, claims=id_claims)
        refresh = secrets.token_urlsafe(32)
        self._refresh[refresh] = _Refresh(session, now + REFRESH_TTL_SECONDS)
        return {
            "access_token": access,
            "id_token": id_token,
            "refresh_token": refresh,
            "token_type": "Bearer",
            "expires_in": self.token_ttl,
            "scope": SCOPE,
        }

    # --- sign-out -------------------------------------------------------------------------------
    def end_session(self, params: Mapping[str, Sequence[str]]) -> str | None:
        """Forget the session the id token hint names; the address to send the browser back to when
        it is this runtime's own, else None (the caller shows a page instead)."""
        hint = one_parameter(params, "id_token_hint")
        if hint is not None:
            try:
                claims = self.issuer.verify(hint, verify_exp=False)
            except jwt.InvalidTokenError:
                claims = {}
            sid, sub = claims.get("sid"), claims.get("sub")
            if isinstance(sid, str) and isinstance(sub, str):
                with self._lock:
                    self._revoke(sid, cadre_id=sub)
        uri = one_parameter(params, "post_logout_redirect_uri")
        if uri is None or not self.redirect_uri_allowed(uri):
            return None
        state = one_parameter(params, "state")
        if state is None or not _VISIBLE.fullmatch(state):
            return uri
        joiner = "&" if urlsplit(uri).query else "?"
        return uri + joiner + urlencode({"state": state})

    def _revoke(self, sid: str | None, *, cadre_id: str | None = None) -> None:
        if sid is None:
            return
        for token, held in list(self._refresh.items()):
            if held.session.sid == sid and (cadre_id is None or held.session.cadre_id == cadre_id):
                del self._refresh[token]

    def _prune(self, now: float) -> None:
        for code in [c for c, g in self._codes.items() if now >= g.expires + SPENT_CODE_MEMORY_SECONDS]:
            del self._codes[code]
        for code in [c for c, (_, until) in self._spent.items() if now >= until]:
            del self._spent[code]
        for token in [t for t, r in self._refresh.items() if now >= r.expires]:
            del self._refresh[token]
