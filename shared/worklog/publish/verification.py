"""Verifying the public site: a cadre's published log against its inclusion proof and the signed
checkpoints (``python -m worklog.cli verify-site``).

A cadre's proof names the dated checkpoint it was proved against; the verifier replays the cadre's
chain, checks that its last head is the proof's leaf, that the leaf is under that checkpoint's signed
root, and that the checkpoints from the newest back to that one form an unbroken signed chain. A
cadre with no proof yet (a site published before proofs) is checked against the v1 checkpoints that
list every leaf, as before. Every checkpoint is checked with the key it names by fingerprint
(``_Keys``): a rotated key leaves the older checkpoints verifiable, a swapped key file is caught,
and ``trusted_keys`` pins the keys a verifier learned other than from the site. A departed cadre
whose log is no longer public has a withdrawn ledger file: its last position and head are checked
against the proof and the checkpoints, and there is nothing left to replay.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from worklog.publish import keys
from worklog.publish.tamper import (
    ALGORITHM,
    ALGORITHM_V2,
    CadreLedger,
    Checkpoint,
    CheckpointLink,
    InclusionProof,
    WithdrawnLedger,
    key_fingerprint,
    replay,
    verify_checkpoint,
    verify_inclusion,
)

M = TypeVar("M", bound=BaseModel)
Fetch = Callable[[str], Any | None]
MAX_CHAIN = 3660  # days of checkpoints walked back at most (ten years)


def _load(model: type[M], data: Any, what: str, problems: list[str]) -> M | None:
    if data is None:
        problems.append(f"{what} is missing")
        return None
    try:
        return model.model_validate(data)
    except ValidationError as e:
        problems.append(f"{what} is malformed: {e.error_count()} error(s)")
        return None


def _fetch(fetch: Fetch, key: Callable[[str], str], value: str) -> Any | None:
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


class _Keys:
    """The public keys the checkpoints name, each fetched once. A v2 checkpoint names the fingerprint
    of its key: the key file under that name must hash to it (a replaced key file is caught). A v1
    checkpoint names none: it is checked with ``v1_key`` when set (the key of the first v2
    checkpoint: keys could not be rotated before v2, so it is the key that signed every v1 one),
    else with the current key, ``public-key.pem``. ``trusted`` (fingerprints the verifier learned
    elsewhere) pins the keys: any other key is reported."""

    def __init__(self, fetch: Fetch, trusted: Collection[str]) -> None:
        self.fetch = fetch
        self.trusted = set(trusted)
        self.v1_key: str | None = None
        self._pems: dict[str, tuple[str | None, list[str]]] = {}

    def pem(self, checkpoint: Checkpoint) -> tuple[str | None, list[str]]:
        """The PEM that verifies ``checkpoint`` (None if there is none to trust), and the problems."""
        if checkpoint.algorithm == ALGORITHM:
            expected = self.v1_key
        elif checkpoint.key_fingerprint is None:
            return None, ["names no key (a v2 checkpoint names the fingerprint of its key)"]
        else:
            expected = checkpoint.key_fingerprint
        if expected is None:
            path = keys.PUBLIC_KEY
        else:
            try:
                path = keys.signing_key(expected)
            except ValueError:
                return None, [f"names the key {expected!r}, which is not a key fingerprint"]
        if path not in self._pems:
            self._pems[path] = self._load(path, expected)
        return self._pems[path]

    def _load(self, path: str, expected: str | None) -> tuple[str | None, list[str]]:
        pem = self.fetch(path)
        if isinstance(pem, bytes):
            pem = pem.decode()
        if not isinstance(pem, str):
            return None, [f"public key {path} is missing"]
        try:
            fingerprint = key_fingerprint(pem)
        except ValueError:
            return None, [f"public key {path} is not a public key"]
        if expected is not None and fingerprint != expected:
            return None, [f"public key {path} has fingerprint {fingerprint}: the key file was replaced"]
        if self.trusted and fingerprint not in self.trusted:
            return None, [f"public key {path} (fingerprint {fingerprint}) is not one of the trusted keys"]
        return pem, []


def _signed_checkpoint(fetch: Fetch, day: str, keyring: _Keys, problems: list[str]) -> Checkpoint | None:
    """The checkpoint of ``day``, its problems (date, key, signature, v1 root) added to ``problems``."""
    what = f"checkpoint {day}"
    checkpoint = _load(Checkpoint, _fetch(fetch, keys.checkpoint, day), what, problems)
    if checkpoint is None:
        return None
    if checkpoint.date != day:
        problems.append(f"{what} is dated {checkpoint.date}")
    pem, key_problems = keyring.pem(checkpoint)
    problems += [f"{what}: {p}" for p in key_problems]
    if pem is not None:  # without a key to trust, the key's problem is the checkpoint's
        problems += [f"{what}: {p}" for p in verify_checkpoint(checkpoint, pem)]
    return checkpoint


def verify_site(fetch: Fetch, cadre_id: str, trusted_keys: Collection[str] = ()) -> list[str]:
    """Check a cadre's published log against its inclusion proof and the signed checkpoints, each
    checkpoint with the key it names.

    ``fetch(path)`` returns the parsed JSON (text for .pem) of a site path, or None if missing.
    ``trusted_keys``: fingerprints of the signing keys the verifier trusts (empty: the site's keys).
    Returns human-readable problems; empty means consistent with the signed checkpoints."""
    problems: list[str] = []
    keyring = _Keys(fetch, trusted_keys)
    heads: list[str] | None = None
    stored_ledger = _fetch(fetch, keys.cadre_ledger, cadre_id)
    if isinstance(stored_ledger, dict) and "withdrawn" in stored_ledger:
        return _verify_withdrawn(fetch, stored_ledger, cadre_id, keyring)
    ledger = _load(CadreLedger, stored_ledger, f"ledger of {cadre_id}", problems)
    if ledger is not None:
        heads, ledger_problems = _check_ledger(ledger, cadre_id)
        problems += ledger_problems
    stored = _fetch(fetch, keys.cadre_proof, cadre_id)
    if stored is None:
        return problems + _verify_v1(fetch, cadre_id, heads, keyring)
    proof = _load(InclusionProof, stored, f"inclusion proof of {cadre_id}", problems)
    if proof is None:
        return problems
    problems += _verify_proof(fetch, proof, cadre_id, ledger, heads, keyring)
    return problems


def withdrawn_on(fetch: Fetch, cadre_id: str) -> str | None:
    """The day the cadre's log stopped being public, when their ledger file says it did."""
    stored = _fetch(fetch, keys.cadre_ledger, cadre_id)
    if isinstance(stored, dict) and isinstance(stored.get("withdrawn"), str):
        return str(stored["withdrawn"])
    return None


def _verify_withdrawn(fetch: Fetch, stored: dict[str, Any], cadre_id: str, keyring: _Keys) -> list[str]:
    """A departed cadre whose log is no longer public: no revisions to replay, but the last position
    and head the ledger file names must be the leaf its proof puts under a signed checkpoint, and
    that checkpoint in the chain from the newest (docs/decisions.md, 30)."""
    problems: list[str] = []
    ledger = _load(WithdrawnLedger, stored, f"withdrawn ledger of {cadre_id}", problems)
    if ledger is None:
        return problems
    if ledger.cadre_id != cadre_id:
        problems.append(f"ledger is for cadre {ledger.cadre_id}, not {cadre_id}")
    stored_proof = _fetch(fetch, keys.cadre_proof, cadre_id)
    if stored_proof is None:
        return problems + ([f"inclusion proof of {cadre_id} is missing"] if ledger.seq else [])
    proof = _load(InclusionProof, stored_proof, f"inclusion proof of {cadre_id}", problems)
    if proof is None:
        return problems
    what = f"proof against checkpoint {proof.checkpoint}"
    if (proof.leaf.seq, proof.leaf.head) != (ledger.seq, ledger.head):
        problems.append(f"{what} signs seq {proof.leaf.seq}, not the withdrawn log's last position and head")
    return problems + _verify_proof(fetch, proof, cadre_id, None, None, keyring)


def _verify_proof(
    fetch: Fetch,
    proof: InclusionProof,
    cadre_id: str,
    ledger: CadreLedger | None,
    heads: list[str] | None,
    keyring: _Keys,
) -> list[str]:
    problems: list[str] = []
    leaf, what = proof.leaf, f"proof against checkpoint {proof.checkpoint}"
    if proof.algorithm != ALGORITHM_V2:
        problems.append(f"{what}: unknown algorithm {proof.algorithm!r}")
    if leaf.cadre_id != cadre_id:
        problems.append(f"{what} is for cadre {leaf.cadre_id}, not {cadre_id}")
    if ledger is not None and heads is not None:
        if leaf.seq != len(heads):
            problems.append(f"{what} signs seq {leaf.seq} but the log has {len(heads)} revisions")
        elif heads and heads[-1] != leaf.head:
            problems.append(f"{what}: revisions 1..{leaf.seq} do not match the signed head")
    checkpoint = _signed_checkpoint(fetch, proof.checkpoint, keyring, problems)
    if checkpoint is None:
        return problems
    if not verify_inclusion(leaf, proof.path, checkpoint.root):
        problems.append(f"{what}: the leaf is not under the checkpoint's signed root")
    if ledger is not None and ledger.revisions:
        saved_on = ledger.revisions[-1].saved_at[:10]  # the revision's own date, as it was saved
        if proof.checkpoint < saved_on:
            problems.append(f"{what} is older than the last published revision (saved {saved_on})")
    problems += _verify_chain(fetch, checkpoint, keyring)
    return problems


def _verify_chain(fetch: Fetch, proved: Checkpoint, keyring: _Keys) -> list[str]:
    """The newest checkpoint, and each one back to ``proved`` through their signed ``previous`` links:
    a checkpoint removed from the history, or one replaced after a later one linked to it, breaks it."""
    problems: list[str] = []
    latest = _load(CheckpointLink, fetch(keys.LATEST_CHECKPOINT), "latest checkpoint", problems)
    if latest is None:
        return problems
    if latest.date < proved.date:
        return [f"the latest checkpoint {latest.date} is older than checkpoint {proved.date}"]
    link: CheckpointLink | None = latest
    for _ in range(MAX_CHAIN):
        if link is None or link.date < proved.date:
            return [*problems, f"checkpoint {proved.date} is not in the chain of signed checkpoints"]
        if link.date == proved.date:
            if link.root != proved.root:
                problems.append(f"checkpoint {proved.date}: root differs from the one the next day links")
            return problems
        checkpoint = _signed_checkpoint(fetch, link.date, keyring, problems)
        if checkpoint is None:
            return problems
        if checkpoint.root != link.root:
            problems.append(f"checkpoint {link.date}: root differs from the one the next day links")
        # a v1 checkpoint has no link, and every proof names a checkpoint from the first v2 day on
        link = checkpoint.previous if checkpoint.algorithm != ALGORITHM else None
    return problems


def _memo(fetch: Fetch) -> Fetch:
    seen: dict[str, Any] = {}

    def fetch_once(path: str) -> Any | None:
        if path not in seen:
            seen[path] = fetch(path)
        return seen[path]

    return fetch_once


def _first_v2_key(fetch: Fetch, dates: list[str]) -> str | None:
    """The key the first v2 checkpoint names (a string, checked when used), if there is one."""
    for date in dates:
        stored = _fetch(fetch, keys.checkpoint, date)
        if isinstance(stored, dict) and stored.get("algorithm") == ALGORITHM_V2:
            named = stored.get("key_fingerprint")
            return named if isinstance(named, str) else None
    return None


def _verify_v1(fetch: Fetch, cadre_id: str, heads: list[str] | None, keyring: _Keys) -> list[str]:
    """A cadre without a proof: every v1 checkpoint (listing every leaf) that lists it."""
    problems: list[str] = []
    index = fetch(keys.CHECKPOINT_INDEX)
    dates = index.get("checkpoints") if isinstance(index, dict) else None
    if not isinstance(dates, list) or not all(isinstance(d, str) for d in dates):
        return [f"checkpoint index {keys.CHECKPOINT_INDEX} is missing or malformed"]
    fetch = _memo(fetch)  # every checkpoint is read twice: for the v1 key, then to check it
    keyring.v1_key = _first_v2_key(fetch, sorted(dates))
    signed: tuple[str, int] | None = None  # (date, seq) of the latest checkpoint with this cadre
    for date in sorted(dates):
        what = f"checkpoint {date}"
        checkpoint = _signed_checkpoint(fetch, date, keyring, problems)
        listed = checkpoint.leaves if checkpoint is not None and checkpoint.leaves is not None else []
        for leaf in (leaf for leaf in listed if leaf.cadre_id == cadre_id):
            if signed is not None and leaf.seq < signed[1]:
                problems.append(f"{what} signs seq {leaf.seq}, below seq {signed[1]} signed on {signed[0]}")
            signed = (date, leaf.seq)
            if heads is None:
                continue
            if not 1 <= leaf.seq <= len(heads):
                problems.append(f"{what} signs seq {leaf.seq} but the log has {len(heads)} revisions")
            elif heads[leaf.seq - 1] != leaf.head:
                problems.append(f"{what}: revisions 1..{leaf.seq} do not match the signed head")
    if signed is None and heads:  # a log with revisions that no checkpoint or proof covers
        problems.append(f"inclusion proof of {cadre_id} is missing")
    return problems
