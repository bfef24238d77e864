"""消息 (the in-app inbox) in a real browser, on a phone (360×740) and a desk's monitor (1280×800).

Two digests are put into the runtime's outbox table for a demo cadre the way the notifier writes them
(worklog.notify.inbox.digest_item); the cadre signs in and sees the unread badge (on 我的 on a phone,
on 消息 in the side menu from 1024 px), opens 消息 the way a person does, marks one read with one
request, and the badge goes down by one. 提醒方式 lists the channels and says the inbox cannot be
switched off. Every screen visited passes ``check_screen``.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
import requests
from playwright.sync_api import expect

from infra.browser import PHONE, Viewport, open_from_menu, sign_in
from tests.e2e.browser import check_screen, recorder_of
from tests.e2e.conftest import Runtime, runtime_env, token_for
from worklog.dynamo import to_item
from worklog.models.notifications import Delivery, Digest, NoticeLine
from worklog.notify.inbox import digest_item

pytestmark = pytest.mark.e2e

UI_TIMEOUT_MS = 30_000


def unread_now(runtime: Runtime, cadre_id: str) -> int:
    resp = requests.get(
        f"{runtime.url}/me/notifications",
        params={"limit": "1"},
        headers={"Authorization": f"Bearer {token_for(runtime, cadre_id)}"},
        timeout=60,
    )
    assert resp.status_code == 200, resp.text[:300]
    return int(resp.json()["unread"])


def seed_digests(runtime: Runtime, cadre_id: str, tag: str) -> list[str]:
    """Two unread digests of ``cadre_id``, the newest first in the returned titles."""
    clock = requests.get(f"{runtime.url}/_local/clock", timeout=10).json()["now"]
    now = datetime.fromisoformat(clock)
    env = runtime_env(runtime)
    client = boto3.client(
        "dynamodb",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env.get("AWS_DEFAULT_REGION", "us-east-1"),
        aws_access_key_id=env.get("AWS_ACCESS_KEY_ID", "testing"),
        aws_secret_access_key=env.get("AWS_SECRET_ACCESS_KEY", "testing"),
    )
    titles = []
    for n, minutes in enumerate((1, 90)):
        at = (now - timedelta(minutes=minutes)).isoformat(timespec="milliseconds")
        day = at[:10]
        title = f"今日提醒 {tag}-{n}：1 项待办"
        line = NoticeLine(
            notice_id=f"entry_missing/e2e-{tag}-{n}",
            kind="entry_missing",
            title=f"{day} 的工作日志尚未填写",
            due=day,
            last_day=day,
            link=f"/day/{day}",
        )
        digest = Digest(
            digest_id=f"urgent-e2e-{tag}-{n}",
            person_id=cadre_id,
            at=at,
            title=title,
            lines=[line],
            delivery=Delivery(status="no_channel", at=at),
        )
        client.put_item(TableName=env["OUTBOX_TABLE"], Item=to_item(digest_item(digest)))
        titles.append(title)
    return titles


def badge(page: Any, viewport: Viewport) -> Any:
    if viewport.name == PHONE.name:
        return page.locator('[data-test="tab-mine"] .van-badge')
    return page.locator('[data-test="inbox-badge-menu"]')


def open_inbox(page: Any, viewport: Viewport) -> None:
    """The way a person does: 我的 then 消息 on a phone; 消息 in the side menu on a desk."""
    if viewport.name == PHONE.name:
        open_from_menu(page, "我的")
        page.locator('[data-test="mine-inbox"]').click()
    else:
        open_from_menu(page, "消息")
    expect(page.locator("main h1")).to_have_text("消息", timeout=UI_TIMEOUT_MS)
    page.wait_for_selector('[data-test="inbox-item-0"]', state="visible", timeout=UI_TIMEOUT_MS)


def test_the_badge_counts_unread_digests_and_marking_one_read_lowers_it(
    open_page: Any, viewport: Viewport, users: list[dict[str, Any]], runtime: Runtime
) -> None:
    # Given a plain demo cadre (one per screen size) with two new digests in their inbox
    plain = [u for u in users if u["roles"] == ["cadre"]]
    person = plain[0] if viewport.name == PHONE.name else plain[1]
    before = unread_now(runtime, person["cadre_id"])
    newest, older = seed_digests(runtime, person["cadre_id"], uuid.uuid4().hex[:6])

    # When they sign in, the badge shows the unread count
    page = open_page(viewport)
    sign_in(page, person["cadre_id"])
    expect(badge(page, viewport)).to_have_text(str(before + 2), timeout=UI_TIMEOUT_MS)

    # And 消息 lists the newest first, unread in words
    open_inbox(page, viewport)
    first = page.locator('[data-test="inbox-item-0"]')
    expect(first).to_contain_text(newest)
    expect(page.locator('[data-test="inbox-state-0"]')).to_have_text("未读")
    expect(page.locator('[data-test="inbox-item-1"]')).to_contain_text(older)
    check_screen(page)

    # When they mark the newest read: one request, the item says 已读 and the badge goes down by one
    recorder = recorder_of(page)
    posts_before = len([s for s in recorder.api_calls() if s.method == "POST"])
    with page.expect_response(lambda r: r.url.endswith("/me/notifications/read")) as marked:
        page.locator('[data-test="mark-read-0"]').click()
    assert marked.value.status == 200
    expect(page.locator('[data-test="inbox-state-0"]')).to_have_text("已读")
    expect(badge(page, viewport)).to_have_text(str(before + 1), timeout=UI_TIMEOUT_MS)
    assert len([s for s in recorder.api_calls() if s.method == "POST"]) == posts_before + 1
    assert unread_now(runtime, person["cadre_id"]) == before + 1

    # And 提醒方式 lists the channels and says the inbox cannot be switched off
    page.locator('[data-test="inbox-settings"]').click()
    expect(page.locator("main h1")).to_have_text("提醒方式", timeout=UI_TIMEOUT_MS)
    expect(page.locator('[data-test="channel-inbox"]')).to_contain_text("不能关闭")
    expect(page.locator('[data-test="switch-sms"]')).to_be_visible()
    check_screen(page)
