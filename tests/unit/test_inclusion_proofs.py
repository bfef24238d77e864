"""Per-cadre inclusion proofs against v2 checkpoints (root, count and the previous night's root; no
leaves): what the publisher writes each night and what ``verify-site`` checks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.unit.tamper_support import NIGHTS, SIGNER, MemorySigner, ProvedSite, leaves_for, revs
from worklog.publish import checkpoints, keys
from worklog.publish.manifest import CadreState, Manifest
from worklog.publish.site import SiteStore, SiteWriter
from worklog.publish.tamper import (
    ALGORITHM_V2,
    Checkpoint,
    CheckpointLink,
    InclusionProof,
    Leaf,
    build_ledger,
    checkpoint_message_v2,
    inclusion_proof,
    inclusion_proofs,
    make_checkpoint,
    make_checkpoint_v2,
    merkle_root,
    verify_checkpoint,
    verify_inclusion,
)

FIRST, SECOND = list(NIGHTS)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13, 64, 100])
def test_proofs_built_together_equal_the_single_proofs_and_verify(n: int) -> None:
    leaves = leaves_for(n)
    together = inclusion_proofs(leaves[::-1], [leaf.cadre_id for leaf in leaves])
    root = merkle_root(leaves)
    for leaf in leaves:
        assert together[leaf.cadre_id] == inclusion_proof(leaves, leaf.cadre_id)
        assert verify_inclusion(leaf, together[leaf.cadre_id], root)


def test_a_v2_checkpoint_signs_a_versioned_message_with_the_previous_link_and_its_key() -> None:
    link = CheckpointLink(date=FIRST, root="ab" * 32)
    assert checkpoint_message_v2(SECOND, "cd", 3, link, "ef" * 32) == (
        b'{"algorithm":"' + ALGORITHM_V2.encode() + b'","count":3,"date":"2026-11-20",'
        b'"key":"' + b"ef" * 32 + b'",'
        b'"previous":{"date":"2026-11-19","root":"' + b"ab" * 32 + b'"},"root":"cd"}'
    )
    good = make_checkpoint_v2(SECOND, "t", leaves_for(3), SIGNER, link)
    pem = SIGNER.public_key_pem()
    assert verify_checkpoint(good, pem) == []
    assert verify_checkpoint(good.model_copy(update={"previous": None}), pem) != []  # the link is signed
    assert verify_checkpoint(good.model_copy(update={"count": 4}), pem) != []
    assert verify_checkpoint(good.model_copy(update={"leaves": leaves_for(3)}), pem) != []
    assert verify_checkpoint(good.model_copy(update={"key_fingerprint": "ef" * 32}), pem) != []


def test_a_checkpoint_no_longer_grows_with_the_number_of_cadres() -> None:
    def size(n: int) -> int:
        checkpoint = make_checkpoint_v2(SECOND, "t", leaves_for(n), SIGNER, None)
        # an ECDSA signature's length varies by a byte or two whatever is signed: left out
        return len(json.dumps(checkpoint.model_dump(mode="json", exclude_none=True, exclude={"signature"})))

    assert size(10_000) - size(10) == len("10000") - len("10")  # only the count's digits differ
    assert len(inclusion_proof(leaves_for(10_000), "c0042")) == 14  # a proof grows as log2(N)


# --- verify-site with proofs ------------------------------------------------------------------


def test_an_honest_proved_site_verifies_every_cadre() -> None:
    site = ProvedSite()
    assert site.proof("c0002").checkpoint == FIRST  # unchanged since: still proved against 11-19
    assert site.proof("c0003").checkpoint == SECOND  # added later
    for cadre_id in ("c0001", "c0002", "c0003"):
        assert site.verify(cadre_id) == [], cadre_id


def test_a_tampered_sibling_in_the_proof_is_detected() -> None:
    site = ProvedSite()
    proof = site.proof("c0001")
    side, sibling = proof.path[0]
    proof.path[0] = (side, ("0" if sibling[0] != "0" else "1") + sibling[1:])
    site.files[keys.cadre_proof("c0001")] = proof.model_dump(mode="json")
    assert site.verify("c0001") == [
        f"proof against checkpoint {SECOND}: the leaf is not under the checkpoint's signed root"
    ]


def test_a_proof_of_an_unknown_algorithm_is_reported() -> None:
    site = ProvedSite()
    site.files[keys.cadre_proof("c0001")]["algorithm"] = "v9"
    assert site.verify("c0001") == [f"proof against checkpoint {SECOND}: unknown algorithm 'v9'"]


def test_a_proof_naming_another_checkpoint_than_its_own_is_detected() -> None:
    site = ProvedSite()
    proof = site.proof("c0003").model_copy(update={"checkpoint": FIRST})  # c0003 was not under 11-19
    site.files[keys.cadre_proof("c0003")] = proof.model_dump(mode="json")
    assert any("not under the checkpoint's signed root" in p for p in site.verify("c0003"))


def test_a_wrong_root_in_the_checkpoint_is_detected() -> None:
    site = ProvedSite()
    checkpoint = Checkpoint.model_validate(site.files[keys.checkpoint(FIRST)])
    site.put_checkpoint(checkpoint.model_copy(update={"root": "0" * 64}))
    problems = site.verify("c0002")
    assert f"checkpoint {FIRST}: bad signature (ECDSA_SHA_256, key memory)" in problems
    assert any("not under the checkpoint's signed root" in p for p in problems)


def test_a_proof_against_an_unsigned_checkpoint_is_detected() -> None:
    site = ProvedSite()
    checkpoint = Checkpoint.model_validate(site.files[keys.checkpoint(SECOND)])
    forged = make_checkpoint_v2(SECOND, "t", [], MemorySigner("forger"), checkpoint.previous)
    # the forger names the site's key (a key of its own is not published: see test_key_rotation)
    named = {
        "root": checkpoint.root,
        "count": checkpoint.count,
        "key_fingerprint": checkpoint.key_fingerprint,
    }
    site.put_checkpoint(forged.model_copy(update=named))
    assert site.verify("c0001") == [f"checkpoint {SECOND}: bad signature (ECDSA_SHA_256, key forger)"]


def test_a_proof_against_a_missing_checkpoint_is_detected() -> None:
    site = ProvedSite()
    del site.files[keys.checkpoint(FIRST)]
    assert site.verify("c0002") == [f"checkpoint {FIRST} is missing"]
    assert site.verify("c0001") == []  # its proof names the checkpoint of 11-20, which is there


def test_a_rewritten_or_shortened_log_no_longer_matches_its_proof() -> None:
    site = ProvedSite()
    revisions = site.ledger("c0002").revisions
    revisions[0].body["items"][0]["content"] = "改写"
    site.republish(revisions, "c0002")
    assert site.verify("c0002") == [
        f"proof against checkpoint {FIRST}: revisions 1..3 do not match the signed head"
    ]
    site.republish(site.ledger("c0001").revisions[:4])
    assert site.verify("c0001") == [
        f"proof against checkpoint {SECOND} signs seq 5 but the log has 4 revisions"
    ]


def test_a_revision_appended_after_the_proof_is_reported_as_not_signed() -> None:
    site = ProvedSite()
    site.files[keys.cadre_ledger("c0002")] = build_ledger("c0002", revs(4)).model_dump(mode="json")
    assert site.verify("c0002") == [
        f"proof against checkpoint {FIRST} signs seq 3 but the log has 4 revisions"
    ]


def test_a_proof_whose_checkpoint_is_older_than_the_last_revision_is_detected() -> None:
    """Revision 5 of c0001 was saved on 11-05: a checkpoint of 11-04 cannot have signed it."""
    site = ProvedSite()
    leaf = site.proof("c0001").leaf
    early = make_checkpoint_v2("2026-11-04", "t", [leaf], SIGNER, None)
    site.put_checkpoint(early)
    proof = InclusionProof(checkpoint="2026-11-04", root=early.root, leaf=leaf, path=[])
    site.files[keys.cadre_proof("c0001")] = proof.model_dump(mode="json")
    problems = site.verify("c0001")
    assert (
        "proof against checkpoint 2026-11-04 is older than the last published revision (saved 2026-11-05)"
        in (problems)
    )


def test_a_checkpoint_replaced_after_the_next_night_linked_to_it_is_detected() -> None:
    """Even with the key: a re-signed 11-19 no longer has the root 11-20 signed as its previous."""
    site = ProvedSite()
    ledger = site.ledger("c0002")
    leaves = [Leaf(cadre_id="c0002", seq=2, head=ledger.heads[1])]
    site.put_checkpoint(make_checkpoint_v2(FIRST, "t", leaves, SIGNER, None))
    proof = InclusionProof(checkpoint=FIRST, root=merkle_root(leaves), leaf=leaves[0], path=[])
    site.files[keys.cadre_proof("c0002")] = proof.model_dump(mode="json")
    site.republish(ledger.revisions[:2], "c0002")
    assert site.verify("c0002") == [f"checkpoint {FIRST}: root differs from the one the next day links"]


def test_a_missing_or_stale_latest_pointer_is_reported() -> None:
    site = ProvedSite()
    site.files[keys.LATEST_CHECKPOINT] = {"date": FIRST, "root": site.proof("c0002").root}
    assert site.verify("c0001") == [f"the latest checkpoint {FIRST} is older than checkpoint {SECOND}"]
    del site.files[keys.LATEST_CHECKPOINT]
    assert site.verify("c0001") == ["latest checkpoint is missing"]


def test_a_cadre_with_revisions_and_no_proof_is_reported() -> None:
    site = ProvedSite()
    del site.files[keys.cadre_proof("c0003")]
    assert site.verify("c0003") == ["inclusion proof of c0003 is missing"]
    site.files[keys.cadre_ledger("c0003")] = build_ledger("c0003", []).model_dump(mode="json")
    assert site.verify("c0003") == []  # nothing published yet: no leaf, nothing to prove


# --- what the publisher writes -------------------------------------------------------------------


class Store(SiteStore):
    """A SiteStore that only records what was put."""

    def __init__(self) -> None:
        super().__init__(bucket="site", client=object())
        self.put_keys: list[str] = []

    def put(self, key: str, body: bytes, content_type: str, digest: str) -> None:
        self.put_keys.append(key)

    def get_json(self, key: str) -> Any | None:
        return None


def night(manifest: Manifest, day: str, *, rewritten: bool = True) -> tuple[list[str], Store]:
    store = Store()
    leaves = checkpoints.leaves(manifest)
    checkpoint = make_checkpoint_v2(day, "t", leaves, SIGNER, None)
    written = checkpoints.write_proofs(
        SiteWriter(store, {}),
        manifest,
        leaves,
        checkpoint,
        rewritten=rewritten,
    )
    return written, store


def state(seq: int) -> CadreState:
    return CadreState(seen_seq=seq, seq=seq, head=f"{seq:064x}")


def test_only_the_cadres_whose_leaf_moved_get_a_new_proof() -> None:
    manifest = Manifest(cadres={f"c{i:04d}": state(i) for i in range(1, 101)})
    manifest.cadres["c0000"] = state(0)  # nothing published: no leaf, no proof
    written, store = night(manifest, FIRST)
    assert written == [f"c{i:04d}" for i in range(1, 101)]  # the first night proves everyone
    manifest.cadres["c0007"] = state(8)  # the next night one leaf moved and one cadre joined
    manifest.cadres["c0200"] = state(1)
    written, store = night(manifest, SECOND)
    assert written == ["c0007", "c0200"]
    assert store.put_keys == [keys.cadre_proof("c0007"), keys.cadre_proof("c0200")]
    assert manifest.cadres["c0001"].proof_date == FIRST and manifest.cadres["c0007"].proof_date == SECOND


def test_a_second_run_of_the_day_that_re_signs_reproves_that_days_proofs() -> None:
    manifest = Manifest(cadres={"c0001": state(1), "c0002": state(1)})
    night(manifest, FIRST)
    manifest.cadres["c0002"] = state(2)
    assert night(manifest, SECOND)[0] == ["c0002"]
    manifest.cadres["c0001"] = state(2)  # later the same day: the day's checkpoint is signed again
    assert night(manifest, SECOND)[0] == ["c0001", "c0002"]
    assert night(manifest, SECOND, rewritten=False)[0] == []  # the same root kept: nothing to redo


def test_a_proof_older_than_the_v1_checkpoints_after_it_is_not_in_the_chain() -> None:
    """Proofs exist from the first v2 checkpoint on: one behind a v1 checkpoint was not written so."""
    site = ProvedSite()
    checkpoint = Checkpoint.model_validate(site.files[keys.checkpoint(SECOND)])
    leaves = [Leaf(cadre_id=c, seq=s, head=site.ledgers[c].heads[s - 1]) for c, s in NIGHTS[SECOND].items()]
    site.put_checkpoint(make_checkpoint(SECOND, "t", leaves, SIGNER))
    site.files[keys.LATEST_CHECKPOINT] = {"date": SECOND, "root": checkpoint.root}
    assert site.verify("c0001") == []  # proved against the v1 checkpoint of the same day: fine
    assert site.verify("c0002") == [f"checkpoint {FIRST} is not in the chain of signed checkpoints"]
