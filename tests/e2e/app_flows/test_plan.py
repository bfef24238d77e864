"""月度计划 in a real browser, on a phone and on a desk's monitor: a cadre writes next month's plan
and revises it with a reason, the items keeping their ids.

"Today" is the runtime's, never the host's. Shared steps and the API: tests/e2e/app_flows/support.py.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from infra.browser import Viewport, sign_in
from tests.e2e.app_flows.support import REVISION_ROW, UI_TIMEOUT_MS, Cadres, OpenPage, api_as, screen_ok
from tests.e2e.conftest import Runtime

pytestmark = pytest.mark.e2e


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
