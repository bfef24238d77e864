"""The issuer's key set: fetched over https and cached an hour, fetched again for an unknown kid at most
once a minute, a local file read again when it changes; an unusable key set is an outage."""

from __future__ import annotations

import io
import json
import os
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.error import HTTPError

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.unit.jose_support import ISSUER, RSA_KEY, answer, claims, compact, rs256, rsa_jwk
from worklog.auth import jwks
from worklog.auth.jose import RsaPublicKey
from worklog.auth.jwks import FileKeys, KeySetUnavailable, RemoteKeys, key_source, parse_key_set
from worklog.auth.tokens import TokenVerifier
from worklog.errors import ServiceUnavailable
from worklog.settings import Settings

URL = "https://issuer.example/.well-known/jwks.json"
PUBLIC = rsa_jwk(RSA_KEY.public_key())
OTHER = rsa_jwk(rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key())


def key_set(*kids: str, jwk: dict[str, Any] = PUBLIC) -> bytes:
    return json.dumps({"keys": [{**jwk, "kid": kid, "use": "sig"} for kid in kids]}).encode()


class Issuer:
    """An issuer's JWKS endpoint: what it serves now, and how often it was asked."""

    def __init__(self, document: bytes) -> None:
        self.document = document
        self.fetches = 0
        self.down = False

    def fetch(self, url: str) -> bytes:
        assert url == URL
        self.fetches += 1
        if self.down:
            raise KeySetUnavailable("connection refused")
        return self.document


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def issuer() -> Issuer:
    return Issuer(key_set("k1"))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def keys(issuer: Issuer, clock: Clock) -> RemoteKeys:
    return RemoteKeys(URL, fetch=issuer.fetch, clock=clock)


# --------------------------------------------------------------------------- https


def test_a_fetched_key_set_is_used_for_an_hour_then_fetched_again(
    keys: RemoteKeys, issuer: Issuer, clock: Clock
) -> None:
    assert keys.key("k1") is not None
    clock.now += 3599
    assert keys.key("k1") is not None
    assert issuer.fetches == 1
    clock.now += 1
    assert keys.key("k1") is not None
    assert issuer.fetches == 2


def test_an_unknown_kid_fetches_the_key_set_again_at_most_once_a_minute(
    keys: RemoteKeys, issuer: Issuer, clock: Clock
) -> None:
    # Given a key set fetched a minute ago
    keys.key("k1")
    clock.now += 60
    # When a flood of tokens names kids it lacks, Then the first makes it fetch again, no other
    for n in range(100):
        assert keys.key(f"made-up-{n}") is None
        clock.now += 0.5
    assert issuer.fetches == 2
    # And a minute after that fetch, an unknown kid may fetch once more
    clock.now += 10
    assert keys.key("made-up-again") is None
    assert issuer.fetches == 3


def test_a_key_the_issuer_rotated_in_is_found_by_the_fetch_its_kid_causes(
    keys: RemoteKeys, issuer: Issuer, clock: Clock
) -> None:
    # Given a key set fetched before the issuer added a key
    keys.key("k1")
    issuer.document = key_set("k1", "k2")
    clock.now += 61
    # When a token names the new key, Then the key set is fetched again and the key found
    assert keys.key("k2") is not None
    assert keys.key("k2") is not None
    assert issuer.fetches == 2


def test_no_kid_makes_the_key_set_fetched_again_within_a_minute_of_the_last_fetch(
    keys: RemoteKeys, issuer: Issuer, clock: Clock
) -> None:
    keys.key("k1")
    issuer.document = key_set("k1", "k2")
    clock.now += 30
    assert keys.key("k2") is None
    assert issuer.fetches == 1


def test_a_failed_fetch_for_an_unknown_kid_is_an_outage_and_counts_as_the_minutes_fetch(
    keys: RemoteKeys, issuer: Issuer, clock: Clock
) -> None:
    keys.key("k1")
    clock.now += 61
    issuer.down = True
    with pytest.raises(KeySetUnavailable):
        keys.key("k2")
    # The keys already fetched still verify, and the minute is not over for unknown kids
    assert keys.key("k1") is not None
    assert keys.key("k3") is None
    assert issuer.fetches == 2


def test_an_issuer_that_cannot_be_reached_is_asked_again_by_the_next_token(
    keys: RemoteKeys, issuer: Issuer
) -> None:
    issuer.down = True
    with pytest.raises(KeySetUnavailable):
        keys.key("k1")
    issuer.down = False
    assert keys.key("k1") is not None
    assert issuer.fetches == 2


@pytest.mark.parametrize(
    "document",
    [
        b"{not json",
        b"[]",
        b'{"keys": {}}',
        b'{"keys": []}',
        b"<html>Service Unavailable</html>",
        b"[" * 100_000,
        key_set("k1", jwk={**PUBLIC, "alg": "RS512"}),
        key_set("k1", jwk={"kty": "oct", "k": "c2VjcmV0"}),
        json.dumps({"keys": [PUBLIC]}).encode(),  # a key without a kid can never be named
    ],
    ids=["not json", "a list", "keys not a list", "no keys", "html", "nested", "alg", "oct", "no kid"],
)
def test_a_key_set_that_is_not_json_or_has_no_usable_key_is_an_outage(document: bytes) -> None:
    with pytest.raises(KeySetUnavailable):
        parse_key_set(document)


def test_unusable_keys_are_left_out_and_the_first_of_a_kid_wins() -> None:
    document = {
        "keys": [
            {"kty": "oct", "k": "c2VjcmV0", "kid": "k1"},
            {**PUBLIC, "kid": "k1"},
            {**OTHER, "kid": "k1"},
            {**OTHER, "kid": "k2", "use": "enc"},
            "not a key",
        ]
    }
    keys = parse_key_set(json.dumps(document))
    assert list(keys) == ["k1"]
    numbers = RSA_KEY.public_key().public_numbers()
    assert keys["k1"].public_key == RsaPublicKey(numbers.n, numbers.e)


# --------------------------------------------------------------------------- urllib


class _Response(io.BytesIO):
    def __enter__(self) -> _Response:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, object]]:
    """Given urllib answering every request with the key set k1 (no socket): each request's URL and
    timeout, in order."""
    requests: list[tuple[str, object]] = []

    def open_(
        self: urllib.request.OpenerDirector,
        request: urllib.request.Request,
        data: object = None,
        timeout: object = None,
    ) -> _Response:
        requests.append((request.full_url, timeout))
        return _Response(key_set("k1"))

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", open_)
    return requests


def test_the_key_set_is_fetched_with_a_five_second_timeout(served: list[tuple[str, object]]) -> None:
    assert parse_key_set(jwks.fetch_https(URL))
    assert served == [(URL, 5)]


def test_a_key_set_larger_than_a_megabyte_is_an_outage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", lambda *a, **k: _Response(b" " * (2 << 20)))
    with pytest.raises(KeySetUnavailable):
        jwks.fetch_https(URL)


def test_an_error_status_from_the_issuer_is_an_outage(monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable(*args: object, **kwargs: object) -> None:
        raise HTTPError(URL, 503, "Service Unavailable", None, None)  # type: ignore[arg-type]

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", unavailable)
    with pytest.raises(KeySetUnavailable):
        jwks.fetch_https(URL)


def _https_verifier() -> TokenVerifier:
    settings = Settings(JWKS_URL=URL, TOKEN_ISSUER=ISSUER, TOKEN_AUDIENCE="", TOKEN_SUBJECT_CLAIM="sub")
    return TokenVerifier(settings)


def test_a_flood_of_tokens_naming_unknown_kids_fetches_the_issuers_key_set_once(
    served: list[tuple[str, object]],
) -> None:
    # Given a verifier whose key set is served over https
    verifier = _https_verifier()
    assert answer(verifier, compact({"alg": "RS256", "kid": "k1"}, claims(), rs256)) == "c0001"
    # When a hundred tokens name kids the issuer never published
    codes = {
        answer(verifier, compact({"alg": "RS256", "kid": f"random-{n}"}, claims(), rs256)) for n in range(100)
    }
    # Then each is refused, and the issuer was asked once in all (within the minute)
    assert codes == {"invalid_token"}
    assert len(served) == 1


def test_an_http_key_set_url_is_never_fetched_and_every_token_is_an_outage(
    served: list[tuple[str, object]],
) -> None:
    settings = Settings(
        JWKS_URL=URL.replace("https:", "http:"),
        TOKEN_ISSUER=ISSUER,
        TOKEN_AUDIENCE="",
        TOKEN_SUBJECT_CLAIM="sub",
    )
    with pytest.raises(ServiceUnavailable) as raised:
        TokenVerifier(settings).subject(f"Bearer {compact({'alg': 'RS256', 'kid': 'k1'}, claims(), rs256)}")
    assert raised.value.code == "auth_unavailable" and served == []


@pytest.mark.parametrize("url", ["", "http://issuer.example/jwks.json", "https:///jwks.json", "ftp://x/jwks"])
def test_a_key_set_url_of_no_scheme_we_read_is_unavailable(url: str) -> None:
    with pytest.raises(KeySetUnavailable):
        key_source(url).key("k1")


# --------------------------------------------------------------------------- file


def test_a_local_key_set_is_read_again_when_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "jwks.json"
    path.write_bytes(key_set("k1"))
    keys = FileKeys(path)
    assert keys.key("k1") is not None and keys.key("k2") is None
    # When the issuer writes a new key set (its mtime moves on), Then the new keys are used
    path.write_bytes(key_set("k2"))
    later = path.stat().st_mtime_ns + 1_000_000
    os.utime(path, ns=(later, later))
    assert keys.key("k2") is not None and keys.key("k1") is None


def test_a_local_key_set_is_not_read_again_while_the_file_is_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "jwks.json"
    path.write_bytes(key_set("k1"))
    keys = FileKeys(path)
    keys.key("k1")
    reads: list[Path] = []
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self) or original(self))
    for _ in range(3):
        assert keys.key("k1") is not None
    assert reads == []


def test_a_local_key_set_that_is_gone_is_an_outage(tmp_path: Path) -> None:
    with pytest.raises(KeySetUnavailable):
        FileKeys(tmp_path / "missing.json").key("k1")


def test_the_verifier_names_the_subject_of_a_token_by_a_rotated_local_key(tmp_path: Path) -> None:
    # The local runtime's issuer may rotate its key while the functions run
    path = tmp_path / "jwks.json"
    path.write_bytes(key_set("old", jwk=OTHER))
    settings = Settings(
        JWKS_URL=path.as_uri(), TOKEN_ISSUER=ISSUER, TOKEN_AUDIENCE="", TOKEN_SUBJECT_CLAIM="sub"
    )
    verifier = TokenVerifier(settings)
    token = compact({"alg": "RS256", "kid": "new"}, claims(), rs256)
    assert answer(verifier, token) == "invalid_token"
    path.write_bytes(key_set("new"))
    os.utime(path, ns=(time.time_ns() + 10**9,) * 2)
    assert answer(verifier, token) == "c0001"
