"""Public tamper evidence: per-cadre public hash chains and signed daily checkpoints.

The site publishes, per cadre, the published (masked) revisions and a hash chain over them
(``ledger/cadres/<cadre_id>.json``). Every day a checkpoint (``ledger/checkpoints/<date>.json``)
signs an RFC 6962 Merkle root over every cadre's ``(cadre_id, seq, head)``, with a key whose public
half is at ``ledger/public-key.pem``. Rewriting, inserting or deleting a published revision after a
checkpoint changes a head that the checkpoint signed, and ``verify_site`` reports it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from pydantic import BaseModel, ValidationError

from worklog import aws
from worklog.publish import keys

ALGORITHM = "worklog-public-chain-v1"
SIGNATURE_ALGORITHM = "ECDSA_SHA_256"  # KMS key spec ECC_NIST_P256; LocalSigner uses the same curve
GENESIS = "0" * 64

M = TypeVar("M", bound=BaseModel)


class PublishedRevision(BaseModel):
    """One revision as the site shows it (the body is the public, masked body)."""

    seq: int
    kind: str
    period: str
    revision: int
    saved_at: str
    late: bool
    reason: str | None
    body: dict[str, Any]
    chain_hash: str  # the journal's hash, where it may be shown; the publisher leaves it empty (masking)


class CadreLedger(BaseModel):
    cadre_id: str
    revisions: list[PublishedRevision]  # ascending seq
    heads: list[str]  # heads[i] = public chain head after revisions[i]


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def public_head(previous: str | None, revision: PublishedRevision) -> str:
    payload = (previous or GENESIS).encode() + b"\n" + canonical(revision.model_dump(mode="json"))
    return hashlib.sha256(payload).hexdigest()


def _heads(revisions: list[PublishedRevision]) -> list[str]:
    heads: list[str] = []
    for revision in revisions:
        heads.append(public_head(heads[-1] if heads else None, revision))
    return heads


def build_ledger(cadre_id: str, revisions: list[PublishedRevision]) -> CadreLedger:
    """The ledger of ``revisions``, which must be seq 1, 2, 3, ... in order."""
    ordered = sorted(revisions, key=lambda r: r.seq)
    if [r.seq for r in ordered] != list(range(1, len(ordered) + 1)):
        raise ValueError(f"{cadre_id}: published revisions must have seq 1..{len(ordered)} without gaps")
    return CadreLedger(cadre_id=cadre_id, revisions=ordered, heads=_heads(ordered))


def replay(ledger: CadreLedger) -> list[str]:
    """The heads recomputed from the published revisions (``ledger.heads`` is ignored)."""
    return _heads(ledger.revisions)


# --- Merkle tree (RFC 6962) over every cadre's head ---------------------------------------------


class Leaf(BaseModel):
    cadre_id: str
    seq: int
    head: str  # the public head after revision ``seq``


def leaf_hash(leaf: Leaf) -> bytes:
    return hashlib.sha256(b"\x00" + canonical(leaf.model_dump(mode="json"))).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _sorted(leaves: list[Leaf]) -> list[Leaf]:
    ordered = sorted(leaves, key=lambda leaf: leaf.cadre_id)
    for a, b in itertools.pairwise(ordered):
        if a.cadre_id == b.cadre_id:
            raise ValueError(f"two leaves for cadre {a.cadre_id}")
    return ordered


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _tree(hashes_: list[bytes]) -> bytes:
    if len(hashes_) == 1:
        return hashes_[0]
    k = _split(len(hashes_))
    return node_hash(_tree(hashes_[:k]), _tree(hashes_[k:]))


def merkle_root(leaves: list[Leaf]) -> str:
    if not leaves:
        return hashlib.sha256(b"").hexdigest()
    return _tree([leaf_hash(leaf) for leaf in _sorted(leaves)]).hex()


def _path(hashes_: list[bytes], index: int) -> list[tuple[str, str]]:
    if len(hashes_) == 1:
        return []
    k = _split(len(hashes_))
    if index < k:
        return [*_path(hashes_[:k], index), ("R", _tree(hashes_[k:]).hex())]
    return [*_path(hashes_[k:], index - k), ("L", _tree(hashes_[:k]).hex())]


def inclusion_proof(leaves: list[Leaf], cadre_id: str) -> list[tuple[str, str]]:
    """``(side, sibling hex)`` from the cadre's leaf up to the root; side "L": the sibling is left."""
    ordered = _sorted(leaves)
    index = next((i for i, leaf in enumerate(ordered) if leaf.cadre_id == cadre_id), None)
    if index is None:
        raise KeyError(cadre_id)
    return _path([leaf_hash(leaf) for leaf in ordered], index)


def verify_inclusion(leaf: Leaf, proof: list[tuple[str, str]], root: str) -> bool:
    current = leaf_hash(leaf)
    try:
        for side, sibling in proof:
            if side not in ("L", "R"):
                return False
            other = bytes.fromhex(sibling)
            current = node_hash(other, current) if side == "L" else node_hash(current, other)
    except ValueError:
        return False
    return current.hex() == root


# --- Signed checkpoints -------------------------------------------------------------------------


class Checkpoint(BaseModel):
    date: str  # YYYY-MM-DD
    created_at: str
    algorithm: str = ALGORITHM
    leaves: list[Leaf]  # sorted by cadre_id
    root: str
    key_id: str
    signature_algorithm: str  # a KMS signing algorithm name, e.g. "ECDSA_SHA_256"
    signature: str  # base64 of the signature over checkpoint_message(date, root, len(leaves))


def checkpoint_message(date: str, root: str, count: int) -> bytes:
    return canonical({"date": date, "root": root, "count": count, "algorithm": ALGORITHM})


class Signer(Protocol):
    key_id: str
    algorithm: str

    def sign(self, message: bytes) -> bytes: ...

    def public_key_pem(self) -> str: ...


def _pem(public_key: PublicKeyTypes) -> str:
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    return public_key.public_bytes(serialization.Encoding.PEM, spki).decode("ascii")


class LocalSigner:
    """An ECDSA P-256 key kept in a PEM file, created (mode 0600) on first use."""

    algorithm = SIGNATURE_ALGORITHM

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.exists():
            self._create(path)
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{path}: not an EC private key")
        self._key = key
        der = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.key_id = "local:" + hashlib.sha256(der).hexdigest()[:16]

    @staticmethod
    def _create(path: Path) -> None:
        pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        try:
            os.link(tmp, path)  # atomic, and never replaces a key another process created meanwhile
        except FileExistsError:
            pass
        finally:
            tmp.unlink()

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message, ec.ECDSA(hashes.SHA256()))

    def public_key_pem(self) -> str:
        return _pem(self._key.public_key())


class KmsSigner:
    """An AWS KMS asymmetric key (key spec ECC_NIST_P256, usage SIGN_VERIFY)."""

    algorithm = SIGNATURE_ALGORITHM

    def __init__(self, key_id: str, client: Any = None) -> None:
        self.key_id = key_id
        self._client = client if client is not None else aws.client("kms")

    def sign(self, message: bytes) -> bytes:
        response = self._client.sign(
            KeyId=self.key_id, Message=message, MessageType="RAW", SigningAlgorithm=self.algorithm
        )
        return bytes(response["Signature"])

    def public_key_pem(self) -> str:
        der = self._client.get_public_key(KeyId=self.key_id)["PublicKey"]
        return _pem(serialization.load_der_public_key(bytes(der)))


def make_checkpoint(date: str, created_at: str, leaves: list[Leaf], signer: Signer) -> Checkpoint:
    ordered = _sorted(leaves)
    root = merkle_root(ordered)
    signature = signer.sign(checkpoint_message(date, root, len(ordered)))
    return Checkpoint(
        date=date,
        created_at=created_at,
        leaves=ordered,
        root=root,
        key_id=signer.key_id,
        signature_algorithm=signer.algorithm,
        signature=base64.b64encode(signature).decode("ascii"),
    )


_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "256": hashes.SHA256,
    "384": hashes.SHA384,
    "512": hashes.SHA512,
}


def verify_signature(public_key_pem: str, algorithm: str, message: bytes, signature: bytes) -> bool:
    """A signature made with the KMS signing ``algorithm`` (ECDSA_*, RSASSA_PSS_*, RSASSA_PKCS1_V1_5_*)."""
    family, _, bits = algorithm.rpartition("_SHA_")
    if bits not in _HASHES:
        return False
    digest = _HASHES[bits]()
    try:
        key = serialization.load_pem_public_key(public_key_pem.encode())
        if family == "ECDSA" and isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, message, ec.ECDSA(digest))
        elif family == "RSASSA_PSS" and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, message, padding.PSS(padding.MGF1(digest), padding.PSS.AUTO), digest)
        elif family == "RSASSA_PKCS1_V1_5" and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, message, padding.PKCS1v15(), digest)
        else:
            return False
    except (InvalidSignature, ValueError):
        return False
    return True


def verify_checkpoint(checkpoint: Checkpoint, public_key_pem: str) -> list[str]:
    """Problems with a checkpoint: unknown algorithm, unsorted leaves, root mismatch, bad signature."""
    problems: list[str] = []
    if checkpoint.algorithm != ALGORITHM:
        problems.append(f"unknown algorithm {checkpoint.algorithm!r}")
    try:
        if _sorted(checkpoint.leaves) != checkpoint.leaves:
            problems.append("leaves are not sorted by cadre_id")
        if merkle_root(checkpoint.leaves) != checkpoint.root:
            problems.append("root mismatch: the leaves do not hash to the signed root")
    except ValueError as e:
        problems.append(str(e))
    try:
        signature = base64.b64decode(checkpoint.signature, validate=True)
    except (binascii.Error, ValueError):
        signature = b""
    message = checkpoint_message(checkpoint.date, checkpoint.root, len(checkpoint.leaves))
    if not verify_signature(public_key_pem, checkpoint.signature_algorithm, message, signature):
        problems.append(f"bad signature ({checkpoint.signature_algorithm}, key {checkpoint.key_id})")
    return problems


# --- Verifying the public site ------------------------------------------------------------------


def _load(model: type[M], data: Any, what: str, problems: list[str]) -> M | None:
    if data is None:
        problems.append(f"{what} is missing")
        return None
    try:
        return model.model_validate(data)
    except ValidationError as e:
        problems.append(f"{what} is malformed: {e.error_count()} error(s)")
        return None


def _fetch(fetch: Callable[[str], Any | None], key: Callable[[str], str], value: str) -> Any | None:
    """The object at ``key(value)``; None when ``value`` cannot be part of a key (no such object)."""
    try:
        path = key(value)
    except ValueError:
        return None
    return fetch(path)


def _check_ledger(ledger: CadreLedger, cadre_id: str) -> tuple[list[str], list[str]]:
    """The recomputed heads, and the problems of the ledger on its own."""
    problems: list[str] = []
    if ledger.cadre_id != cadre_id:
        problems.append(f"ledger is for cadre {ledger.cadre_id}, not {cadre_id}")
    for i, revision in enumerate(ledger.revisions):
        if revision.seq != i + 1:
            problems.append(
                f"revision #{i + 1} has seq {revision.seq}: published revisions were inserted or deleted"
            )
            break
    heads = replay(ledger)
    if len(ledger.heads) != len(heads):
        problems.append(f"ledger lists {len(ledger.heads)} heads for {len(heads)} revisions")
    bad = next((i for i, (a, b) in enumerate(zip(ledger.heads, heads, strict=False)) if a != b), None)
    if bad is not None:
        problems.append(f"published head after seq {bad + 1} does not match the recomputed chain")
    return heads, problems


def verify_site(fetch: Callable[[str], Any | None], cadre_id: str) -> list[str]:
    """Check a cadre's published log against the public key and every signed checkpoint.

    ``fetch(path)`` returns the parsed JSON (text for .pem) of a site path, or None if missing.
    Returns human-readable problems; empty means consistent with every checkpoint."""
    problems: list[str] = []
    pem = fetch(keys.PUBLIC_KEY)
    if isinstance(pem, bytes):
        pem = pem.decode()
    if not isinstance(pem, str):
        problems.append(f"public key {keys.PUBLIC_KEY} is missing")
        pem = None
    heads: list[str] | None = None
    ledger = _load(CadreLedger, _fetch(fetch, keys.cadre_ledger, cadre_id), f"ledger of {cadre_id}", problems)
    if ledger is not None:
        heads, ledger_problems = _check_ledger(ledger, cadre_id)
        problems += ledger_problems
    index = fetch(keys.CHECKPOINT_INDEX)
    dates = index.get("checkpoints") if isinstance(index, dict) else None
    if not isinstance(dates, list) or not all(isinstance(d, str) for d in dates):
        return [*problems, f"checkpoint index {keys.CHECKPOINT_INDEX} is missing or malformed"]
    signed: tuple[str, int] | None = None  # (date, seq) of the latest checkpoint with this cadre
    for date in sorted(dates):
        what = f"checkpoint {date}"
        checkpoint = _load(Checkpoint, _fetch(fetch, keys.checkpoint, date), what, problems)
        if checkpoint is None:
            continue
        if checkpoint.date != date:
            problems.append(f"{what} is dated {checkpoint.date}")
        if pem is not None:
            problems += [f"{what}: {p}" for p in verify_checkpoint(checkpoint, pem)]
        for leaf in (leaf for leaf in checkpoint.leaves if leaf.cadre_id == cadre_id):
            if signed is not None and leaf.seq < signed[1]:
                problems.append(f"{what} signs seq {leaf.seq}, below seq {signed[1]} signed on {signed[0]}")
            signed = (date, leaf.seq)
            if heads is None:
                continue
            if not 1 <= leaf.seq <= len(heads):
                problems.append(f"{what} signs seq {leaf.seq} but the log has {len(heads)} revisions")
            elif heads[leaf.seq - 1] != leaf.head:
                problems.append(f"{what}: revisions 1..{leaf.seq} do not match the signed head")
    return problems
