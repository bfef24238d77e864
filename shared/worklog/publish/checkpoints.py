"""What the publisher's checkpoint step builds from the manifest: the leaves, the link to the
previous day's checkpoint, and the inclusion proofs of the cadres whose leaf changed.

Proofs are written only where needed: the root moves whenever any leaf moves, so proving every
cadre against each new root would write every cadre's proof every night (100,000 objects in a
province for 1% changed). Each night's checkpoint stays under its dated key and a proof names the
checkpoint it was proved against, so a cadre whose leaf did not move keeps a valid proof.
"""

from __future__ import annotations

from worklog.publish import keys, tamper
from worklog.publish.manifest import Manifest, ShardManifest, shard_of
from worklog.publish.site import PEM, SiteStore, SiteWriter


def leaves(manifest: Manifest) -> list[tamper.Leaf]:
    """Every cadre with a published revision: its id, last seq and public head."""
    return [
        tamper.Leaf(cadre_id=cadre_id, seq=state.seq, head=state.head)
        for cadre_id, state in sorted(manifest.cadres.items())
        if state.seq > 0
    ]


def previous_link(site: SiteStore, manifest: Manifest, day: str) -> tamper.CheckpointLink | None:
    """The checkpoint of the last earlier day, which the day's checkpoint signs a link to."""
    earlier = [d for d in manifest.checkpoints if d < day]
    stored = site.get_json(keys.checkpoint(max(earlier))) if earlier else None
    return tamper.CheckpointLink(date=max(earlier), root=stored["root"]) if stored else None


def write_proofs(
    site: SiteWriter,
    manifest: Manifest,
    leaves_: list[tamper.Leaf],
    checkpoint: tamper.Checkpoint,
    *,
    rewritten: bool,
) -> list[str]:
    """Prove, against ``checkpoint``, each cadre whose leaf is not the one its proof is for (new,
    changed, never proved), or whose proof names this checkpoint's day when a later run of the day
    re-signed it (``rewritten``). Returns their ids."""
    day = checkpoint.date
    due = [
        leaf
        for leaf in leaves_
        if (state := manifest.cadres[leaf.cadre_id]).proved != leaf.head
        or (rewritten and state.proof_date == day)
    ]
    paths = tamper.inclusion_proofs(leaves_, [leaf.cadre_id for leaf in due])
    for leaf in due:
        proof = tamper.InclusionProof(
            checkpoint=day, root=checkpoint.root, leaf=leaf, path=paths[leaf.cadre_id]
        )
        site.json(keys.cadre_proof(leaf.cadre_id), proof.model_dump(mode="json"))
        state = manifest.cadres[leaf.cadre_id]
        state.proved, state.proof_date = leaf.head, day
    return [leaf.cadre_id for leaf in due]


def proof_hashes(shards: dict[int, ShardManifest]) -> dict[str, str]:
    """The proofs' SHA-256 as the shards recorded them (a proof rewritten with the same bytes, as by
    a full rebuild, is then left alone)."""
    return {k: v for part in shards.values() for k, v in part.objects.items() if k.startswith(keys.PROOFS)}


def shards_to_save(
    count: int, shards: dict[int, ShardManifest], proved: list[str], site: SiteWriter
) -> list[tuple[int, ShardManifest]]:
    """The shards of the cadres just proved, with the proof state ``write_proofs`` set (the
    manifest's states are the shards' own objects) and the proofs' hashes. Saved after the proofs:
    unsaved, the next night would find them unproved and prove them again, every cadre every night."""
    touched = {}
    for cadre_id in proved:
        n = shard_of(cadre_id, count)
        if n in shards:
            key = keys.cadre_proof(cadre_id)
            shards[n].objects[key] = site.written.get(key) or site.published[key]
            touched[n] = shards[n]
    return sorted(touched.items())


def publish_key(site: SiteWriter, public_key_pem: str) -> str:
    """Publish the signer's public key: as the current key (``public-key.pem``, for readers that know
    only it and for v1 checkpoints) and, once, under its fingerprint, where it stays after the key is
    rotated (never rewritten: the name is the hash of the content). Returns the fingerprint."""
    fingerprint = tamper.key_fingerprint(public_key_pem)
    body = public_key_pem.encode()
    site.put(keys.PUBLIC_KEY, body, PEM)
    by_fingerprint = keys.signing_key(fingerprint)
    if by_fingerprint not in site.published and by_fingerprint not in site.written:
        site.put(by_fingerprint, body, PEM)
    return fingerprint
