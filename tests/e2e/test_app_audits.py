"""抽查 in a real browser, on a phone (360×740) and a desk's monitor (1280×800): an inspector finds
their round and sampled cadre, reads each sampled day beside the month's plan, records a finding
(造假 asks for confirmation first; a note holding a script shows as text), and a cadre not in their
sample is refused in words; the Org Dept reads a round's facts, public files, verify command and
whole sample, and draws a spot-check.

The shared runtime's demo history (3 weeks) draws no round, so this module draws one spot-check
through the API as an Org Dept officer no other test uses (the per-day cap is per requester); if
the cap was already reached it uses a spot-check drawn earlier. Findings go to days still pending
for an inspector, so the tests hold in any order and on both screen sizes in one session.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from infra.browser import PHONE, SCREEN_READY, Viewport, sign_in
from tests.e2e.browser import check_screen, recorder_of, settle
from tests.e2e.conftest import OpenPage, Runtime, token_for

pytestmark = pytest.mark.e2e

SCRIPT_TEXT = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
UI_TIMEOUT_MS = 30_000
DRAW_TIMEOUT_MS = 120_000  # a draw reads every day of the quarter so far
NOT_ASSIGNED = "这名干部不在您的抽查任务中"  # worklog.access TEXT["not_assigned"]
SPOT_LIMIT = "达到每日上限"  # the 429 spot_check_limit message


def headers(runtime: Runtime, cadre_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(runtime, cadre_id)}"}


def org_officers(users: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The Org Dept's officers with nothing but that role; tests elsewhere take the first ones."""
    found = [u for u in users if set(u["roles"]) == {"cadre", "org_inspector"}]
    assert len(found) >= 3, "the demo Org Dept needs three plain officers"
    return found


@dataclass
class Spot:
    round_id: str
    drawer: str  # the Org Dept officer who drew it (and reads its sample)


@pytest.fixture(scope="module")
def spot(runtime: Runtime, users: list[dict[str, Any]]) -> Spot:
    """A drawn spot-check with sampled days: drawn now by the second-to-last plain Org Dept officer,
    or, when that officer reached today's cap already, the newest spot-check with a sample."""
    drawer = org_officers(users)[-2]["cadre_id"]
    auth = headers(runtime, drawer)
    body = {"size": 12, "reason": "浏览器测试：专项抽查核查流程"}
    drawn = requests.post(f"{runtime.url}/audits", json=body, headers=auth, timeout=300)
    if drawn.status_code == 201:
        return Spot(drawn.json()["round_id"], drawer)
    assert drawn.status_code == 429 and drawn.json()["code"] == "spot_check_limit", drawn.text
    rounds = requests.get(f"{runtime.url}/audits", headers=auth, timeout=30).json()["rounds"]
    for r in rounds:
        if r["kind"] == "spot" and r["state"] == "drawn" and r["sampled"]:
            return Spot(r["round_id"], drawer)
    pytest.fail("the spot-check cap was reached and no drawn spot-check is there to use")


def sample_of(runtime: Runtime, s: Spot) -> dict[str, Any]:
    resp = requests.get(
        f"{runtime.url}/audits/{s.round_id}/sample", headers=headers(runtime, s.drawer), timeout=30
    )
    assert resp.status_code == 200, resp.text
    found: dict[str, Any] = resp.json()
    return found


@dataclass
class Work:
    inspector: str
    cadre: dict[str, Any]
    days: list[str]  # two days still pending for the inspector


def pending_work(sample: dict[str, Any]) -> Work:
    """An inspector with two sampled days of one cadre still to judge."""
    for cadre in sample["cadres"]:
        for inspector in cadre["inspectors"]:
            pending = [k["day"] for k in inspector["checks"] if k["result"] == "pending"]
            if len(pending) >= 2:
                return Work(inspector["inspector_id"], cadre, pending[:2])
    pytest.fail("no inspector has two sampled days left to judge in the round")


def screen_ok(page: Any, *, refused: bool = False) -> None:
    """check_screen; on a page the API refused on purpose (403, 429), the browser's own console line
    for that status is the one line let pass (the app shows the server's words instead)."""
    settle(page)
    if refused:
        recorder = recorder_of(page)
        recorder.console_errors[:] = [
            line for line in recorder.console_errors if not re.search(r"status of (403|429)", line)
        ]
    check_screen(page)


def sign_in_at(page: Any, cadre_id: str, path: str) -> None:
    """Open ``path`` signed out (the app sends the person to its sign-in page), then sign in: the app
    comes back to ``path``."""
    page.goto(path)
    page.wait_for_url(re.compile(r"/app/signin\?"), timeout=UI_TIMEOUT_MS)
    sign_in(page, cadre_id, lands=path)


def assert_inert(page: Any) -> None:
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    assert (
        page.evaluate("() => [...document.images].filter((i) => i.getAttribute('src') === 'x').length") == 0
    )


# --- an inspector ---------------------------------------------------------------------------------


def _store_a_finding_with_a_script(
    runtime: Runtime, spot: Spot, cadre_id: str, day: str, inspector: str
) -> None:
    stored = requests.put(
        f"{runtime.url}/audits/{spot.round_id}/findings/{cadre_id}/{day}",
        json={"result": "verified", "note": SCRIPT_TEXT, "evidence_ref": "E2E-1"},
        headers=headers(runtime, inspector),
        timeout=30,
    )
    assert stored.status_code == 201, stored.text


def _open_the_sampled_cadre(page: Any, spot: Spot, work: Work) -> None:
    """抽查 → the inspector's round (with the verify command) → the sampled cadre."""
    cadre_id = work.cadre["cadre_id"]
    sign_in_at(page, work.inspector, "/app/inspect")
    mine = page.locator(f'[data-test="my-round-{spot.round_id}"]')
    expect(mine).to_be_visible(timeout=UI_TIMEOUT_MS)
    expect(mine).to_contain_text("待核查")
    screen_ok(page)
    mine.click()
    page.wait_for_url(re.compile(rf"/app/inspect/{re.escape(spot.round_id)}$"))
    row = page.locator(f'[data-test="my-cadre-{cadre_id}"]')
    expect(row).to_contain_text(work.cadre["name"], timeout=UI_TIMEOUT_MS)
    expect(page.locator('[data-test="verify-command"]')).to_contain_text(f"verify-audit {spot.round_id}")
    screen_ok(page)
    row.click()
    page.wait_for_url(re.compile(rf"/app/inspect/{re.escape(spot.round_id)}/{cadre_id}$"))


def _assert_each_day_beside_its_plan(page: Any, viewport: Viewport, work: Work, judged: str) -> None:
    """Each sampled day stands beside its month's plan: below it on a phone, side by side on a desk."""
    day = page.locator(f'[data-test="sampled-day-{judged}"]')
    expect(day).to_be_visible(timeout=UI_TIMEOUT_MS)
    expect(page.locator('[data-test^="sampled-day-"]')).to_have_count(len(work.cadre["days"]))
    entry_box = day.locator(f'[data-test="review-day-{judged}"]').bounding_box()
    plan_box = day.locator(f'[data-test="plan-{judged}"]').bounding_box()
    assert entry_box and plan_box
    if viewport is PHONE:
        assert plan_box["y"] >= entry_box["y"] + entry_box["height"] - 1
    else:
        assert plan_box["x"] >= entry_box["x"] + entry_box["width"] - 1
        assert abs(plan_box["y"] - entry_box["y"]) < 2


def _choose_falsified_and_step_back(page: Any, judged: str) -> None:
    """Saving 造假 asks first (it opens an accountability case); the inspector steps back."""
    page.click(f'[data-test="finding-falsified-{judged}"]')
    page.fill(f'[data-test="finding-note-{judged}"]', "核对当日会议纪要，日志所记会议未召开。")
    page.click(f'[data-test="finding-save-{judged}"]')
    dialog = page.locator(".van-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("问责")
    screen_ok(page)
    dialog.get_by_role("button", name="再想想").click()
    expect(dialog).to_be_hidden()


def _record_a_discrepancy(page: Any, judged: str, note: str) -> None:
    """不符, with a note and an evidence reference: saved, then shown in place of the form."""
    page.click(f'[data-test="finding-discrepancy-{judged}"]')
    page.fill(f'[data-test="finding-note-{judged}"]', note)
    page.fill(f'[data-test="finding-evidence-{judged}"] input', "JW-E2E-001")
    with page.expect_response(lambda r: r.request.method == "PUT" and "/findings/" in r.url) as answer:
        page.click(f'[data-test="finding-save-{judged}"]')
    assert answer.value.status == 201, answer.value.text()
    result = page.locator(f'[data-test="finding-result-{judged}"]')
    expect(result).to_contain_text("不符")
    expect(page.locator(f'[data-test="finding-note-text-{judged}"]')).to_have_text(note)
    expect(result).to_contain_text("JW-E2E-001")
    screen_ok(page)


def _stored_finding(runtime: Runtime, spot: Spot, work: Work, day: str) -> dict[str, Any]:
    auth = headers(runtime, work.inspector)
    mine_now = requests.get(f"{runtime.url}/me/audits", headers=auth, timeout=30).json()["assignments"]
    cadre_id = work.cadre["cadre_id"]
    found = next(a for a in mine_now if a["round_id"] == spot.round_id and a["cadre_id"] == cadre_id)
    recorded: dict[str, Any] = next(f for f in found["findings"] if f["day"] == day)
    return recorded


def _open_a_cadre_not_drawn_for_them(
    page: Any, runtime: Runtime, spot: Spot, users: list[dict[str, Any]]
) -> None:
    sampled = {c["cadre_id"] for c in sample_of(runtime, spot)["cadres"]}
    outsider = next(
        u for u in users if u["roles"] == ["cadre"] and u["cadre_id"] not in sampled and u["unit_id"] != "jw"
    )
    page.goto(f"/app/inspect/{spot.round_id}/{outsider['cadre_id']}")


def test_an_inspector_records_a_finding_beside_the_plan_and_is_refused_a_cadre_not_in_their_sample(
    open_page: OpenPage, viewport: Viewport, runtime: Runtime, users: list[dict[str, Any]], spot: Spot
) -> None:
    work = pending_work(sample_of(runtime, spot))
    scripted, judged = work.days
    # Given a finding recorded earlier whose note holds a script
    _store_a_finding_with_a_script(runtime, spot, work.cadre["cadre_id"], scripted, work.inspector)

    # When the inspector opens 抽查, their round, then the sampled cadre
    page = open_page(viewport)
    _open_the_sampled_cadre(page, spot, work)

    # Then each sampled day stands beside its month's plan (side by side on a desk)
    _assert_each_day_beside_its_plan(page, viewport, work, judged)
    # And the stored script is shown as text, and nothing ran
    expect(page.locator(f'[data-test="finding-note-text-{scripted}"]')).to_have_text(SCRIPT_TEXT)
    assert_inert(page)
    screen_ok(page)

    # When they choose 造假, saving asks first (it opens an accountability case); they step back
    _choose_falsified_and_step_back(page, judged)

    # And record 不符 with a note of two lines and an evidence reference instead
    note = "核对当日会议纪要：\n日志所记参会人数与纪要不一致。"
    _record_a_discrepancy(page, judged, note)

    # Then the recorded finding is shown in place of the form, and stored as typed
    recorded = _stored_finding(runtime, spot, work, judged)
    assert (recorded["result"], recorded["note"], recorded["evidence_ref"]) == (
        "discrepancy",
        note,
        "JW-E2E-001",
    )
    assert recorded["case_id"] is None

    # When they open, by its address, a cadre the draw did not give them
    _open_a_cadre_not_drawn_for_them(page, runtime, spot, users)
    # Then the server's refusal is said in words, and nothing of the log is shown
    expect(page.locator(".error-box")).to_contain_text(NOT_ASSIGNED, timeout=UI_TIMEOUT_MS)
    expect(page.locator('[data-test^="sampled-day-"]')).to_have_count(0)
    expect(page.locator(SCREEN_READY)).to_be_visible()
    screen_ok(page, refused=True)


# --- the Org Dept ---------------------------------------------------------------------------------


def _assert_the_rounds_facts(page: Any, runtime: Runtime, spot: Spot, sample: dict[str, Any]) -> None:
    """Its facts, public files and the verify command."""
    facts = page.locator('[data-test="round-facts"]')
    expect(facts).to_contain_text("专项抽查", timeout=UI_TIMEOUT_MS)
    expect(page.locator('[data-test="seed-hash"]')).to_have_text(sample["round"]["seed_hash"])
    expect(page.locator('[data-test="seed"]')).to_have_text(sample["round"]["seed"])
    for name in ("commitment", "snapshot", "sample", "reveal"):
        link = page.locator(f'[data-test="ledger-{name}"]')
        expect(link).to_have_attribute("href", f"/site/audits/{spot.round_id}/{name}.json")
    expect(page.locator('[data-test="verify-command"]')).to_have_text(
        f"python -m worklog.cli verify-audit {spot.round_id} --url {runtime.url}/site/"
    )


def _assert_the_whole_sample(page: Any, sample: dict[str, Any]) -> None:
    """Every cadre with unit, days, inspectors and how far the findings are."""
    rows = page.locator('[data-test^="sample-row-"]')
    expect(rows).to_have_count(len(sample["cadres"]))
    first = sample["cadres"][0]
    row = page.locator(f'[data-test="sample-row-{first["cadre_id"]}"]')
    expect(row).to_contain_text(first["name"])
    expect(row).to_contain_text(first["unit_name"])
    for inspector in first["inspectors"]:
        expect(row).to_contain_text(inspector["name"])
    progress = page.locator('[data-test="sample-progress"]')
    expect(progress).to_contain_text(f"{sample['progress']['checks']} 篇次")


def _draw_a_spot_check(other: Any) -> None:
    """Confirmed first, then shown — or refused by the day's cap, in the server's words."""
    expect(other.locator('[data-test="spot-draw"]')).to_be_visible(timeout=UI_TIMEOUT_MS)
    other.fill('[data-test="spot-size"] input', "3")
    other.fill('[data-test="spot-reason"]', "针对近期群众反映，对部分干部日志开展专项抽查")
    screen_ok(other)
    other.click('[data-test="spot-draw"]')
    dialog = other.locator(".van-dialog")
    expect(dialog).to_contain_text("3 名干部")
    with other.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/audits"), timeout=DRAW_TIMEOUT_MS
    ) as answer:
        dialog.get_by_role("button", name="确定抽取").click()
    if answer.value.status == 201:
        round_id = answer.value.json()["round_id"]
        other.wait_for_url(re.compile(rf"/app/inspect/{re.escape(round_id)}$"), timeout=UI_TIMEOUT_MS)
        expect(other.locator('[data-test="round-state"]')).to_contain_text("已抽取", timeout=UI_TIMEOUT_MS)
        expect(other.locator('[data-test^="sample-row-"]')).to_have_count(answer.value.json()["sampled"])
        screen_ok(other)
    else:
        # The cap of the day (another run drew for this officer already): the server's words.
        assert answer.value.status == 429, answer.value.text()
        expect(other.locator('[data-test="draw-error"]')).to_contain_text(SPOT_LIMIT)
        screen_ok(other, refused=True)


def test_the_org_dept_reads_a_rounds_whole_sample_and_draws_a_spot_check(
    open_page: OpenPage, viewport: Viewport, runtime: Runtime, users: list[dict[str, Any]], spot: Spot
) -> None:
    officer = spot.drawer
    sample = sample_of(runtime, spot)

    # When the Org Dept opens the round
    page = open_page(viewport)
    sign_in_at(page, officer, f"/app/inspect/{spot.round_id}")

    # Then its facts, public files and the verify command are there
    _assert_the_rounds_facts(page, runtime, spot, sample)
    # And the whole sample: every cadre with unit, days, inspectors and how far the findings are
    _assert_the_whole_sample(page, sample)
    screen_ok(page)

    # When they go to 抽查, the round is listed with its kind and state
    page.goto("/app/inspect")
    listed = page.locator(f'[data-test="round-row-{spot.round_id}"]')
    expect(listed).to_contain_text("已抽取", timeout=UI_TIMEOUT_MS)
    screen_ok(page)

    # And another officer draws a spot-check: confirmed first, then shown, or refused by the cap
    drawer = org_officers(users)[-1]["cadre_id"]
    other = open_page(viewport)
    sign_in_at(other, drawer, "/app/inspect")
    _draw_a_spot_check(other)
