"""The one mapping between a Digest and its outbox item (worklog.notify.inbox), shared by the
notifier's writer and the inbox's reader, and the channel a digest goes out on."""

from __future__ import annotations

from worklog.dynamo import from_item, to_item
from worklog.models.notifications import Delivery, Digest, NoticeLine
from worklog.models.roster import Cadre
from worklog.notify.inbox import (
    BadCursor,
    decode_cursor,
    digest_item,
    digest_of,
    encode_cursor,
    first_choice,
    inbox_id,
)

AT = "2026-11-23T08:30:00.000+08:00"


def a_digest(digest_id: str = "morning-2026-11-23", **update: object) -> Digest:
    line = NoticeLine(
        notice_id="entry_missing/r1",
        kind="entry_missing",
        title="11月20日的日志尚未填写",
        last_day="2026-11-27",
        link="/day/2026-11-20",
    )
    digest = Digest(
        digest_id=digest_id,
        person_id="c0001",
        at=AT,
        title="今日提醒",
        lines=[line],
        delivery=Delivery(channel="sms", status="sent", at=AT, attempts=1, message_id="m-1"),
    )
    return digest.model_copy(update=update)


def test_a_morning_digest_item_has_its_keys_and_round_trips_through_dynamodb() -> None:
    item = digest_item(a_digest())
    assert (item["pk"], item["sk"]) == ("PERSON#c0001", f"MSG#{AT}#morning-2026-11-23")
    assert (item["gsi1pk"], item["gsi1sk"]) == ("SENT#2026-11-23", "c0001")
    assert "read_at" not in item  # unread: the mark-read condition is attribute_not_exists(read_at)
    assert digest_of(from_item(to_item(item))) == a_digest()


def test_an_urgent_digest_is_not_counted_as_the_mornings() -> None:
    item = digest_item(a_digest("urgent-accountability_opened/k1/c0001", urgent=True))
    assert "gsi1pk" not in item and "gsi1sk" not in item


def test_the_inbox_id_is_the_items_sort_key_without_its_prefix() -> None:
    assert inbox_id(a_digest()) == f"{AT}#morning-2026-11-23"


def test_a_cursor_names_an_inbox_item_or_is_refused() -> None:
    sk = f"MSG#{AT}#morning-2026-11-23"
    assert decode_cursor(encode_cursor(sk)) == sk
    for bad in ("!!", encode_cursor("PREFS"), encode_cursor("MSG#" + "x" * 400)):
        try:
            decode_cursor(bad)
        except BadCursor:
            continue
        raise AssertionError(f"{bad!r} was accepted")


def test_the_digest_goes_to_the_preferred_channel_else_the_default_else_any_reachable_unmuted() -> None:
    person = Cadre(
        cadre_id="c0001",
        name="李明",
        unit_id="jyj",
        mobile="13800138000",
        email="li@example.cn",
        preferred_channel="email",
    )
    assert first_choice(person, [], "sms") == "email"
    assert first_choice(person, ["email"], "sms") == "sms"
    assert first_choice(person, ["email", "sms"], "sms") is None
    assert first_choice(person.model_copy(update={"preferred_channel": "wecom"}), [], "dingtalk") == "sms"
