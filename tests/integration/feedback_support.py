"""Helpers for the public feedback tests: a notice open for feedback, posts from a given address,
and a look at what the compliance table keeps."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import boto3

from infra.inprocess import InProcessStack
from tests.conftest import set_clock
from worklog.clock import SHANGHAI, system_clock

NOTICE = {
    "candidate_id": "c0001",
    "current_post": "区教育局副局长",
    "proposed_post": "区教育局局长",
    "start": "2026-11-23",
}
NOTICE_2 = {
    **NOTICE,
    "candidate_id": "c0002",
    "current_post": "区教育局局长",
    "proposed_post": "区教育局党组书记",
}


def open_notice(stack: InProcessStack, notice: dict[str, str] = NOTICE) -> str:
    """Opened on 2026-11-20 for 2026-11-23..27; the clock is left where it was."""
    resp = stack.call("admin", "POST", "/admin/notices", notice, as_="c0010")
    assert resp.status == 201, resp.body
    notice_id: str = json.loads(resp.body)["notice_id"]
    return notice_id


def at(y: int, m: int, d: int, hh: int, mm: int = 0, ss: int = 0, ms: int = 0) -> None:
    """Set the system clock to a moment in Shanghai, to the millisecond."""
    system_clock.set(datetime(y, m, d, hh, mm, ss, ms * 1000, tzinfo=SHANGHAI))


def stand_still(monkeypatch: Any) -> None:
    """Make the system clock stand still between settings (it normally keeps moving from the set
    moment), so that a test can place posts to the millisecond."""
    real_set = system_clock.set
    moment = [system_clock.now()]

    def set_moment(value: datetime | None) -> None:
        real_set(value)
        moment[0] = value.astimezone(SHANGHAI) if value is not None else datetime.now(SHANGHAI)

    monkeypatch.setattr(system_clock, "set", set_moment)
    monkeypatch.setattr(system_clock, "now", lambda: moment[0])


def post(
    stack: InProcessStack,
    notice_id: str,
    content: str = "反映情况",
    *,
    ip: str = "198.51.100.7",
    form: bool = False,
    headers: dict[str, str] | None = None,
) -> Any:
    """One public feedback post from ``ip`` through the feedback function (``headers`` added)."""
    from infra.local.events import to_function_url_event, to_http_response

    if form:
        raw = f"content={content}".encode()
        sent = {"content-type": "application/x-www-form-urlencoded"}
    else:
        raw = json.dumps({"content": content}, ensure_ascii=False).encode()
        sent = {"content-type": "application/json"}
    sent.update(headers or {})
    event = to_function_url_event(
        "POST", f"/feedback/{notice_id}", sent.items(), raw, function_name="feedback"
    )
    event["requestContext"]["http"]["sourceIp"] = ip
    return to_http_response(stack.invoke("feedback", event))


def open_for_feedback(stack: InProcessStack) -> str:
    """A notice opened on 2026-11-20 and the clock moved into its period (Tue 2026-11-24 10:00)."""
    notice_id = open_notice(stack)
    set_clock(2026, 11, 24, 10)
    return notice_id


def table_items(stack: InProcessStack) -> list[dict[str, Any]]:
    """Every compliance item, plain values (test-only inspection)."""
    from worklog.dynamo import from_item

    table = stack.stack.names["ComplianceTable"]
    return [from_item(i) for i in boto3.client("dynamodb").scan(TableName=table)["Items"]]
