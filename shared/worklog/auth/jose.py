"""Compact JWS verification of OIDC tokens (RFC 7515, 7518, 7519).

Only what the issuers' ID tokens need, so nothing a forger could steer: two algorithms, each pinned
to the one key type that allows it (an RSA public key of at least 2048 bits verifies RS256 only, an
EC P-256 public key ES256 only); the algorithm a token's header names must be its key's, and is
never used to choose how to verify. No ``none``, no HMAC (a public key's bytes are never a secret),
no key carried in the token itself (``jwk``, ``jku``, ``x5c``, ``x5u`` are ignored), no extension
(a header with ``crit`` is refused). Whatever is wrong with a token raises :class:`InvalidToken`;
one that is well signed and would be valid but for its age, :class:`TokenExpired`.

The general-purpose library this replaces loaded all of cryptography (X.509, SSH serialization,
every curve) at a cold start to verify these two algorithms (docs/benchmarks.md, "Cold import").
RS256, the algorithm of Cognito's and the local issuer's keys, needs no library at all: verifying
RSASSA-PKCS1-v1_5 is one modular exponentiation and a comparison with the encoding the signature
must have (:class:`RsaPublicKey`). ES256 needs elliptic-curve arithmetic, so cryptography's EC
primitives are loaded the first time a key set holds a P-256 key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import re
from collections.abc import Mapping
from functools import cached_property
from typing import Any

from worklog.records import datarecord

RS256 = "RS256"
ES256 = "ES256"
# Below this an RSA modulus is within reach of a well-funded factoring effort (NIST SP 800-131A).
MIN_RSA_BITS = 2048
# ES256's signature is the two 32-byte big-endian integers r and s, concatenated (RFC 7518 §3.4).
_P256_BYTES = 32
_ES256_SIGNATURE_BYTES = 2 * _P256_BYTES
# JWK members only a private or symmetric key has: a key set that carries them is misconfigured, and
# such a key is never one to verify with.
_SECRET_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
# The DER of DigestInfo's algorithm part for SHA-256, which precedes the digest in an
# RSASSA-PKCS1-v1_5 encoding (RFC 8017 §9.2, note 1).
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


class InvalidToken(Exception):
    """A token that is not a well-formed JWT, correctly signed by a usable key, with valid claims."""


class TokenExpired(InvalidToken):
    """A well-signed token past its ``exp`` (and the leeway)."""


def b64url_decode(segment: str) -> bytes:
    """The bytes of an unpadded base64url string; ``ValueError`` for any other spelling.

    Stricter than the library this replaces, which added padding and decoded leniently (characters
    outside the alphabet were dropped): here ``=`` padding is refused, as is any character outside
    the url-safe alphabet (``+``, ``/``, whitespace, ``.``) and a non-canonical encoding (a length
    of 1 mod 4, or unused trailing bits that are not zero), so each token has exactly one spelling
    (RFC 7515 §2 and §7.1: base64url without padding).
    """
    if not _BASE64URL.fullmatch(segment) or len(segment) % 4 == 1:
        raise ValueError("not unpadded base64url")
    try:
        data = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except binascii.Error as err:
        raise ValueError("not unpadded base64url") from err
    if b64url_encode(data) != segment:
        raise ValueError("not the canonical base64url of its bytes")
    return data


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # RFC 7515 §4 and RFC 7519 §4: a parser either refuses duplicate names or keeps the last one;
    # refusing means no two readers of one token can disagree on what it says.
    members = dict(pairs)
    if len(members) != len(pairs):
        raise ValueError("a member name appears twice")
    return members


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # json.loads would otherwise take NaN and Infinity


def json_object(data: bytes) -> dict[str, Any]:
    """A JSON object encoded in UTF-8 (a JOSE header or a claims set); ``ValueError`` otherwise."""
    try:
        value = json.loads(
            data.decode("utf-8"), object_pairs_hook=_unique_members, parse_constant=_no_constant
        )
    except RecursionError as err:  # nesting deep enough to exhaust the parser's stack
        raise ValueError("nested too deeply") from err
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


@datarecord(frozen=True)
class CompactJWS:
    """A token split into its parts, nothing verified yet."""

    header: dict[str, Any]
    payload: bytes
    signature: bytes
    signing_input: bytes  # the ASCII of "<header>.<payload>" as sent, which the signature covers


def parse_compact(token: str) -> CompactJWS:
    """The parts of a compact JWS: exactly three base64url segments, the first a JSON object.

    The JWS JSON serializations, JWE (five segments) and detached payloads are not tokens here.
    """
    segments = token.split(".")
    if len(segments) != 3:
        raise InvalidToken("a compact JWS has three segments")
    encoded_header, encoded_payload, encoded_signature = segments
    try:
        header = json_object(b64url_decode(encoded_header))
        payload = b64url_decode(encoded_payload)
        signature = b64url_decode(encoded_signature)
    except ValueError as err:
        raise InvalidToken(f"malformed token: {err}") from err
    if "crit" in header:
        # RFC 7515 §4.1.11: the extensions it names must be understood; this verifier knows none.
        raise InvalidToken("the header names critical extensions")
    return CompactJWS(header, payload, signature, f"{encoded_header}.{encoded_payload}".encode("ascii"))


@datarecord(frozen=True)
class RsaPublicKey:
    """An RSA public key (n, e), as much of one as verifying RS256 needs."""

    n: int
    e: int

    def __post_init__(self) -> None:
        # What a library checks of public numbers: an odd modulus, an odd exponent from 3 below it.
        if self.n < 3 or self.n % 2 == 0 or not 3 <= self.e < self.n or self.e % 2 == 0:
            raise ValueError("not an RSA public key")

    @property
    def key_size(self) -> int:
        return self.n.bit_length()

    def verifies(self, signing_input: bytes, signature: bytes) -> bool:
        """RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 §8.2.2): the signature, raised to ``e`` modulo
        ``n``, must be exactly the encoding of the input's digest. Comparing the whole encoding,
        rather than parsing the padding and the DigestInfo out of it, leaves a forger no lenient
        parser to aim at."""
        k = (self.key_size + 7) // 8
        if len(signature) != k:  # exactly as long as the modulus (§8.2.2, step 1)
            return False
        s = int.from_bytes(signature, "big")
        if s >= self.n:
            return False
        digest_info = _SHA256_DIGEST_INFO + hashlib.sha256(signing_input).digest()
        expected = b"\x00\x01" + b"\xff" * (k - len(digest_info) - 3) + b"\x00" + digest_info
        return hmac.compare_digest(pow(s, self.e, self.n).to_bytes(k, "big"), expected)


@datarecord(frozen=True)
class P256PublicKey:
    """A point on P-256, checked on the curve, verifying ES256 with cryptography's EC primitives."""

    x: bytes
    y: bytes

    def __post_init__(self) -> None:
        if len(self.x) != _P256_BYTES or len(self.y) != _P256_BYTES:  # RFC 7518 §6.2.1.2
            raise ValueError("a P-256 coordinate is 32 bytes")
        _ = self.key  # ValueError for a point that is not on the curve (an invalid-curve attack's key)

    @cached_property
    def key(self) -> Any:
        # Built once, with the key set; every token it verifies reuses it.
        # Loaded with the first P-256 key: the functions' cold start does without the library
        # (RS256 needs none), and an issuer with EC keys pays for it once, at its key set.
        from cryptography.hazmat.primitives.asymmetric import ec

        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b"\x04" + self.x + self.y)

    def verifies(self, signing_input: bytes, signature: bytes) -> bool:
        """ES256: the signature is raw r || s, not the DER an ECDSA library takes, so any other
        length is not ES256 (a DER signature, or one for another curve). r and s outside [1, n) are
        refused by cryptography's verify. A high s (n - s of a valid one) verifies, as ECDSA defines:
        RFC 7518 does not ask for low s, and half of a signer's genuine signatures have one."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

        if len(signature) != _ES256_SIGNATURE_BYTES:
            return False
        r = int.from_bytes(signature[:_P256_BYTES], "big")
        s = int.from_bytes(signature[_P256_BYTES:], "big")
        try:
            self.key.verify(encode_dss_signature(r, s), signing_input, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return False
        return True


@datarecord(frozen=True)
class VerifyingKey:
    """A public key from an issuer's key set, with the one algorithm it verifies."""

    algorithm: str
    public_key: RsaPublicKey | P256PublicKey

    def verifies(self, signing_input: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's signature of ``signing_input`` by its algorithm."""
        return self.public_key.verifies(signing_input, signature)


def verifying_key(jwk: object) -> VerifyingKey | None:
    """The key a JWK publishes for verifying tokens, or None when it is of no use here.

    Usable: an RSA public key of at least 2048 bits (RS256), an EC public key on P-256 (ES256); its
    ``alg``, when given, must be that algorithm, its ``use`` (when given) ``sig``, its ``key_ops``
    (when given) must include ``verify``. Any other type (``oct``, ``OKP``, other curves), a private
    key (a JWK with ``d``) and malformed members make it unusable.
    """
    if not isinstance(jwk, Mapping) or _SECRET_MEMBERS & jwk.keys():
        return None
    try:
        key: VerifyingKey | None
        if jwk.get("kty") == "RSA":
            key = _rsa_key(jwk)
        elif jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
            key = _p256_key(jwk)
        else:
            return None
    except ValueError:  # a member that is not base64url, a point off the curve, a bad exponent...
        return None
    if key is None or jwk.get("alg", key.algorithm) != key.algorithm:
        return None
    if jwk.get("use", "sig") != "sig":
        return None
    operations = jwk.get("key_ops", ["verify"])
    if not isinstance(operations, list) or "verify" not in operations:
        return None
    return key


def pinned_algorithm(jwk: object) -> str | None:
    """The one algorithm a JWK's key may verify (None: the key is unusable)."""
    key = verifying_key(jwk)
    return key.algorithm if key else None


def _unsigned(jwk: Mapping[str, Any], name: str) -> bytes:
    value = jwk.get(name)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} is not a base64url string")
    # The issuer's own key set, fetched over TLS, is no forger's input: "=" padding, which some
    # issuers' libraries write, is tolerated there (and only there).
    return b64url_decode(value.rstrip("="))


def _rsa_key(jwk: Mapping[str, Any]) -> VerifyingKey | None:
    n = int.from_bytes(_unsigned(jwk, "n"), "big")
    e = int.from_bytes(_unsigned(jwk, "e"), "big")
    key = RsaPublicKey(n, e)  # ValueError for an even or out-of-range e or n
    return VerifyingKey(RS256, key) if key.key_size >= MIN_RSA_BITS else None


def _p256_key(jwk: Mapping[str, Any]) -> VerifyingKey:
    return VerifyingKey(ES256, P256PublicKey(_unsigned(jwk, "x"), _unsigned(jwk, "y")))


def _numeric_date(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    # A JSON number: not a boolean (which Python counts as an int), not a numeric string
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidToken(f"{name} is not a number")
    return float(value)


def verified_claims(
    token: CompactJWS,
    key: VerifyingKey,
    *,
    now: float,
    issuer: str = "",
    audience: str = "",
    leeway: float = 0,
) -> dict[str, Any]:
    """The claims of ``token`` once its signature by ``key`` and its claims are checked.

    ``exp``, ``iat`` (numbers) and ``iss`` (a string) are required; ``nbf`` is honoured when present;
    ``iss`` must be ``issuer`` and ``aud`` (a string or a list of strings) must name ``audience``
    when those are given; ``sub`` and ``jti``, when present, are strings. ``leeway`` seconds of
    clock skew are allowed either way. Expiry is judged last, so a token wrong in any other way is
    :class:`InvalidToken` and never mistaken for one that merely needs renewing.
    """
    if token.header.get("alg") != key.algorithm:
        raise InvalidToken(f"the key verifies {key.algorithm} only")
    if not key.verifies(token.signing_input, token.signature):
        raise InvalidToken("the signature does not verify")
    try:
        claims = json_object(token.payload)
    except ValueError as err:
        raise InvalidToken(f"the claims are not a JSON object: {err}") from err
    expires, issued = _numeric_date(claims, "exp"), _numeric_date(claims, "iat")
    not_before = _numeric_date(claims, "nbf")
    if expires is None or issued is None:
        raise InvalidToken("exp and iat are required")
    if not isinstance(claims.get("iss"), str):
        raise InvalidToken("iss is required, a string")
    if issued > now + leeway:
        raise InvalidToken("issued in the future")
    if not_before is not None and not_before > now + leeway:
        raise InvalidToken("not valid yet")
    if issuer and claims["iss"] != issuer:
        raise InvalidToken("issued by another issuer")
    if audience and audience not in _audiences(claims.get("aud")):
        raise InvalidToken("meant for another audience")
    if any(name in claims and not isinstance(claims[name], str) for name in ("sub", "jti")):
        raise InvalidToken("sub and jti are strings")
    if expires <= now - leeway:
        raise TokenExpired("expired")
    return claims


def _audiences(aud: object) -> list[str]:
    if isinstance(aud, str):
        return [aud]
    if isinstance(aud, list) and all(isinstance(item, str) for item in aud):
        return aud
    raise InvalidToken("aud is a string or a list of strings")
