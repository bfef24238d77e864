"""The publisher in shards: a run with several manifest shards hands its batches out through the
publish queue; each batch writes its cadres' pages and its shard; the batch that counts the last
one writes the shared pages and the checkpoint. Batches counted once, a failed batch losing
nothing, runs that never overlap, and chains read from where the last publish left them."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from infra.inprocess import InProcessStack
from infra.local.aws import sqs_record
from tests.conftest import set_clock
from tests.integration.test_publisher import broken_links, fetch_from, publish, site
from worklog.journal.repository import JournalRepository
from worklog.publish import batch as batch_module
from worklog.publish import keys
from worklog.publish.publisher import Publisher
from worklog.publish.verification import verify_site
from worklog.queue import BatchFailed
from worklog.settings import get_settings


def save(stack: InProcessStack, cadre_id: str, day: str, content: str) -> None:
    body = {"items": [{"content": content, "status": "done"}]}
    assert stack.call("entries", "PUT", f"/entries/{day}", body, as_=cadre_id).status == 201


@pytest.fixture
def sharded(stack: InProcessStack, monkeypatch: pytest.MonkeyPatch) -> InProcessStack:
    return in_shards(stack, monkeypatch)


def in_shards(stack: InProcessStack, monkeypatch: pytest.MonkeyPatch) -> InProcessStack:
    """Given shards of two cadres (several batches for the test roster) and three cadres' entries."""
    monkeypatch.setenv("PUBLISH_SHARD_CADRES", "2")
    get_settings.cache_clear()
    set_clock(2026, 11, 19, 18)
    for cadre_id in ("c0001", "c0002", "c0003"):
        save(stack, cadre_id, "2026-11-19", f"{cadre_id} 的工作")
    set_clock(2026, 11, 20, 2)
    return stack


def queued() -> list[dict[str, Any]]:
    """Every message waiting in the publish queue (received: hidden until deleted or timed out)."""
    sqs, url = boto3.client("sqs"), get_settings().publish_queue_url
    found: list[dict[str, Any]] = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        found += batch
    return found


def deliver(stack: InProcessStack, message: dict[str, Any]) -> dict[str, Any]:
    """Hand one message to the publisher as its SQS event source does."""
    arn = boto3.client("sqs").get_queue_attributes(
        QueueUrl=get_settings().publish_queue_url, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    result: dict[str, Any] = stack.invoke("disclosure-publisher", {"Records": [sqs_record(message, arn)]})
    return result


def test_the_proofs_hashes_live_in_their_cadres_shards_not_in_the_main_manifest(
    sharded: InProcessStack,
) -> None:
    # Given a run of several shards, its batches delivered
    publish(sharded)
    for message in queued():
        deliver(sharded, message)
    fetch = fetch_from(sharded)
    manifest = fetch(keys.MANIFEST)
    # Then the main manifest lists no cadre's proof (it would grow with the cadres: 10 MB in a province)
    assert not [k for k in manifest["objects"] if k.startswith(keys.PROOFS)]
    # And each proof's hash is in the shard of its cadre, so a rebuild with the same bytes writes nothing
    shards = [fetch(keys.manifest_shard(n)) or {"objects": {}} for n in range(manifest["shards"])]
    in_shards = {k for part in shards for k in part["objects"] if k.startswith(keys.PROOFS)}
    assert in_shards == {keys.cadre_proof(c) for c in ("c0001", "c0002", "c0003")}
    assert Publisher().run(full=True).written == []


def test_a_run_of_several_shards_goes_out_in_batches_and_the_last_writes_the_shared_pages(
    sharded: InProcessStack,
) -> None:
    started = publish(sharded)
    messages = queued()
    assert started["batches"] == len(messages) >= 2
    assert keys.HOME not in site(sharded)  # nothing shared before every batch is done
    for message in messages[:-1]:
        assert deliver(sharded, message) == {"batchItemFailures": []}
    assert keys.HOME not in site(sharded)
    deliver(sharded, messages[-1])
    pages = site(sharded)
    assert keys.HOME in pages and keys.checkpoint("2026-11-20") in pages
    assert all(f"cadres/{c}/index.html" in pages for c in ("c0001", "c0002", "c0003"))
    assert sum(k.startswith("manifest/shards/") for k in pages) == len(messages)
    assert broken_links(pages) == []
    assert all(verify_site(fetch_from(sharded), c) == [] for c in ("c0001", "c0002", "c0003"))
    # The same bytes as the whole run done in one process renders again.
    assert Publisher().run(full=True).written == []


def test_a_batch_delivered_twice_is_counted_once(sharded: InProcessStack) -> None:
    publish(sharded)
    first, *others = queued()
    deliver(sharded, first)
    deliver(sharded, first)  # redelivered: its cadres are rendered already, and it counts once
    assert keys.HOME not in site(sharded)
    for message in others:
        deliver(sharded, message)
    assert keys.HOME in site(sharded)


def test_a_failed_batch_loses_no_other_batch_and_its_redelivery_completes_the_run(
    sharded: InProcessStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(sharded)
    first, *others = queued()
    original = batch_module.ShardPublisher.publish

    def timed_out(self: Any, batch: batch_module.Batch, shared: dict[str, str]) -> Any:
        raise TimeoutError("the batch ran out of time")

    with monkeypatch.context() as failing:
        failing.setattr(batch_module.ShardPublisher, "publish", timed_out)
        with pytest.raises(BatchFailed):  # the invocation fails: SQS delivers it again later
            deliver(sharded, first)
    assert batch_module.ShardPublisher.publish is original
    for message in others:
        deliver(sharded, message)
    shard = json.loads(first["Body"])["shard"]
    written = site(sharded)
    assert keys.HOME not in written and keys.manifest_shard(shard) not in written
    assert sum(k.startswith("manifest/shards/") for k in written) == len(others)  # their work kept
    deliver(sharded, first)  # SQS delivers it again
    pages = site(sharded)
    assert keys.HOME in pages and broken_links(pages) == []


def test_runs_never_overlap_and_a_run_asked_for_meanwhile_follows_the_one_running(
    sharded: InProcessStack,
) -> None:
    publish(sharded)
    first_run = queued()
    assert publish(sharded)["busy"] is True  # e.g. a notice opened while the night's run goes on
    assert publish(sharded, full=True)["busy"] is True  # and an operator's full rebuild
    assert publish(sharded)["busy"] is True  # a later incremental one does not undo the full one
    assert queued() == []  # no second run's batches beside the first's
    for message in first_run:
        deliver(sharded, message)
    following = queued()  # the last batch of the first run started the one asked for, once
    assert len(following) == len(first_run)
    assert all(json.loads(m["Body"])["full"] for m in following)
    assert {json.loads(m["Body"])["run"] for m in following}.isdisjoint(
        {json.loads(m["Body"])["run"] for m in first_run}
    )
    for message in following:
        deliver(sharded, message)
    assert publish(sharded)["busy"] is False


def test_the_nightly_run_reads_a_chain_from_where_the_last_publish_left_it(
    stack: InProcessStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_clock(2026, 11, 19, 18)
    save(stack, "c0001", "2026-11-19", "走访企业")
    set_clock(2026, 11, 20, 2)
    publish(stack)
    set_clock(2026, 11, 20, 18)
    save(stack, "c0001", "2026-11-20", "调研课后服务")
    set_clock(2026, 11, 21, 2)

    def whole_chain(self: Any, cadre_id: str) -> list[dict[str, Any]]:
        raise AssertionError(f"read {cadre_id}'s whole chain again")

    monkeypatch.setattr(JournalRepository, "all_revisions", whole_chain)
    nightly = publish(stack)
    assert nightly["cadres_rendered"] == 1
    ledger = fetch_from(stack)(keys.cadre_ledger("c0001"))
    assert [r["period"] for r in ledger["revisions"]] == ["2026-11-19", "2026-11-20"]
    assert verify_site(fetch_from(stack), "c0001") == []


def test_a_site_published_before_shards_is_split_by_the_next_run_which_writes_nothing_else(
    sharded: InProcessStack,
) -> None:
    """Given a site whose manifest.json still holds every cadre and object (no shards)."""
    Publisher().run()
    s3, bucket = boto3.client("s3"), sharded.stack.names["SiteBucket"]
    manifest = json.loads(s3.get_object(Bucket=bucket, Key=keys.MANIFEST)["Body"].read())
    for n in range(manifest["shards"]):
        shard = fetch_from(sharded)(keys.manifest_shard(n)) or {"cadres": {}, "objects": {}}
        manifest["cadres"] = {**manifest.get("cadres", {}), **shard["cadres"]}
        manifest["objects"] = {**manifest["objects"], **shard["objects"]}
        s3.delete_object(Bucket=bucket, Key=keys.manifest_shard(n))
    for state in manifest["cadres"].values():
        state["profile"] = state["profile"][:3]  # as older runs recorded it: no unit name
    del manifest["shards"]
    s3.put_object(Bucket=bucket, Key=keys.MANIFEST, Body=json.dumps(manifest).encode())

    again = Publisher().run()

    assert again.written == []  # every cadre rendered again (older profiles), the same bytes
    pages = site(sharded)
    assert "cadres" not in json.loads(pages[keys.MANIFEST])  # they are in the shards now
    assert any(k.startswith("manifest/shards/") for k in pages)
