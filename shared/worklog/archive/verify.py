"""Verifying the archive on its own (``python -m worklog.cli verify-archive``).

Every night's object is read (its latest version; a key with more than one version was written
again after the archiver wrote it, which is reported), checked against its index, and every
cadre's chain is recomputed from the archived revisions alone: a revision missing, altered or
inserted is named by cadre and seq. Then every signed daily checkpoint the archive covers is
checked with the key it names (kept in the archive) and its Merkle root recomputed from the
archive: each cadre's public chain as the publisher built it that day (``public_revisions``: the
revisions saved before the checkpoint and public on its day under the publication policy). A
revision rewritten together with every hash after it still changes that root.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import field
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from worklog.archive import nights
from worklog.archive.store import ArchiveStore
from worklog.chain import revision_hash
from worklog.journal.records import decode
from worklog.models.publication import PublicationPolicy
from worklog.publish import tamper
from worklog.publish.cadre_log import public_revision
from worklog.publish.policy import is_public_yet
from worklog.records import datarecord


@datarecord
class Archived:
    """What the nights hold: every cadre's revisions (as archived, in archive order) and last head."""

    revisions: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    heads: dict[str, dict[str, Any]] = field(default_factory=dict)
    nights: list[str] = field(default_factory=list)
    proofs: list[dict[str, Any]] = field(default_factory=list)  # the site's, archived with the cadres


@datarecord
class ArchiveReport:
    problems: list[str] = field(default_factory=list)
    nights: int = 0
    cadres: int = 0
    revisions: int = 0
    checkpoints: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "nights": self.nights,
            "cadres": self.cadres,
            "revisions": self.revisions,
            "checkpoints": self.checkpoints,
            "problems": self.problems,
        }


def verify_archive(
    store: ArchiveStore,
    policy: PublicationPolicy,
    *,
    first: date | None = None,
    last: date | None = None,
    trusted_keys: Collection[str] = (),
) -> ArchiveReport:
    """The archive's nights up to ``last`` (chains start at the first night whatever ``first``),
    and the checkpoints from ``first`` to ``last`` that the archive covers."""
    report = ArchiveReport()
    archived = read_nights(store, last, report.problems)
    report.nights = len(archived.nights)
    report.cadres = len(archived.revisions)
    for cadre_id, revisions in sorted(archived.revisions.items()):
        report.revisions += len(revisions)
        report.problems += check_chain(cadre_id, revisions, archived.heads.get(cadre_id))
    covered = archived.nights[-1] if archived.nights else ""
    chains = [PublicChain.of(c, _ordered(r), policy) for c, r in sorted(archived.revisions.items())]
    archived.revisions.clear()  # each cadre's public chain is all the checkpoints need
    for day in store.checkpoint_days():  # oldest first: each chain's public prefix only grows
        if (first and day < first.isoformat()) or (last and day > last.isoformat()) or day > covered:
            continue
        report.checkpoints += 1
        report.problems += check_checkpoint(store, day, chains, policy, trusted_keys)
    within = [
        p
        for p in archived.proofs
        if _in(str(p.get("checkpoint")), first, last) and p["checkpoint"] <= covered
    ]
    report.problems += check_proofs(store, within, {c.cadre_id: c for c in chains}, trusted_keys)
    return report


def _in(day: str, first: date | None, last: date | None) -> bool:
    return not ((first and day < first.isoformat()) or (last and day > last.isoformat()))


def read_nights(store: ArchiveStore, last: date | None, problems: list[str]) -> Archived:
    archived = Archived()
    versions: dict[str, int] = defaultdict(int)
    for version in store.versions(nights.NIGHTS):
        versions[version.key] += 1
    for key, count in sorted(versions.items()):
        if count > 1 and nights.night_of(key) is not None:
            problems.append(f"{key} has {count} versions: it was written again after it was archived")
    for day in store.nights_after(""):
        if last is not None and day > last:
            break
        archived.nights.append(day.isoformat())
        body = store.get_bytes(nights.night_key(day))
        problems += _read_night(store, day, body or b"", archived)
    return archived


def _read_night(store: ArchiveStore, day: date, body: bytes, archived: Archived) -> list[str]:
    what = f"night {day.isoformat()}"
    try:
        found = nights.index_of(day, nights.night_key(day), body)
        lines = list(nights.decode(body))
    except (OSError, EOFError, ValueError, KeyError, TypeError) as err:
        return [f"{what}: the object cannot be read ({type(err).__name__})"]
    problems = []
    index = store.index(day)
    if index is None:
        problems.append(f"{what}: its index is missing")
    else:
        if index.sha256 != found.sha256:
            problems.append(f"{what}: the object's SHA-256 differs from the one its index recorded")
        for cadre_id in sorted(set(index.seqs) | set(found.seqs)):
            if index.seqs.get(cadre_id) != found.seqs.get(cadre_id):
                problems.append(
                    f"{what}: cadre {cadre_id}: the index lists seqs {index.seqs.get(cadre_id)}, "
                    f"the object holds {found.seqs.get(cadre_id)}"
                )
    for entry in lines:
        if entry.get("table") != nights.JOURNAL:
            continue  # compliance items and role changes have no chain; proofs are taken below
        item = entry.get("item") or {}
        if entry.get("kind") == "revision":
            archived.revisions[str(item.get("cadre_id"))].append(decode(item))
        elif entry.get("kind") == "head":
            archived.heads[str(item.get("cadre_id"))] = item
    archived.proofs += [
        e["item"] for e in lines if e.get("table") == nights.SITE and e.get("kind") == "proof"
    ]
    return problems


def _ordered(revisions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One revision a seq (the first archived), in seq order."""
    by_seq: dict[int, dict[str, Any]] = {}
    for r in revisions:
        by_seq.setdefault(int(r["seq"]), r)
    return [by_seq[s] for s in sorted(by_seq)]


def check_chain(cadre_id: str, revisions: list[dict[str, Any]], head: dict[str, Any] | None) -> list[str]:
    """Every problem of a cadre's archived chain, each named by seq (not only the first)."""
    problems: list[str] = []
    seen: dict[int, int] = defaultdict(int)
    for r in revisions:
        seen[int(r["seq"])] += 1
    for seq, count in sorted(seen.items()):
        if count > 1:
            problems.append(f"cadre {cadre_id} seq {seq}: archived {count} times (a revision was inserted)")
    expected, previous = 1, None
    for r in _ordered(revisions):
        seq = int(r["seq"])
        for gap in range(expected, seq):
            problems.append(f"cadre {cadre_id} seq {gap}: missing from the archive")
        if r.get("previous_hash") != previous:
            problems.append(f"cadre {cadre_id} seq {seq}: previous_hash does not link to the revision before")
        if revision_hash(r, r.get("previous_hash")) != r.get("hash"):
            problems.append(f"cadre {cadre_id} seq {seq}: the content does not match its hash (altered)")
        previous, expected = r.get("hash"), seq + 1
    if head is not None and int(head.get("head_seq", 0)) >= expected:
        for gap in range(expected, int(head["head_seq"]) + 1):
            problems.append(f"cadre {cadre_id} seq {gap}: missing from the archive (its head counts it)")
    elif head is not None and head.get("head_hash") != previous:
        problems.append(f"cadre {cadre_id}: the archived head does not name the chain's last hash")
    return problems


def _signing_key(store: ArchiveStore, checkpoint: tamper.Checkpoint, trusted: Collection[str]) -> str | None:
    fingerprint = checkpoint.key_fingerprint
    if fingerprint is None or (trusted and fingerprint not in trusted):
        return None
    try:
        pem = store.get_bytes(nights.key_path(fingerprint))
    except ValueError:
        return None
    if pem is None or tamper.key_fingerprint(pem.decode()) != fingerprint:
        return None
    return pem.decode()


@datarecord
class PublicChain:
    """A cadre's archived chain as the site publishes it: each revision's save time and the public
    chain's head after it (computed once), and how many of them the last checkpoint counted."""

    cadre_id: str
    saved: list[str]
    heads: list[str]
    counted: int = 0

    @classmethod
    def of(cls, cadre_id: str, chain: list[dict[str, Any]], policy: PublicationPolicy) -> PublicChain:
        # Up to the first gap: the publisher never publishes past one.
        whole = chain[: next((i for i, r in enumerate(chain) if int(r["seq"]) != i + 1), len(chain))]
        ledger = tamper.build_ledger(cadre_id, [public_revision(r, policy) for r in whole])
        return cls(cadre_id, [str(r["saved_at"]) for r in whole], ledger.heads)

    def leaf(self, checkpoint: tamper.Checkpoint, policy: PublicationPolicy) -> tamper.Leaf | None:
        """The leaf the publisher computed for ``checkpoint``: the revisions saved before it was
        signed and public on its day, up to the first that was not (``public_revisions``' rule)."""
        made, day = datetime.fromisoformat(checkpoint.created_at), date.fromisoformat(checkpoint.date)

        def counted(saved_at: str) -> bool:
            return datetime.fromisoformat(saved_at) <= made and is_public_yet(saved_at, day, policy)

        n = self.counted if all(counted(x) for x in self.saved[: self.counted][-1:]) else 0
        while n < len(self.saved) and counted(self.saved[n]):
            n += 1
        self.counted = n
        return tamper.Leaf(cadre_id=self.cadre_id, seq=n, head=self.heads[n - 1]) if n else None


def check_checkpoint(
    store: ArchiveStore,
    day: str,
    chains: list[PublicChain],
    policy: PublicationPolicy,
    trusted: Collection[str],
) -> list[str]:
    what = f"checkpoint {day}"
    try:
        checkpoint = tamper.Checkpoint.model_validate(store.checkpoint(day))
    except ValidationError:
        return [f"{what} is missing or malformed"]
    if checkpoint.algorithm == tamper.ALGORITHM:
        return []  # a v1 checkpoint (before the archive) names no key; verify-site checks those
    pem = _signing_key(store, checkpoint, trusted)
    if pem is None:
        return [
            f"{what}: its signing key {checkpoint.key_fingerprint} is not in the archive (or not trusted)"
        ]
    problems = [f"{what}: {p}" for p in tamper.verify_checkpoint(checkpoint, pem)]
    leaves = [leaf for chain in chains if (leaf := chain.leaf(checkpoint, policy)) is not None]
    if tamper.merkle_root(leaves) != checkpoint.root:
        problems.append(
            f"{what}: the root recomputed from the archive ({len(leaves)} cadres) differs from the signed"
            f" root ({checkpoint.size}): a revision before it was changed, added or removed"
        )
    return problems


def check_proofs(
    store: ArchiveStore,
    proofs: list[dict[str, Any]],
    chains: dict[str, PublicChain],
    trusted: Collection[str],
) -> list[str]:
    """Each archived inclusion proof whose leaf is under its checkpoint's signed root holds the public
    head of its cadre's chain at its seq: a head that the archive no longer gives names the cadre and
    the seqs between the last proof it still matches and this one (a rewrite with every later hash
    recomputed, which the chain check alone cannot see)."""
    roots: dict[str, str | None] = {}
    problems: list[str] = []
    matched: dict[str, int] = defaultdict(int)
    for proof in sorted(
        proofs, key=lambda p: (str(p.get("leaf", {}).get("cadre_id")), str(p.get("checkpoint")))
    ):
        try:
            parsed = tamper.InclusionProof.model_validate(proof)
        except ValidationError:
            problems.append("an archived inclusion proof is malformed")
            continue
        leaf, day = parsed.leaf, parsed.checkpoint
        if day not in roots:
            roots[day] = _signed_root(store, day, trusted)
        root = roots[day]
        if root is None or not tamper.verify_inclusion(leaf, parsed.path, root):
            continue  # not evidence: a proof the signed checkpoints do not back proves nothing
        chain = chains.get(leaf.cadre_id)
        if chain is not None and leaf.seq <= len(chain.heads) and chain.heads[leaf.seq - 1] == leaf.head:
            matched[leaf.cadre_id] = max(matched[leaf.cadre_id], leaf.seq)
            continue
        low = matched[leaf.cadre_id] + 1
        problems.append(
            f"cadre {leaf.cadre_id} seq {low}..{leaf.seq}: the archived revisions do not give the head"
            f" signed in checkpoint {day} (one of them was changed, added or removed)"
        )
    return problems


def _signed_root(store: ArchiveStore, day: str, trusted: Collection[str]) -> str | None:
    """The root of ``day``'s checkpoint if its signature verifies with a key the archive keeps."""
    try:
        checkpoint = tamper.Checkpoint.model_validate(store.checkpoint(day))
    except ValidationError:
        return None
    pem = _signing_key(store, checkpoint, trusted)
    if pem is None or tamper.verify_checkpoint(checkpoint, pem):
        return None
    return checkpoint.root
