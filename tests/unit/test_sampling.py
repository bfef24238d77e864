"""The quarterly random sample (双随机): reproducible, order-independent, stratified, weighted, balanced."""

from __future__ import annotations

import hashlib
import hmac
import math
from collections import Counter
from datetime import date, timedelta
from random import Random  # only to shuffle test inputs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worklog.audit import sampling
from worklog.audit.sampling import (
    ALGORITHM,
    VERSION,
    Candidate,
    Inspector,
    Sample,
    Snapshot,
    draw,
    new_seed,
    sample_size,
    seed_hash,
    snapshot_hash,
)

DAYS = [(date(2026, 7, 1) + timedelta(days=d)).isoformat() for d in range(92)]
UNITS = ["U0", "U1", "U2", "U3"]
SEED = "5e" * 32
CHI2_CRITICAL_DF4 = 18.467  # chi-square, 4 degrees of freedom, alpha = 0.001

seeds = st.binary(min_size=32, max_size=40).map(bytes.hex)


@st.composite
def snapshots(data: st.DrawFn, *, separate_inspectors: bool = False) -> Snapshot:
    n = data(st.integers(0, 25))
    candidates = [
        Candidate(
            cadre_id=f"C{i:02d}",
            unit_id=data(st.sampled_from(UNITS)),
            misses=data(st.integers(0, 5)),
            adverse=data(st.integers(0, 2)),
            entries=data(st.lists(st.sampled_from(DAYS), unique=True, max_size=12)),
        )
        for i in range(n)
    ]
    if separate_inspectors:
        inspectors = [Inspector(cadre_id=f"I{j}", unit_id="DC") for j in range(data(st.integers(1, 7)))]
        conflicts: dict[str, list[str]] = {}
    else:
        # Some inspectors are candidates themselves (same id), to exercise "not the cadre".
        ids = [f"I{j}" for j in range(data(st.integers(0, 6)))] + [c.cadre_id for c in candidates[:3]]
        inspectors = [Inspector(cadre_id=i, unit_id=data(st.sampled_from([*UNITS, "DC"]))) for i in ids]
        conflicts = data(
            st.dictionaries(
                st.sampled_from([c.cadre_id for c in candidates] or ["C00"]),
                st.lists(st.sampled_from(ids or ["I0"]), unique=True, max_size=3),
                max_size=5,
            )
        )
    return Snapshot(
        round_id="2026-Q3",
        quarter="2026-Q3",
        candidates=candidates,
        inspectors=inspectors,
        conflicts=conflicts,
        rate_percent=data(st.integers(1, 100)),
        size=data(st.none() | st.integers(1, 30)),
        stratified=data(st.booleans()),
        entries_per_cadre=data(st.integers(0, 6)),
        inspectors_per_cadre=data(st.integers(0, 3)),
    )


def expected_size(s: Snapshot) -> int:
    total = len(s.candidates)
    if total == 0:
        return 0
    n = min(s.size, total) if s.size is not None else max(1, math.ceil(s.rate_percent * total / 100))
    return max(n, len({c.unit_id for c in s.candidates})) if s.stratified else n


def eligible(s: Snapshot, cadre: Candidate) -> set[str]:
    barred = set(s.conflicts.get(cadre.cadre_id, []))
    return {
        i.cadre_id
        for i in s.inspectors
        if i.unit_id != cadre.unit_id and i.cadre_id != cadre.cadre_id and i.cadre_id not in barred
    }


def chi_square(observed: Counter[str], expected: dict[str, float]) -> float:
    return sum((observed[k] - e) ** 2 / e for k, e in expected.items())


@settings(max_examples=60, deadline=None)
@given(snapshots(), seeds, st.randoms(use_true_random=False))
def test_the_draw_is_deterministic_and_ignores_input_order(snap: Snapshot, seed: str, rnd: Random) -> None:
    first = draw(seed, snap)
    assert draw(seed, snap) == first
    shuffled = snap.model_dump()
    rnd.shuffle(shuffled["candidates"])
    rnd.shuffle(shuffled["inspectors"])
    for c in shuffled["candidates"]:
        c["entries"].reverse()
    shuffled["conflicts"] = {k: v[::-1] for k, v in reversed(shuffled["conflicts"].items())}
    again = Snapshot.model_validate(shuffled)
    assert snapshot_hash(again) == snapshot_hash(snap)
    assert draw(seed, again) == first


@settings(max_examples=60, deadline=None)
@given(snapshots(), seeds)
def test_the_sample_keeps_its_rules(snap: Snapshot, seed: str) -> None:
    sample = draw(seed, snap)
    by_id = {c.cadre_id: c for c in snap.candidates}
    ids = [c.cadre_id for c in sample.cadres]
    assert ids == sorted(set(ids))
    assert len(ids) == sample_size(snap) == expected_size(snap)
    if snap.stratified:
        assert {c.unit_id for c in sample.cadres} == {c.unit_id for c in snap.candidates}
    assert (sample.round_id, sample.algorithm, sample.version) == (snap.round_id, ALGORITHM, VERSION)
    assert sample.seed_hash == seed_hash(seed)
    assert sample.snapshot_hash == snapshot_hash(snap)
    shortfalls = []
    for got in sample.cadres:
        cadre = by_id[got.cadre_id]
        assert got.unit_id == cadre.unit_id
        assert got.weight == 1 + cadre.misses + 3 * cadre.adverse
        assert got.entries == sorted(got.entries)
        assert set(got.entries) <= set(cadre.entries)
        assert len(got.entries) == min(snap.entries_per_cadre, len(cadre.entries))
        allowed = eligible(snap, cadre)
        assert got.inspectors == sorted(set(got.inspectors))
        assert set(got.inspectors) <= allowed
        assert len(got.inspectors) == min(snap.inspectors_per_cadre, len(allowed))
        if len(allowed) < snap.inspectors_per_cadre:
            shortfalls.append(got.cadre_id)
    assert sample.shortfalls == shortfalls


@settings(max_examples=60, deadline=None)
@given(snapshots(separate_inspectors=True), seeds)
def test_loads_are_balanced_when_every_inspector_is_eligible(snap: Snapshot, seed: str) -> None:
    sample = draw(seed, snap)
    load = Counter({i.cadre_id: 0 for i in snap.inspectors})
    load.update(i for c in sample.cadres for i in c.inspectors)
    assert max(load.values()) - min(load.values()) <= 1
    short = snap.inspectors_per_cadre > len(snap.inspectors)
    assert sample.shortfalls == ([c.cadre_id for c in sample.cadres] if short else [])


def population(**overrides: object) -> Snapshot:
    candidates = [
        Candidate(cadre_id=f"C{i:02d}", unit_id=UNITS[i % 4], misses=i % 3, entries=DAYS[i : i + 20])
        for i in range(40)
    ]
    inspectors = [Inspector(cadre_id=f"I{j}", unit_id=UNITS[j % 4]) for j in range(12)]
    fields: dict[str, object] = {
        "round_id": "2026-Q3",
        "quarter": "2026-Q3",
        "candidates": candidates,
        "inspectors": inspectors,
        "rate_percent": 25,
    }
    return Snapshot.model_validate(fields | overrides)


def test_a_different_seed_gives_a_different_sample() -> None:
    snap = population()
    samples = [draw(f"{i:064x}", snap) for i in range(1, 6)]
    assert len({tuple(c.cadre_id for c in s.cadres) for s in samples}) == len(samples)
    assert len({s.seed_hash for s in samples}) == len(samples)


def test_a_changed_snapshot_changes_its_hash() -> None:
    snap = population()
    base = snapshot_hash(snap)
    changed = [
        population(rate_percent=26),
        population(candidates=[*snap.candidates[:-1], snap.candidates[-1].model_copy(update={"misses": 7})]),
        population(inspectors=snap.inspectors[:-1]),
        population(conflicts={"C00": ["I1"]}),
        population(round_id="SPOT-2026-11-27-01"),
    ]
    hashes = {snapshot_hash(s) for s in changed}
    assert base not in hashes and len(hashes) == len(changed)
    assert snapshot_hash(population()) == base


def test_selection_follows_the_weights() -> None:
    weights = {"A": 1, "B": 2, "C": 3, "D": 4, "E": 10}
    snap = Snapshot(
        round_id="R",
        quarter="2026-Q3",
        candidates=[Candidate(cadre_id=k, unit_id="U0", misses=w - 1) for k, w in weights.items()],
        inspectors=[],
        size=1,
        stratified=False,
    )
    runs = 5000
    counts = Counter(draw(f"{i:064x}", snap).cadres[0].cadre_id for i in range(runs))
    total = sum(weights.values())
    assert chi_square(counts, {k: runs * w / total for k, w in weights.items()}) < CHI2_CRITICAL_DF4


def test_equally_loaded_inspectors_are_chosen_uniformly() -> None:
    names = [f"I{j}" for j in range(5)]
    snap = Snapshot(
        round_id="R",
        quarter="2026-Q3",
        candidates=[Candidate(cadre_id="C1", unit_id="U0")],
        inspectors=[Inspector(cadre_id=n, unit_id="U1") for n in names],
        inspectors_per_cadre=1,
    )
    runs = 5000
    counts = Counter(draw(f"{i:064x}", snap).cadres[0].inspectors[0] for i in range(runs))
    assert chi_square(counts, dict.fromkeys(names, runs / len(names))) < CHI2_CRITICAL_DF4


def u(seed: str, *parts: str) -> float:
    mac = hmac.new(bytes.fromhex(seed), "|".join(parts).encode(), hashlib.sha256).digest()
    return (int.from_bytes(mac[:8], "big") + 1) / (2**64 + 1)


def test_an_independent_reading_of_the_docstring_agrees() -> None:
    snap = population(stratified=False, rate_percent=20, entries_per_cadre=3)
    sample = draw(SEED, snap)
    keys = {c.cadre_id: math.log(u(SEED, "cadre", c.cadre_id)) / snap.weight(c) for c in snap.candidates}
    assert [c.cadre_id for c in sample.cadres] == sorted(sorted(keys, key=lambda k: -keys[k])[:8])
    for got in sample.cadres:
        dates = next(c.entries for c in snap.candidates if c.cadre_id == got.cadre_id)
        assert got.entries == sorted(sorted(dates, key=lambda d: -u(SEED, "entry", got.cadre_id, d))[:3])


def test_near_ties_are_decided_exactly() -> None:
    d = 2**64 + 1
    m_a = 2**63 + 12345
    below, above = m_a * m_a // d, m_a * m_a // d + 1  # u_b just under / over u_a ** 2
    a = sampling._Ranked(Candidate(cadre_id="Z", unit_id="U"), m_a, 1)
    for m_b, a_first in ((below, True), (above, False)):
        b = sampling._Ranked(Candidate(cadre_id="A", unit_id="U"), m_b, 2)
        assert (sampling._before(a, b) < 0) is a_first
        assert (sampling._before(b, a) < 0) is not a_first


def test_an_empty_roster_gives_an_empty_sample() -> None:
    sample = draw(SEED, Snapshot(round_id="R", quarter="2026-Q3", candidates=[], inspectors=[]))
    assert isinstance(sample, Sample) and sample.cadres == [] and sample.shortfalls == []


@pytest.mark.parametrize(
    "bad",
    [
        {"candidates": [Candidate(cadre_id="C1", unit_id="U0"), Candidate(cadre_id="C1", unit_id="U1")]},
        {"inspectors": [Inspector(cadre_id="I1", unit_id="U0"), Inspector(cadre_id="I1", unit_id="U1")]},
        {"weight_base": 0},
        {"weight_per_miss": -1},
        {"rate_percent": 0},
        {"rate_percent": 101},
        {"candidates": [{"cadre_id": "C|1", "unit_id": "U0"}]},
        {"candidates": [{"cadre_id": "C1", "unit_id": "U0", "misses": -1}]},
        {"candidates": [{"cadre_id": "C1", "unit_id": "U0", "entries": ["2026-7-1"]}]},
        {"candidates": [{"cadre_id": "C1", "unit_id": "U0", "entries": ["2026-07-01", "2026-07-01"]}]},
    ],
)
def test_bad_snapshots_are_rejected(bad: dict[str, object]) -> None:
    fields: dict[str, object] = {"round_id": "R", "quarter": "2026-Q3", "candidates": [], "inspectors": []}
    with pytest.raises(ValueError):
        Snapshot.model_validate(fields | bad)


@pytest.mark.parametrize("seed", ["", "zz" * 32, "ab" * 31, "a" * 63, "ab " * 32, "0x" + "ab" * 32])
def test_seed_hash_rejects_bad_seeds(seed: str) -> None:
    with pytest.raises(ValueError):
        seed_hash(seed)
    with pytest.raises(ValueError):
        draw(seed, population())


def test_seed_hash_and_new_seed() -> None:
    assert seed_hash("AB" * 32) == seed_hash("ab" * 32) == hashlib.sha256(b"\xab" * 32).hexdigest()
    seed = new_seed()
    assert len(seed) == 64 and seed_hash(seed) and new_seed() != seed
