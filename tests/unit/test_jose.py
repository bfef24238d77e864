"""Our bearer-token verifier's own rules: compact JWS only, each key pinned to one algorithm, strict
segments, typed claims. Tokens are built here by hand (the forged ones cannot be built otherwise) and
verified through the verifier the handlers use, against a local key set of an RSA and a P-256 key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.unit.jose_support import (
    AUDIENCE,
    DROP,
    EC_KEY,
    ISSUER,
    P256_N,
    RSA_KEY,
    answer,
    b64,
    claims,
    compact,
    ec_jwk,
    encoded,
    es256,
    es256_pair,
    es_token,
    raw,
    rs256,
    rs_token,
    rsa_jwk,
    uint,
)
from worklog.auth import jose
from worklog.auth.tokens import TokenVerifier
from worklog.settings import Settings


@pytest.fixture
def verifier(tmp_path: Path) -> TokenVerifier:
    """Given the issuer's key set: an RSA key (kid rsa) and a P-256 key (kid ec), as published."""
    keys = [
        {**rsa_jwk(RSA_KEY.public_key()), "kid": "rsa", "use": "sig", "alg": "RS256"},
        {**ec_jwk(EC_KEY.public_key()), "kid": "ec", "use": "sig", "alg": "ES256"},
    ]
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": keys}), encoding="utf-8")
    settings = Settings(
        JWKS_URL=path.as_uri(), TOKEN_ISSUER=ISSUER, TOKEN_AUDIENCE=AUDIENCE, TOKEN_SUBJECT_CLAIM="sub"
    )
    return TokenVerifier(settings)


# --------------------------------------------------------------------------- the tokens we accept


def test_a_token_signed_by_either_key_with_its_algorithm_names_its_subject(verifier: TokenVerifier) -> None:
    assert answer(verifier, rs_token()) == "c0001"
    assert answer(verifier, es_token()) == "c0001"


def test_an_es256_signature_with_a_high_s_verifies_as_ecdsa_defines(verifier: TokenVerifier) -> None:
    # Given a genuine ES256 signature (r, s) and its twin (r, n - s), one of which has a high s
    signing_input = f"{encoded({'alg': 'ES256', 'kid': 'ec'})}.{encoded(claims())}"
    r, s = es256_pair(signing_input.encode("ascii"))
    # When each is sent, Then both verify: RFC 7518 asks for no low s, and refusing the high one
    # would refuse half of a genuine issuer's tokens (the twin is the same claims, nothing gained)
    for twin in (s, P256_N - s):
        assert answer(verifier, f"{signing_input}.{b64(raw(r, twin))}") == "c0001"


# --------------------------------------------------------------------------- forged tokens


def _hs256(secret: bytes) -> Callable[[bytes], bytes]:
    return lambda data: hmac.new(secret, data, hashlib.sha256).digest()


RSA_PEM = RSA_KEY.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
RSA_DER = RSA_KEY.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
ATTACKER_RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _attacker_rs256(data: bytes) -> bytes:
    return ATTACKER_RSA.sign(data, padding.PKCS1v15(), hashes.SHA256())


def _der_es256(data: bytes) -> bytes:
    return EC_KEY.sign(data, ec.ECDSA(hashes.SHA256()))  # DER, as an ECDSA library returns it


FORGERIES: dict[str, Callable[[], str]] = {
    "alg none, no signature": lambda: compact({"alg": "none", "kid": "rsa"}, claims(), lambda _: b""),
    "alg None, no signature": lambda: compact({"alg": "None", "kid": "rsa"}, claims(), lambda _: b""),
    "alg none under the EC kid": lambda: compact({"alg": "none", "kid": "ec"}, claims(), lambda _: b""),
    "HS256 keyed with the RSA key's PEM": lambda: compact(
        {"alg": "HS256", "kid": "rsa"}, claims(), _hs256(RSA_PEM)
    ),
    "HS256 keyed with the RSA key's DER": lambda: compact(
        {"alg": "HS256", "kid": "rsa"}, claims(), _hs256(RSA_DER)
    ),
    "HS256 keyed with the JWK's modulus": lambda: compact(
        {"alg": "HS256", "kid": "rsa"}, claims(), _hs256(rsa_jwk(RSA_KEY.public_key())["n"].encode())
    ),
    "RS256 signature under an ES256 header": lambda: compact({"alg": "ES256", "kid": "rsa"}, claims(), rs256),
    "ES256 signature under the RSA kid": lambda: compact({"alg": "ES256", "kid": "rsa"}, claims(), es256),
    "RS256 by the RSA key under the EC kid": lambda: compact({"alg": "RS256", "kid": "ec"}, claims(), rs256),
    "PS256 header over an RS256 signature": lambda: compact({"alg": "PS256", "kid": "rsa"}, claims(), rs256),
    "RS512 header over an RS256 signature": lambda: compact({"alg": "RS512", "kid": "rsa"}, claims(), rs256),
    "ES256 signature in DER": lambda: compact({"alg": "ES256", "kid": "ec"}, claims(), _der_es256),
    "ES256 signature of 63 bytes": lambda: compact(
        {"alg": "ES256", "kid": "ec"}, claims(), lambda d: es256(d)[1:]
    ),
    "ES256 signature of 65 bytes": lambda: compact(
        {"alg": "ES256", "kid": "ec"}, claims(), lambda d: b"\x00" + es256(d)
    ),
    "ES256 signature with r and s as 33 bytes each": lambda: compact(
        {"alg": "ES256", "kid": "ec"}, claims(), lambda d: raw(*es256_pair(d), size=33)
    ),
    "RS256 signature one byte short": lambda: compact(
        {"alg": "RS256", "kid": "rsa"}, claims(), lambda d: rs256(d)[1:]
    ),
    "RS256 signature with a leading zero byte": lambda: compact(
        {"alg": "RS256", "kid": "rsa"}, claims(), lambda d: b"\x00" + rs256(d)
    ),
    "the attacker's key embedded in the header": lambda: compact(
        {"alg": "RS256", "kid": "rsa", "jwk": {**rsa_jwk(ATTACKER_RSA.public_key()), "kid": "rsa"}},
        claims(),
        _attacker_rs256,
    ),
    "the attacker's key set named by jku": lambda: compact(
        {"alg": "RS256", "kid": "rsa", "jku": "https://attacker.example/jwks.json"}, claims(), _attacker_rs256
    ),
    "a critical extension": lambda: rs_token(crit=["exp"], exp=1),
    "a critical unencoded payload (RFC 7797)": lambda: rs_token(crit=["b64"], b64=False),
    "a header naming its alg twice": lambda: compact(
        b'{"alg":"none","alg":"RS256","kid":"rsa"}', claims(), rs256
    ),
    "claims naming sub twice": lambda: rs_token(
        json.dumps(claims()).replace('"sub": "c0001"', '"sub": "c0002", "sub": "c0001"').encode()
    ),
    "a payload that is a JSON array": lambda: rs_token([claims()]),
    "a payload that is a JSON string": lambda: rs_token(json.dumps(json.dumps(claims())).encode()),
    "a payload that is not UTF-8": lambda: rs_token(json.dumps(claims()).encode("utf-16")),
    "a payload that is not JSON": lambda: rs_token(b"sub=c0001"),
    "a header nested past the parser's depth": lambda: compact(b"[" * 100_000, claims(), rs256),
    "five segments (a JWE)": lambda: rs_token() + ".AAAA.AAAA",
    "two segments": lambda: rs_token().rsplit(".", 1)[0],
}


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_forged_token_is_401_invalid_token(verifier: TokenVerifier, forgery: str) -> None:
    assert answer(verifier, FORGERIES[forgery]()) == "invalid_token"


class _SpyKey(jose.VerifyingKey):
    """A key that records being asked to verify a signature."""

    asked: list[str] = []  # noqa: RUF012 - shared on purpose: the dataclass is frozen

    def verifies(self, signing_input: bytes, signature: bytes) -> bool:
        self.asked.append(self.algorithm)
        return super().verifies(signing_input, signature)


@pytest.mark.parametrize("alg", ["none", "HS256", "RS256 ", "rs256", "ES256", "PS256", None, ["RS256"]])
def test_a_header_alg_other_than_the_keys_is_refused_before_any_signature_check(alg: object) -> None:
    # Given the RSA key, pinned to RS256, and a token whose header names another algorithm
    _SpyKey.asked.clear()
    key = _SpyKey(jose.RS256, RSA_KEY.public_key())
    header = {"kid": "rsa"} if alg is None else {"alg": alg, "kid": "rsa"}
    token = jose.parse_compact(compact(header, claims(), rs256))
    # When it is verified, Then it is refused and the key never looked at its signature
    with pytest.raises(jose.InvalidToken):
        jose.verified_claims(token, key, now=time.time(), issuer=ISSUER, audience=AUDIENCE)
    assert _SpyKey.asked == []


@pytest.mark.parametrize(
    ("r", "s"),
    [(0, 1), (1, 0), (0, 0), (P256_N, 1), (1, P256_N), (P256_N + 1, 1), (2**256 - 1, 2**256 - 1)],
    ids=["r=0", "s=0", "both 0", "r=n", "s=n", "r=n+1", "both 2^256-1"],
)
def test_an_es256_signature_with_r_or_s_outside_the_group_order_is_refused(
    verifier: TokenVerifier, r: int, s: int
) -> None:
    signing_input = f"{encoded({'alg': 'ES256', 'kid': 'ec'})}.{encoded(claims())}"
    assert answer(verifier, f"{signing_input}.{b64(raw(r, s))}") == "invalid_token"


# --------------------------------------------------------------------------- strict base64url segments


def _signed_with_urlsafe_characters() -> str:
    """A genuine token whose signature segment holds "-" or "_" (its claims vary until it does)."""
    for jti in range(1000):
        token = rs_token(claims(jti=str(jti)))
        if set(token.rsplit(".", 1)[1]) & {"-", "_"}:
            return token
    raise AssertionError("no signature with a url-safe character in 1000 tries")


def _respelled(token: str, respell: Callable[[str], str], segment: int) -> str:
    parts = token.split(".")
    parts[segment] = respell(parts[segment])
    return ".".join(parts)


ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _header_needing_padding() -> str:
    """A genuine token whose header segment is not a multiple of 4 characters long."""
    for length in range(3):
        token = rs_token(typ="JWT" + "x" * length)
        if len(token.split(".")[0]) % 4:
            return token
    raise AssertionError("unreachable: one of three lengths needs padding")


def _padded(segment: str) -> str:
    return segment + "=" * (-len(segment) % 4)


RESPELLINGS: dict[str, Callable[[], str]] = {
    # A 2048-bit signature is 256 bytes: 342 base64url characters, which padding makes 344.
    "the signature padded with '='": lambda: _respelled(rs_token(), _padded, 2),
    "the header padded with '='": lambda: _respelled(_header_needing_padding(), _padded, 0),
    "the signature in the standard alphabet ('+' and '/')": lambda: _respelled(
        _signed_with_urlsafe_characters(), lambda s: s.translate(str.maketrans("-_", "+/")), 2
    ),
    "a space inside the signature": lambda: _respelled(rs_token(), lambda s: s[:100] + " " + s[100:], 2),
    "a newline inside the payload": lambda: _respelled(rs_token(), lambda s: s[:8] + "\n" + s[8:], 1),
    "a stray character outside the alphabet": lambda: _respelled(
        rs_token(), lambda s: s[:8] + "!" + s[8:], 1
    ),
    # 342 characters carry 2052 bits: the last one's 4 low bits are unused, zero when canonical
    "non-zero unused bits in the signature's last character": lambda: _respelled(
        rs_token(), lambda s: s[:-1] + ALPHABET[ALPHABET.index(s[-1]) | 1], 2
    ),
}


@pytest.mark.parametrize("respelling", RESPELLINGS)
def test_a_genuine_token_spelled_other_than_in_unpadded_base64url_is_401_invalid_token(
    verifier: TokenVerifier, respelling: str
) -> None:
    # Given a genuine token re-spelled (lenient decoders read the same bytes), Then it is refused:
    # each token has one spelling
    token = RESPELLINGS[respelling]()
    assert answer(verifier, token) == "invalid_token"


@pytest.mark.parametrize(
    "segment", ["YQ==", "YQ=", "YWJj=", "a+b/", "YW Jj", "Y", "YR", "YWJ", "YWJjZA\n", "ÿÿÿÿ"]
)
def test_the_segment_decoder_takes_only_canonical_unpadded_base64url(segment: str) -> None:
    with pytest.raises(ValueError):
        jose.b64url_decode(segment)


@pytest.mark.parametrize(
    ("segment", "data"), [("", b""), ("YQ", b"a"), ("YWI", b"ab"), ("YWJj", b"abc"), ("-_8", b"\xfb\xff")]
)
def test_the_segment_decoder_reads_unpadded_base64url(segment: str, data: bytes) -> None:
    assert jose.b64url_decode(segment) == data


# --------------------------------------------------------------------------- claims


@pytest.mark.parametrize(
    "payload",
    [
        claims(exp=True),
        claims(exp=False),
        claims(iat=True),
        claims(nbf=True),
        claims(exp=str(int(time.time()) + 600)),
        claims(exp=[int(time.time()) + 600]),
        claims(exp=DROP),
        claims(iat=DROP),
        claims(iss=DROP),
        claims(exp=None),
        claims(iss=["https://issuer.example"]),
        claims(sub=1),
        claims(jti=7),
    ],
    ids=[
        "exp true",
        "exp false",
        "iat true",
        "nbf true",
        "exp a numeric string",
        "exp a list",
        "no exp",
        "no iat",
        "no iss",
        "exp null",
        "iss a list",
        "sub a number",
        "jti a number",
    ],
)
def test_a_claim_of_the_wrong_type_or_a_missing_required_one_is_401_invalid_token(
    verifier: TokenVerifier, payload: dict[str, Any]
) -> None:
    assert answer(verifier, rs_token(payload)) == "invalid_token"


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_an_exp_that_is_no_finite_number_is_401_invalid_token(verifier: TokenVerifier, constant: str) -> None:
    payload = json.dumps(claims(exp=0)).replace('"exp": 0', f'"exp": {constant}').encode()
    assert answer(verifier, rs_token(payload)) == "invalid_token"


def test_a_fractional_numeric_date_is_a_number_like_any_other(verifier: TokenVerifier) -> None:
    now = time.time()
    assert answer(verifier, rs_token(claims(iat=now - 0.5, exp=now + 600.25))) == "c0001"


def test_an_expired_token_is_token_expired_and_the_leeway_is_30_seconds(verifier: TokenVerifier) -> None:
    now = int(time.time())
    assert answer(verifier, rs_token(claims(iat=now - 700, exp=now - 20))) == "c0001"
    assert answer(verifier, rs_token(claims(iat=now - 700, exp=now - 40))) == "token_expired"


def test_an_expired_token_that_is_wrong_in_another_way_too_is_invalid_not_merely_expired(
    verifier: TokenVerifier,
) -> None:
    # Given an expired token for another audience, Then renewing it would not help: invalid_token
    now = int(time.time())
    assert answer(verifier, rs_token(claims(aud="another-app", exp=now - 3600))) == "invalid_token"


@pytest.mark.parametrize("claim", ["nbf", "iat"])
def test_a_token_not_valid_yet_is_refused_beyond_the_leeway(verifier: TokenVerifier, claim: str) -> None:
    now = int(time.time())
    assert answer(verifier, rs_token(claims(**{claim: now + 20}))) == "c0001"
    assert answer(verifier, rs_token(claims(**{claim: now + 120}))) == "invalid_token"


@pytest.mark.parametrize(
    ("aud", "expected"),
    [
        (AUDIENCE, "c0001"),
        ([AUDIENCE], "c0001"),
        (["another-app", AUDIENCE], "c0001"),
        (["another-app", "a-third-app"], "invalid_token"),
        ([], "invalid_token"),
        ("another-app", "invalid_token"),
        ([AUDIENCE, 7], "invalid_token"),
        ({"aud": AUDIENCE}, "invalid_token"),
        (DROP, "invalid_token"),
        (AUDIENCE.upper(), "invalid_token"),
    ],
    ids=[
        "ours",
        "a list of ours",
        "a list with ours",
        "a list without ours",
        "an empty list",
        "another",
        "a list with a number",
        "an object",
        "none",
        "ours in capitals",
    ],
)
def test_the_audience_a_string_or_a_list_must_name_ours(
    verifier: TokenVerifier, aud: object, expected: str
) -> None:
    assert answer(verifier, rs_token(claims(aud=aud))) == expected


@pytest.mark.parametrize("iss", ["https://issuer.example/", "https://evil.example", ""])
def test_a_token_of_another_issuer_is_401_invalid_token(verifier: TokenVerifier, iss: str) -> None:
    assert answer(verifier, rs_token(claims(iss=iss))) == "invalid_token"


# --------------------------------------------------------------------------- keys


def _jwk_variants() -> dict[str, tuple[dict[str, Any], str | None]]:
    rsa_public = rsa_jwk(RSA_KEY.public_key())
    p256 = ec_jwk(EC_KEY.public_key())
    small = rsa_jwk(rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key())
    off_curve_y = (EC_KEY.public_key().public_numbers().y + 1).to_bytes(32, "big")
    return {
        "RSA": (rsa_public, "RS256"),
        "RSA for signatures": ({**rsa_public, "use": "sig", "key_ops": ["verify"]}, "RS256"),
        "RSA of 1024 bits": (small, None),
        "RSA for encryption": ({**rsa_public, "use": "enc"}, None),
        "RSA to sign with": ({**rsa_public, "key_ops": ["sign"]}, None),
        "RSA with an even exponent": ({**rsa_public, "e": uint(65536)}, None),
        # The issuer's own key set is read as leniently as the tokens are strictly: it is not a forger's
        "RSA with a padded modulus": (
            {**rsa_public, "n": rsa_public["n"] + "=" * (-len(rsa_public["n"]) % 4)},
            "RS256",
        ),
        "RSA with a modulus in the standard alphabet": (
            {**rsa_public, "n": rsa_public["n"].replace("-", "+")},
            None,
        ),
        "RSA with no modulus": ({"kty": "RSA", "e": rsa_public["e"]}, None),
        "RSA private key": ({**rsa_public, "d": uint(RSA_KEY.private_numbers().d)}, None),
        "RSA saying alg RS384": ({**rsa_public, "alg": "RS384"}, None),
        "P-256": (p256, "ES256"),
        "P-256 private key": ({**p256, "d": uint(EC_KEY.private_numbers().private_value)}, None),
        "P-256 saying alg ES384": ({**p256, "alg": "ES384"}, None),
        "P-256 point off the curve": ({**p256, "y": b64(off_curve_y)}, None),
        "P-256 with a 31-byte x": ({**p256, "x": b64(b"\x01" * 31)}, None),
        "P-384": (ec_jwk(ec.generate_private_key(ec.SECP384R1()).public_key()), None),
        "secp256k1": ({**p256, "crv": "secp256k1"}, None),
        "oct": ({"kty": "oct", "k": b64(b"secret"), "alg": "HS256"}, None),
        "not an object": (["RSA"], None),  # type: ignore[dict-item]
    }


JWKS = _jwk_variants()


@pytest.mark.parametrize("variant", JWKS)
def test_a_jwk_is_usable_only_as_a_public_rsa_or_p256_key_for_its_one_algorithm(variant: str) -> None:
    jwk, pinned = JWKS[variant]
    assert jose.pinned_algorithm(jwk) == pinned


# --------------------------------------------------------------------------- whatever a client sends

GENUINE = rs_token(claims(exp=2**31 - 1))  # valid until 2038, so the property holds whenever it runs
TOKEN_CHARACTERS = st.sampled_from(ALPHABET + "=+/.~ !\n\u00e9")


@given(position=st.integers(0, len(GENUINE) - 1), replacement=TOKEN_CHARACTERS)
def test_any_one_character_changed_in_a_genuine_token_makes_it_invalid(
    position: int, replacement: str
) -> None:
    # Given a genuine token, When one character is replaced by another (base64url or not), Then it is
    # refused: each token has exactly one spelling and every character is covered by the signature
    assume(GENUINE[position] != replacement)
    changed = GENUINE[:position] + replacement + GENUINE[position + 1 :]
    with pytest.raises(jose.InvalidToken):
        _verify(changed)


@given(
    text=st.text(max_size=400)
    | st.lists(st.text(ALPHABET, max_size=60), min_size=1, max_size=5).map(".".join)
)
def test_whatever_text_is_sent_as_a_token_the_verifier_raises_invalid_token_and_nothing_else(
    text: str,
) -> None:
    with pytest.raises(jose.InvalidToken):
        _verify(text)


def _verify(token: str) -> dict[str, Any]:
    key = jose.verifying_key(rsa_jwk(RSA_KEY.public_key()))
    assert key is not None
    return jose.verified_claims(
        jose.parse_compact(token), key, now=time.time(), issuer=ISSUER, audience=AUDIENCE
    )


def test_the_genuine_token_the_properties_change_is_itself_valid() -> None:
    assert _verify(GENUINE)["sub"] == "c0001"
