"""今日 in a real browser, on a phone (360×740) and on a desk's monitor (1280×800): a cadre writes
and revises today's log, linked to the month's plan, and finds it in the calendar; a save made
offline lands exactly once; a retry after a lost answer carries the same Idempotency-Key.

"Today" is the runtime's (``runtime_today``), never the host's. Shared steps and the API used for
set-up and checks: tests/e2e/app_flows/support.py.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect

from infra.browser import PHONE, SCREEN_READY, Viewport, app_path, open_from_menu, sign_in
from tests.e2e.app_flows.support import (
    KEPT_LOCALLY,
    OFFLINE_BANNER,
    REVISION_ROW,
    SAVE,
    UI_TIMEOUT_MS,
    Cadres,
    OpenPage,
    api_as,
    ensure_plan,
    link_plan,
    open_calendar_at,
    put_entries,
    screen_ok,
    wait_editor,
    write_item,
)
from tests.e2e.conftest import Runtime

pytestmark = pytest.mark.e2e


# --- a cadre writes today's log ------------------------------------------------------------------


def _write_two_items_linked_to_the_plan(page: Any, plan: list[dict[str, Any]]) -> None:
    """Two items, each linked to a plan item (shown by its content), saved: the first revision."""
    write_item(page, 0, "走访辖区三家企业，了解用工需求\n形成问题清单一份", "done")
    link_plan(page, 0, plan[0]["id"])
    page.click('[data-test="add-item"]')
    write_item(page, 1, "起草季度工作总结初稿", "in_progress")
    link_plan(page, 1, plan[1]["id"])
    expect(page.locator("main")).to_contain_text(plan[0]["content"])
    expect(page.locator("main")).to_contain_text(plan[1]["content"])
    screen_ok(page)
    with put_entries(page) as first:
        page.click(SAVE)
    assert first.value.status == 201, first.value.text()
    expect(page.get_by_text("再次保存将形成新的修订")).to_be_visible()
    screen_ok(page)


def _revise_with_a_reason(page: Any, reason: str) -> None:
    """A revision: the reason dialog asks why; the save is the second revision."""
    page.fill('textarea[data-test="item-content-1"]', "起草季度工作总结初稿，已送分管领导审阅")
    page.click('[data-test="item-status-1-done"]')
    page.click(SAVE)
    reason_box = page.locator('textarea[data-test="revision-reason"]')
    expect(reason_box).to_be_visible()
    screen_ok(page)
    reason_box.fill(reason)
    with put_entries(page) as second:
        page.click('[data-test="reason-confirm"]')
    assert second.value.status == 200, second.value.text()
    expect(reason_box).to_be_hidden()
    expect(page.get_by_text("第 2 版")).to_be_visible()


def _find_the_day_in_the_calendar(page: Any, today: date, reason: str) -> None:
    """日志日历: today's cell says 已填 and opens the day, with both revisions."""
    cell = open_calendar_at(page, today, today)
    expect(cell).to_have_attribute("data-state", "filed")
    expect(cell).to_contain_text("已填")
    screen_ok(page)
    cell.click()
    page.wait_for_url(re.compile(rf"/app/day/{today}$"))
    rows = page.locator(REVISION_ROW)
    expect(rows).to_have_count(2, timeout=UI_TIMEOUT_MS)
    expect(rows.nth(0)).to_contain_text("第 2 版")
    expect(rows.nth(0)).to_contain_text(f"修改原因：{reason}")
    expect(rows.nth(1)).to_contain_text("第 1 版（首次保存）")
    expect(rows.nth(1)).not_to_contain_text("修改原因")
    screen_ok(page)


def test_a_cadre_writes_todays_log_links_plan_items_revises_it_with_a_reason_and_finds_it_in_the_calendar(
    open_page: OpenPage, viewport: Viewport, runtime: Runtime, cadres: Cadres, today: date
) -> None:
    cadre = cadres.pick("today", viewport, lambda u: api_as(runtime, u["cadre_id"]).entry(today) is None)
    api = api_as(runtime, cadre["cadre_id"])
    plan = ensure_plan(api, today.strftime("%Y-%m"))
    page = open_page(viewport)

    sign_in(page, cadre["cadre_id"])
    wait_editor(page)
    screen_ok(page)
    _write_two_items_linked_to_the_plan(page, plan)

    # A revision: the reason dialog asks why.
    reason = "补充总结的送审情况"
    _revise_with_a_reason(page, reason)

    # 日志日历: today's cell says 已填 and opens the day, with both revisions.
    _find_the_day_in_the_calendar(page, today, reason)

    stored = api.revisions(today)
    assert [r["revision"] for r in sorted(stored, key=lambda r: r["revision"])] == [1, 2]
    assert [r.get("reason") for r in sorted(stored, key=lambda r: r["revision"])] == [None, reason]
    entry = api.entry(today)
    assert entry is not None
    assert [i["plan_item_id"] for i in entry["items"]] == [plan[0]["id"], plan[1]["id"]]
    assert [i["status"] for i in entry["items"]] == ["done", "done"]


# --- a save made offline lands exactly once -------------------------------------------------------

OFFLINE_ERRORS = ("net::ERR_INTERNET_DISCONNECTED",)


def test_a_save_made_offline_is_kept_through_a_reload_and_lands_exactly_once_when_back_online(
    open_page: OpenPage, viewport: Viewport, runtime: Runtime, cadres: Cadres, today: date
) -> None:
    cadre = cadres.pick("offline", viewport, lambda u: api_as(runtime, u["cadre_id"]).entry(today) is None)
    api = api_as(runtime, cadre["cadre_id"])
    page = open_page(viewport)
    sign_in(page, cadre["cadre_id"])
    wait_editor(page)
    # The service worker holds the app's shell: a reload without a network still opens the app.
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    write_item(page, 0, "在社区值守，协调处理居民来访两起", "done")

    page.context.set_offline(True)
    page.click(SAVE)

    expect(page.locator('[data-test="entry-queued"]')).to_contain_text(KEPT_LOCALLY)
    expect(page.get_by_text(OFFLINE_BANNER)).to_be_visible()
    screen_ok(page, also=OFFLINE_ERRORS)
    assert api.entry(today) is None, "nothing reached the server while offline"

    # A reload, still offline: the shell comes from the service worker, the queued save from the
    # browser's storage, listed in 我的.
    page.reload()
    expect(page.get_by_text(OFFLINE_BANNER)).to_be_visible(timeout=UI_TIMEOUT_MS)
    page.wait_for_selector(SCREEN_READY)
    assert app_path(page) == "/app/today"
    screen_ok(page, also=OFFLINE_ERRORS)
    open_from_menu(page, "我的")
    page.wait_for_url(re.compile(r"/app/mine$"))
    queued = page.locator(".van-cell").filter(has_text=f"{today.month}月{today.day}日")
    expect(queued).to_contain_text("工作日志")
    expect(queued).to_contain_text("等待提交")
    screen_ok(page, also=OFFLINE_ERRORS)

    # Back online: the outbox sends it by itself (the browser's online event), once.
    page.context.set_offline(False)
    expect(page.get_by_text("没有等待提交的内容")).to_be_visible(timeout=UI_TIMEOUT_MS)
    expect(page.get_by_text(OFFLINE_BANNER)).to_have_count(0)
    revisions = api.revisions(today)
    assert [r["revision"] for r in revisions] == [1]
    entry = api.entry(today)
    assert entry is not None and entry["items"][0]["content"] == "在社区值守，协调处理居民来访两起"
    screen_ok(page, also=OFFLINE_ERRORS)
    page.goto(f"/app/day/{today}")
    expect(page.locator(REVISION_ROW)).to_have_count(1, timeout=UI_TIMEOUT_MS)
    expect(page.locator(REVISION_ROW)).to_contain_text("第 1 版（首次保存）")
    screen_ok(page, also=OFFLINE_ERRORS)
    assert [r["revision"] for r in api.revisions(today)] == [1]


# The answer of the first attempt is lost on its way back (the server stored the entry), which the
# browser logs as a failed load; the retry must not make a second revision.
LOST_ANSWER_ERRORS = ("net::ERR_FAILED",)


def test_a_save_whose_answer_was_lost_is_retried_with_the_same_idempotency_key_and_stored_once(
    open_page: OpenPage, runtime: Runtime, cadres: Cadres, today: date
) -> None:
    # One size: what is under test is the outbox's request, the same code on every screen; the
    # screens it shows (今日's notice, 我的's list) are checked at both sizes by the test above.
    cadre = cadres.pick("lost-answer", PHONE, lambda u: api_as(runtime, u["cadre_id"]).entry(today) is None)
    api = api_as(runtime, cadre["cadre_id"])
    page = open_page(PHONE)
    sign_in(page, cadre["cadre_id"])
    wait_editor(page)
    puts: list[dict[str, Any]] = []

    def lose_the_first_answer(route: Any) -> None:
        request = route.request
        if request.method != "PUT":
            route.fallback()
            return
        seen = {"key": request.headers.get("idempotency-key"), "body": request.post_data}
        puts.append(seen)
        if len(puts) == 1:
            answer = route.fetch()  # the server gets it and stores the entry…
            seen["status"] = answer.status
            route.abort()  # …but the page never hears back
        else:
            route.fallback()

    page.route(f"**/entries/{today}", lose_the_first_answer)
    write_item(page, 0, "参加区里安全生产专题会议并传达会议精神", "done")

    page.click(SAVE)

    expect(page.locator('[data-test="entry-queued"]')).to_contain_text(KEPT_LOCALLY)
    assert puts and puts[0]["status"] == 201, puts
    assert [r["revision"] for r in api.revisions(today)] == [1], "the first attempt was stored"
    screen_ok(page, also=LOST_ANSWER_ERRORS)
    # The person asks for it now (立即重试 in 我的) rather than waiting for the outbox's timer.
    open_from_menu(page, "我的")
    page.wait_for_url(re.compile(r"/app/mine$"))
    expect(page.locator(".van-cell").filter(has_text="等待提交").first).to_be_visible()
    screen_ok(page, also=LOST_ANSWER_ERRORS)
    with page.expect_response(lambda r: r.request.method == "PUT" and f"/entries/{today}" in r.url) as retry:
        page.get_by_role("button", name="立即重试").click()

    assert retry.value.status == 201, retry.value.text()
    expect(page.get_by_text("没有等待提交的内容")).to_be_visible(timeout=UI_TIMEOUT_MS)
    assert len(puts) == 2, puts
    assert puts[0]["key"] and puts[0]["key"] == puts[1]["key"], "the retry carried another Idempotency-Key"
    assert puts[0]["body"] == puts[1]["body"]
    assert [r["revision"] for r in api.revisions(today)] == [1], "the retry made a second revision"
    screen_ok(page, also=LOST_ANSWER_ERRORS)
    open_from_menu(page, "今日")
    wait_editor(page)
    expect(page.get_by_text("已于")).to_contain_text("第 1 版")
    screen_ok(page, also=LOST_ANSWER_ERRORS)
