"""The publisher's shards as pure rules: which shard a cadre is in, which objects are a cadre's,
what a batch message carries, which cadre pages the last step may link to, and the public
revisions of a chain read from where the last publish left it."""

from __future__ import annotations

from datetime import date

import pytest

from worklog.models.publication import PublicationPolicy
from worklog.publish import keys
from worklog.publish.batch import Batch, CadrePages
from worklog.publish.cadre_log import public_revisions
from worklog.publish.manifest import CadreState, shard_count, shard_of


def test_a_cadres_shard_depends_on_its_id_alone() -> None:
    ids = [f"c{i:06d}" for i in range(5000)]
    placed = {c: shard_of(c, 5) for c in ids}
    assert {c: shard_of(c, 5) for c in reversed(ids)} == placed  # whatever else is on the roster
    sizes = [sum(1 for s in placed.values() if s == n) for n in range(5)]
    assert min(sizes) > 800  # spread: no shard gets far more than its share


@pytest.mark.parametrize(
    ("cadres", "per_shard", "shards"), [(0, 1000, 1), (800, 1000, 1), (1001, 1000, 2), (100_000, 1000, 100)]
)
def test_a_roster_is_split_into_shards_of_at_most_the_configured_size(
    cadres: int, per_shard: int, shards: int
) -> None:
    assert shard_count(cadres, per_shard) == shards


@pytest.mark.parametrize(
    ("key", "cadre"),
    [
        ("cadres/c0001/index.html", "c0001"),
        ("cadres/c0001/2026-11.html", "c0001"),
        ("cadres/c0001/revisions/ENTRY-2026-11-19.html", "c0001"),
        ("ledger/cadres/c0001.json", "c0001"),
        ("index.html", None),
        ("units/jyj/index.html", None),
        ("ledger/checkpoints/2026-11-20.json", None),
        ("manifest/shards/0001.json", None),
    ],
)
def test_an_object_is_a_cadres_or_shared_by_the_site(key: str, cadre: str | None) -> None:
    assert keys.cadre_of(key) == cadre


def test_a_batch_message_carries_ids_and_heads_only_and_reads_back_the_same() -> None:
    batch = Batch("2026-11-21-ab", 3, 7, date(2026, 11, 21), False, {"c0002": 4, "c0001": 0})
    message = batch.message()
    assert message["cadres"] == [("c0001", 0), ("c0002", 4)]
    assert Batch.from_message(message) == batch


def test_the_last_step_links_only_to_the_cadre_pages_the_batches_wrote() -> None:
    pages = CadrePages(
        {"c0001": CadreState(seq=2, months=["2026-11", "2026-10"]), "c0002": CadreState(seq=0, months=[])}
    )
    assert keys.cadre_index("c0001") in pages
    assert keys.cadre_month("c0001", "2026-10") in pages
    assert keys.cadre_month("c0001", "2026-09") not in pages
    assert keys.cadre_index("c0002") not in pages  # nothing published: no index
    assert keys.cadre_index("c0003") not in pages
    assert keys.HOME not in pages


def _revision(seq: int, day: str) -> dict[str, object]:
    return {
        "seq": seq,
        "kind": "entry",
        "period": day,
        "revision": 1,
        "saved_at": f"{day}T18:00:00.000+08:00",
        "body": {"items": [{"content": "工作", "status": "done"}]},
    }


def test_a_chain_read_after_the_last_published_revision_continues_its_sequence() -> None:
    policy = PublicationPolicy()
    chain = [_revision(1, "2026-11-18"), _revision(2, "2026-11-19"), _revision(3, "2026-11-20")]
    whole = public_revisions(chain, date(2026, 11, 21), policy)
    tail = public_revisions(chain[1:], date(2026, 11, 21), policy, after=1)
    assert [r.seq for r in whole] == [1, 2, 3]
    assert tail == whole[1:]
    # A revision still waiting for the publication delay holds back every later one.
    assert [r.seq for r in public_revisions(chain[1:], date(2026, 11, 20), policy, after=1)] == [2]
