"""The local token issuer: RS256 JWTs for demo accounts, verified by the real handlers.

One RSA key is generated on first use and kept in ``.local/issuer-key.pem`` (gitignored) so tokens
survive restarts; its public half is written as a JWKS to ``.local/jwks.json``. The handlers get
``JWKS_URL=file://…/jwks.json`` and read the key set from the file (worklog.auth.tokens), so no
socket is needed (worklog.auth.jwks). PyJWT signs here; the handlers verify with worklog.auth.jose.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

REPO_ROOT = Path(__file__).resolve().parents[2]
# Where the key, the JWKS and the CLI environment file live; tests point it elsewhere.
STATE_DIR = Path(os.environ.get("WORKLOG_STATE_DIR") or REPO_ROOT / ".local")
AUDIENCE = "worklog-local"
DEFAULT_TTL_SECONDS = 8 * 3600


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _write_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _load_or_create_key(path: Path) -> rsa.RSAPrivateKey:
    """The issuer key; created once. Two runtimes starting together agree on one key file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
            # link() fails if another process created the key first: keep theirs.
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, rsa.RSAPrivateKey):
        raise ValueError(f"{path} does not hold an RSA private key; delete it to get a new one")
    return loaded


def _thumbprint(public_jwk: dict[str, Any]) -> str:
    """RFC 7638 JWK thumbprint: a kid that is stable for the key."""
    required = {k: public_jwk[k] for k in ("e", "kty", "n")}
    canonical = json.dumps(required, separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode("ascii")).digest())


class LocalIssuer:
    """Signs tokens as ``http://127.0.0.1:<port>/_local`` for the audience ``worklog-local``."""

    def __init__(self, port: int, state_dir: Path = STATE_DIR, audience: str = AUDIENCE) -> None:
        self.port = port
        self.issuer = f"http://127.0.0.1:{port}/_local"
        self.audience = audience
        self.key_path = state_dir / "issuer-key.pem"
        self.jwks_path = state_dir / "jwks.json"
        self._key = _load_or_create_key(self.key_path)
        public_jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        self.kid = _thumbprint(public_jwk)
        self.jwks = {"keys": [{**public_jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}
        _write_atomically(self.jwks_path, json.dumps(self.jwks, indent=2).encode("utf-8"))

    @property
    def jwks_url(self) -> str:
        return self.jwks_path.resolve().as_uri()

    def issue(
        self,
        cadre_id: str,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        *,
        claims: dict[str, Any] | None = None,
        now: int | None = None,
    ) -> str:
        """A signed token for ``cadre_id``; ``claims`` adds to (never replaces) the registered ones."""
        # iat/exp use real time, not the runtime's movable clock: the handlers verify them against
        # real time, so a token minted "in the future" would be rejected as not yet valid.
        issued = int(time.time()) if now is None else now
        registered = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": cadre_id,
            "iat": issued,
            "exp": issued + ttl_seconds,
        }
        payload = {**(claims or {}), **registered}
        return jwt.encode(payload, self._key, algorithm="RS256", headers={"kid": self.kid})

    def verify(self, token: str, *, verify_exp: bool = True) -> dict[str, Any]:
        """The claims of a token this issuer signed (jwt.InvalidTokenError otherwise). An expired
        token passes with ``verify_exp=False``: a sign-out may name the session by an old id token."""
        claims: dict[str, Any] = jwt.decode(
            token,
            self._key.public_key(),
            algorithms=["RS256"],
            audience=self.audience,
            issuer=self.issuer,
            options={"verify_exp": verify_exp, "require": ["iss", "aud", "sub", "iat", "exp"]},
        )
        return claims
