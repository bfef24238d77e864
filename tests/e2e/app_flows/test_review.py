"""审阅 in a real browser, on a phone and on a desk's monitor: a unit head's verdict and the
cadre's view of who read their log; a stored script shown as text to its writer and to the
reviewer; a district leader reading a unit head's log over a date range.

The week under review is the one Monday's scheduled run assigns (run here, idempotent). "Today" is
the runtime's, never the host's. Shared steps and the API: tests/e2e/app_flows/support.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from infra.browser import DESKTOP, PHONE, Viewport, open_from_menu, sign_in
from tests.e2e.app_flows.support import (
    REVISION_ROW,
    SCRIPT_TEXT,
    UI_TIMEOUT_MS,
    Cadres,
    OpenPage,
    api_as,
    open_review,
    open_week_of,
    screen_ok,
    wait_editor,
)
from tests.e2e.conftest import Runtime

pytestmark = pytest.mark.e2e


# --- a unit head's verdict; the cadre sees the read -----------------------------------------------


def _reviewable_by_a_plain_head(
    runtime: Runtime, cadres: Cadres, week: date
) -> Callable[[dict[str, Any]], bool]:
    """Whether a cadre's unit head holds nothing but that role and has the cadre's week still open."""

    def reviewable(user: dict[str, Any]) -> bool:
        head = cadres.unit_head_of(user)
        if set(head["roles"]) != {"cadre", "unit_head"}:
            return False
        found = open_review(api_as(runtime, head["cadre_id"]), week, user["cadre_id"])
        return found is not None and found["status"] == "open"

    return reviewable


def _give_adequate_by_keyboard(page: Any, cadre: dict[str, Any], comment: str) -> None:
    """The keyboard of a desk: j/k walk the members, 1 gives 合格 and opens the comment box."""

    def showing() -> str | None:
        match = re.search(r"[?&]c=([^&]+)", page.url)
        return match.group(1) if match else None

    forward, back = ("j", "k") if page.locator('[data-test="next-row"]').is_enabled() else ("k", "j")
    page.keyboard.press(forward)
    expect(page).not_to_have_url(re.compile(rf"[?&]c={cadre['cadre_id']}(&|$)"))
    assert showing() not in (None, cadre["cadre_id"])
    page.keyboard.press(back)
    expect(page).to_have_url(re.compile(rf"[?&]c={cadre['cadre_id']}(&|$)"))
    expect(page.locator(".review-panel h2.name")).to_have_text(cadre["name"])
    page.keyboard.press("1")
    expect(page.locator('[data-test="verdict-adequate"]')).to_have_attribute("aria-checked", "true")
    box = page.locator('[data-test="verdict-comment"] textarea')
    expect(box).to_be_focused()
    page.keyboard.type(comment)


def _submit_the_verdict(page: Any, comment: str) -> None:
    with page.expect_response(lambda r: r.request.method == "PUT" and "/reviews/" in r.url) as answer:
        page.click('[data-test="submit-verdict"]')
    assert answer.value.status == 200, answer.value.text()
    result = page.locator('[data-test="verdict-result"]')
    expect(result).to_contain_text("合格")
    expect(result).to_contain_text(comment)
    screen_ok(page)


def _find_it_among_the_done(page: Any, viewport: Viewport, cadre: dict[str, Any], week: date) -> None:
    if viewport is PHONE:
        page.locator(".van-nav-bar__left").click()
        page.wait_for_url(re.compile(r"/app/review$"))
    page.click('[data-test="queue-filter-done"]')
    row = page.locator(f'[data-test="review-row"][data-cadre="{cadre["cadre_id"]}"][data-week="{week}"]')
    expect(row).to_contain_text("已审阅：合格")
    screen_ok(page)


def _see_who_read_my_log(own: Any, cadre: dict[str, Any], head: dict[str, Any]) -> None:
    """我的 → 谁看过我的日志 names the unit head and why."""
    sign_in(own, cadre["cadre_id"])
    open_from_menu(own, "我的")
    own.wait_for_url(re.compile(r"/app/mine$"))
    screen_ok(own)
    own.get_by_role("link", name="谁看过我的日志").click()
    own.wait_for_url(re.compile(r"/app/reads$"))
    read = own.locator('[data-test="read-row"]').filter(has_text=head["name"])
    expect(read.first).to_be_visible(timeout=UI_TIMEOUT_MS)
    expect(read.first).to_contain_text("周审阅")
    screen_ok(own)


def test_a_unit_head_gives_a_verdict_and_the_cadre_sees_who_read_their_log(
    open_page: OpenPage, viewport: Viewport, runtime: Runtime, cadres: Cadres, review_week: date
) -> None:
    cadre = cadres.pick("review", viewport, _reviewable_by_a_plain_head(runtime, cadres, review_week))
    head = cadres.unit_head_of(cadre)
    head_api = api_as(runtime, head["cadre_id"])
    page = open_page(viewport)
    sign_in(page, head["cadre_id"])
    open_week_of(page, review_week, cadre["cadre_id"])
    screen_ok(page)
    comment = "本周日志内容具体，能对照月度计划推进，望继续保持。"

    if viewport is DESKTOP:
        # The keyboard of a desk: j/k walk the members, 1 gives 合格 and opens the comment box.
        _give_adequate_by_keyboard(page, cadre, comment)
    else:
        page.click('[data-test="verdict-adequate"]')
        page.fill('[data-test="verdict-comment"] textarea', comment)
    screen_ok(page)
    _submit_the_verdict(page, comment)
    _find_it_among_the_done(page, viewport, cadre, review_week)
    stored = open_review(head_api, review_week, cadre["cadre_id"])
    assert stored is not None
    assert (stored["status"], stored["verdict"], stored["comment"]) == ("done", "adequate", comment)

    # The cadre, on their own device: 我的 → 谁看过我的日志 names the unit head and why.
    _see_who_read_my_log(open_page(viewport), cadre, head)


# --- a stored script is shown as text -------------------------------------------------------------


def assert_inert(page: Any) -> None:
    """The script text did nothing: no flag set, no <img src=x> made, no script element holding it."""
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    assert (
        page.evaluate("() => [...document.images].filter((i) => i.getAttribute('src') === 'x').length") == 0
    )
    assert not page.evaluate("() => [...document.scripts].some((s) => s.textContent.includes('__pwned'))")


def test_an_item_holding_a_script_is_shown_as_text_to_its_writer_and_to_the_reviewer(
    open_page: OpenPage, viewport: Viewport, runtime: Runtime, cadres: Cadres, review_week: date
) -> None:
    # The last day of the week under review (a Sunday: writable until the Sunday after, so always
    # still open while that week is the one being reviewed).
    day = review_week + timedelta(days=6)

    def writable(user: dict[str, Any]) -> bool:
        head = cadres.unit_head_of(user)
        return set(head["roles"]) == {"cadre", "unit_head"} and not any(
            d["locked"] for d in api_as(runtime, user["cadre_id"]).calendar_days(day, day)
        )

    cadre = cadres.pick("script", viewport, writable)
    head = cadres.unit_head_of(cadre)
    api = api_as(runtime, cadre["cadre_id"])
    body: dict[str, Any] = {"items": [{"content": SCRIPT_TEXT, "status": "done"}]}
    if api.entry(day) is not None:
        body["reason"] = "更正事项内容"
    saved = api.put(f"/entries/{day}", body)
    assert saved.status_code in (200, 201), saved.text

    page = open_page(viewport)
    sign_in(page, cadre["cadre_id"])
    page.goto(f"/app/day/{day}")
    wait_editor(page)
    expect(page.locator('textarea[data-test="item-content-0"]')).to_have_value(SCRIPT_TEXT)
    newest = page.locator(REVISION_ROW).first
    newest.get_by_text("查看此版内容").click()
    expect(newest.locator(".rev-items")).to_contain_text(SCRIPT_TEXT)
    assert_inert(page)
    screen_ok(page)

    reviewer = open_page(viewport)
    sign_in(reviewer, head["cadre_id"])
    open_week_of(reviewer, review_week, cadre["cadre_id"])
    card = reviewer.locator(f'[data-test="review-day-{day}"]')
    expect(card).to_contain_text(SCRIPT_TEXT, timeout=UI_TIMEOUT_MS)
    assert_inert(reviewer)
    screen_ok(reviewer)


# --- a district leader reads a unit head's log ----------------------------------------------------


def test_a_district_leader_reads_a_unit_heads_log_over_a_date_range(
    open_page: OpenPage,
    viewport: Viewport,
    runtime: Runtime,
    users: list[dict[str, Any]],
    review_week: date,
    today: date,
) -> None:
    leader = next(u for u in users if set(u["roles"]) == {"cadre", "district_leader"})
    first, last = today - timedelta(days=13), today
    assigned = api_as(runtime, leader["cadre_id"]).get("/reviews").json()["reviews"]
    heads = sorted({r["cadre_id"] for r in assigned if r["week_start"] == str(review_week)})
    written = {h: api_as(runtime, h).entries(first, last) for h in heads}
    head_id = next((h for h in heads if written[h]), None)
    assert head_id is not None, f"none of {heads} has an entry from {first} to {last}"
    head = next(u for u in users if u["cadre_id"] == head_id)
    page = open_page(viewport)
    sign_in(page, leader["cadre_id"])

    # From the leader's review queue: the unit head's 日志 link, then a range of two weeks.
    open_from_menu(page, "审阅")
    page.wait_for_url(re.compile(r"/app/review"))
    page.click('[data-test="queue-filter-all"]')
    row = page.locator("li.row").filter(
        has=page.locator(f'[data-cadre="{head_id}"][data-week="{review_week}"]')
    )
    row.locator('[data-test="review-row-log"]').click()
    page.wait_for_url(re.compile(rf"/app/log/{head_id}"))
    expect(page.locator("main h1.who")).to_have_text(f"{head['name']}的工作日志")
    expect(page.locator('[data-test="log-read-hint"]')).to_be_visible()
    screen_ok(page)
    page.fill('input[data-test="log-from"]', str(first))
    page.fill('input[data-test="log-to"]', str(last))
    with page.expect_response(
        lambda r: f"/cadres/{head_id}/entries" in r.url and f"from={first}" in r.url
    ) as got:
        page.click('[data-test="log-apply"]')

    assert got.value.status == 200, got.value.text()
    cards = page.locator('[data-test^="review-day-"]')
    expect(cards).to_have_count(len(written[head_id]), timeout=UI_TIMEOUT_MS)
    expect(page.locator("main")).to_contain_text(f"共 {len(written[head_id])} 天有日志")
    expect(page.locator("main")).to_contain_text("本次查阅依据：")
    newest = max(written[head_id], key=lambda e: e["date"])
    expect(page.locator(f'[data-test="review-day-{newest["date"]}"]')).to_contain_text(
        newest["items"][0]["content"][:20]
    )
    screen_ok(page)
