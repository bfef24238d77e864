"""任前公示 in a real browser, on a phone (360×740) and on a desk's monitor (1280×800): the Org Dept
opens a vetting notice in the app (the preview shows the end date the server computed — the fifth
working day — before it is confirmed); the notice's public page, written by the publisher on the
NoticeOpened event, takes a feedback post through its own HTML form; the Org Dept reads it in the
app — a stored script shown as text, never run — answers it, and revises the answer.

The public page is reached through the app's own link to it (a new tab of the same browser): the
shared runtime runs with ``--no-publish``, which skips only the start-up build of the site, while
the publisher still runs on every NoticeOpened event, as on AWS. So the page appears shortly after
the notice is confirmed (the first publication of the session renders the demo district's pages
too, hence the generous wait).

Each screen size opens its notice for a candidate of its own, taken from the end of the roster's
plain cadres (the site test takes the first): a notice gives the Org Dept a read on its candidate
while it is open, so no other test's cadre is touched. "Today" is the runtime's, never the host's.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from infra.browser import DESKTOP, PHONE, Viewport, pick_user, sign_in
from tests.e2e.browser import check_screen
from tests.e2e.conftest import OpenPage, Runtime, runtime_today, token_for

pytestmark = pytest.mark.e2e

UI_TIMEOUT_MS = 20_000
PUBLISH_TIMEOUT_S = 300
SCRIPT_TEXT = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
CONTACT_TEXT = '<img src=x onerror="window.__pwned=3">'
ANSWER = "经核实，反映的情况与事实不符。"
REVISED = "经核实，反映的情况与事实不符，已向反映人说明。"
WEEKDAYS = ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"]


def long_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日 {WEEKDAYS[day.weekday()]}"


def headers(runtime: Runtime, cadre_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(runtime, cadre_id)}"}


def fifth_working_day(runtime: Runtime, cadre_id: str, start: date) -> date:
    """The fifth working day from ``start`` (itself included when it is one), as the person's own
    calendar (GET /me/calendar, the official schedule) marks the days: the app's preview must show
    the same end as the calendar says, computed by another door of the API."""
    auth = headers(runtime, cadre_id)
    working: list[date] = []
    month = start.replace(day=1)
    while len(working) < 5:
        resp = requests.get(
            f"{runtime.url}/me/calendar", params={"month": month.strftime("%Y-%m")}, headers=auth, timeout=15
        )
        assert resp.status_code == 200, resp.text
        working += [
            date.fromisoformat(d["date"])
            for d in resp.json()["days"]
            if d["working"] and d["date"] >= start.isoformat()
        ]
        month = (month + timedelta(days=32)).replace(day=1)
    return sorted(working)[4]


def wait_for_page(runtime: Runtime, path: str) -> None:
    """Until the publisher (run by the NoticeOpened event) has written the notice's page with its form."""
    deadline = time.monotonic() + PUBLISH_TIMEOUT_S
    while time.monotonic() < deadline:
        resp = requests.get(f"{runtime.url}{path}", timeout=15)
        if resp.status_code == 200 and "<form" in resp.text:
            return
        time.sleep(1)
    pytest.fail(f"{path} was not published within {PUBLISH_TIMEOUT_S} s")


def feedback_of(runtime: Runtime, cadre_id: str, notice_id: str) -> list[dict[str, Any]]:
    resp = requests.get(
        f"{runtime.url}/admin/notices/{notice_id}/feedback", headers=headers(runtime, cadre_id), timeout=15
    )
    assert resp.status_code == 200, resp.text
    found: list[dict[str, Any]] = resp.json()["feedback"]
    return found


def _preview_the_notice(page: Any, candidate: dict[str, Any], period_text: str) -> None:
    """Choose the candidate by unit and member, fill the posts, ask for a preview: it shows the period
    the server computed (the fifth working day, with weekdays)."""
    page.select_option('[data-test="notice-unit"]', candidate["unit_id"])
    member = page.locator('[data-test="notice-member"]')
    expect(member.locator(f'option[value="{candidate["cadre_id"]}"]')).to_have_count(1, timeout=UI_TIMEOUT_MS)
    member.select_option(candidate["cadre_id"])
    expect(page.locator('input[data-test="notice-candidate_id"]')).to_have_value(candidate["cadre_id"])
    page.locator('[data-test="notice-current_post"] input').fill("科员")
    page.locator('[data-test="notice-proposed_post"] input').fill("副科长")
    page.click('[data-test="preview"]')
    expect(page.locator('[data-test="preview-period"]')).to_have_text(period_text, timeout=UI_TIMEOUT_MS)
    expect(page.locator('[data-test="preview-result"]')).to_contain_text(candidate["name"])
    check_screen(page)


def _confirm_the_notice(page: Any, notice_id: str, period_text: str) -> None:
    """Confirming opens the notice; its screen shows it open, with no feedback yet."""
    page.click('[data-test="confirm"]')
    page.wait_for_url(f"**/app/vetting/{notice_id}", timeout=UI_TIMEOUT_MS)
    expect(page.locator('[data-test="notice-state"]')).to_have_text("公示中", timeout=UI_TIMEOUT_MS)
    expect(page.locator('[data-test="notice-period"]')).to_have_text(period_text)
    expect(page.locator('[data-test="feedback-counts"]')).to_contain_text("共 0 条")
    check_screen(page)


def _post_through_the_public_page(page: Any, runtime: Runtime, notice_id: str) -> None:
    """The notice's public page, once published, takes a post through its form (opened from the app's
    link, in a new tab of the same browser)."""
    link = page.locator('[data-test="public-page"]')
    expect(link).to_have_attribute("href", f"/site/notices/{notice_id}.html")
    wait_for_page(runtime, f"/site/notices/{notice_id}.html")
    with page.context.expect_page() as opened:
        link.click()
    public = opened.value
    public.wait_for_load_state()
    assert public.url == f"{runtime.url}/site/notices/{notice_id}.html"
    public.fill("textarea[name=content]", f"反映该同志的情况。\n{SCRIPT_TEXT}")
    public.fill("input[name=contact]", CONTACT_TEXT)
    with public.expect_navigation():
        public.click("form button[type=submit]")
    assert "已收到" in public.inner_text("body")
    public.close()


def _see_the_feedback_unanswered_and_inert(page: Any) -> None:
    """The post shows in the app, unanswered, the script shown as text and never run."""
    page.click('[data-test="refresh-feedback"]')
    piece = page.locator('[data-test="feedback-0"]')
    expect(piece).to_be_visible(timeout=UI_TIMEOUT_MS)
    expect(page.locator('[data-test="feedback-status-0"]')).to_have_text("未答复")
    expect(page.locator('[data-test="feedback-content-0"]')).to_have_text(
        f"反映该同志的情况。\n{SCRIPT_TEXT}"
    )
    expect(page.locator('[data-test="feedback-contact-0"]')).to_have_text(CONTACT_TEXT)
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.querySelectorAll('main script, main img[onerror]').length") == 0
    expect(page.locator('[data-test="feedback-counts"]')).to_contain_text("未答复 1 条")
    check_screen(page)


def _answer_the_feedback(page: Any) -> None:
    page.fill('textarea[data-test="answer-0"]', ANSWER)
    page.click('[data-test="save-answer-0"]')
    expect(page.locator('[data-test="feedback-status-0"]')).to_have_text("已答复", timeout=UI_TIMEOUT_MS)
    expect(page.locator('[data-test="answer-text-0"]')).to_have_text(ANSWER)


def _revise_the_answer(page: Any) -> None:
    page.click('[data-test="revise-answer-0"]')
    box = page.locator('textarea[data-test="answer-0"]')
    expect(box).to_have_value(ANSWER)
    box.fill(REVISED)
    page.click('[data-test="save-answer-0"]')
    expect(page.locator('[data-test="answer-text-0"]')).to_have_text(REVISED, timeout=UI_TIMEOUT_MS)


def _see_it_open_in_the_list(page: Any, notice_id: str) -> None:
    page.goto("/app/vetting")
    row = page.locator(f'[data-notice="{notice_id}"]')
    expect(row).to_be_visible(timeout=UI_TIMEOUT_MS)
    expect(row.locator('[data-test="notice-state"]')).to_have_text("公示中")
    check_screen(page)


def test_the_org_dept_opens_a_notice_and_answers_the_feedback_sent_through_its_public_page(
    runtime: Runtime, open_page: OpenPage, viewport: Viewport, users: list[dict[str, Any]]
) -> None:
    org = pick_user(users, "org_inspector")
    plain = [u for u in users if u["roles"] == ["cadre"] and u["cadre_id"] != org["cadre_id"]]
    candidate = plain[-5] if viewport is PHONE else plain[-6]
    assert viewport in (PHONE, DESKTOP)
    today = runtime_today(runtime)
    end = fifth_working_day(runtime, org["cadre_id"], today)
    notice_id = f"N{today:%Y%m%d}-{candidate['cadre_id']}"
    period_text = f"公示期 {long_date(today)} 至 {long_date(end)}（5个工作日）"

    # Given the Org Dept signed in on the notices screen
    page = open_page(viewport)
    sign_in(page, org["cadre_id"])
    page.goto("/app/vetting")
    expect(page.locator('[data-test="notice-counts"]')).to_be_visible(timeout=UI_TIMEOUT_MS)
    check_screen(page)

    # When they preview a notice for the candidate, the period is the server's; nothing is opened yet
    _preview_the_notice(page, candidate, period_text)
    listed = requests.get(
        f"{runtime.url}/admin/notices", headers=headers(runtime, org["cadre_id"]), timeout=15
    ).json()["notices"]
    assert notice_id not in {n["notice_id"] for n in listed}

    # When they confirm, and a post comes through the notice's public page
    _confirm_the_notice(page, notice_id, period_text)
    _post_through_the_public_page(page, runtime, notice_id)

    # Then the Org Dept sees it in the app, unanswered, the script shown as text and never run
    _see_the_feedback_unanswered_and_inert(page)

    # When they answer it, and revise the answer, the stored answer follows
    _answer_the_feedback(page)
    stored = feedback_of(runtime, org["cadre_id"], notice_id)
    assert [(f["answer"], f["answered_by"]) for f in stored] == [(ANSWER, org["cadre_id"])]
    _revise_the_answer(page)
    assert [f["answer"] for f in feedback_of(runtime, org["cadre_id"], notice_id)] == [REVISED]
    expect(page.locator('[data-test="feedback-counts"]')).to_contain_text("未答复 0 条")
    check_screen(page)

    # And the notices list shows the notice open, in words
    _see_it_open_in_the_list(page, notice_id)
