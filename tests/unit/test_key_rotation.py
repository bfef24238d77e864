"""Rotating the checkpoints' signing key: each v2 checkpoint names (and signs) the fingerprint of its
key, every key is published once under ``ledger/keys/<fingerprint>.pem`` and never replaced, and
``verify-site`` checks each checkpoint with the key it names."""

from __future__ import annotations

import hashlib
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.unit.tamper_support import DAYS, NIGHTS, SIGNER, MemorySigner, ProvedSite, Site
from worklog import cli
from worklog.publish import checkpoints, keys
from worklog.publish.site import SiteStore, SiteWriter
from worklog.publish.tamper import (
    Checkpoint,
    CheckpointLink,
    KmsSigner,
    Leaf,
    key_fingerprint,
    make_checkpoint_v2,
    verify_checkpoint,
)
from worklog.publish.verification import verify_site

FIRST, SECOND = NIGHTS
NEW = MemorySigner("rotated")
CADRES = ("c0001", "c0002", "c0003")


def fingerprint(signer: Any) -> str:
    return key_fingerprint(signer.public_key_pem())


def rotated() -> ProvedSite:
    """A site whose key was rotated between the two nights: 11-19 signed with SIGNER, 11-20 with NEW
    (c0002's proof names 11-19, c0001's and c0003's name 11-20)."""
    return ProvedSite(signers={SECOND: NEW})


def test_the_fingerprint_is_the_sha256_of_the_key_and_not_of_its_pem_layout() -> None:
    pem = SIGNER.public_key_pem()
    relaid = pem.replace("\n", "\r\n")
    assert key_fingerprint(relaid) == key_fingerprint(pem) != key_fingerprint(NEW.public_key_pem())
    assert len(key_fingerprint(pem)) == 64
    with pytest.raises(ValueError):
        key_fingerprint("not a key")


def test_a_v2_checkpoint_names_the_fingerprint_of_the_key_that_signed_it() -> None:
    checkpoint = make_checkpoint_v2(FIRST, "t", [], NEW, None)
    assert checkpoint.key_fingerprint == fingerprint(NEW)


def test_after_a_rotation_between_two_nights_both_nights_checkpoints_verify() -> None:
    site = rotated()
    assert site.files[keys.PUBLIC_KEY] == NEW.public_key_pem()  # the current key is the new one
    for cadre_id in CADRES:
        assert site.verify(cadre_id) == [], cadre_id


def test_a_replaced_key_file_is_detected() -> None:
    """Given a rotated site, when the old key's file is replaced by another key, then the checkpoint
    of 11-19 (signed with the old key) is reported by the file's fingerprint for c0002, whose proof
    names it; the cadres proved against 11-20 never reach it and still verify."""
    site = rotated()
    old = keys.signing_key(fingerprint(SIGNER))
    site.files[old] = MemorySigner("forger").public_key_pem()
    [problem] = site.verify("c0002")
    assert problem.startswith(f"checkpoint {FIRST}: public key {old} has fingerprint ")
    assert problem.endswith(": the key file was replaced")
    assert site.verify("c0001") == site.verify("c0003") == []


def test_a_checkpoint_naming_a_key_the_site_does_not_publish_is_reported() -> None:
    """Given a checkpoint re-signed by a forger with a key of its own that is not published, then it
    is reported as naming a missing key (not silently checked with the current key)."""
    site = ProvedSite()
    checkpoint = site.checkpoint(SECOND)
    forger = MemorySigner("forger")
    forged = make_checkpoint_v2(SECOND, "t", [], forger, checkpoint.previous)
    site.put_checkpoint(forged.model_copy(update={"root": checkpoint.root, "count": checkpoint.count}))
    missing = keys.signing_key(fingerprint(forger))
    assert site.verify("c0001") == [f"checkpoint {SECOND}: public key {missing} is missing"]


def test_a_checkpoint_naming_something_that_is_not_a_fingerprint_is_reported() -> None:
    site = ProvedSite()
    checkpoint = site.checkpoint(SECOND)
    site.put_checkpoint(checkpoint.model_copy(update={"key_fingerprint": "../public-key"}))
    assert site.verify("c0001") == [
        f"checkpoint {SECOND}: names the key '../public-key', which is not a key fingerprint"
    ]


def test_a_v2_checkpoint_naming_no_key_is_reported() -> None:
    site = ProvedSite()
    stored = site.files[keys.checkpoint(SECOND)]
    del stored["key_fingerprint"]
    assert site.verify("c0001") == [
        f"checkpoint {SECOND}: names no key (a v2 checkpoint names the fingerprint of its key)"
    ]


def test_pinned_fingerprints_catch_a_key_the_site_itself_published() -> None:
    """Given a forger who controls the site and publishes its own key next to a re-signed checkpoint,
    then the site alone cannot tell (the key list is the site's), but a verifier that pins the
    fingerprints it knows reports the stranger's key; the honest rotated site passes the same pins."""
    site = ProvedSite()
    checkpoint = site.checkpoint(SECOND)
    forger = MemorySigner("forger")
    leaves = [Leaf(cadre_id=c, seq=s, head=site.ledgers[c].heads[s - 1]) for c, s in NIGHTS[SECOND].items()]
    site.put_checkpoint(make_checkpoint_v2(SECOND, "t", leaves, forger, checkpoint.previous))
    site.publish_key(forger)
    assert site.verify("c0001") == []  # consistent with the site's own keys
    pins = {fingerprint(SIGNER), fingerprint(NEW)}
    problems = verify_site(site.fetch, "c0001", trusted_keys=pins)
    assert problems == [
        f"checkpoint {SECOND}: public key {keys.signing_key(fingerprint(forger))} "
        f"(fingerprint {fingerprint(forger)}) is not one of the trusted keys"
    ]
    honest = rotated()
    assert all(verify_site(honest.fetch, c, trusted_keys=pins) == [] for c in CADRES)


def test_a_v1_checkpoint_is_checked_with_the_current_key_and_its_pin() -> None:
    site = Site()
    assert verify_site(site.fetch, "c0001", trusted_keys={fingerprint(SIGNER)}) == []
    problems = verify_site(site.fetch, "c0001", trusted_keys={fingerprint(NEW)})
    assert problems and all("is not one of the trusted keys" in p for p in problems)


class Bucket(SiteStore):
    """A site bucket in a dict that records every put."""

    def __init__(self) -> None:
        super().__init__(bucket="site")
        self.objects: dict[str, bytes] = {}
        self.puts: list[str] = []

    def put(self, key: str, body: bytes, content_type: str, digest: str) -> None:
        self.objects[key] = body
        self.puts.append(key)


def test_each_key_file_is_written_once_and_stays_after_a_rotation() -> None:
    """Given three nights, the key rotated before the third, then each key's file is put once (on the
    first night it signs), the old one is never rewritten or removed, and public-key.pem follows the
    current key."""
    bucket = Bucket()
    published: dict[str, str] = {}
    for signer in (SIGNER, SIGNER, NEW):
        writer = SiteWriter(bucket, published)
        assert checkpoints.publish_key(writer, signer.public_key_pem()) == fingerprint(signer)
        published = writer.objects()
    old, new = keys.signing_key(fingerprint(SIGNER)), keys.signing_key(fingerprint(NEW))
    assert bucket.puts.count(old) == 1 and bucket.puts.count(new) == 1
    assert bucket.objects[old] == SIGNER.public_key_pem().encode()
    assert bucket.objects[keys.PUBLIC_KEY] == NEW.public_key_pem().encode()
    assert {old, new, keys.PUBLIC_KEY} <= set(published)


def test_a_key_file_named_in_the_manifest_is_never_overwritten() -> None:
    """Even if the bytes would differ (another PEM layout of the same key), a key file the bucket
    already holds is left as it is."""
    bucket = Bucket()
    path = keys.signing_key(fingerprint(SIGNER))
    writer = SiteWriter(bucket, {path: "digest of what the bucket holds"})
    checkpoints.publish_key(writer, SIGNER.public_key_pem().replace("\n", "\r\n"))
    assert path not in bucket.puts and keys.PUBLIC_KEY in bucket.puts


def test_a_key_fingerprint_key_is_only_ever_a_fingerprint() -> None:
    assert keys.signing_key("ab" * 32) == f"ledger/keys/{'ab' * 32}.pem"
    for bad in ("AB" * 32, "ab" * 31, "../x", "ab" * 32 + "/x"):
        with pytest.raises(ValueError):
            keys.signing_key(bad)


def test_the_checkpoint_model_keeps_the_fingerprint_through_json() -> None:
    checkpoint = make_checkpoint_v2(FIRST, "t", [], SIGNER, None)
    again = Checkpoint.model_validate_json(checkpoint.model_dump_json(exclude_none=True))
    assert again.key_fingerprint == fingerprint(SIGNER)


def test_verify_site_on_the_command_line_takes_pinned_fingerprints(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`verify-site URL CADRE --trusted-key-id FP ...` accepts the keys pinned and reports others."""
    site = rotated()
    monkeypatch.setattr(cli, "from_web", lambda url, text=(): site.fetch)
    pins = ["--trusted-key-id", fingerprint(SIGNER), "--trusted-key-id", fingerprint(NEW)]
    assert cli.main(["verify-site", "https://site.example/", "c0002", *pins]) == 0
    assert cli.main(["verify-site", "https://site.example/", "c0002", pins[0], pins[3]]) == 1
    assert "is not one of the trusted keys" in capsys.readouterr().out


def test_a_kms_keys_fingerprint_is_the_sha256_of_what_get_public_key_returns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The operator's check (`aws kms get-public-key … | base64 -d | sha256sum`) gives the name the
    checkpoints use; a run asks KMS for the public half once, however often it needs it."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("kms", region_name="us-east-1")
        key_id = client.create_key(KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")["KeyMetadata"]["KeyId"]
        der = client.get_public_key(KeyId=key_id)["PublicKey"]
        calls: list[str] = []
        real = client.get_public_key

        def counted(**kwargs: Any) -> Any:
            calls.append(kwargs["KeyId"])
            return real(**kwargs)

        monkeypatch.setattr(client, "get_public_key", counted)
        signer = KmsSigner(key_id, client=client)
        checkpoint = make_checkpoint_v2(FIRST, "t", [], signer, None)
        assert checkpoint.key_fingerprint == hashlib.sha256(bytes(der)).hexdigest()
        assert verify_checkpoint(checkpoint, signer.public_key_pem()) == []
        assert calls == [key_id]


def test_v1_checkpoints_still_verify_after_a_rotation_with_the_key_of_the_first_v2_checkpoint() -> None:
    """Given a site with v1 checkpoints (11-19, 11-20), then v2 nights signed with the same key (11-21)
    and, after a rotation, with NEW (11-22), when a cadre without a proof is checked against the v1
    checkpoints, then they are checked with the key the first v2 checkpoint names (the key before v2
    could not be rotated), not with public-key.pem, which is now NEW."""
    site = Site()
    ledgers = {c: site.ledger(c) for c in ("c0001", "c0002")}
    previous: CheckpointLink | None = None
    for day, signer in (("2026-11-21", SIGNER), ("2026-11-22", NEW)):
        leaves = [
            Leaf(cadre_id=c, seq=len(ledger.heads), head=ledger.heads[-1]) for c, ledger in ledgers.items()
        ]
        checkpoint = make_checkpoint_v2(day, "t", leaves, signer, previous)
        site.files[keys.checkpoint(day)] = checkpoint.model_dump(mode="json", exclude_none=True)
        site.files[keys.PUBLIC_KEY] = site.files[keys.signing_key(fingerprint(signer))] = (
            signer.public_key_pem()
        )
        previous = CheckpointLink(date=day, root=checkpoint.root)
    site.files[keys.CHECKPOINT_INDEX] = {"checkpoints": [*DAYS, "2026-11-21", "2026-11-22"]}
    assert site.files[keys.PUBLIC_KEY] == NEW.public_key_pem()
    assert site.verify("c0001") == site.verify("c0002") == []
    del site.files[keys.signing_key(fingerprint(SIGNER))]  # the old key's file removed: reported
    assert (
        f"checkpoint {DAYS[0]}: public key {keys.signing_key(fingerprint(SIGNER))} is missing"
        in site.verify()
    )
