"""Past days in a real browser, on a phone and on a desk's monitor: an owed day written late is
marked 补记; a day past its last day for an entry is locked, in the app and at the server.

"Today" is the runtime's (``runtime_today``), never the host's. Shared steps and the API used for
set-up and checks: tests/e2e/app_flows/support.py.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from infra.browser import Viewport, sign_in
from tests.e2e.app_flows.support import (
    REVISION_ROW,
    SAVE,
    UI_TIMEOUT_MS,
    Api,
    Cadres,
    OpenPage,
    api_as,
    open_calendar_at,
    put_entries,
    screen_ok,
    wait_editor,
    write_item,
)
from tests.e2e.conftest import Runtime

pytestmark = pytest.mark.e2e


# --- a late entry and a locked day ----------------------------------------------------------------


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
