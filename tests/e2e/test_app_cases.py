"""待办案件 in a real browser: a unit head finds a reminder-talk case in their 待办, reads its dossier,
records the talk (a stored script shows as text) and closes the case with a reason; another escalates
one to accountability after confirming; both screens pass ``check_screen`` on a phone and a desk.

Cases come to be the way the system makes them: the nightly missing-entry check, run for the working
days the demo's three weeks of logs cover (idempotent: a day already checked adds nothing), opens a
reminder-talk case for each cadre with three misses in ten working days, held by their unit head.
The clock is never moved. Each flow takes the first case still open when it starts, so the flows hold
in any order and never act on a case another one acted on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from infra.browser import DESKTOP, PHONE, Viewport, open_from_menu, sign_in
from tests.e2e.browser import check_screen
from tests.e2e.conftest import OpenPage, Runtime, runtime_today, token_for

pytestmark = pytest.mark.e2e

SCRIPT_TEXT = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
UI_TIMEOUT_MS = 20_000
DEMO_DAYS = 21  # the runtime's --demo-weeks 3


@dataclass
class Held:
    """A case and the plain unit head who holds it."""

    head: dict[str, Any]
    case: dict[str, Any]


def headers(runtime: Runtime, cadre_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(runtime, cadre_id)}"}


def working_days(runtime: Runtime, cadre_id: str, first: date, last: date) -> list[date]:
    """The working days from ``first`` to ``last`` as the system's calendar has them."""
    days: list[date] = []
    month = first.replace(day=1)
    while month <= last:
        resp = requests.get(
            f"{runtime.url}/me/calendar",
            params={"month": month.strftime("%Y-%m")},
            headers=headers(runtime, cadre_id),
            timeout=30,
        )
        assert resp.status_code == 200, resp.text
        days += [
            date.fromisoformat(d["date"])
            for d in resp.json()["days"]
            if d["working"] and str(first) <= d["date"] <= str(last)
        ]
        month = (month + timedelta(days=32)).replace(day=1)
    return days


def plain_heads(users: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [u for u in users if set(u["roles"]) == {"cadre", "unit_head"}]


@pytest.fixture(scope="module")
def nightly_checks_done(runtime: Runtime, users: list[dict[str, Any]]) -> date:
    """The nightly check run, oldest first, for every working day of the demo's history (as the
    scheduler would have run it each night); returns today."""
    today = runtime_today(runtime)
    for day in working_days(
        runtime, plain_heads(users)[0]["cadre_id"], today - timedelta(DEMO_DAYS), today - timedelta(1)
    ):
        run = requests.post(
            f"{runtime.url}/_local/run/missing-entry-check", json={"date": day.isoformat()}, timeout=180
        )
        assert run.status_code == 200, run.text
    return today


def held_cases(runtime: Runtime, users: list[dict[str, Any]], state: str | None = None) -> list[Held]:
    """Every reminder-talk case a plain unit head holds (in that state), ordered by case id."""
    found = []
    for head in plain_heads(users):
        params = {"role": "unit_head", **({"state": state} if state else {})}
        resp = requests.get(
            f"{runtime.url}/cases", params=params, headers=headers(runtime, head["cadre_id"]), timeout=30
        )
        assert resp.status_code == 200, resp.text
        found += [Held(head, c) for c in resp.json()["cases"] if c["kind"] == "reminder_talk"]
    return sorted(found, key=lambda h: h.case["case_id"])


def first_open(runtime: Runtime, users: list[dict[str, Any]]) -> Held:
    held = held_cases(runtime, users, "open")
    assert held, (
        "no unit head holds an open reminder-talk case: the nightly checks of the demo's weeks opened "
        "none (or every one was acted on already)"
    )
    return held[0]


def case_now(runtime: Runtime, held: Held) -> dict[str, Any]:
    resp = requests.get(
        f"{runtime.url}/cases/{held.case['case_id']}",
        headers=headers(runtime, held.head["cadre_id"]),
        timeout=30,
    )
    assert resp.status_code == 200, resp.text
    found: dict[str, Any] = resp.json()
    return found


def row_of(page: Any, case_id: str) -> Any:
    return page.locator(f'[data-test="case-row"][data-case="{case_id}"]')


def open_case_from_todo(page: Any, case_id: str) -> None:
    open_from_menu(page, "待办")
    page.wait_for_url(re.compile(r"/app/todo"), timeout=UI_TIMEOUT_MS)
    row = row_of(page, case_id)
    expect(row).to_be_visible(timeout=UI_TIMEOUT_MS)
    check_screen(page)
    row.click()
    page.wait_for_url(re.compile(rf"/app/case/{re.escape(case_id)}$"), timeout=UI_TIMEOUT_MS)
    expect(page.locator('[data-test="case-summary"]')).to_be_visible(timeout=UI_TIMEOUT_MS)


def confirm_dialog(page: Any, button: str) -> None:
    dialog = page.locator(".van-dialog")
    expect(dialog).to_be_visible(timeout=UI_TIMEOUT_MS)
    dialog.get_by_role("button", name=button).click()


# --- the flows -------------------------------------------------------------------------------------


def _find_the_case_in_todo(page: Any, held: Held, today: date) -> Any:
    """The case in the head's 待办, with the cadre by name, its state and its deadline in words."""
    open_from_menu(page, "待办")
    row = row_of(page, held.case["case_id"])
    expect(row).to_be_visible(timeout=UI_TIMEOUT_MS)
    expect(row).to_contain_text(held.case["cadre_name"])
    expect(row.locator('[data-test="case-state"]')).to_have_text("待办理")
    overdue = held.case["due"] is not None and held.case["due"] < today.isoformat()
    expect(row.locator('[data-test="case-overdue"]')).to_have_count(1 if overdue else 0)
    if overdue:
        expect(row.locator('[data-test="case-overdue"]')).to_contain_text("已逾期")
    return row


def _open_the_dossier(page: Any, row: Any, held: Held) -> None:
    """The dossier shows each missed day in words, with the actions beside it."""
    row.click()
    page.wait_for_url(re.compile(rf"/app/case/{re.escape(held.case['case_id'])}$"), timeout=UI_TIMEOUT_MS)
    evidence = page.locator('[data-test="evidence-row"]')
    expect(evidence).to_have_count(len(held.case["evidence"]), timeout=UI_TIMEOUT_MS)
    expect(evidence.first).to_contain_text("未按时填写")
    expect(evidence.first).to_contain_text("星期")
    check_screen(page)


def _record_the_talk(page: Any, today: date, said: str) -> None:
    """The talk is recorded; the case is 已谈话 and the talk is in its history as text, nothing ran."""
    expect(page.locator('[data-test="talk-date"]')).to_have_value(today.isoformat())
    page.fill('[data-test="talk-said"]', said)
    page.fill('[data-test="talk-response"]', "接受批评，今后按时填写")
    page.click('[data-test="talk-save"]')
    expect(page.locator('[data-test="case-summary"] [data-test="case-state"]')).to_have_text(
        "已谈话", timeout=UI_TIMEOUT_MS
    )
    expect(page.locator('[data-test="talk-form"]')).to_have_count(0)
    talk = page.locator('[data-test="history-row"]').filter(has_text="记录提醒谈话")
    expect(talk).to_contain_text(SCRIPT_TEXT)
    assert page.evaluate("window.__pwned") is None
    assert page.locator('main img[src="x"]').count() == 0


def _close_with_a_reason(page: Any) -> None:
    """Closed after confirming: 已办结, nothing more offered, the reason last in the history."""
    page.fill('[data-test="close-reason"]', "已进行提醒谈话，本人已补填并表示整改")
    page.click('[data-test="close"]')
    confirm_dialog(page, "确认办结")
    expect(page.locator('[data-test="case-summary"] [data-test="case-state"]')).to_have_text(
        "已办结", timeout=UI_TIMEOUT_MS
    )
    expect(page.locator('[data-test="no-actions"]')).to_be_visible()
    expect(page.locator('[data-test="history-note"]').last).to_have_text(
        "已进行提醒谈话，本人已补填并表示整改"
    )
    check_screen(page)


def _see_it_under_closed(page: Any, case_id: str) -> None:
    """待办's 已办结 filter lists it, and nothing still 待办理."""
    open_from_menu(page, "待办")
    page.click('[data-test="filter-closed"]')
    expect(row_of(page, case_id).locator('[data-test="case-state"]')).to_have_text(
        "已办结", timeout=UI_TIMEOUT_MS
    )
    expect(
        page.locator('[data-test="case-row"] [data-test="case-state"]').filter(has_text="待办理")
    ).to_have_count(0)


def test_a_unit_head_records_the_talk_and_closes_the_case(
    runtime: Runtime, users: list[dict[str, Any]], nightly_checks_done: date, open_page: OpenPage
) -> None:
    today = nightly_checks_done
    held = first_open(runtime, users)
    page = open_page(PHONE)
    sign_in(page, held.head["cadre_id"])

    # Given the case in the head's 待办, with the cadre by name, its state and its deadline in words
    row = _find_the_case_in_todo(page, held, today)

    # When they open it, the dossier shows each missed day in words, with the actions beside it
    _open_the_dossier(page, row, held)

    # And record the talk, what was said holding a script
    # Then the case is 已谈话, the talk is in its history as text, and nothing ran
    said = f"{SCRIPT_TEXT}\n要求每天下班前如实填写工作日志"
    _record_the_talk(page, today, said)

    # When they close it with a reason, after confirming
    # Then it is 已办结, nothing more is offered, and the server holds the talk and the closure
    _close_with_a_reason(page)
    stored = case_now(runtime, held)
    assert stored["state"] == "closed" and stored["actions"] == []
    assert [e["action"] for e in stored["history"]] == ["opened", "talk_recorded", "closed"]
    assert stored["history"][1]["details"] == {
        "talk_date": today.isoformat(),
        "said": said,
        "response": "接受批评，今后按时填写",
    }
    assert stored["history"][1]["by"] == held.head["cadre_id"]

    # And 待办's 已办结 filter lists it
    _see_it_under_closed(page, held.case["case_id"])


def test_a_unit_head_escalates_a_case_to_accountability_after_confirming(
    runtime: Runtime, users: list[dict[str, Any]], nightly_checks_done: date, open_page: OpenPage
) -> None:
    held = first_open(runtime, users)
    case_id = held.case["case_id"]
    page = open_page(DESKTOP)
    sign_in(page, held.head["cadre_id"])
    open_case_from_todo(page, case_id)

    # Given a reason, when they ask to escalate and cancel, nothing happens
    page.fill('[data-test="escalate-reason"]', "多次未按时填写，经提醒仍未改正")
    page.click('[data-test="escalate"]')
    confirm_dialog(page, "取消")
    expect(page.locator(".van-dialog")).to_be_hidden(timeout=UI_TIMEOUT_MS)
    assert case_now(runtime, held)["state"] == "open"

    # When they confirm (the dialog says what it does), then the case is 已升级
    page.click('[data-test="escalate"]')
    expect(page.locator(".van-dialog")).to_contain_text("问责案件")
    confirm_dialog(page, "确认升级")
    expect(page.locator('[data-test="case-summary"] [data-test="case-state"]')).to_have_text(
        "已升级", timeout=UI_TIMEOUT_MS
    )
    expect(page.locator('[data-test="escalate-form"]')).to_have_count(0)
    check_screen(page)

    # And an accountability case about the same cadre is with the inspectors, citing the talk case
    stored = case_now(runtime, held)
    assert (
        stored["state"] == "escalated" and stored["history"][-1]["note"] == "多次未按时填写，经提醒仍未改正"
    )
    inspector = next(u for u in users if "discipline_inspector" in u["roles"])
    listed = requests.get(
        f"{runtime.url}/cases",
        params={"role": "discipline_inspector"},
        headers=headers(runtime, inspector["cadre_id"]),
        timeout=30,
    ).json()["cases"]
    opened = [c for c in listed if f"CASE#{case_id}" in c["evidence"]]
    assert len(opened) == 1 and opened[0]["cadre_id"] == held.case["cadre_id"]
    assert opened[0]["kind"] == "accountability" and opened[0]["actions"] == ["closure"]


def test_the_case_screens_pass_the_checks(
    runtime: Runtime,
    users: list[dict[str, Any]],
    nightly_checks_done: date,
    open_page: OpenPage,
    viewport: Viewport,
) -> None:
    held = held_cases(runtime, users)
    assert held, "no unit head holds a reminder-talk case"
    first = held[0]
    page = open_page(viewport)
    sign_in(page, first.head["cadre_id"])
    open_case_from_todo(page, first.case["case_id"])
    expect(page.locator('[data-test="history-row"]').first).to_contain_text("立案")
    check_screen(page)
