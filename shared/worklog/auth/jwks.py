"""The issuer's key set (JWKS): fetched over https:// and cached, or read from a local file://.

Only keys this service can verify with are kept (worklog.auth.jose.verifying_key), by their
``kid``. A key set that cannot be fetched or read, is not JSON, or holds no usable key raises
:class:`KeySetUnavailable`: the issuer's outage (or a misconfiguration), never a token's fault.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlparse

from worklog.auth.jose import VerifyingKey, verifying_key

# A fetched key set is used for an hour (Cognito rotates keys far more slowly)...
CACHE_SECONDS = 3600.0
# ...and fetched again early when a token names a kid it lacks (the issuer may have rotated its keys
# since), but not more than once a minute, so a flood of tokens with made-up kids cannot make every
# container hammer the issuer.
REFETCH_SECONDS = 60.0
FETCH_TIMEOUT_SECONDS = 5.0
# A key set is a few kilobytes; anything much larger is not one.
MAX_KEY_SET_BYTES = 1 << 20


class KeySetUnavailable(Exception):
    """The issuer's key set could not be fetched, read or used."""


class KeySource(Protocol):
    def key(self, kid: str) -> VerifyingKey | None:
        """The usable key named ``kid`` (None: no such key), or KeySetUnavailable."""
        ...


def parse_key_set(document: bytes | str) -> dict[str, VerifyingKey]:
    """The usable keys of a JWKS document, by kid (the first of any kid that appears twice)."""
    try:
        parsed = json.loads(document)
    except (ValueError, RecursionError) as err:
        raise KeySetUnavailable("the key set is not JSON") from err
    entries = parsed.get("keys") if isinstance(parsed, dict) else None
    if not isinstance(entries, list):
        raise KeySetUnavailable("the key set has no list of keys")
    keys: dict[str, VerifyingKey] = {}
    for jwk in entries:
        kid = jwk.get("kid") if isinstance(jwk, dict) else None
        key = verifying_key(jwk)
        if isinstance(kid, str) and kid and key is not None:
            keys.setdefault(kid, key)
    if not keys:
        raise KeySetUnavailable("the key set holds no key this service can verify with")
    return keys


def fetch_https(url: str) -> bytes:
    """The body of ``url`` (urllib's default TLS context: the issuer's certificate is verified)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "worklog"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:
            body: bytes = response.read(MAX_KEY_SET_BYTES + 1)
    except (OSError, ValueError, http.client.HTTPException) as err:  # URLError, HTTPError, timeouts
        raise KeySetUnavailable(f"the key set at {url} could not be fetched") from err
    if len(body) > MAX_KEY_SET_BYTES:
        raise KeySetUnavailable(f"the key set at {url} is too large")
    return body


class RemoteKeys:
    """A key set served over https://, cached for an hour, fetched again early for an unknown kid."""

    def __init__(
        self,
        url: str,
        *,
        fetch: Callable[[str], bytes] = fetch_https,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self._fetch = fetch
        self._clock = clock
        self._keys: dict[str, VerifyingKey] | None = None
        self._fetched_at = 0.0
        self._attempted_at = 0.0
        self._lock = threading.Lock()

    def key(self, kid: str) -> VerifyingKey | None:
        with self._lock:
            now = self._clock()
            keys = self._keys
            if (
                keys is None
                or now - self._fetched_at >= CACHE_SECONDS
                or (kid not in keys and now - self._attempted_at >= REFETCH_SECONDS)
            ):
                keys = self._keys = self._refresh(now)
            return keys.get(kid)

    def _refresh(self, now: float) -> dict[str, VerifyingKey]:
        # The attempt counts even when it fails, so an unknown kid cannot retry it at once; an expired
        # (or never fetched) key set is fetched again by the next token whatever happened before.
        self._attempted_at = now
        keys = parse_key_set(self._fetch(self.url))
        self._fetched_at = now
        return keys


class FileKeys:
    """A key set in a local file (the local runtime's issuer writes it), read again when it changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._version: int | None = None
        self._keys: dict[str, VerifyingKey] = {}
        self._lock = threading.Lock()

    def key(self, kid: str) -> VerifyingKey | None:
        with self._lock:
            try:
                version = self.path.stat().st_mtime_ns
                if version != self._version:
                    self._keys = parse_key_set(self.path.read_bytes())
                    self._version = version
            except OSError as err:
                raise KeySetUnavailable(f"{self.path} cannot be read") from err
            return self._keys.get(kid)


class _NoKeys:
    """A JWKS URL of no scheme this service fetches (plain http:// included: anyone on the path
    could swap the keys): every token is an outage until it is configured, never accepted."""

    def __init__(self, url: str) -> None:
        self.url = url

    def key(self, kid: str) -> VerifyingKey | None:
        raise KeySetUnavailable(f"no key set can be read from {self.url!r}")


def key_source(url: str) -> KeySource:
    """The key set a JWKS URL names: https:// fetched, file:// read from disk (no socket)."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return FileKeys(Path(unquote(parsed.path)))
    if parsed.scheme == "https" and parsed.netloc:
        return RemoteKeys(url)
    return _NoKeys(url)
