"""The quarterly random, verifiable sample (双随机): which cadres, which of their entries, which inspectors.

Anyone can redo a draw from two published inputs: the seed (a hex string of at least 32 bytes, committed
by its SHA-256 before the draw and revealed after) and the roster snapshot. Same inputs, same sample.

Algorithm ``worklog-stratified-es``, version 1:

1. Normalise. Candidates are taken in ``cadre_id`` order, inspectors in ``cadre_id`` order, entry dates
   and conflict lists sorted ascending; the order in which the snapshot lists them never matters.
   ``snapshot_hash`` is the SHA-256 hex of ``canonical(snapshot)`` after this normalisation (the
   ``Snapshot`` model sorts on validation); ``canonical`` is the model's JSON with every field,
   defaults included, keys sorted, no spaces, non-ASCII unescaped, UTF-8. ``seed_hash`` is the
   SHA-256 hex of ``bytes.fromhex(seed)``.
2. Randomness. ``u(purpose, *parts)``: ``x`` = the first 8 bytes, big-endian, of
   HMAC-SHA256(key=bytes.fromhex(seed), msg="|".join([purpose, *parts]).encode("utf-8")), and
   ``u = (x + 1) / (2**64 + 1)``, strictly inside (0, 1). Ids may not contain "|".
3. Size. N candidates. ``n = min(size, N)`` when ``size`` is set, else ``ceil(rate_percent * N / 100)``
   (integer arithmetic; at least 1 when N > 0). When ``stratified``, ``n = max(n, number of units with
   candidates)``. N = 0 gives an empty sample.
4. Cadres (Efraimidis–Spirakis). ``weight = weight_base + weight_per_miss * misses
   + weight_per_adverse * adverse``, an integer from 1 to 10,000, and ``key = ln(u("cadre", cadre_id))
   / weight``; a larger key ranks first, equal keys rank by ``cadre_id`` ascending. Keys are compared
   exactly: ``key_a > key_b`` iff ``u_a ** w_b > u_b ** w_a``, decided here in integer arithmetic
   whenever floating point could be wrong. When ``stratified``, the first-ranked cadre of each unit
   is taken, then the remaining places go to the first-ranked of the rest; otherwise the first ``n``
   ranked are taken.
5. Entries. For each sampled cadre, the ``entries_per_cadre`` dates with the largest
   ``u("entry", cadre_id, date)`` (ties by date ascending), all of them if fewer, listed ascending.
6. Inspectors. An inspector is eligible for a cadre unless they are in the cadre's unit, are the cadre,
   or are in ``conflicts[cadre_id]``. Sampled cadres are handled in order of ``u("order", cadre_id)``
   descending (ties by ``cadre_id``); each gets the ``inspectors_per_cadre`` eligible inspectors that
   sort first by (load ascending, ``u("inspector", cadre_id, inspector_id)`` descending, inspector id
   ascending), where load = cadres assigned so far; then their loads go up by one. A cadre with fewer
   eligible inspectors than needed gets all of them and is listed in ``shortfalls``.
7. The result lists cadres by ``cadre_id``, each with its weight, entry dates and inspector ids (sorted).

Comparing ``u`` values of the same purpose needs no floating point: compare ``x``.
"""

import hashlib
import hmac
import json
import math
import re
import secrets
from collections import defaultdict
from datetime import date
from functools import cmp_to_key
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from worklog.models.common import Model

ALGORITHM = "worklog-stratified-es"
VERSION = "1"
MIN_SEED_BYTES = 32
MAX_WEIGHT = 10_000  # keeps the exact key comparison cheap

_D = 2**64 + 1  # u = m / _D with m = x + 1 in [1, 2**64]
_HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")
_CLEAR = 1e-12  # float keys this far apart (relative) are ordered without the exact check

Id = Annotated[str, StringConstraints(min_length=1, pattern=r"^[^|]+$")]


def _iso_date(value: str) -> str:
    if len(value) != 10 or date.fromisoformat(value).isoformat() != value:
        raise ValueError(f"not an ISO date (YYYY-MM-DD): {value!r}")
    return value


IsoDate = Annotated[str, AfterValidator(_iso_date)]


class Candidate(Model):
    """A cadre who may be drawn, with the quarter's record that weights the draw."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cadre_id: Id
    unit_id: Id
    misses: int = Field(default=0, ge=0)
    adverse: int = Field(default=0, ge=0)
    entries: list[IsoDate] = Field(default_factory=list)

    @field_validator("entries")
    @classmethod
    def _sorted_entries(cls, entries: list[str]) -> list[str]:
        if len(set(entries)) != len(entries):
            raise ValueError("duplicate entry dates")
        return sorted(entries)


class Inspector(Model):
    model_config = ConfigDict(frozen=True, extra="forbid")

    cadre_id: Id
    unit_id: Id


class Snapshot(Model):
    """The published input of a draw. Lists are sorted on validation, so their given order never matters."""

    model_config = ConfigDict(extra="forbid")

    round_id: str = Field(min_length=1)
    quarter: str = Field(min_length=1)
    candidates: list[Candidate]
    inspectors: list[Inspector]
    conflicts: dict[str, list[str]] = Field(default_factory=dict)
    rate_percent: int = Field(default=10, ge=1, le=100)
    size: int | None = Field(default=None, ge=1)
    stratified: bool = True
    entries_per_cadre: int = Field(default=5, ge=0)
    inspectors_per_cadre: int = Field(default=2, ge=0)
    weight_base: int = Field(default=1, ge=1)
    weight_per_miss: int = Field(default=1, ge=0)
    weight_per_adverse: int = Field(default=3, ge=0)

    @model_validator(mode="after")
    def _normalise(self) -> "Snapshot":
        for name, people in (("candidate", self.candidates), ("inspector", self.inspectors)):
            ids = [p.cadre_id for p in people]
            if len(set(ids)) != len(ids):
                raise ValueError(f"duplicate {name} ids")
        if any(self.weight(c) > MAX_WEIGHT for c in self.candidates):
            raise ValueError(f"a candidate's weight exceeds {MAX_WEIGHT}")
        self.candidates = sorted(self.candidates, key=lambda c: c.cadre_id)
        self.inspectors = sorted(self.inspectors, key=lambda i: i.cadre_id)
        self.conflicts = {k: sorted(set(v)) for k, v in sorted(self.conflicts.items())}
        return self

    def weight(self, candidate: Candidate) -> int:
        return (
            self.weight_base
            + self.weight_per_miss * candidate.misses
            + self.weight_per_adverse * candidate.adverse
        )


class SampledCadre(Model):
    cadre_id: str
    unit_id: str
    weight: int
    entries: list[str]
    inspectors: list[str]


class Sample(Model):
    round_id: str
    algorithm: str
    version: str
    seed_hash: str
    snapshot_hash: str
    cadres: list[SampledCadre]
    shortfalls: list[str]


def canonical(model: BaseModel) -> bytes:
    data = model.model_dump(mode="json")
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _normalised(snapshot: Snapshot) -> Snapshot:
    """A validated copy, in case the lists were changed in place after validation."""
    return Snapshot.model_validate(snapshot.model_dump())


def snapshot_hash(snapshot: Snapshot) -> str:
    return hashlib.sha256(canonical(_normalised(snapshot))).hexdigest()


def _seed_bytes(seed: str) -> bytes:
    if not _HEX.fullmatch(seed):
        raise ValueError("seed must be a hex string")
    raw = bytes.fromhex(seed)
    if len(raw) < MIN_SEED_BYTES:
        raise ValueError(f"seed must be at least {MIN_SEED_BYTES} bytes")
    return raw


def seed_hash(seed: str) -> str:
    return hashlib.sha256(_seed_bytes(seed)).hexdigest()


def new_seed() -> str:
    return secrets.token_hex(MIN_SEED_BYTES)


def sample_size(snapshot: Snapshot) -> int:
    total = len(snapshot.candidates)
    if total == 0:
        return 0
    if snapshot.size is not None:
        n = min(snapshot.size, total)
    else:
        n = max(1, -(-snapshot.rate_percent * total // 100))  # ceil without floats
    if snapshot.stratified:
        n = max(n, len({c.unit_id for c in snapshot.candidates}))
    return n


def _m(key: bytes, purpose: str, *parts: str) -> int:
    """``x + 1``, the numerator of ``u = (x + 1) / (2**64 + 1)``."""
    mac = hmac.new(key, "|".join([purpose, *parts]).encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(mac[:8], "big") + 1


def _ln_u(m: int) -> float:
    """ln(m / _D) to a few ulps relative: log near 0, log1p near 1 (int divisions round correctly)."""
    return math.log(m / _D) if 2 * m < _D else math.log1p(-(_D - m) / _D)


class _Ranked:
    __slots__ = ("candidate", "key", "m", "weight")

    def __init__(self, candidate: Candidate, m: int, weight: int) -> None:
        self.candidate, self.m, self.weight = candidate, m, weight
        self.key = _ln_u(m) / weight


def _before(a: _Ranked, b: _Ranked) -> int:
    """Negative when ``a`` ranks first: the larger Efraimidis–Spirakis key, then the smaller id."""
    if abs(a.key - b.key) > _CLEAR * max(abs(a.key), abs(b.key)):
        return -1 if a.key > b.key else 1
    # Exact: ln(ma/D)/wa > ln(mb/D)/wb  <=>  ma**wb * D**wa > mb**wa * D**wb.
    lhs, rhs = a.m**b.weight * _D**a.weight, b.m**a.weight * _D**b.weight
    if lhs != rhs:
        return -1 if lhs > rhs else 1
    ida, idb = a.candidate.cadre_id, b.candidate.cadre_id
    return -1 if ida < idb else int(ida > idb)


def _choose(key: bytes, snap: Snapshot) -> list[_Ranked]:
    """The sampled cadres: by weighted rank, one per unit first when the round is stratified."""
    n = sample_size(snap)
    ranked = sorted(
        (_Ranked(c, _m(key, "cadre", c.cadre_id), snap.weight(c)) for c in snap.candidates),
        key=cmp_to_key(_before),
    )
    chosen: list[_Ranked] = []
    if snap.stratified:
        seen: set[str] = set()
        for r in ranked:
            if r.candidate.unit_id not in seen:
                seen.add(r.candidate.unit_id)
                chosen.append(r)
    taken = {r.candidate.cadre_id for r in chosen}
    chosen += [r for r in ranked if r.candidate.cadre_id not in taken][: n - len(chosen)]
    return chosen


def _assign_inspectors(
    key: bytes, snap: Snapshot, chosen: list[_Ranked]
) -> tuple[dict[str, list[str]], list[str]]:
    """Each sampled cadre's inspectors (from other units, not themselves, not their reviewers; the
    least loaded first), and the cadres left with fewer than ``inspectors_per_cadre``."""
    load: dict[str, int] = defaultdict(int)
    assigned: dict[str, list[str]] = {}
    shortfalls: list[str] = []
    order = sorted(chosen, key=lambda r: (-_m(key, "order", r.candidate.cadre_id), r.candidate.cadre_id))
    for r in order:
        cadre = r.candidate
        barred = set(snap.conflicts.get(cadre.cadre_id, []))
        eligible = [
            i.cadre_id
            for i in snap.inspectors
            if i.unit_id != cadre.unit_id and i.cadre_id != cadre.cadre_id and i.cadre_id not in barred
        ]
        eligible.sort(key=lambda i: (load[i], -_m(key, "inspector", cadre.cadre_id, i), i))
        picked = eligible[: snap.inspectors_per_cadre]
        for i in picked:
            load[i] += 1
        assigned[cadre.cadre_id] = sorted(picked)
        if len(picked) < snap.inspectors_per_cadre:
            shortfalls.append(cadre.cadre_id)
    return assigned, shortfalls


def draw(seed: str, snapshot: Snapshot) -> Sample:
    key = _seed_bytes(seed)
    snap = _normalised(snapshot)
    chosen = _choose(key, snap)
    assigned, shortfalls = _assign_inspectors(key, snap, chosen)
    cadres = []
    for r in sorted(chosen, key=lambda r: r.candidate.cadre_id):
        c = r.candidate
        dates = sorted(c.entries, key=lambda d: (-_m(key, "entry", c.cadre_id, d), d))
        cadres.append(
            SampledCadre(
                cadre_id=c.cadre_id,
                unit_id=c.unit_id,
                weight=r.weight,
                entries=sorted(dates[: snap.entries_per_cadre]),
                inspectors=assigned[c.cadre_id],
            )
        )
    return Sample(
        round_id=snap.round_id,
        algorithm=ALGORITHM,
        version=VERSION,
        seed_hash=hashlib.sha256(key).hexdigest(),
        snapshot_hash=hashlib.sha256(canonical(snap)).hexdigest(),
        cadres=cadres,
        shortfalls=sorted(shortfalls),
    )
