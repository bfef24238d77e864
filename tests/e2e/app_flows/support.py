"""What the app's main flows share (the modules of tests/e2e/app_flows): the API as one cadre, to
set up and to check; which plain cadres each flow writes as; and the steps that drive the screens.

The actions under test go through the pages (signing in through the real sign-in pages, typing,
tapping); the API is used only to set up what a flow needs (a month's plan, an entry holding a
script, the week's review assignment) and to check what was stored. Every screen visited passes
``check_screen`` (tests/e2e/browser.py); ``screen_ok`` says what it lets pass, and why.

Each flow writes as cadres of its own (``Cadres``), so the tests hold in any order, in any of the
modules, and on both screen sizes in one session.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import requests
from playwright.sync_api import expect

from infra.browser import PHONE, Viewport, open_from_menu
from tests.e2e.browser import check_screen, recorder_of, settle
from tests.e2e.conftest import Runtime, token_for

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


def assign_last_week(runtime: Runtime) -> date:
    """Last week assigned to its reviewers, as Monday's scheduled run does; its Monday."""
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
