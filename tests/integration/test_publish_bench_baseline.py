"""The publish bench's night before, published straight into the in-process emulator
(``infra.bench_publish.baseline_publisher``, so that a province's row runs in minutes, not hours),
leaves the buckets as a full publish through the emulator's clients does; the measured night after
it writes the same objects, byte for byte, with the same requests, and nothing of the cadres who did
not change."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime, tzinfo
from pathlib import Path

import pytest

from infra import bench_publish
from worklog import clock
from worklog.publish import keys, tamper
from worklog.settings import get_settings

CADRES = 60


@pytest.fixture
def three_shards(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Given shards of 20 cadres: a roster of 60 is published in three batches through the queue."""
    monkeypatch.setenv("PUBLISH_SHARD_CADRES", "20")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


class _StillTime(datetime):
    """Real time standing still: the clock set by the bench then reads exactly what it was set to."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        return datetime(2026, 11, 30, 12, tzinfo=clock.SHANGHAI).astimezone(tz)


@pytest.fixture
def reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a clock that does not move while the bench runs (timestamps of saves and checkpoints),
    and checkpoints signed with a stand-in that is a function of the message (ECDSA signatures are
    random): two runs of the same work then write the same bytes."""
    monkeypatch.setattr(clock, "datetime", _StillTime)
    monkeypatch.setattr(tamper.LocalSigner, "sign", lambda self, message: hashlib.sha256(message).digest())


def test_the_direct_night_before_leads_to_the_same_measured_night_as_a_full_publish(
    tmp_path: Path, three_shards: None, reproducible: None
) -> None:
    # Given the same roster, entries and signing key (one state directory), the night before
    # published once through the emulator's clients and once straight into its backend
    real = bench_publish.measure(CADRES, state_dir=tmp_path, direct=False, keep=True)
    direct = bench_publish.measure(CADRES, state_dir=tmp_path, direct=True, keep=True)
    # Then both leave the same objects, byte for byte (shards, manifest, pages, proofs, checkpoint)
    assert direct.before == real.before
    assert any("manifest/shards/" in key for key in real.before)
    # And the measured night writes the same objects with the same bytes, in as many batches
    assert direct.written == real.written
    assert len(direct.shard_times) == len(real.shard_times) == 3
    # With the same requests, operation by operation
    assert direct.seen == real.seen


def test_the_measured_night_writes_only_the_changed_cadres_objects_and_no_unit_page(
    tmp_path: Path, three_shards: None
) -> None:
    # Given the night before published straight into the emulator, then 1% of the cadres saved
    night = bench_publish.measure(CADRES, state_dir=tmp_path)
    changed = set(bench_publish.changed_cadres(CADRES))
    # Then the night writes pages and ledger files of those cadres only, a proof for each of them
    owners = {keys.cadre_of(key) for key in night.written} - {None}
    assert owners == changed
    proved = {key for key in night.written if key.startswith("ledger/proofs/")}
    assert proved == {keys.cadre_proof(c) for c in changed}
    # And no unit page: their members did not change, the last step finds them as they were
    assert not [key for key in night.written if key.startswith("units/")]
    assert keys.HOME in night.written and keys.MANIFEST in night.written
