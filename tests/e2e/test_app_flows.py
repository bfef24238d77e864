"""The app's main flows in a real browser, through its screens only, on a phone (360×740) and on a
desk's monitor (1280×800): a cadre writes and revises today's log; a save made offline lands exactly
once (and a retry after a lost answer carries the same Idempotency-Key); a late entry and a locked
day; a unit head's verdict and the cadre's view of who read their log; a stored script shown as
text; a district leader reading a unit head's log.

The actions under test go through the pages (signing in through the real sign-in pages, typing,
tapping); the API is used only to set up what a flow needs (a month's plan, an entry holding a
script, the week's review assignment) and to check what was stored. Every screen visited passes
``check_screen`` (tests/e2e/browser.py); ``screen_ok`` says what it lets pass, and why.

"Today" is the runtime's (``runtime_today``), never the host's. Each flow writes as cadres of its
own (``Cadres``), so the tests hold in any order and on both screen sizes in one session.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from infra.browser import (
    DESKTOP,
    PHONE,
    SCREEN_READY,
    Viewport,
    app_path,
    open_from_menu,
    pick_user,
    sign_in,
)
from tests.e2e.browser import check_screen, recorder_of, settle
from tests.e2e.conftest import Runtime, runtime_today, token_for

pytestmark = pytest.mark.e2e

OFFLINE_BANNER = "离线：内容已保存在本机，联网后自动提交"
KEPT_LOCALLY = "已保存在本机，联网后自动提交"
SCRIPT_TEXT = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
UI_TIMEOUT_MS = 20_000

EDITOR_READY = 'textarea[data-test="item-content-0"]'
SAVE = '[data-test="save-entry"]'
REVISION_ROW = '[data-test="revision-row"]'

OpenPage = Callable[..., Any]


# --- check_screen, for tests that take the network away ------------------------------------------------


def screen_ok(page: Any, *, also: tuple[str, ...] = ()) -> None:
    """``check_screen`` (which already knows the API's 404 for a period nothing was saved for yet),
    after dropping the console lines containing one of ``also``: a test that takes the network away,
    or loses an answer, names the browser's network error it caused."""
    settle(page)
    recorder = recorder_of(page)
    kept = [line for line in recorder.console_errors if not any(marker in line for marker in also)]
    recorder.console_errors[:] = kept
    check_screen(page)


@pytest.fixture
def today(runtime: Runtime) -> date:
    return runtime_today(runtime)


# --- the API, to set up and to check -----------------------------------------------------------------


@dataclass
class Api:
    """The API as one cadre (a token from the runtime's issuer): set-up and checks only."""

    base: str
    cadre_id: str
    token: str

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return requests.request(method, f"{self.base}{path}", headers=headers, timeout=15, **kwargs)

    def get(self, path: str, **params: str) -> requests.Response:
        return self._call("GET", path, params=params)

    def put(self, path: str, body: dict[str, Any]) -> requests.Response:
        return self._call("PUT", path, json=body)

    def entry(self, day: date) -> dict[str, Any] | None:
        resp = self.get(f"/entries/{day}")
        if resp.status_code == 404:
            return None
        assert resp.status_code == 200, resp.text
        found: dict[str, Any] = resp.json()
        return found

    def revisions(self, day: date) -> list[dict[str, Any]]:
        resp = self.get(f"/entries/{day}/revisions")
        if resp.status_code == 404:
            return []
        assert resp.status_code == 200, resp.text
        found: list[dict[str, Any]] = resp.json()["revisions"]
        return found

    def entries(self, first: date, last: date) -> list[dict[str, Any]]:
        resp = self.get("/entries", **{"from": str(first), "to": str(last)})
        assert resp.status_code == 200, resp.text
        found: list[dict[str, Any]] = resp.json()["entries"]
        return found

    def calendar_days(self, first: date, last: date) -> list[dict[str, Any]]:
        """GET /me/calendar's days from ``first`` to ``last`` (over as many months as they span)."""
        days: list[dict[str, Any]] = []
        month = first.replace(day=1)
        while month <= last:
            resp = self.get("/me/calendar", month=month.strftime("%Y-%m"))
            assert resp.status_code == 200, resp.text
            days += [d for d in resp.json()["days"] if str(first) <= d["date"] <= str(last)]
            month = (month + timedelta(days=32)).replace(day=1)
        return days


def api_as(runtime: Runtime, cadre_id: str) -> Api:
    return Api(runtime.url, cadre_id, token_for(runtime, cadre_id))


def ensure_plan(api: Api, month: str) -> list[dict[str, Any]]:
    """The cadre's plan items of ``month``. The demo history usually gave them one; when it did not
    (the runtime started on the 1st, say) one is made here through the API: the flow under test
    links items to a plan, it does not write the plan."""
    resp = api.get(f"/plans/{month}")
    if resp.status_code == 404:
        made = api.put(
            f"/plans/{month}",
            {
                "items": [
                    {"content": "推进重点项目落地", "target": "完成年度任务的90%"},
                    {"content": "做好信息报送日常工作", "target": "按时报送"},
                ]
            },
        )
        assert made.status_code == 201, made.text
        resp = api.get(f"/plans/{month}")
    assert resp.status_code == 200, resp.text
    items: list[dict[str, Any]] = resp.json()["items"]
    assert len(items) >= 2, f"the plan of {month} has {len(items)} item(s); the flow links two"
    return items


# --- who writes: distinct plain cadres for each flow and screen size ---------------------------------

# Each flow × screen size draws from its own block of plain cadres (the roster read from its end, so
# the first plain cadre, which other browser tests sign in as, is never one of them).
SLOTS = ("today", "offline", "lost-answer", "late", "review", "script", "plan")
BLOCK = 8


@dataclass
class Cadres:
    users: list[dict[str, Any]]

    @property
    def plain(self) -> list[dict[str, Any]]:
        return [u for u in reversed(self.users) if u["roles"] == ["cadre"]]

    def pick(
        self, slot: str, viewport: Viewport, fits: Callable[[dict[str, Any]], bool] = lambda u: True
    ) -> dict[str, Any]:
        """The first cadre of this slot's block for whom ``fits`` holds (then of its share of the
        cadres no block holds): deterministic, and never a cadre another flow or size writes as."""
        slots = len(SLOTS) * 2
        index = SLOTS.index(slot) * 2 + (0 if viewport.name == PHONE.name else 1)
        plain = self.plain
        block = plain[index * BLOCK : (index + 1) * BLOCK]
        spare = plain[slots * BLOCK :][index::slots]
        for user in [*block, *spare]:
            if fits(user):
                return user
        raise LookupError(f"no plain cadre fits the {slot} flow on the {viewport.name}")

    def unit_head_of(self, cadre: dict[str, Any]) -> dict[str, Any]:
        heads = [u for u in self.users if u["unit_id"] == cadre["unit_id"] and "unit_head" in u["roles"]]
        assert heads, f"unit {cadre['unit_id']} has no unit head"
        return heads[0]


@pytest.fixture(scope="session")
def cadres(users: list[dict[str, Any]]) -> Cadres:
    return Cadres(users)


@pytest.fixture(scope="session")
def review_week(runtime: Runtime) -> date:
    """Last week assigned to its reviewers, as Monday's scheduled run does (idempotent: a second run
    stores nothing new); its Monday."""
    resp = requests.post(f"{runtime.url}/_local/run/review-assignment", json={}, timeout=120)
    assert resp.status_code == 200, resp.text
    return date.fromisoformat(resp.json()["week_start"])


# --- driving the screens ----------------------------------------------------------------------------


def wait_editor(page: Any) -> None:
    page.wait_for_selector(EDITOR_READY, state="visible", timeout=UI_TIMEOUT_MS)


def write_item(page: Any, index: int, text: str, status: str = "done") -> None:
    page.fill(f'textarea[data-test="item-content-{index}"]', text)
    page.click(f'[data-test="item-status-{index}-{status}"]')


def link_plan(page: Any, index: int, plan_item_id: str) -> None:
    """Link item ``index`` to a plan item through the picker (a sheet that closes on a choice)."""
    page.click(f'[data-test="item-plan-{index}"]')
    option = page.locator(f'[data-test="plan-option-{plan_item_id}"]')
    expect(option).to_be_visible()
    option.click()
    expect(option).to_be_hidden()


def open_calendar_at(page: Any, day: date, today: date) -> Any:
    """日历 from the menu, stepped back to ``day``'s month; the day's cell."""
    open_from_menu(page, "日历")
    page.wait_for_url(re.compile(r"/app/calendar"))
    for _ in range((today.year - day.year) * 12 + today.month - day.month):
        page.click('[data-test="month-prev"]')
    cell = page.locator(f'[data-test="day-{day}"]')
    expect(cell).to_be_visible(timeout=UI_TIMEOUT_MS)
    return cell


def put_entries(page: Any) -> Any:
    return page.expect_response(lambda r: r.request.method == "PUT" and "/entries/" in r.url)


# --- 1. a cadre writes today's log ------------------------------------------------------------------


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

    # A revision: the reason dialog asks why.
    page.fill('textarea[data-test="item-content-1"]', "起草季度工作总结初稿，已送分管领导审阅")
    page.click('[data-test="item-status-1-done"]')
    page.click(SAVE)
    reason_box = page.locator('textarea[data-test="revision-reason"]')
    expect(reason_box).to_be_visible()
    screen_ok(page)
    reason = "补充总结的送审情况"
    reason_box.fill(reason)
    with put_entries(page) as second:
        page.click('[data-test="reason-confirm"]')
    assert second.value.status == 200, second.value.text()
    expect(reason_box).to_be_hidden()
    expect(page.get_by_text("第 2 版")).to_be_visible()

    # 日志日历: today's cell says 已填 and opens the day, with both revisions.
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

    stored = api.revisions(today)
    assert [r["revision"] for r in sorted(stored, key=lambda r: r["revision"])] == [1, 2]
    assert [r.get("reason") for r in sorted(stored, key=lambda r: r["revision"])] == [None, reason]
    entry = api.entry(today)
    assert entry is not None
    assert [i["plan_item_id"] for i in entry["items"]] == [plan[0]["id"], plan[1]["id"]]
    assert [i["status"] for i in entry["items"]] == ["done", "done"]


# --- 2. a save made offline lands exactly once -------------------------------------------------------

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


# --- 3. a late entry and a locked day ----------------------------------------------------------------


def owed_unfilled(api: Api, first: date, last: date, *, locked: bool) -> list[date]:
    """The owed days from ``first`` to ``last`` with no entry, locked or not as asked, latest first."""
    filled = {e["date"] for e in api.entries(first, last)}
    return [
        date.fromisoformat(d["date"])
        for d in reversed(api.calendar_days(first, last))
        if d["owed"] and d["locked"] is locked and d["date"] not in filled
    ]


def late_day(api: Api, today: date) -> date | None:
    found = owed_unfilled(api, today - timedelta(days=7), today - timedelta(days=1), locked=False)
    return found[0] if found else None


def locked_day(api: Api, today: date) -> date | None:
    """A day past its last day for an entry: one left empty if there is one, else any locked day."""
    first = today - timedelta(days=40)
    found = owed_unfilled(api, first, today - timedelta(days=1), locked=True)
    if found:
        return found[0]
    locked = [d for d in api.calendar_days(first, today) if d["locked"]]
    return date.fromisoformat(locked[-1]["date"]) if locked else None


def test_a_late_entry_is_marked_as_such_and_a_locked_day_cannot_be_saved(
    open_page: OpenPage, viewport: Viewport, runtime: Runtime, cadres: Cadres, today: date
) -> None:
    cadre = cadres.pick(
        "late", viewport, lambda u: late_day(api_as(runtime, u["cadre_id"]), today) is not None
    )
    api = api_as(runtime, cadre["cadre_id"])
    late = late_day(api, today)
    locked = locked_day(api, today)
    assert late is not None and locked is not None
    page = open_page(viewport)
    sign_in(page, cadre["cadre_id"])

    # The owed day shows 未填 in the calendar and opens its day screen, which says it would be late.
    cell = open_calendar_at(page, late, today)
    expect(cell).to_have_attribute("data-state", "missing")
    expect(cell).to_contain_text("未填")
    screen_ok(page)
    cell.click()
    page.wait_for_url(re.compile(rf"/app/day/{late}$"))
    wait_editor(page)
    expect(page.locator('[data-test="entry-late"]')).to_contain_text("此日为补记")
    screen_ok(page)
    write_item(page, 0, "补记：当日参加防汛物资清点，核对台账三本", "done")
    with put_entries(page) as saved:
        page.click(SAVE)
    assert saved.value.status == 201, saved.value.text()
    assert saved.value.json()["late"] is True
    rows = page.locator(REVISION_ROW)
    expect(rows).to_have_count(1, timeout=UI_TIMEOUT_MS)
    expect(rows).to_contain_text("补记")
    screen_ok(page)
    page.get_by_role("button", name="返回").click()
    page.wait_for_url(re.compile(r"/app/calendar"))
    cell = page.locator(f'[data-test="day-{late}"]')
    expect(cell).to_have_attribute("data-state", "late", timeout=UI_TIMEOUT_MS)
    expect(cell).to_contain_text("补记")
    screen_ok(page)
    stored = api.entry(late)
    assert stored is not None and stored["late"] is True

    # A day past its last day: the day screen says it is locked and offers no way to save.
    before = api.entry(locked)
    cell = open_calendar_at(page, locked, today)
    cell.click()
    page.wait_for_url(re.compile(rf"/app/day/{locked}$"))
    notice = page.locator('[data-test="entry-locked"]')
    expect(notice).to_contain_text("该日已锁定", timeout=UI_TIMEOUT_MS)
    expect(notice).to_contain_text("截至")
    expect(page.locator(SAVE)).to_have_count(0)
    expect(page.locator("main textarea:not([readonly])")).to_have_count(0)
    screen_ok(page)
    # The server agrees: a save for that day is refused, and nothing changes.
    refused = api.put(
        f"/entries/{locked}", {"items": [{"content": "试图补记", "status": "done"}], "reason": "补充"}
    )
    assert refused.status_code == 409 and refused.json()["code"] == "period_locked", refused.text
    assert api.entry(locked) == before


# --- 4. a unit head's verdict; the cadre sees the read -----------------------------------------------


def open_review(api: Api, week: date, cadre_id: str) -> dict[str, Any] | None:
    """The reviewer's assignment of ``cadre_id`` for ``week`` (from the list: reading the week itself
    would be a read of the cadre's log)."""
    resp = api.get("/reviews")
    assert resp.status_code == 200, resp.text
    return next(
        (r for r in resp.json()["reviews"] if r["cadre_id"] == cadre_id and r["week_start"] == str(week)),
        None,
    )


def open_week_of(page: Any, week: date, cadre_id: str) -> None:
    """审阅 from the menu, then the member's row: their own page on a phone, the pane beside the
    queue on a desktop."""
    open_from_menu(page, "审阅")
    page.wait_for_url(re.compile(r"/app/review"))
    row = page.locator(f'[data-test="review-row"][data-cadre="{cadre_id}"][data-week="{week}"]')
    expect(row).to_be_visible(timeout=UI_TIMEOUT_MS)
    screen_ok(page)
    row.click()
    page.wait_for_selector('[data-test="next-row"]', timeout=UI_TIMEOUT_MS)


def test_a_unit_head_gives_a_verdict_and_the_cadre_sees_who_read_their_log(
    open_page: OpenPage, viewport: Viewport, runtime: Runtime, cadres: Cadres, review_week: date
) -> None:
    def reviewable(user: dict[str, Any]) -> bool:
        head = cadres.unit_head_of(user)
        if set(head["roles"]) != {"cadre", "unit_head"}:
            return False
        found = open_review(api_as(runtime, head["cadre_id"]), review_week, user["cadre_id"])
        return found is not None and found["status"] == "open"

    cadre = cadres.pick("review", viewport, reviewable)
    head = cadres.unit_head_of(cadre)
    head_api = api_as(runtime, head["cadre_id"])
    page = open_page(viewport)
    sign_in(page, head["cadre_id"])
    open_week_of(page, review_week, cadre["cadre_id"])
    screen_ok(page)
    comment = "本周日志内容具体，能对照月度计划推进，望继续保持。"

    if viewport is DESKTOP:
        # The keyboard of a desk: j/k walk the members, 1 gives 合格 and opens the comment box.
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
    else:
        page.click('[data-test="verdict-adequate"]')
        page.fill('[data-test="verdict-comment"] textarea', comment)
    screen_ok(page)
    with page.expect_response(lambda r: r.request.method == "PUT" and "/reviews/" in r.url) as answer:
        page.click('[data-test="submit-verdict"]')

    assert answer.value.status == 200, answer.value.text()
    result = page.locator('[data-test="verdict-result"]')
    expect(result).to_contain_text("合格")
    expect(result).to_contain_text(comment)
    screen_ok(page)
    if viewport is PHONE:
        page.locator(".van-nav-bar__left").click()
        page.wait_for_url(re.compile(r"/app/review$"))
    page.click('[data-test="queue-filter-done"]')
    row = page.locator(
        f'[data-test="review-row"][data-cadre="{cadre["cadre_id"]}"][data-week="{review_week}"]'
    )
    expect(row).to_contain_text("已审阅：合格")
    screen_ok(page)
    stored = open_review(head_api, review_week, cadre["cadre_id"])
    assert stored is not None
    assert (stored["status"], stored["verdict"], stored["comment"]) == ("done", "adequate", comment)

    # The cadre, on their own device: 我的 → 谁看过我的日志 names the unit head and why.
    own = open_page(viewport)
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


# --- 5. a stored script is shown as text -------------------------------------------------------------


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


# --- 6. a district leader reads a unit head's log ----------------------------------------------------


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


# --- the month's plan -------------------------------------------------------------------------------


def test_a_cadre_writes_next_months_plan_and_revises_it_with_a_reason_keeping_the_items_ids(
    open_page: OpenPage, viewport: Viewport, runtime: Runtime, cadres: Cadres, today: date
) -> None:
    """Given a cadre with no plan for next month, when they write two items on 月度计划 and save,
    then revise the first with a reason, then the plan has two revisions, the second with the reason,
    and the first item kept its id (daily entries link to it by id)."""
    month = (today.replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
    cadre = cadres.pick(
        "plan", viewport, lambda u: api_as(runtime, u["cadre_id"]).get(f"/plans/{month}").status_code == 404
    )
    api = api_as(runtime, cadre["cadre_id"])
    page = open_page(viewport)
    sign_in(page, cadre["cadre_id"])

    page.goto(f"/app/plan/{month}")
    page.wait_for_selector('[data-test="plan-item-0"] textarea', timeout=UI_TIMEOUT_MS)
    screen_ok(page)
    page.fill('[data-test="plan-item-0"] textarea', "完成辖区重点项目用地协调")
    page.fill('[data-test="plan-target-0"] textarea, [data-test="plan-target-0"] input', "月底前完成3项")
    page.click('[data-test="add-plan-item"]')
    page.fill('[data-test="plan-item-1"] textarea', "开展安全生产专项检查")
    page.click('[data-test="save-plan"]')
    expect(page.locator('[data-test="save-done"]')).to_contain_text("第 1 版", timeout=UI_TIMEOUT_MS)
    first = api.get(f"/plans/{month}").json()
    assert [i["content"] for i in first["items"]] == ["完成辖区重点项目用地协调", "开展安全生产专项检查"]

    page.fill('[data-test="plan-item-0"] textarea', "完成辖区重点项目用地协调，形成会议纪要")
    page.fill('[data-test="plan-reason"] textarea', "补充成果形式")
    page.click('[data-test="save-plan"]')
    expect(page.locator('[data-test="save-done"]')).to_contain_text("第 2 版", timeout=UI_TIMEOUT_MS)
    expect(page.locator(REVISION_ROW)).to_have_count(2, timeout=UI_TIMEOUT_MS)
    screen_ok(page)

    second = api.get(f"/plans/{month}").json()
    assert second["revision"] == 2
    assert second["items"][0]["id"] == first["items"][0]["id"]
    assert second["items"][0]["content"] == "完成辖区重点项目用地协调，形成会议纪要"
    reasons = [r["reason"] for r in api.get(f"/plans/{month}/revisions").json()["revisions"]]
    assert reasons == [None, "补充成果形式"]


# --- every screen -----------------------------------------------------------------------------------

# Each role's screens, by path (the router's); {…} filled from the runtime's roster and clock.
CADRE_SCREENS = (
    "/today",
    "/calendar",
    "/day/{today}",
    "/plan",
    "/summary",
    "/leave",
    "/reads",
    "/matters",
    "/mine",
    "/no-such-screen",
)
REVIEWER_SCREENS = ("/review", "/review/{week}/{member}", "/log/{member}")


def test_every_screen_of_each_role_passes_the_checks(
    open_page: OpenPage,
    viewport: Viewport,
    users: list[dict[str, Any]],
    today: date,
    review_week: date,
) -> None:
    """Given a plain cadre and a unit head, when each opens every screen of their role, then each
    screen renders its title and passes check_screen: axe-core finds no serious or critical
    violation, nothing is wider than a phone, no request leaves 127.0.0.1, no console error."""
    cadre = pick_user(users, "cadre")
    head = pick_user(users, "unit_head")
    member = next(u for u in users if u["unit_id"] == head["unit_id"] and u["cadre_id"] != head["cadre_id"])
    values = {"today": today.isoformat(), "week": review_week.isoformat(), "member": member["cadre_id"]}
    for person, screens in ((cadre, CADRE_SCREENS), (head, REVIEWER_SCREENS)):
        page = open_page(viewport)
        sign_in(page, person["cadre_id"])
        for screen in screens:
            page.goto(f"/app{screen.format(**values)}")
            expect(page.locator(SCREEN_READY)).to_be_visible(timeout=UI_TIMEOUT_MS)
            page.wait_for_load_state("networkidle")
            screen_ok(page)
