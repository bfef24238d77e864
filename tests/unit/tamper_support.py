"""Helpers of the tamper-evidence tests: an in-memory signer, revisions, and a published site in a
dict that a test can tamper with: ``Site`` as v1 checkpoints (every leaf listed) left it, and
``ProvedSite`` with v2 checkpoints and per-cadre inclusion proofs."""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from worklog.publish import keys
from worklog.publish.tamper import (
    CadreLedger,
    Checkpoint,
    CheckpointLink,
    InclusionProof,
    Leaf,
    PublishedRevision,
    build_ledger,
    inclusion_proofs,
    key_fingerprint,
    make_checkpoint,
    make_checkpoint_v2,
)
from worklog.publish.verification import verify_site


class MemorySigner:
    """A Signer with an in-memory P-256 key."""

    algorithm = "ECDSA_SHA_256"

    def __init__(self, key_id: str = "memory") -> None:
        self.key_id = key_id
        self._key = ec.generate_private_key(ec.SECP256R1())

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message, ec.ECDSA(hashes.SHA256()))

    def public_key_pem(self) -> str:
        spki = serialization.PublicFormat.SubjectPublicKeyInfo
        return self._key.public_key().public_bytes(serialization.Encoding.PEM, spki).decode()


SIGNER = MemorySigner()


def rev(seq: int, content: str = "", **changes: Any) -> PublishedRevision:
    fields: dict[str, Any] = {
        "seq": seq,
        "kind": "entry",
        "period": f"2026-11-{seq:02d}",
        "revision": 1,
        "saved_at": f"2026-11-{seq:02d}T18:00:00.000+08:00",
        "late": False,
        "reason": None,
        "body": {"items": [{"content": content or f"第{seq}天：走访企业", "status": "done"}]},
        "chain_hash": hashlib.sha256(f"internal-{seq}".encode()).hexdigest(),
    }
    return PublishedRevision(**{**fields, **changes})


def revs(n: int) -> list[PublishedRevision]:
    return [rev(i) for i in range(1, n + 1)]


def leaves_for(n: int) -> list[Leaf]:
    return [
        Leaf(cadre_id=f"c{i:04d}", seq=i, head=hashlib.sha256(str(i).encode()).hexdigest()) for i in range(n)
    ]


DAYS = ["2026-11-19", "2026-11-20"]


class Site:
    """A published site in a dict: c0001 has 5 revisions, c0002 has 3; two daily checkpoints."""

    def __init__(self, signer: Any = SIGNER) -> None:
        self.files: dict[str, Any] = {keys.PUBLIC_KEY: signer.public_key_pem()}
        ledgers = {"c0001": build_ledger("c0001", revs(5)), "c0002": build_ledger("c0002", revs(3))}
        for cadre_id, ledger in ledgers.items():
            self.files[keys.cadre_ledger(cadre_id)] = ledger.model_dump(mode="json")
        signed = {DAYS[0]: {"c0001": 3, "c0002": 2}, DAYS[1]: {"c0001": 4, "c0002": 3}}
        for day, seqs in signed.items():
            leaves = [Leaf(cadre_id=c, seq=s, head=ledgers[c].heads[s - 1]) for c, s in seqs.items()]
            checkpoint = make_checkpoint(day, f"{day}T23:59:00+08:00", leaves, signer)
            self.files[keys.checkpoint(day)] = checkpoint.model_dump(mode="json")
        self.files[keys.CHECKPOINT_INDEX] = {"checkpoints": list(DAYS)}
        self.files = json.loads(json.dumps(self.files))  # what a client would parse

    def fetch(self, path: str) -> Any | None:
        return copy.deepcopy(self.files.get(path))

    def verify(self, cadre_id: str = "c0001") -> list[str]:
        return verify_site(self.fetch, cadre_id)

    def ledger(self, cadre_id: str = "c0001") -> CadreLedger:
        return CadreLedger.model_validate(self.files[keys.cadre_ledger(cadre_id)])

    def republish(self, revisions: list[PublishedRevision], cadre_id: str = "c0001") -> None:
        """What a careful forger does: renumber and recompute the public chain."""
        renumbered = [r.model_copy(update={"seq": i}) for i, r in enumerate(revisions, 1)]
        self.files[keys.cadre_ledger(cadre_id)] = build_ledger(cadre_id, renumbered).model_dump(mode="json")

    def checkpoint(self, day: str) -> Checkpoint:
        return Checkpoint.model_validate(self.files[keys.checkpoint(day)])

    def put_checkpoint(self, checkpoint: Checkpoint) -> None:
        self.files[keys.checkpoint(checkpoint.date)] = checkpoint.model_dump(mode="json")


NIGHTS = {  # what each night's checkpoint signs: cadre -> seq; c0003 joins on the second night
    "2026-11-19": {"c0001": 3, "c0002": 3},
    "2026-11-20": {"c0001": 5, "c0002": 3, "c0003": 2},
}


class ProvedSite(Site):
    """A site published with v2 checkpoints: each night a checkpoint without leaves, chained to the
    night before, and a proof only for the cadres whose leaf moved that night. c0001 moved on both
    nights (its proof names 11-20), c0002 only on the first (its proof still names 11-19), c0003 was
    added on the second."""

    def __init__(self, signer: Any = SIGNER, signers: dict[str, Any] | None = None) -> None:
        """``signers``: the signer of a night other than ``signer`` (a key rotated between nights)."""
        self.files = {}
        self.ledgers = {
            "c0001": build_ledger("c0001", revs(5)),
            "c0002": build_ledger("c0002", revs(3)),
            "c0003": build_ledger("c0003", revs(2)),
        }
        for cadre_id, ledger in self.ledgers.items():
            self.files[keys.cadre_ledger(cadre_id)] = ledger.model_dump(mode="json")
        previous: CheckpointLink | None = None
        proved: dict[str, int] = {}
        for day, seqs in NIGHTS.items():
            leaves = [Leaf(cadre_id=c, seq=s, head=self.ledgers[c].heads[s - 1]) for c, s in seqs.items()]
            night_signer = (signers or {}).get(day, signer)
            checkpoint = make_checkpoint_v2(day, f"{day}T23:59:00+08:00", leaves, night_signer, previous)
            self.put_checkpoint(checkpoint)
            self.publish_key(night_signer)
            changed = [leaf for leaf in leaves if proved.get(leaf.cadre_id) != leaf.seq]
            paths = inclusion_proofs(leaves, [leaf.cadre_id for leaf in changed])
            for leaf in changed:
                proof = InclusionProof(
                    checkpoint=day, root=checkpoint.root, leaf=leaf, path=paths[leaf.cadre_id]
                )
                self.files[keys.cadre_proof(leaf.cadre_id)] = proof.model_dump(mode="json")
                proved[leaf.cadre_id] = leaf.seq
            previous = CheckpointLink(date=day, root=checkpoint.root)
        self.files[keys.CHECKPOINT_INDEX] = {"checkpoints": list(NIGHTS)}
        self.files[keys.LATEST_CHECKPOINT] = previous.model_dump(mode="json") if previous else None
        self.files = json.loads(json.dumps(self.files))

    def publish_key(self, signer: Any) -> None:
        """What the publisher writes: the current key, and each key under its fingerprint."""
        pem = signer.public_key_pem()
        self.files[keys.PUBLIC_KEY] = pem
        self.files[keys.signing_key(key_fingerprint(pem))] = pem

    def proof(self, cadre_id: str = "c0001") -> InclusionProof:
        return InclusionProof.model_validate(self.files[keys.cadre_proof(cadre_id)])

    def put_checkpoint(self, checkpoint: Checkpoint) -> None:
        self.files[keys.checkpoint(checkpoint.date)] = checkpoint.model_dump(mode="json", exclude_none=True)


def listed(checkpoint: Checkpoint) -> list[Leaf]:
    """The leaves a v1 checkpoint lists."""
    assert checkpoint.leaves is not None, "a v1 checkpoint lists its leaves"
    return checkpoint.leaves
