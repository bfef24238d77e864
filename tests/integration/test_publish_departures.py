"""A departed cadre's log leaves the public site by itself, once the publication policy's
``departed_public_months`` have passed since their last day in post: the nightly run that finds the
time passed puts the notice over each of their pages and a ledger file without revisions, nothing
links to a missing page, and every cadre, the departed one included, still verifies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from infra.inprocess import InProcessStack
from tests.conftest import set_clock
from tests.integration.test_publisher import broken_links, fetch_from, publish, site
from tests.integration.test_publisher_shards import deliver, queued
from worklog.models.roster import Cadre
from worklog.publish import keys
from worklog.publish.render import WITHDRAWN_TEXT
from worklog.publish.verification import verify_site, withdrawn_on
from worklog.roster.repository import RosterRepository
from worklog.settings import get_settings

GONE = "c0004"  # 孙涛 of 区教育局: last day in post 2026-10-31, so public until 2026-11-30 (one month)
PAGES = [
    "cadres/c0004/index.html",
    "cadres/c0004/2026-10.html",
    "cadres/c0004/revisions/ENTRY-2026-10-30.html",
]


def save(stack: InProcessStack, cadre_id: str, day: str, content: str, reason: str | None = None) -> None:
    body: dict[str, Any] = {"items": [{"content": content, "status": "done"}]}
    if reason:
        body["reason"] = reason
    assert stack.call("entries", "PUT", f"/entries/{day}", body, as_=cadre_id).status in (200, 201)


@pytest.fixture
def departed(stack: InProcessStack, monkeypatch: pytest.MonkeyPatch) -> Iterator[InProcessStack]:
    """Given a policy of one month, c0004's entry of 2026-10-30 (amended once) before they left on
    10-31, c0001's entry of 11-19, and the site published on 2026-11-30, c0004's last public day."""
    monkeypatch.setenv("WORKLOG_PUBLICATION__DEPARTED_PUBLIC_MONTHS", "1")
    get_settings.cache_clear()
    set_clock(2026, 10, 30, 18)
    save(stack, GONE, "2026-10-30", "走访学校，了解课后服务情况")
    save(stack, GONE, "2026-10-30", "走访学校，了解课后服务开展情况", reason="补充")
    set_clock(2026, 11, 19, 18)
    save(stack, "c0001", "2026-11-19", "召开教育工作会议")
    set_clock(2026, 11, 30, 2)
    publish(stack)
    yield stack
    get_settings.cache_clear()


def test_the_night_after_the_last_public_day_the_departed_cadres_pages_become_the_notice(
    departed: InProcessStack,
) -> None:
    before = site(departed)
    assert all("孙涛" in before[key].decode() for key in PAGES) and "课后服务" in before[PAGES[1]].decode()
    assert "cadres/c0004/index.html" in before["units/jyj/index.html"].decode()
    proof = before[keys.cadre_proof(GONE)]
    # When the next night comes, with nothing new in anyone's log
    set_clock(2026, 12, 1, 2)
    nightly = publish(departed)
    after = site(departed)
    # Then each of c0004's pages holds the notice alone, under its own key
    assert {*PAGES, keys.cadre_ledger(GONE), "units/jyj/index.html"} <= set(nightly["written"])
    for key in PAGES:
        page = after[key].decode()
        assert WITHDRAWN_TEXT in page and "课后服务" not in page and "孙涛" not in page
    # And the ledger file holds no revisions, only the chain's last position and head
    ledger = json.loads(after[keys.cadre_ledger(GONE)])
    assert "revisions" not in ledger and ledger["seq"] == 2 and ledger["withdrawn"] == "2026-12-01"
    assert not any(
        "课后服务" in body.decode() for key, body in after.items() if key.endswith((".html", ".json"))
    )
    # And the unit's page no longer lists them, and no page links to a missing one
    assert "c0004" not in after["units/jyj/index.html"].decode()
    assert broken_links(after) == []
    # And the leaf stays: the same proof, and every cadre verifies, the departed one by its last head
    assert after[keys.cadre_proof(GONE)] == proof and keys.cadre_proof(GONE) not in nightly["written"]
    assert json.loads(after["ledger/checkpoints/2026-12-01.json"])["count"] == 2
    for cadre_id in ("c0001", GONE):
        assert verify_site(fetch_from(departed), cadre_id) == [], cadre_id
    assert withdrawn_on(fetch_from(departed), GONE) == "2026-12-01"
    # And the night after, nothing of theirs is written again, not even by a full rebuild
    set_clock(2026, 12, 2, 2)
    assert not [k for k in publish(departed)["written"] if keys.cadre_of(k) == GONE]
    assert not [k for k in publish(departed, full=True)["written"] if keys.cadre_of(k) == GONE]
    assert json.loads(site(departed)[keys.cadre_ledger(GONE)])["withdrawn"] == "2026-12-01"


def test_a_withdrawn_ledger_altered_on_the_site_is_caught(departed: InProcessStack) -> None:
    set_clock(2026, 12, 1, 2)
    publish(departed)
    s3, bucket = boto3.client("s3"), departed.stack.names["SiteBucket"]
    ledger = json.loads(s3.get_object(Bucket=bucket, Key=keys.cadre_ledger(GONE))["Body"].read())
    ledger["seq"] = 1  # a shortened log passed off as withdrawn
    s3.put_object(Bucket=bucket, Key=keys.cadre_ledger(GONE), Body=json.dumps(ledger).encode())
    assert verify_site(fetch_from(departed), GONE)


def test_a_cadre_back_in_post_is_published_whole_again(departed: InProcessStack) -> None:
    set_clock(2026, 12, 1, 2)
    publish(departed)
    assert WITHDRAWN_TEXT in site(departed)[PAGES[1]].decode()
    # When the roster has them in post again (a departure recorded by mistake, or a return)
    roster = RosterRepository()
    cadre = roster.get_cadre(GONE)
    assert cadre is not None
    roster.put_row(Cadre.model_validate({**cadre.model_dump(), "left_on": None}))
    set_clock(2026, 12, 2, 2)
    publish(departed)
    pages = site(departed)
    assert (
        all("孙涛" in pages[key].decode() for key in PAGES) and "课后服务开展情况" in pages[PAGES[1]].decode()
    )
    assert "cadres/c0004/index.html" in pages["units/jyj/index.html"].decode()
    assert broken_links(pages) == [] and verify_site(fetch_from(departed), GONE) == []
    assert withdrawn_on(fetch_from(departed), GONE) is None


def test_a_sharded_run_withdraws_through_its_batches(
    departed: InProcessStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a site first published in shards of two cadres (the manifest keeps its shard count)
    monkeypatch.setenv("PUBLISH_SHARD_CADRES", "2")
    get_settings.cache_clear()
    s3, bucket = boto3.client("s3"), departed.stack.names["SiteBucket"]
    for key in [k for k in site(departed)]:
        s3.delete_object(Bucket=bucket, Key=key)
    publish(departed)
    for message in queued():
        deliver(departed, message)
    assert "课后服务" in site(departed)[PAGES[1]].decode()
    # When the night after the last public day runs its batches through the queue
    set_clock(2026, 12, 1, 2)
    publish(departed)
    messages = queued()
    assert len(messages) > 1
    for message in messages:
        deliver(departed, message)
    # Then the departed cadre's pages are the notice, nothing links to a missing page, all verify
    pages = site(departed)
    assert all(WITHDRAWN_TEXT in pages[key].decode() for key in PAGES)
    assert broken_links(pages) == []
    for cadre_id in ("c0001", GONE):
        assert verify_site(fetch_from(departed), cadre_id) == [], cadre_id


def test_a_departed_cadre_the_manifest_no_longer_records_is_withdrawn_from_their_journal(
    departed: InProcessStack,
) -> None:
    # Given the publisher's manifest and shards lost (the pages still in the bucket)
    s3, bucket = boto3.client("s3"), departed.stack.names["SiteBucket"]
    for key in [k for k in site(departed) if k == keys.MANIFEST or k.startswith("manifest/")]:
        s3.delete_object(Bucket=bucket, Key=key)
    # When the night after c0004's last public day runs
    set_clock(2026, 12, 1, 2)
    publish(departed)
    # Then the pages the bucket still held hold the notice, and the leaf is their public chain's head
    pages = site(departed)
    assert all(WITHDRAWN_TEXT in pages[key].decode() and "孙涛" not in pages[key].decode() for key in PAGES)
    assert json.loads(pages[keys.cadre_ledger(GONE)])["seq"] == 2
    assert broken_links(pages) == []
    for cadre_id in ("c0001", GONE):
        assert verify_site(fetch_from(departed), cadre_id) == [], cadre_id
