"""Public feedback's rate limits under moto: a sliding window per sender (an IPv4 address or an
IPv6 /64), a cap per notice across all senders, and concurrent posts that cannot slip past them."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest

from infra.inprocess import InProcessStack
from tests.integration.feedback_support import (
    NOTICE_2,
    at,
    open_for_feedback,
    open_notice,
    post,
    stand_still,
    table_items,
)
from worklog.clock import SHANGHAI
from worklog.dynamo import to_item
from worklog.errors import RateLimited
from worklog.models.notices import FeedbackIn
from worklog.settings import get_settings


def statuses(responses: list[Any]) -> list[int]:
    return [r.status for r in responses]


def stored_feedback(stack: InProcessStack) -> list[dict[str, Any]]:
    return [i for i in table_items(stack) if i["sk"].startswith("FEEDBACK#")]


@pytest.fixture(autouse=True)
def standing_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    stand_still(monkeypatch)


@pytest.fixture
def limits(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Set WORKLOG_FEEDBACK__* for the functions (the settings are read once per container)."""

    def set_limits(**values: int) -> None:
        for name, value in values.items():
            monkeypatch.setenv(f"WORKLOG_FEEDBACK__{name.upper()}", str(value))
        get_settings.cache_clear()

    yield set_limits
    get_settings.cache_clear()


def test_ten_posts_in_two_seconds_across_an_hour_boundary_take_only_the_first_five(
    stack: InProcessStack,
) -> None:
    # Given a notice open for feedback
    nid = open_for_feedback(stack)
    # When one address posts ten times in two seconds around 11:00
    results = []
    for i in range(10):
        moment = datetime(2026, 11, 24, 10, 59, 59, tzinfo=SHANGHAI) + timedelta(milliseconds=200 * i)
        at(2026, 11, 24, moment.hour, moment.minute, moment.second, moment.microsecond // 1000)
        results.append(post(stack, nid, f"第{i}条", ip="203.0.113.50"))
    # Then the first five are taken and the rest refused with a clear message
    assert statuses(results) == [201] * 5 + [429] * 5
    refusal = json.loads(results[5].body)
    assert refusal["code"] == "rate_limited"
    assert "每60分钟最多5条" in refusal["message"] and "请于12:00后再试" in refusal["message"]
    assert len(stored_feedback(stack)) == 5


def test_the_sixth_post_is_taken_once_the_oldest_leaves_the_window(stack: InProcessStack) -> None:
    nid = open_for_feedback(stack)
    for minute in (0, 10, 20, 30, 40):
        at(2026, 11, 24, 10, minute)
        assert post(stack, nid, ip="203.0.113.51").status == 201
    at(2026, 11, 24, 10, 59, 59, 999)
    assert post(stack, nid, ip="203.0.113.51").status == 429
    at(2026, 11, 24, 11, 0)
    assert post(stack, nid, ip="203.0.113.51").status == 201
    at(2026, 11, 24, 11, 5)
    assert post(stack, nid, ip="203.0.113.51").status == 429  # 10:10 … 11:00 fill the window again
    at(2026, 11, 24, 11, 10)
    assert post(stack, nid, ip="203.0.113.51").status == 201


def test_the_window_does_not_start_again_at_midnight_when_the_days_key_changes(stack: InProcessStack) -> None:
    nid = open_for_feedback(stack)
    for minute in (30, 35, 40, 45, 50):
        at(2026, 11, 24, 23, minute)
        assert post(stack, nid, ip="203.0.113.52").status == 201
    at(2026, 11, 25, 0, 10)
    refused = post(stack, nid, ip="203.0.113.52")
    assert refused.status == 429 and "请于00:30后再试" in json.loads(refused.body)["message"]
    at(2026, 11, 25, 0, 30)
    assert post(stack, nid, ip="203.0.113.52").status == 201


def test_two_addresses_in_one_ipv6_64_share_the_limit_and_other_64s_do_not(stack: InProcessStack) -> None:
    nid = open_for_feedback(stack)
    inside = [
        "2001:db8:1:2::1",
        "2001:db8:1:2::2",
        "2001:db8:1:2:aaaa::3",
        "2001:db8:1:2:ffff::4",
        "2001:db8:1:2::5",
    ]
    assert statuses([post(stack, nid, ip=ip) for ip in inside]) == [201] * 5
    assert post(stack, nid, ip="2001:db8:1:2:1234:5678:9abc:def0").status == 429
    assert post(stack, nid, ip="2001:db8:1:3::1").status == 201
    assert post(stack, nid, ip="2001:db8:2:2::1").status == 201


def test_an_ipv4_mapped_address_is_the_same_sender_as_the_ipv4_address(stack: InProcessStack) -> None:
    nid = open_for_feedback(stack)
    assert statuses([post(stack, nid, ip="198.51.100.9") for _ in range(4)]) == [201] * 4
    assert post(stack, nid, ip="::ffff:198.51.100.9").status == 201
    assert post(stack, nid, ip="::ffff:198.51.100.9").status == 429
    assert post(stack, nid, ip="198.51.100.9").status == 429
    assert post(stack, nid, ip="198.51.100.10").status == 201


def test_unreadable_addresses_share_one_unknown_sender(stack: InProcessStack) -> None:
    nid = open_for_feedback(stack)
    assert statuses([post(stack, nid, ip=ip) for ip in ("", "x", "999.1.1.1", "", "-")]) == [201] * 5
    assert post(stack, nid, ip="not-an-address").status == 429


def test_behind_the_front_door_viewers_sharing_an_edge_server_are_separate_senders(
    stack: InProcessStack,
) -> None:
    # Given the feedback function's edge secret, as CloudFront adds it to every request it forwards
    secret = get_settings().edge_secret
    assert secret, "the template gives the feedback function an EDGE_SECRET"
    edge = "130.176.9.1"  # one CloudFront edge server, connecting for every viewer

    def through_front_door(viewer: str) -> Any:
        headers = {"x-worklog-edge": secret, "cloudfront-viewer-address": f"{viewer}:50311"}
        return post(stack, nid, ip=edge, headers=headers)

    nid = open_for_feedback(stack)
    # When one viewer posts five times, the sixth is refused
    assert statuses([through_front_door("198.51.100.20") for _ in range(5)]) == [201] * 5
    assert through_front_door("198.51.100.20").status == 429
    # Then another viewer behind the same edge server still gets through
    assert through_front_door("198.51.100.21").status == 201


def test_a_direct_call_cannot_claim_another_viewers_address(stack: InProcessStack) -> None:
    # Given someone calling the public function URL directly and naming a new "viewer" each time
    nid = open_for_feedback(stack)
    results = [
        post(stack, nid, ip="203.0.113.60", headers={"cloudfront-viewer-address": f"192.0.2.{i}:1"})
        for i in range(6)
    ]
    # Then without the edge secret they are one sender, their own address, and the sixth is refused
    assert statuses(results) == [201] * 5 + [429]


def test_a_notice_takes_at_most_its_cap_an_hour_from_all_senders(stack: InProcessStack, limits: Any) -> None:
    # Given notices that take at most 3 posts in any 60 minutes
    limits(per_notice_window=3)
    nid = open_notice(stack)
    other = open_notice(stack, NOTICE_2)
    at(2026, 11, 24, 10, 0)
    # When four different senders post on one notice within the hour
    sent = [post(stack, nid, ip=f"203.0.113.{i}") for i in range(1, 5)]
    # Then the fourth is refused, the other notice still takes posts, and the cap slides
    assert statuses(sent) == [201, 201, 201, 429]
    assert "该公示近期收到的反映较多" in json.loads(sent[3].body)["message"]
    assert post(stack, other, ip="203.0.113.4").status == 201
    at(2026, 11, 24, 11, 0)
    assert post(stack, nid, ip="203.0.113.4").status == 201


def test_a_notice_takes_at_most_its_cap_a_day_from_all_senders(stack: InProcessStack, limits: Any) -> None:
    limits(per_notice_window=3, per_notice_day=4)
    nid = open_notice(stack)
    for hour, ip in ((9, "203.0.113.1"), (9, "203.0.113.2"), (11, "203.0.113.3"), (13, "203.0.113.4")):
        at(2026, 11, 24, hour)
        assert post(stack, nid, ip=ip).status == 201
    at(2026, 11, 24, 23, 59)
    refused = post(stack, nid, ip="203.0.113.5")
    assert refused.status == 429 and "今日受理的反映已达上限（4条）" in json.loads(refused.body)["message"]
    at(2026, 11, 25, 0, 1)
    assert post(stack, nid, ip="203.0.113.5").status == 201


def test_an_expired_rate_record_is_treated_as_absent(stack: InProcessStack, limits: Any) -> None:
    # Given a notice record that says the day is full, but expired (TTL deletes late; moto never)
    limits(per_notice_day=1)
    nid = open_for_feedback(stack)
    now = int(datetime(2026, 11, 24, 10, tzinfo=SHANGHAI).timestamp())
    boto3.client("dynamodb").put_item(
        TableName=stack.stack.names["ComplianceTable"],
        Item=to_item(
            {
                "pk": f"NOTICE#{nid}",
                "sk": "RATE",
                "stamps": [now * 1000 - 60_000],
                "day": "2026-11-24",
                "day_count": 1,
                "v": "stale",
                "expires_at": now - 1,
            }
        ),
    )
    # When someone posts, then it counts as absent, and the post is taken
    assert post(stack, nid, ip="203.0.113.60").status == 201
    assert post(stack, nid, ip="203.0.113.61").status == 429


def test_a_refused_form_post_gets_the_same_refusal_as_a_page(stack: InProcessStack) -> None:
    nid = open_for_feedback(stack)
    for _ in range(5):
        assert post(stack, nid, ip="203.0.113.70", form=True).status == 201
    page = post(stack, nid, ip="203.0.113.70", form=True)
    assert page.status == 429 and page.header("content-type").startswith("text/html")
    assert "每60分钟最多5条" in page.body.decode()


def concurrently(stack: InProcessStack, nid: str, addresses: list[str]) -> list[str]:
    """Each address posts once, all at the same time, each thread with its own desk and repository."""
    from worklog.vetting.service import NoticeService

    outcomes: list[str] = []
    start = threading.Barrier(len(addresses))

    def send(ip: str) -> None:
        desk = NoticeService()
        start.wait()
        try:
            desk.receive(nid, FeedbackIn(content="同时提交"), ip)
            outcomes.append("taken")
        except RateLimited:
            outcomes.append("refused")

    threads = [threading.Thread(target=send, args=(ip,)) for ip in addresses]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_concurrent_posts_from_one_sender_never_exceed_its_limit(stack: InProcessStack) -> None:
    nid = open_for_feedback(stack)
    assert post(stack, nid, ip="203.0.113.80").status == 201
    outcomes = concurrently(stack, nid, ["203.0.113.80"] * 10)
    assert sorted(outcomes) == ["refused"] * 6 + ["taken"] * 4
    assert len(stored_feedback(stack)) == 5


def test_concurrent_posts_on_one_notice_never_exceed_its_cap(stack: InProcessStack, limits: Any) -> None:
    limits(per_notice_window=4)
    nid = open_for_feedback(stack)
    outcomes = concurrently(stack, nid, [f"203.0.113.{90 + i}" for i in range(10)])
    assert sorted(outcomes) == ["refused"] * 6 + ["taken"] * 4
    assert len(stored_feedback(stack)) == 4
    [record] = [i for i in table_items(stack) if i["pk"] == f"NOTICE#{nid}" and i["sk"] == "RATE"]
    assert len(record["stamps"]) == 4 and record["day_count"] == 4
