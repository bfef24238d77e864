"""The archive's objects in the ledger bucket, built and read by pure functions.

  archive/nights/<yyyy>/<mm>/<dd>.jsonl.gz   one night: gzip-compressed JSON Lines, written once
  archive/nights/<yyyy>/<mm>/<dd>.index.json  the night's index: the object's SHA-256, its lines, the
                                              seqs it holds per cadre
  archive/progress.json                       the last night folded in and each cadre's last archived seq
  archive/keys/<fingerprint>.pem              the public keys the checkpoints were signed with

A line is ``{"table": ..., "kind": ..., "item": {...}}``: the item as the table stores it (a
revision whole, the body as its stored JSON text). Journal lines are ``revision`` (immutable),
``view`` and ``head`` (the current view of a period and the chain head as of that night: a later
night's replaces an earlier one's). Compliance lines (``item``) are the compliance table's items
that are new or changed since the last night (reviews and their verdicts, missing records, cases
with their history, audit rounds and findings, evaluations, notices), in DynamoDB's own attribute
values so that they restore exactly (binary values as base64); roster lines (``role_change``) are
the district's role changes, append-only; site lines (``proof``) are the public site's inclusion
proofs of the cadres archived that night, as the publisher wrote them (evidence of their public
chain's head at a signed checkpoint: ``verify.check_proofs``).
"""

import base64
import gzip
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from pydantic import Field

from worklog.models.common import Model

PREFIX = "archive/"
NIGHTS = "archive/nights/"
PROGRESS = "archive/progress.json"
_NIGHT = re.compile(r"^archive/nights/(\d{4})/(\d{2})/(\d{2})\.jsonl\.gz$")
JOURNAL = "journal"
COMPLIANCE = "compliance"
ROSTER = "roster"
SITE = "site"


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


def _binary(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} cannot be archived")


def stored_attributes(item: dict[str, Any]) -> dict[str, Any]:
    """An archived compliance item back into attribute values (base64 text into bytes)."""

    def value(attribute: dict[str, Any]) -> dict[str, Any]:
        ((kind, raw),) = attribute.items()
        if kind == "B":
            return {"B": base64.b64decode(raw)}
        if kind == "BS":
            return {"BS": [base64.b64decode(x) for x in raw]}
        if kind == "L":
            return {"L": [value(x) for x in raw]}
        if kind == "M":
            return {"M": {k: value(v) for k, v in raw.items()}}
        return attribute

    return {k: value(v) for k, v in item.items()}


def item_key(item: dict[str, Any]) -> str:
    """An item's table key, as one text (compliance items are in attribute values)."""
    pk, sk = (item[name].get("S") if isinstance(item[name], dict) else item[name] for name in ("pk", "sk"))
    return f"{pk}\t{sk}"


def item_digest(item: dict[str, Any]) -> str:
    text = json.dumps(item, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_binary)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def encode(lines: Iterable[dict[str, Any]]) -> bytes:
    """The night's object: one canonical JSON object a line, gzip with no timestamp or name (the
    same lines always give the same bytes)."""
    text = "".join(
        json.dumps(x, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_binary) + "\n"
        for x in lines
    )
    return gzip.compress(text.encode("utf-8"), mtime=0)


def decode(body: bytes) -> Iterator[dict[str, Any]]:
    for raw in gzip.decompress(body).decode("utf-8").splitlines():
        if raw:
            yield json.loads(raw)


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class NightIndex(Model):
    """What a night holds, written after its object (a crash between the two is repaired from the
    object itself: ``index_of``)."""

    night: str  # YYYY-MM-DD
    object: str
    sha256: str
    lines: int
    seqs: dict[str, list[int]] = Field(default_factory=dict)  # cadre -> [first, last] revision seq


class Progress(Model):
    """How far the archive has got: the last night folded in, each cadre's last archived seq, the
    digest of each compliance item as last archived, and the last role change archived."""

    night: str = ""
    seqs: dict[str, int] = Field(default_factory=dict)
    compliance: dict[str, str] = Field(default_factory=dict)  # item key -> digest
    role_changes: str = ""  # roster_sk of the last role change archived

    def fold(self, night: str, lines: Iterable[dict[str, Any]]) -> bool:
        """Take a night's lines in (once: a night at or before ``night`` is in). True if it moved."""
        if night <= self.night:
            return False
        for entry in lines:
            table, kind, item = entry.get("table"), entry.get("kind"), entry.get("item") or {}
            if table == JOURNAL and kind == "revision":
                cadre_id = str(item["cadre_id"])
                self.seqs[cadre_id] = max(self.seqs.get(cadre_id, 0), int(item["seq"]))
            elif table == COMPLIANCE:
                self.compliance[item_key(item)] = item_digest(item)
            elif table == ROSTER:
                self.role_changes = max(self.role_changes, str(item.get("roster_sk", "")))
        self.night = night
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
