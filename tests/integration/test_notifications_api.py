"""The in-app inbox through the entries function: GET /me/notifications, POST /me/notifications/read
and the channel preferences (GET/PUT /me/notification-preferences). Digests are seeded straight into
the outbox table the way the notifier writes them (worklog.notify.inbox.digest_item)."""

from __future__ import annotations

import json
from typing import Any

import boto3

from infra.inprocess import InProcessStack
from worklog.models.notifications import Delivery, Digest, NoticeLine
from worklog.models.roster import Cadre
from worklog.notify.inbox import InboxRepository
from worklog.roster.repository import RosterRepository


def digest(person: str, day: str, *, hour: int = 8, urgent: bool = False) -> Digest:
    at = f"{day}T{hour:02d}:30:00.000+08:00"
    line = NoticeLine(
        notice_id=f"entry_missing/r-{person}-{day}",
        kind="entry_missing",
        title=f"{day} 的工作日志尚未填写",
        last_day=day,
        link=f"/today?date={day}",
    )
    return Digest(
        digest_id=f"urgent-{day}" if urgent else f"morning-{day}",
        person_id=person,
        at=at,
        title="今日提醒：1 项待办",
        lines=[line],
        urgent=urgent,
        delivery=Delivery(channel="sms", status="sent", at=at, attempts=1),
    )


def seed(*digests: Digest) -> None:
    inbox = InboxRepository()
    for d in digests:
        inbox.put_digest(d)


def inbox(stack: InProcessStack, who: str = "c0001", query: str = "") -> Any:
    resp = stack.call("entries", "GET", f"/me/notifications{query}", as_=who)
    assert resp.status == 200, resp.body
    return json.loads(resp.body)


def mark(stack: InProcessStack, body: Any, who: str = "c0001") -> Any:
    return stack.call("entries", "POST", "/me/notifications/read", body, as_=who)


def test_the_inbox_lists_my_digests_newest_first_with_the_unread_count(stack: InProcessStack) -> None:
    # Given three digests of c0001 and one of c0002
    seed(
        digest("c0001", "2026-11-18"),
        digest("c0001", "2026-11-20"),
        digest("c0001", "2026-11-19"),
        digest("c0002", "2026-11-20"),
    )
    # When c0001 opens the inbox
    shown = inbox(stack)
    # Then only theirs, newest first, all unread, with what each line asks and where to act on it
    assert [i["at"][:10] for i in shown["items"]] == ["2026-11-20", "2026-11-19", "2026-11-18"]
    assert shown["unread"] == 3 and shown["next"] is None
    first = shown["items"][0]
    assert (first["read"], first["channel"], first["status"], first["urgent"]) == (
        False,
        "sms",
        "sent",
        False,
    )
    assert first["lines"][0]["link"] == "/today?date=2026-11-20"
    assert first["lines"][0]["last_day"] == "2026-11-20"


def test_pages_follow_the_cursor_and_the_last_page_has_none(stack: InProcessStack) -> None:
    seed(*(digest("c0001", f"2026-11-{d:02d}") for d in (16, 17, 18, 19, 20)))
    first = inbox(stack, query="?limit=2")
    second = inbox(stack, query=f"?limit=2&cursor={first['next']}")
    third = inbox(stack, query=f"?limit=2&cursor={second['next']}")
    days = [i["at"][:10] for page in (first, second, third) for i in page["items"]]
    assert days == ["2026-11-20", "2026-11-19", "2026-11-18", "2026-11-17", "2026-11-16"]
    assert third["next"] is None


def test_a_cursor_the_inbox_did_not_hand_out_is_refused_in_words(stack: InProcessStack) -> None:
    resp = stack.call("entries", "GET", "/me/notifications?cursor=bm90LWEta2V5", as_="c0001")
    assert resp.status == 422
    assert "游标" in json.loads(resp.body)["message"]


def test_a_limit_outside_1_to_50_is_refused(stack: InProcessStack) -> None:
    for limit in (0, 51):
        assert stack.call("entries", "GET", f"/me/notifications?limit={limit}", as_="c0001").status == 422


def test_marking_my_item_read_lowers_the_unread_count(stack: InProcessStack) -> None:
    seed(digest("c0001", "2026-11-19"), digest("c0001", "2026-11-20"))
    newest = inbox(stack)["items"][0]
    # When c0001 marks the newest read
    resp = mark(stack, {"ids": [newest["id"]]})
    # Then one item was marked, one is left unread, and the list says which
    assert resp.status == 200, resp.body
    assert json.loads(resp.body) == {"marked": 1, "unread": 1}
    shown = inbox(stack)
    assert [i["read"] for i in shown["items"]] == [True, False] and shown["unread"] == 1
    # And marking it again changes nothing (idempotent)
    assert json.loads(mark(stack, {"ids": [newest["id"]]}).body) == {"marked": 0, "unread": 1}


def test_another_persons_id_changes_nothing_and_reveals_nothing(stack: InProcessStack) -> None:
    # Given a digest of c0002
    seed(digest("c0002", "2026-11-20"))
    theirs = inbox(stack, who="c0002")["items"][0]["id"]
    # When c0001 marks c0002's id, and an id that exists nowhere
    known = json.loads(mark(stack, {"ids": [theirs]}).body)
    unknown = json.loads(mark(stack, {"ids": ["2026-11-20T08:30:00.000+08:00#morning-1999-01-01"]}).body)
    # Then both answers are the same, and c0002's item is still unread
    assert known == unknown == {"marked": 0, "unread": 0}
    assert inbox(stack, who="c0002")["items"][0]["read"] is False


def test_all_marks_every_unread_item_read(stack: InProcessStack) -> None:
    seed(*(digest("c0001", f"2026-11-{d:02d}") for d in (18, 19, 20)), digest("c0002", "2026-11-20"))
    assert json.loads(mark(stack, {"all": True}).body) == {"marked": 3, "unread": 0}
    assert inbox(stack, who="c0002")["unread"] == 1


def test_marking_nothing_is_refused_with_what_to_send(stack: InProcessStack) -> None:
    bodies: list[dict[str, Any]] = [{}, {"ids": []}, {"ids": [], "all": False}]
    for body in bodies:
        resp = mark(stack, body)
        assert resp.status == 422
        assert "全部已读" in json.loads(resp.body)["message"]


def with_mobile_and_wecom(cadre_id: str) -> None:
    RosterRepository().put_row(
        Cadre(
            cadre_id=cadre_id,
            name="李明",
            unit_id="jyj",
            title="副局长",
            mobile="13800138000",
            wecom_user_id="liming",
        )
    )


def test_preferences_say_which_channels_the_roster_can_reach(stack: InProcessStack) -> None:
    # Given c0001 with a mobile and a WeCom id, and no preferred channel (the default is SMS)
    with_mobile_and_wecom("c0001")
    resp = stack.call("entries", "GET", "/me/notification-preferences", as_="c0001")
    assert resp.status == 200, resp.body
    shown = json.loads(resp.body)
    states = {c["channel"]: (c["available"], c["muted"], c["preferred"]) for c in shown["channels"]}
    assert states == {
        "sms": (True, False, True),
        "email": (False, False, False),
        "wecom": (True, False, False),
        "dingtalk": (False, False, False),
    }
    assert shown["inbox"] is True


def test_muting_round_trips_and_moves_the_digest_to_the_next_channel(stack: InProcessStack) -> None:
    with_mobile_and_wecom("c0001")
    resp = stack.call(
        "entries", "PUT", "/me/notification-preferences", {"muted": ["sms", "sms"]}, as_="c0001"
    )
    assert resp.status == 200, resp.body
    again = json.loads(stack.call("entries", "GET", "/me/notification-preferences", as_="c0001").body)
    states = {c["channel"]: (c["muted"], c["preferred"]) for c in again["channels"]}
    assert states["sms"] == (True, False) and states["wecom"] == (False, True)
    assert stored_prefs(stack, "c0001") == ["sms"]


def test_muting_an_unknown_channel_or_the_inbox_is_refused_and_changes_nothing(stack: InProcessStack) -> None:
    assert (
        stack.call("entries", "PUT", "/me/notification-preferences", {"muted": ["email"]}, as_="c0001").status
        == 200
    )
    for muted in (["fax"], ["inbox"]):
        resp = stack.call("entries", "PUT", "/me/notification-preferences", {"muted": muted}, as_="c0001")
        assert resp.status == 422, resp.body
    assert stored_prefs(stack, "c0001") == ["email"]


def test_the_inbox_works_for_a_person_with_no_contact_details(stack: InProcessStack) -> None:
    # Given c0002 has no mobile, e-mail or messenger id: their digest went nowhere but the inbox
    no_channel = digest("c0002", "2026-11-20").model_copy(
        update={"delivery": Delivery(status="no_channel", at="2026-11-20T08:30:00.000+08:00")}
    )
    seed(no_channel)
    shown = inbox(stack, who="c0002")
    assert [(i["channel"], i["status"], i["read"]) for i in shown["items"]] == [(None, "no_channel", False)]
    prefs = json.loads(stack.call("entries", "GET", "/me/notification-preferences", as_="c0002").body)
    assert not any(c["available"] or c["preferred"] for c in prefs["channels"])
    assert json.loads(mark(stack, {"all": True}, who="c0002").body) == {"marked": 1, "unread": 0}


def stored_prefs(stack: InProcessStack, person: str) -> list[str]:
    table = stack.stack.names["OutboxTable"]
    item = boto3.client("dynamodb").get_item(
        TableName=table, Key={"pk": {"S": f"PERSON#{person}"}, "sk": {"S": "PREFS"}}
    )
    return [v["S"] for v in item["Item"]["muted"]["L"]]
