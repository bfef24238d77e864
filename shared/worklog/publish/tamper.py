"""Public tamper evidence: per-cadre public hash chains, signed daily checkpoints, inclusion proofs.

The site publishes, per cadre, the published (masked) revisions and a hash chain over them
(``ledger/cadres/<cadre_id>.json``). Every day a checkpoint (``ledger/checkpoints/<date>.json``)
signs an RFC 6962 Merkle root over every cadre's ``(cadre_id, seq, head)``. A v2 checkpoint names
(and signs) the fingerprint of its key, published for good at ``ledger/keys/<fingerprint>.pem``, so
the signing key can be rotated without orphaning older checkpoints; a v1 checkpoint names no key
(``verification._Keys`` says which it is checked with; ``ledger/public-key.pem`` is the current
one). A v2 checkpoint holds the root, the count and the previous day's root, not the leaves; each
cadre's ``ledger/proofs/<cadre_id>.json`` proves its leaf is under the root of a named dated
checkpoint. Rewriting, inserting or deleting a published revision after a checkpoint changes a head
that the checkpoint signed, and ``verification.verify_site`` reports it.

cryptography is imported by the code that signs or checks a signature, not with the module: the
publisher's batches and the archiver build chains and proofs (hashlib) and never sign, and a
container that does not sign does not load it (docs/benchmarks.md, "Cold import").
"""

import base64
import binascii
import hashlib
import itertools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from worklog import aws
from worklog.models.common import Model
from worklog.settings import get_settings

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

ALGORITHM = "worklog-public-chain-v1"  # checkpoints that list every leaf (still verifiable)
ALGORITHM_V2 = "worklog-public-chain-v2"  # checkpoints without leaves, chained; per-cadre proofs
SIGNATURE_ALGORITHM = "ECDSA_SHA_256"  # KMS key spec ECC_NIST_P256; LocalSigner uses the same curve
GENESIS = "0" * 64


class PublishedRevision(Model):
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


class CadreLedger(Model):
    cadre_id: str
    revisions: list[PublishedRevision]  # ascending seq
    heads: list[str]  # heads[i] = public chain head after revisions[i]


class WithdrawnLedger(Model):
    """A cadre's ledger file once their log is no longer public (a departure's time has passed): no
    revisions, only the public chain's last position and head, which stay the cadre's leaf in every
    later checkpoint (docs/decisions.md, 30)."""

    cadre_id: str
    withdrawn: str  # the day the log stopped being public
    notice: str
    seq: int
    head: str


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


class Leaf(Model):
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


class _Tree:
    """The RFC 6962 tree over sorted leaves, its subtree hashes kept: N proofs cost O(N log N)."""

    def __init__(self, ordered: list[Leaf]) -> None:
        self.hashes = [leaf_hash(leaf) for leaf in ordered]
        self._memo: dict[tuple[int, int], bytes] = {}

    def node(self, lo: int, hi: int) -> bytes:
        if hi - lo == 1:
            return self.hashes[lo]
        if (lo, hi) not in self._memo:
            k = lo + _split(hi - lo)
            self._memo[(lo, hi)] = node_hash(self.node(lo, k), self.node(k, hi))
        return self._memo[(lo, hi)]

    def path(self, index: int) -> list[tuple[str, str]]:
        lo, hi, steps = 0, len(self.hashes), []
        while hi - lo > 1:
            k = lo + _split(hi - lo)
            if index < k:
                steps.append(("R", self.node(k, hi).hex()))
                hi = k
            else:
                steps.append(("L", self.node(lo, k).hex()))
                lo = k
        return steps[::-1]  # from the leaf up


def inclusion_proofs(leaves: list[Leaf], cadre_ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    """The inclusion proof of each of ``cadre_ids`` (every one must have a leaf), the tree built once."""
    ordered = _sorted(leaves)
    index = {leaf.cadre_id: i for i, leaf in enumerate(ordered)}
    tree = _Tree(ordered)
    return {cadre_id: tree.path(index[cadre_id]) for cadre_id in cadre_ids}


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


class CheckpointLink(Model):
    date: str
    root: str


class Checkpoint(Model):
    """v1 lists every leaf (its size grows with the cadres); v2 holds only the count and the link to
    the checkpoint before it, and each cadre's ``InclusionProof`` shows its leaf is under the root."""

    date: str  # YYYY-MM-DD
    created_at: str
    algorithm: str = ALGORITHM
    leaves: list[Leaf] | None = None  # v1 only: sorted by cadre_id
    count: int | None = None  # v2 only: the number of leaves
    previous: CheckpointLink | None = None  # v2 only: the checkpoint of the last earlier day, if any
    root: str
    key_id: str  # the signer's own name for its key (a KMS key ARN, "local:…"); not used to verify
    key_fingerprint: str | None = None  # v2 only: ``key_fingerprint`` of the key that verifies it
    signature_algorithm: str  # a KMS signing algorithm name, e.g. "ECDSA_SHA_256"
    signature: str  # base64 of the signature over signed_message(checkpoint)

    @property
    def size(self) -> int:
        """How many leaves the root is over."""
        return len(self.leaves) if self.leaves is not None else self.count or 0


class InclusionProof(Model):
    """One cadre's leaf and the path from it to the root of the dated checkpoint it was proved against."""

    algorithm: str = ALGORITHM_V2
    checkpoint: str  # the date of the checkpoint (``ledger/checkpoints/<date>.json``)
    root: str  # that checkpoint's root, for the reader; the verifier uses the checkpoint's own
    leaf: Leaf
    path: list[tuple[str, str]]


def checkpoint_message(date: str, root: str, count: int) -> bytes:
    """What a v1 checkpoint signs (kept: checkpoints signed before v2 stay verifiable)."""
    return canonical({"date": date, "root": root, "count": count, "algorithm": ALGORITHM})


def checkpoint_message_v2(
    date: str, root: str, count: int, previous: CheckpointLink | None, key_fingerprint: str | None
) -> bytes:
    """What a v2 checkpoint signs; the key's fingerprint too, so no one can relabel which key it names."""
    link = previous.model_dump(mode="json") if previous is not None else None
    return canonical(
        {
            "algorithm": ALGORITHM_V2,
            "date": date,
            "root": root,
            "count": count,
            "previous": link,
            "key": key_fingerprint,
        }
    )


def signed_message(checkpoint: Checkpoint) -> bytes:
    """The bytes the checkpoint's signature is over, by its version."""
    if checkpoint.algorithm == ALGORITHM_V2:
        return checkpoint_message_v2(
            checkpoint.date, checkpoint.root, checkpoint.size, checkpoint.previous, checkpoint.key_fingerprint
        )
    return checkpoint_message(checkpoint.date, checkpoint.root, checkpoint.size)


class Signer(Protocol):
    key_id: str
    algorithm: str

    def sign(self, message: bytes) -> bytes: ...

    def public_key_pem(self) -> str: ...


def key_fingerprint(public_key_pem: str) -> str:
    """The SHA-256 (hex) of a public key's DER SubjectPublicKeyInfo: the same key in any PEM layout
    gives the same fingerprint. Raises ValueError when the text is not a public key."""
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_public_key(public_key_pem.encode())
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def _pem(public_key: "PublicKeyTypes") -> str:
    from cryptography.hazmat.primitives import serialization

    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    return public_key.public_bytes(serialization.Encoding.PEM, spki).decode("ascii")


class LocalSigner:
    """An ECDSA P-256 key kept in a PEM file, created (mode 0600) on first use."""

    algorithm = SIGNATURE_ALGORITHM

    def __init__(self, path: Path) -> None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

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
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

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
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec

        return self._key.sign(message, ec.ECDSA(hashes.SHA256()))

    def public_key_pem(self) -> str:
        return _pem(self._key.public_key())


class KmsSigner:
    """An AWS KMS asymmetric key (key spec ECC_NIST_P256, usage SIGN_VERIFY)."""

    algorithm = SIGNATURE_ALGORITHM

    def __init__(self, key_id: str, client: Any = None) -> None:
        self.key_id = key_id
        self._client = client if client is not None else aws.client("kms")
        self._pem: str | None = None  # a key's public half never changes: fetched once per run

    def sign(self, message: bytes) -> bytes:
        response = self._client.sign(
            KeyId=self.key_id, Message=message, MessageType="RAW", SigningAlgorithm=self.algorithm
        )
        return bytes(response["Signature"])

    def public_key_pem(self) -> str:
        from cryptography.hazmat.primitives import serialization

        if self._pem is None:
            der = self._client.get_public_key(KeyId=self.key_id)["PublicKey"]
            self._pem = _pem(serialization.load_der_public_key(bytes(der)))
        return self._pem


def make_signer() -> Signer:
    """The checkpoints' signer the settings name: the KMS key, else the local key file."""
    settings = get_settings()
    if settings.signing_key_id:
        return KmsSigner(settings.signing_key_id)
    return LocalSigner(settings.signing_key_path())


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


def make_checkpoint_v2(
    date: str, created_at: str, leaves: list[Leaf], signer: Signer, previous: CheckpointLink | None
) -> Checkpoint:
    """A checkpoint whose size does not grow with the cadres: the root, the count, the previous link,
    and the fingerprint of the signer's public key."""
    root = merkle_root(leaves)
    fingerprint = key_fingerprint(signer.public_key_pem())
    signature = signer.sign(checkpoint_message_v2(date, root, len(leaves), previous, fingerprint))
    return Checkpoint(
        date=date,
        created_at=created_at,
        algorithm=ALGORITHM_V2,
        count=len(leaves),
        previous=previous,
        root=root,
        key_id=signer.key_id,
        key_fingerprint=fingerprint,
        signature_algorithm=signer.algorithm,
        signature=base64.b64encode(signature).decode("ascii"),
    )


def verify_signature(public_key_pem: str, algorithm: str, message: bytes, signature: bytes) -> bool:
    """A signature made with the KMS signing ``algorithm`` (ECDSA_*, RSASSA_PSS_*, RSASSA_PKCS1_V1_5_*)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    family, _, bits = algorithm.rpartition("_SHA_")
    hashing: dict[str, Callable[[], hashes.HashAlgorithm]] = {
        "256": hashes.SHA256,
        "384": hashes.SHA384,
        "512": hashes.SHA512,
    }
    if bits not in hashing:
        return False
    digest = hashing[bits]()
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
    if checkpoint.algorithm not in (ALGORITHM, ALGORITHM_V2):
        problems.append(f"unknown algorithm {checkpoint.algorithm!r}")
    elif checkpoint.algorithm == ALGORITHM_V2 and (checkpoint.leaves is not None or checkpoint.count is None):
        problems.append("a v2 checkpoint holds a count and no leaves")
    elif checkpoint.algorithm == ALGORITHM_V2 and checkpoint.key_fingerprint is None:
        problems.append("a v2 checkpoint names the fingerprint of its key")
    elif checkpoint.algorithm == ALGORITHM and checkpoint.leaves is None:
        problems.append("a v1 checkpoint lists its leaves")
    try:
        if checkpoint.leaves is not None and _sorted(checkpoint.leaves) != checkpoint.leaves:
            problems.append("leaves are not sorted by cadre_id")
        if checkpoint.leaves is not None and merkle_root(checkpoint.leaves) != checkpoint.root:
            problems.append("root mismatch: the leaves do not hash to the signed root")
    except ValueError as e:
        problems.append(str(e))
    try:
        signature = base64.b64decode(checkpoint.signature, validate=True)
    except (binascii.Error, ValueError):
        signature = b""
    if not verify_signature(
        public_key_pem, checkpoint.signature_algorithm, signed_message(checkpoint), signature
    ):
        problems.append(f"bad signature ({checkpoint.signature_algorithm}, key {checkpoint.key_id})")
    return problems
