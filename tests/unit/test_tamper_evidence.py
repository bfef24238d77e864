"""Public tamper evidence: public chains, Merkle checkpoints, signatures and site verification."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import stat
from pathlib import Path
from typing import Any

import boto3
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws

from tests.unit.tamper_support import DAYS, SIGNER, MemorySigner, Site, leaves_for, listed, rev, revs
from worklog.publish.tamper import (
    ALGORITHM,
    CadreLedger,
    KmsSigner,
    Leaf,
    LocalSigner,
    build_ledger,
    canonical,
    checkpoint_message,
    inclusion_proof,
    make_checkpoint,
    merkle_root,
    public_head,
    replay,
    verify_checkpoint,
    verify_inclusion,
    verify_signature,
)
from worklog.publish.verification import verify_site

# --- public chain ---------------------------------------------------------------------------------


def test_public_head_is_sha256_of_previous_and_canonical_revision() -> None:
    r = rev(1)
    expected_body = json.dumps(
        r.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    assert canonical(r.model_dump(mode="json")) == expected_body.encode()
    assert "走访" in expected_body  # not \u-escaped
    first = hashlib.sha256(("0" * 64 + "\n" + expected_body).encode()).hexdigest()
    assert public_head(None, r) == first
    second = hashlib.sha256(first.encode() + b"\n" + canonical(rev(2).model_dump(mode="json"))).hexdigest()
    assert public_head(first, rev(2)) == second


def test_build_ledger_and_replay() -> None:
    ledger = build_ledger("c0001", list(reversed(revs(4))))
    assert [r.seq for r in ledger.revisions] == [1, 2, 3, 4]
    assert len(ledger.heads) == 4 and len(set(ledger.heads)) == 4
    assert replay(ledger) == ledger.heads
    doctored = ledger.model_copy(update={"heads": ["0" * 64] * 4})
    assert replay(doctored) == ledger.heads  # replay ignores the published heads
    assert build_ledger("c0001", []).heads == []


@pytest.mark.parametrize("seqs", [[2, 3], [1, 3], [1, 1, 2]])
def test_build_ledger_rejects_gaps_and_duplicates(seqs: list[int]) -> None:
    with pytest.raises(ValueError, match="seq"):
        build_ledger("c0001", [rev(s) for s in seqs])


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 8), data=st.data())
def test_a_change_to_one_revision_changes_that_head_and_every_later_one(n: int, data: st.DataObject) -> None:
    ledger = build_ledger("c0001", revs(n))
    i = data.draw(st.integers(0, n - 1))
    changed = copy.deepcopy(ledger)
    changed.revisions[i].body["items"][0]["content"] += data.draw(st.text(min_size=1, max_size=5))
    heads = replay(changed)
    assert heads[:i] == ledger.heads[:i]
    assert all(a != b for a, b in zip(heads[i:], ledger.heads[i:], strict=True))


# --- Merkle tree ----------------------------------------------------------------------------------


def naive_root(leaves: list[Leaf]) -> str:
    """RFC 6962 section 2.1, written out directly."""

    def mth(hs: list[bytes]) -> bytes:
        if len(hs) == 1:
            return hs[0]
        k = 1
        while k * 2 < len(hs):
            k *= 2
        return hashlib.sha256(b"\x01" + mth(hs[:k]) + mth(hs[k:])).digest()

    if not leaves:
        return hashlib.sha256(b"").hexdigest()
    ordered = sorted(leaves, key=lambda leaf: leaf.cadre_id)
    encoded = [
        json.dumps({"cadre_id": x.cadre_id, "head": x.head, "seq": x.seq}, separators=(",", ":")).encode()
        for x in ordered
    ]
    return mth([hashlib.sha256(b"\x00" + e).digest() for e in encoded]).hex()


@pytest.mark.parametrize("n", range(10))
def test_merkle_root_matches_naive_implementation(n: int) -> None:
    leaves = leaves_for(n)
    assert merkle_root(leaves) == naive_root(leaves)
    assert merkle_root(list(reversed(leaves))) == merkle_root(leaves)  # order of input does not matter


def test_merkle_root_of_known_shapes() -> None:
    assert merkle_root([]) == hashlib.sha256(b"").hexdigest()
    (one,) = leaves_for(1)
    assert merkle_root([one]) == hashlib.sha256(b"\x00" + canonical(one.model_dump())).hexdigest()
    with pytest.raises(ValueError, match="two leaves"):
        merkle_root([one, one])


@pytest.mark.parametrize("n", range(1, 10))
def test_inclusion_proofs(n: int) -> None:
    leaves = leaves_for(n)
    root = merkle_root(leaves)
    for leaf in leaves:
        proof = inclusion_proof(leaves, leaf.cadre_id)
        assert verify_inclusion(leaf, proof, root)
        assert not verify_inclusion(leaf.model_copy(update={"seq": leaf.seq + 1}), proof, root)
        assert not verify_inclusion(leaf.model_copy(update={"head": "f" * 64}), proof, root)
        assert not verify_inclusion(leaf, proof, "0" * 64)
        for other in leaves:
            if other.cadre_id != leaf.cadre_id:
                assert not verify_inclusion(other, proof, root)
        if proof:
            flipped = [("L" if s == "R" else "R", h) for s, h in proof]
            assert not verify_inclusion(leaf, flipped, root)
            assert not verify_inclusion(leaf, [("X", proof[0][1])], root)
            assert not verify_inclusion(leaf, [(proof[0][0], "zz")], root)
    with pytest.raises(KeyError):
        inclusion_proof(leaves, "nobody")


# --- signed checkpoints ---------------------------------------------------------------------------


def test_checkpoint_message_is_canonical() -> None:
    assert checkpoint_message("2026-11-20", "ab", 3) == (
        b'{"algorithm":"' + ALGORITHM.encode() + b'","count":3,"date":"2026-11-20","root":"ab"}'
    )


def test_local_signer_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "ledger.pem"
    signer = LocalSigner(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind
    again = LocalSigner(path)
    assert again.key_id == signer.key_id and again.public_key_pem() == signer.public_key_pem()
    assert LocalSigner(tmp_path / "other.pem").key_id != signer.key_id

    checkpoint = make_checkpoint("2026-11-20", "2026-11-21T00:05:00+08:00", leaves_for(5)[::-1], signer)
    assert listed(checkpoint) == leaves_for(5)
    assert checkpoint.key_id == signer.key_id and checkpoint.signature_algorithm == "ECDSA_SHA_256"
    assert verify_checkpoint(checkpoint, again.public_key_pem()) == []
    assert verify_checkpoint(checkpoint, LocalSigner(tmp_path / "other.pem").public_key_pem()) != []


def test_verify_checkpoint_reports_each_problem() -> None:
    pem = SIGNER.public_key_pem()
    good = make_checkpoint("2026-11-20", "t", leaves_for(4), SIGNER)

    def problems(**changes: Any) -> str:
        return " | ".join(verify_checkpoint(good.model_copy(update=changes), pem))

    assert problems() == ""
    assert "root mismatch" in problems(
        leaves=[*listed(good)[:3], listed(good)[3].model_copy(update={"seq": 9})]
    )
    assert "root mismatch" in problems(leaves=listed(good)[:3])
    assert "bad signature" in problems(root=merkle_root(listed(good)[:3]), leaves=listed(good)[:3])
    assert "bad signature" in problems(date="2026-11-21")
    assert "not sorted" in problems(leaves=listed(good)[::-1])
    assert "two leaves" in problems(leaves=[*listed(good), listed(good)[0]])
    assert "unknown algorithm" in problems(algorithm="v0")
    assert "bad signature" in problems(signature="not base64!")
    assert "bad signature" in problems(signature_algorithm="RSASSA_PSS_SHA_256")
    assert "bad signature" in problems(signature_algorithm="ECDSA_SHA_384")
    forged = make_checkpoint("2026-11-20", "t", leaves_for(4), MemorySigner())
    assert "bad signature" in problems(signature=forged.signature)


def test_verify_signature_follows_the_algorithm_name() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    pss = padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.DIGEST_LENGTH)  # as KMS signs
    signature = key.sign(b"m", pss, hashes.SHA256())
    assert verify_signature(pem, "RSASSA_PSS_SHA_256", b"m", signature)
    assert not verify_signature(pem, "RSASSA_PSS_SHA_256", b"n", signature)
    assert not verify_signature(pem, "RSASSA_PKCS1_V1_5_SHA_256", b"m", signature)
    assert not verify_signature(pem, "ECDSA_SHA_256", b"m", signature)
    assert verify_signature(
        pem, "RSASSA_PKCS1_V1_5_SHA_256", b"m", key.sign(b"m", padding.PKCS1v15(), hashes.SHA256())
    )
    assert not verify_signature(pem, "MAGIC", b"m", signature)
    assert not verify_signature("not a pem", "RSASSA_PSS_SHA_256", b"m", signature)


def test_kms_signer_round_trip(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("kms", region_name="us-east-1")
        key_id = client.create_key(KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")["KeyMetadata"]["KeyId"]
        signer = KmsSigner(key_id, client=client)
        assert signer.algorithm == "ECDSA_SHA_256"
        pem = signer.public_key_pem()
        assert pem.startswith("-----BEGIN PUBLIC KEY-----")
        checkpoint = make_checkpoint("2026-11-20", "t", leaves_for(3), signer)
        assert checkpoint.key_id == key_id
        assert verify_checkpoint(checkpoint, pem) == []
        assert verify_checkpoint(checkpoint.model_copy(update={"date": "2026-11-21"}), pem) != []


# --- verifying the site ---------------------------------------------------------------------------


def test_honest_site_verifies() -> None:
    site = Site()
    assert site.verify("c0001") == []
    assert site.verify("c0002") == []


def test_appending_after_the_last_checkpoint_is_not_tampering() -> None:
    site = Site()
    site.republish([*site.ledger().revisions, rev(6)])
    assert site.verify() == []


def test_rewritten_revision_text_is_detected() -> None:
    site = Site()
    revisions = site.ledger().revisions
    revisions[1].body["items"][0]["content"] = "第2天：在办公室学习"
    site.republish(revisions)
    problems = site.verify()
    assert any("checkpoint 2026-11-19" in p and "1..3" in p for p in problems)
    assert any("checkpoint 2026-11-20" in p and "1..4" in p for p in problems)


def test_rewrite_without_recomputing_heads_is_detected() -> None:
    site = Site()
    ledger = site.files["ledger/cadres/c0001.json"]
    ledger["revisions"][0]["late"] = True
    problems = site.verify()
    assert any("published head after seq 1" in p for p in problems)
    assert any("do not match the signed head" in p for p in problems)


@pytest.mark.parametrize("field", ["reason", "saved_at", "chain_hash", "period"])
def test_any_rewritten_field_is_detected(field: str) -> None:
    site = Site()
    revisions = site.ledger().revisions
    revisions[2] = revisions[2].model_copy(update={field: "2026-11-03T09:00:00.000+08:00"})
    site.republish(revisions)
    assert site.verify() != []


def test_inserted_revision_is_detected() -> None:
    site = Site()
    revisions = site.ledger().revisions
    site.republish([*revisions[:2], rev(99, "补记"), *revisions[2:]])
    assert any("do not match the signed head" in p for p in site.verify())


def test_inserted_revision_without_renumbering_is_detected() -> None:
    site = Site()
    revisions = site.ledger().revisions
    ledger = CadreLedger(
        cadre_id="c0001", revisions=[*revisions[:2], rev(3, "补记"), *revisions[2:]], heads=[]
    )
    ledger.heads = replay(ledger)
    site.files["ledger/cadres/c0001.json"] = ledger.model_dump(mode="json")
    assert any("inserted or deleted" in p for p in site.verify())


def test_deleted_last_revisions_are_detected() -> None:
    site = Site()
    site.republish(site.ledger().revisions[:3])
    assert any("signs seq 4 but the log has 3 revisions" in p for p in site.verify())
    site.republish([])
    problems = site.verify()
    assert any("signs seq 3 but the log has 0 revisions" in p for p in problems)


def test_deleted_middle_revision_is_detected() -> None:
    site = Site()
    revisions = site.ledger().revisions
    site.republish([*revisions[:1], *revisions[2:]])
    assert any("do not match the signed head" in p for p in site.verify())
    ledger = site.ledger()
    ledger.revisions = [*revisions[:1], *revisions[2:]]  # keep the original seq numbers: a gap
    ledger.heads = replay(ledger)
    site.files["ledger/cadres/c0001.json"] = ledger.model_dump(mode="json")
    assert any("has seq 3" in p and "inserted or deleted" in p for p in site.verify())


def test_doctored_heads_are_detected() -> None:
    site = Site()
    site.files["ledger/cadres/c0001.json"]["heads"][3] = "a" * 64
    assert any("published head after seq 4" in p for p in site.verify())
    del site.files["ledger/cadres/c0001.json"]["heads"][-1]
    assert any("4 heads for 5 revisions" in p for p in site.verify())


def test_altered_checkpoint_root_is_detected() -> None:
    site = Site()
    checkpoint = site.checkpoint(DAYS[0])
    site.put_checkpoint(checkpoint.model_copy(update={"root": "0" * 64}))
    problems = site.verify("c0002")  # every checkpoint is checked, whichever cadre is asked about
    assert any("checkpoint 2026-11-19: root mismatch" in p for p in problems)
    assert any("checkpoint 2026-11-19: bad signature" in p for p in problems)


def test_altered_checkpoint_leaves_are_detected() -> None:
    """A forger rewrites revision 2 and makes the checkpoints agree, but cannot re-sign them."""
    site = Site()
    revisions = site.ledger().revisions
    revisions[1].body["items"][0]["content"] = "改写"
    site.republish(revisions)
    heads = site.ledger().heads
    for day in DAYS:
        checkpoint = site.checkpoint(day)
        leaves = [
            leaf.model_copy(update={"head": heads[leaf.seq - 1]}) if leaf.cadre_id == "c0001" else leaf
            for leaf in listed(checkpoint)
        ]
        site.put_checkpoint(checkpoint.model_copy(update={"leaves": leaves}))
    problems = site.verify()
    assert any("2026-11-19: root mismatch" in p for p in problems)
    assert not any("do not match the signed head" in p for p in problems)
    for day in DAYS:  # recomputing the root too only moves the failure to the signature
        checkpoint = site.checkpoint(day)
        site.put_checkpoint(checkpoint.model_copy(update={"root": merkle_root(listed(checkpoint))}))
    problems = site.verify()
    assert not any("root mismatch" in p for p in problems)
    assert sum("bad signature" in p for p in problems) == 2


def test_forged_signature_is_detected() -> None:
    site = Site()
    forger = MemorySigner("memory")
    checkpoint = site.checkpoint(DAYS[1])
    forged = make_checkpoint(checkpoint.date, checkpoint.created_at, listed(checkpoint), forger)
    site.put_checkpoint(forged)
    assert site.verify() == ["checkpoint 2026-11-20: bad signature (ECDSA_SHA_256, key memory)"]
    site.files["ledger/public-key.pem"] = forger.public_key_pem()  # swapping the key breaks the others
    assert site.verify() == ["checkpoint 2026-11-19: bad signature (ECDSA_SHA_256, key memory)"]


def test_missing_and_misplaced_files_are_reported() -> None:
    site = Site()
    site.files["ledger/checkpoints/2026-11-20.json"] = site.files.pop("ledger/checkpoints/2026-11-19.json")
    assert any("checkpoint 2026-11-19 is missing" in p for p in site.verify())
    assert any("checkpoint 2026-11-20 is dated 2026-11-19" in p for p in site.verify())
    for path in ["ledger/public-key.pem", "ledger/cadres/c0001.json", "ledger/checkpoints/index.json"]:
        honest = Site()
        del honest.files[path]
        assert any("missing" in p for p in honest.verify()), path
    assert any("ledger of c0001 is malformed" in p for p in verify_site(lambda path: {"x": 1}, "c0001"))
    assert any("ledger of c0003 is missing" in p for p in Site().verify("c0003"))


def test_a_later_checkpoint_signing_a_shorter_log_is_reported() -> None:
    site = Site()
    first = site.checkpoint(DAYS[0])
    shorter = [
        leaf.model_copy(update={"seq": 2, "head": site.ledger().heads[1]})
        if leaf.cadre_id == "c0001"
        else leaf
        for leaf in listed(first)
    ]
    site.put_checkpoint(make_checkpoint(DAYS[1], "t", shorter, SIGNER))
    assert site.verify() == ["checkpoint 2026-11-20 signs seq 2, below seq 3 signed on 2026-11-19"]


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_any_rewrite_of_a_checkpointed_revision_is_detected(data: st.DataObject) -> None:
    site = Site()
    revisions = site.ledger().revisions
    i = data.draw(st.integers(0, 3))  # revisions 1..4 are covered by a checkpoint
    text = data.draw(st.text(min_size=1, max_size=20))
    if text == revisions[i].body["items"][0]["content"]:
        return
    revisions[i].body["items"][0]["content"] = text
    site.republish(revisions)
    assert site.verify() != []


def test_signature_is_base64_of_the_signers_signature() -> None:
    checkpoint = make_checkpoint("2026-11-20", "t", leaves_for(2), SIGNER)
    raw = base64.b64decode(checkpoint.signature)
    public = serialization.load_pem_public_key(SIGNER.public_key_pem().encode())
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(raw, checkpoint_message("2026-11-20", checkpoint.root, 2), ec.ECDSA(hashes.SHA256()))
