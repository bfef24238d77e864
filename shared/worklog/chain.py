"""The per-cadre hash chain: canonical encoding, hashing and verification.

Every save of a cadre (entry, plan, summary, leave) is one immutable revision with a sequence
number. Its hash is SHA-256 over the canonical encoding of ``{"previous_hash": ..., "revision":
<fields>}``; the first revision's previous hash is null. Changing, inserting, deleting or
reordering any stored revision breaks a link and is found by ``verify_chain``.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from worklog.records import datarecord

# The fields of a revision that the hash covers, in the stored record.
HASHED_FIELDS = (
    "cadre_id",
    "seq",
    "kind",
    "period",
    "revision",
    "body",
    "reason",
    "saved_at",
    "author",
    "late",
)


def _check(value: Any, path: str = "$") -> Any:
    """Only JSON types with exact representations: no floats."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, list | tuple):
        return [_check(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        for k in value:
            if not isinstance(k, str):
                raise TypeError(f"{path}: keys must be strings")
        return {k: _check(v, f"{path}.{k}") for k, v in value.items()}
    raise TypeError(f"{path}: {type(value).__name__} cannot be encoded canonically")


def canonical_bytes(value: Any) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8, integers only. Strings are hashed exactly
    as stored: two spellings of the same text (NFC/NFD) are two different revisions, which is why
    text is normalised once, at input (``normalise_text``), before it is hashed and stored."""
    return json.dumps(_check(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def normalise_text(value: Any) -> Any:
    """Every string in a value, NFC-normalised (what the journal stores and hashes)."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list | tuple):
        return [normalise_text(v) for v in value]
    if isinstance(value, Mapping):
        return {normalise_text(k): normalise_text(v) for k, v in value.items()}
    return value


def hashed_part(record: Mapping[str, Any]) -> dict[str, Any]:
    return {f: record.get(f) for f in HASHED_FIELDS}


def revision_hash(record: Mapping[str, Any], previous_hash: str | None) -> str:
    payload = {"previous_hash": previous_hash, "revision": hashed_part(record)}
    return hashlib.sha256(canonical_bytes(payload)).hexdigest()


@datarecord(frozen=True)
class ChainVerdict:
    ok: bool
    length: int
    head: str | None
    problem: str | None = None
    at_seq: int | None = None


def verify_chain(records: Iterable[Mapping[str, Any]]) -> ChainVerdict:
    """Check a cadre's revisions, in seq order, from the first: numbering, links and hashes."""
    previous: str | None = None
    count = 0
    for expected_seq, record in enumerate(records, start=1):
        seq = record.get("seq")
        if seq != expected_seq:
            return ChainVerdict(
                False, count, previous, f"expected seq {expected_seq}, found {seq}", expected_seq
            )
        if record.get("previous_hash") != previous:
            return ChainVerdict(
                False, count, previous, "previous_hash does not link to the revision before", seq
            )
        if revision_hash(record, previous) != record.get("hash"):
            return ChainVerdict(False, count, previous, "hash does not match the revision's content", seq)
        previous = str(record["hash"])
        count += 1
    return ChainVerdict(True, count, previous)
