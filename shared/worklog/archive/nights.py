"""The archive's objects in the ledger bucket, built and read by pure functions.

  archive/nights/<yyyy>/<mm>/<dd>.jsonl.gz   one night: gzip-compressed JSON Lines, written once
  archive/nights/<yyyy>/<mm>/<dd>.index.json  the night's index: the object's SHA-256, its lines, the
                                              seqs it holds per cadre
  archive/progress.json                       the last night folded in and each cadre's last archived seq
  archive/keys/<fingerprint>.pem              the public keys the checkpoints were signed with

A line is ``{"table": ..., "kind": ..., "item": {...}}``: the item as the table stores it (a
revision whole, the body as its stored JSON text). Journal lines are ``revision`` (immutable),
``view`` and ``head`` (the current view of a period and the chain head as of that night: a later
night's replaces an earlier one's).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from pydantic import BaseModel, Field

PREFIX = "archive/"
NIGHTS = "archive/nights/"
PROGRESS = "archive/progress.json"
_NIGHT = re.compile(r"^archive/nights/(\d{4})/(\d{2})/(\d{2})\.jsonl\.gz$")
JOURNAL = "journal"


def night_key(day: date) -> str:
    return f"{NIGHTS}{day:%Y/%m/%d}.jsonl.gz"


def index_key(day: date) -> str:
    return f"{NIGHTS}{day:%Y/%m/%d}.index.json"


def key_path(fingerprint: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{64}", fingerprint):
        raise ValueError(f"not a key fingerprint: {fingerprint!r}")
    return f"{PREFIX}keys/{fingerprint}.pem"


def night_of(key: str) -> date | None:
    """The night an object key holds (None: not a night's object)."""
    found = _NIGHT.match(key)
    return date(int(found[1]), int(found[2]), int(found[3])) if found else None


def line(table: str, kind: str, item: dict[str, Any]) -> dict[str, Any]:
    return {"table": table, "kind": kind, "item": item}


def encode(lines: Iterable[dict[str, Any]]) -> bytes:
    """The night's object: one canonical JSON object a line, gzip with no timestamp or name (the
    same lines always give the same bytes)."""
    text = "".join(
        json.dumps(x, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n" for x in lines
    )
    return gzip.compress(text.encode("utf-8"), mtime=0)


def decode(body: bytes) -> Iterator[dict[str, Any]]:
    for raw in gzip.decompress(body).decode("utf-8").splitlines():
        if raw:
            yield json.loads(raw)


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class NightIndex(BaseModel):
    """What a night holds, written after its object (a crash between the two is repaired from the
    object itself: ``index_of``)."""

    night: str  # YYYY-MM-DD
    object: str
    sha256: str
    lines: int
    seqs: dict[str, list[int]] = Field(default_factory=dict)  # cadre -> [first, last] revision seq


class Progress(BaseModel):
    """How far the archive has got: the last night folded in, and each cadre's last archived seq."""

    night: str = ""
    seqs: dict[str, int] = Field(default_factory=dict)

    def fold(self, index: NightIndex) -> bool:
        """Take a night in (once: a night at or before ``night`` is already in). True if it moved."""
        if index.night <= self.night:
            return False
        for cadre_id, (_, last) in index.seqs.items():
            self.seqs[cadre_id] = max(self.seqs.get(cadre_id, 0), last)
        self.night = index.night
        return True


def index_of(night: date, key: str, body: bytes) -> NightIndex:
    """A night's index, computed from its object."""
    seqs: dict[str, list[int]] = {}
    count = 0
    for entry in decode(body):
        count += 1
        if entry.get("table") == JOURNAL and entry.get("kind") == "revision":
            item = entry["item"]
            span = seqs.setdefault(str(item["cadre_id"]), [int(item["seq"]), int(item["seq"])])
            span[0], span[1] = min(span[0], int(item["seq"])), max(span[1], int(item["seq"]))
    return NightIndex(night=night.isoformat(), object=key, sha256=digest(body), lines=count, seqs=seqs)
