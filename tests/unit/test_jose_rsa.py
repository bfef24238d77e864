"""RS256 without a library (worklog.auth.jose.RsaPublicKey): the whole PKCS#1 v1.5 encoding or nothing.

cryptography signs here and is the reference the verifier is held to; the forgeries are those that
lenient PKCS#1 v1.5 parsers have let through.
"""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from worklog.auth.jose import RsaPublicKey

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC = RsaPublicKey(KEY.public_key().public_numbers().n, KEY.public_key().public_numbers().e)
# e = 3 keys are where "parse the padding, then the DigestInfo" verifiers were forged with a cube
# root (Bleichenbacher, 2006): the signature's cube need only begin right.
CUBE_KEY = rsa.generate_private_key(public_exponent=3, key_size=2048)
CUBE = RsaPublicKey(CUBE_KEY.public_key().public_numbers().n, 3)
SHA256_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


def signed(
    message: bytes, key: rsa.RSAPrivateKey = KEY, algorithm: hashes.HashAlgorithm | None = None
) -> bytes:
    return key.sign(message, padding.PKCS1v15(), algorithm or hashes.SHA256())


def cube_root_up(value: int) -> int:
    low, high = 0, 1 << (value.bit_length() // 3 + 2)
    while low < high:
        mid = (low + high) // 2
        if mid**3 < value:
            low = mid + 1
        else:
            high = mid
    return low


@given(message=st.binary(max_size=300))
@settings(max_examples=40, deadline=None)
def test_a_genuine_signature_verifies_and_any_other_message_does_not(message: bytes) -> None:
    signature = signed(message)
    assert PUBLIC.verifies(message, signature)
    assert not PUBLIC.verifies(message + b"x", signature)


@given(position=st.integers(0, 255), bit=st.integers(0, 7))
@settings(max_examples=60, deadline=None)
def test_a_signature_with_any_bit_flipped_is_refused(position: int, bit: int) -> None:
    signature = bytearray(signed(b"payload"))
    signature[position] ^= 1 << bit
    assert not PUBLIC.verifies(b"payload", bytes(signature))


@pytest.mark.parametrize("algorithm", [hashes.SHA1(), hashes.SHA384(), hashes.SHA512()])
def test_a_pkcs1_signature_over_another_digest_is_refused(algorithm: hashes.HashAlgorithm) -> None:
    # Given a genuine signature by the same key, but of the message's SHA-1/384/512 digest
    assert not PUBLIC.verifies(b"payload", signed(b"payload", algorithm=algorithm))


def test_a_pss_signature_is_refused() -> None:
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    assert not PUBLIC.verifies(b"payload", KEY.sign(b"payload", pss, hashes.SHA256()))


@pytest.mark.parametrize("change", ["shorter", "longer", "modulus", "above modulus", "zero", "one"])
def test_a_signature_of_the_wrong_length_or_out_of_range_is_refused(change: str) -> None:
    good = signed(b"payload")
    n = PUBLIC.n
    signature = {
        "shorter": good[1:],
        "longer": b"\x00" + good,
        "modulus": n.to_bytes(256, "big"),
        "above modulus": (n + 1).to_bytes(256, "big"),
        "zero": bytes(256),
        "one": (1).to_bytes(256, "big"),
    }[change]
    assert not PUBLIC.verifies(b"payload", signature)


def test_a_cube_root_forgery_with_garbage_after_the_digest_is_refused() -> None:
    # Given a signature whose cube (e = 3) begins as a genuine encoding would, with a short padding
    # and garbage after the digest where a lenient parser stops reading
    digest = hashlib.sha256(b"forged").digest()
    prefix = b"\x00\x01\xff\x00" + SHA256_INFO + digest
    garbage_bits = 8 * (256 - len(prefix))
    target = int.from_bytes(prefix, "big") << garbage_bits
    forged = cube_root_up(target)
    encoded = (forged**3).to_bytes(256, "big")
    assert encoded.startswith(prefix) and forged < CUBE.n  # the forgery is what a lax parser accepts
    # When the verifier checks it, Then it is refused: the whole encoding must match
    assert not CUBE.verifies(b"forged", forged.to_bytes(256, "big"))
    # And a genuine e = 3 signature still verifies
    assert CUBE.verifies(b"forged", signed(b"forged", key=CUBE_KEY))


@pytest.mark.parametrize(
    ("n", "e"), [(PUBLIC.n, 2), (PUBLIC.n, 1), (PUBLIC.n, PUBLIC.n), (PUBLIC.n + 1, 65537), (2, 3)]
)
def test_numbers_that_are_no_rsa_public_key_are_refused(n: int, e: int) -> None:
    with pytest.raises(ValueError):
        RsaPublicKey(n, e)
