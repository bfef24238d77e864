"""`make run`'s own path: `python -m infra.local` with the full demo. It answers at once with the
roster in, serves the API while the months of history load in the background, refuses to run the
scheduled functions by hand meanwhile, and ends with a public site whose unit pages chart the
closed months; and every demo role finds its work in the app. The times are printed (the budgets —
healthy within 30 s, the site within three minutes — are measured and reported, not asserted: CI
machines differ)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from infra.browser import DESKTOP, SCREEN_READY, TODAY_READY, new_context, pick_user, sign_in
from tests.e2e.browser import check_screen, forget, record, settle
from tests.e2e.conftest import Runtime, start_runtime, stop_runtime, token_for

pytestmark = pytest.mark.e2e
LOAD_TIMEOUT_S = 900  # generous for a loaded CI machine


@dataclass
class Started:
    runtime: Runtime
    healthy_after: float
    seen_while_loading: dict[str, Any]
    demo_ready_after: float
    site_ready_after: float


def wait_for(check: Any, timeout: float, what: str, runtime: Runtime) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if runtime.process.poll() is not None:
            pytest.fail(f"the runtime exited while {what}:\n{runtime.output()[-5000:]}")
        if check():
            return
        time.sleep(1)
    pytest.fail(f"not {what} within {timeout} s:\n{runtime.output()[-5000:]}")


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Started]:
    began = time.monotonic()
    rt = start_runtime(tmp_path_factory.mktemp("full-demo"))  # no flags: what `make run` starts
    healthy_after = time.monotonic() - began
    try:
        seen: dict[str, Any] = {"health": requests.get(f"{rt.url}/_local/health", timeout=30).json()}
        headers = {"Authorization": f"Bearer {token_for(rt, 'c0010')}"}
        seen["me"] = requests.get(f"{rt.url}/me", headers=headers, timeout=30).status_code
        seen["run"] = requests.post(f"{rt.url}/_local/run/missing-entry-check", json={}, timeout=30)

        def demo_ready() -> bool:
            return requests.get(f"{rt.url}/_local/health", timeout=30).json().get("demo") == "ready"

        def site_ready() -> bool:
            return requests.get(f"{rt.url}/_local/site", timeout=30).json() == {"site": "ready"}

        wait_for(demo_ready, LOAD_TIMEOUT_S, "demo ready", rt)
        demo_ready_after = time.monotonic() - began
        wait_for(site_ready, LOAD_TIMEOUT_S, "site ready", rt)
        site_ready_after = time.monotonic() - began
        print(
            f"\nfull demo: healthy after {healthy_after:.1f} s, history loaded after "
            f"{demo_ready_after:.1f} s, site ready after {site_ready_after:.1f} s"
        )
        yield Started(rt, healthy_after, seen, demo_ready_after, site_ready_after)
    finally:
        stop_runtime(rt)


def test_the_api_serves_while_the_history_loads_and_the_schedules_wait(started: Started) -> None:
    assert started.seen_while_loading["health"] == {"status": "ok", "demo": "loading"}
    assert started.seen_while_loading["me"] == 200
    run = started.seen_while_loading["run"]
    assert run.status_code == 503 and run.json()["code"] == "demo_loading"


def test_unit_pages_chart_the_closed_months(started: Started) -> None:
    rt = started.runtime
    units = {u["unit_id"] for u in requests.get(f"{rt.url}/_local/users", timeout=30).json()}

    for unit in sorted(units)[:5]:
        page = requests.get(f"{rt.url}/site/units/{unit}/", timeout=30)
        assert page.status_code == 200
        assert "暂无数据" not in page.text
        assert page.text.count("<rect") >= 6  # three closed months at least, a bar and its track each


def test_the_history_shows_cases_and_an_audited_quarter(started: Started, record_property: Any) -> None:
    rt = started.runtime
    users = requests.get(f"{rt.url}/_local/users", timeout=30).json()
    inspector = next(u for u in users if "discipline_inspector" in u["roles"])
    headers = {"Authorization": f"Bearer {token_for(rt, inspector['cadre_id'])}"}

    cases = requests.get(f"{rt.url}/cases", headers=headers, timeout=60).json()["cases"]
    rounds = requests.get(f"{rt.url}/audits", headers=headers, timeout=60).json()["rounds"]

    assert any(c["kind"] == "accountability" for c in cases)
    assert any(r["kind"] == "quarterly" and r["state"] == "drawn" for r in rounds)
    for name in ("healthy_after", "demo_ready_after", "site_ready_after"):
        record_property(name, round(getattr(started, name), 1))


# Each demo role's duties in the app on `make run`'s district, at a desk (the oversight side is
# desk-first): the screens it opens, and on each, what shows that its work is there. (role, path, a
# selector that must show; None: the screen's heading is enough)
DUTIES: list[tuple[str, str, str | None]] = [
    ("cadre", "/today", TODAY_READY),
    ("cadre", "/calendar", None),
    ("cadre", "/export", '[data-test="export-mine"]'),
    ("unit_head", "/review", '[data-test="queue-counts"]'),
    ("unit_head", "/todo", '[data-test="case-row"]'),
    ("unit_head", "/overview", '[data-test="figures-table"]'),
    ("district_leader", "/overview", '[data-test="figures-table"]'),
    ("discipline_inspector", "/todo", '[data-test="case-row"]'),
    ("discipline_inspector", "/inspect", '[data-test^="round-row-"]'),
    ("org_inspector", "/inspect", '[data-test^="round-row-"]'),
    ("org_inspector", "/vetting", '[data-test="notice-counts"]'),
    ("org_inspector", "/grading?unit={unit}", '[data-test^="cadre-"]'),
    ("hr_evaluator", "/grading?unit={unit}", '[data-test^="cadre-"]'),
    ("admin", "/roster", '[data-test="unit-row"]'),
    ("admin", "/roster/{unit}", '[data-test="member-row"]'),
    ("admin", "/holidays", '[data-test="year-source"]'),
]


def holder_of_cases(rt: Runtime, users: list[dict[str, Any]]) -> dict[str, Any]:
    """A plain unit head who holds a case (the history opened them where members fell behind)."""
    for head in (u for u in users if set(u["roles"]) == {"cadre", "unit_head"}):
        headers = {"Authorization": f"Bearer {token_for(rt, head['cadre_id'])}"}
        held = requests.get(f"{rt.url}/cases", params={"role": "unit_head"}, headers=headers, timeout=60)
        if held.json()["cases"]:
            return head
    pytest.fail("no unit head of the demo holds a case")


def test_every_demo_role_finds_its_work_in_the_app(started: Started, browser: Any) -> None:
    rt = started.runtime
    users = requests.get(f"{rt.url}/_local/users", timeout=30).json()
    for role in dict.fromkeys(role for role, _, _ in DUTIES):
        person = holder_of_cases(rt, users) if role == "unit_head" else pick_user(users, role)
        context = new_context(browser, rt.url, DESKTOP)
        record(context)
        try:
            page = context.new_page()
            sign_in(page, person["cadre_id"])
            for _, path, work in (d for d in DUTIES if d[0] == role):
                page.goto("/app" + path.format(unit=person["unit_id"]))
                expect(page.locator(SCREEN_READY)).to_be_visible(timeout=30_000)
                if work:
                    expect(page.locator(work).first).to_be_visible(timeout=30_000)
                # Nothing refused on the way: no error box on the screen, no request answered 4xx/5xx.
                settle(page)
                assert not page.locator(".error-box:visible").count(), (role, path, page.inner_text("main"))
                check_screen(page)
        finally:
            forget(context)
            context.close()
