"""单位概况 and 导出 in a real browser, on a phone (360×740) and a desk's monitor (1280×800).

- A unit head's overview shows their unit's closed months, in the chart and in the table, exactly as
  the API gives them, and names no cadre; the Org Dept sees every unit in roster order.
- A unit head exports their unit's month: the download is an XLSX with one row per member, day and
  item of what the members logged; each member then finds the export in 谁看过我的日志.
- A cadre exports their own month; a plain cadre asking for their unit's export is refused in words.

The API is used to know what the screens must show (each cadre's own entries, read with their own
token, which records nothing). The flows only read: an export adds read records, which is its point;
they use the first plain unit head's unit, which the other flows' cadres (picked from the end of the
roster) do not come from. Every screen visited passes ``check_screen``.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
import requests
from openpyxl import load_workbook
from playwright.sync_api import expect

from infra.browser import DESKTOP, Viewport, sign_in
from tests.e2e.browser import check_screen, recorder_of, settle
from tests.e2e.conftest import Runtime, runtime_today, token_for

pytestmark = pytest.mark.e2e

UI_TIMEOUT_MS = 30_000
DOWNLOAD_TIMEOUT_MS = 60_000
HEADER_ROW = 3


def api_get(runtime: Runtime, cadre_id: str, path: str, **params: str) -> Any:
    resp = requests.get(
        f"{runtime.url}{path}",
        params=params,
        headers={"Authorization": f"Bearer {token_for(runtime, cadre_id)}"},
        timeout=120,
    )
    assert resp.status_code == 200, (path, resp.status_code, resp.text[:300])
    return resp.json()


@pytest.fixture(scope="module")
def unit(users: list[dict[str, Any]]) -> dict[str, Any]:
    """The first plain unit head's unit: its head, its plain members, the Org Dept's officer."""
    head = next(u for u in users if set(u["roles"]) == {"cadre", "unit_head"})
    everyone = [u for u in users if u["unit_id"] == head["unit_id"]]
    members = [u for u in everyone if u["roles"] == ["cadre"]]
    org = next(u for u in users if "org_inspector" in u["roles"] and "unit_head" not in u["roles"])
    assert members, "the demo unit has no plain member"
    return {"head": head, "members": members, "everyone": everyone, "org": org}


def open_screen(page: Any, path: str, ready: str) -> None:
    page.goto(f"/app{path}")
    page.wait_for_selector(ready, state="visible", timeout=UI_TIMEOUT_MS)
    settle(page)


def cell(row: Any, name: str) -> str:
    text: str = row.locator(f'[data-test="{name}"]').inner_text()
    return text.strip()


def rate(part: int, whole: int) -> str:
    return "—" if whole == 0 else f"{round(part * 1000 / whole) / 10:.1f}%"


def words(figures: dict[str, Any]) -> str:
    """What the chart's text alternative says of one bar's numbers."""
    if figures["owed"] == 0:
        return "没有应填写的日志"
    f = figures
    return f"应填写 {f['owed']} 人·天，按时 {f['on_time']}，补记 {f['late']}，缺记 {f['missing']}"


def assert_row_shows(row: Any, f: dict[str, Any]) -> None:
    for key in ("owed", "on_time", "late", "missing", "perfunctory"):
        assert cell(row, key) == str(f[key]), key
    assert cell(row, "rate") == rate(f["on_time"], f["owed"])
    reviewed = f"{f['weeks_reviewed']} / {f['weeks_assigned']}" if f["weeks_assigned"] else "—"
    assert cell(row, "reviewed") == reviewed


def test_a_unit_heads_overview_shows_the_closed_months_as_the_api_gives_them_and_names_nobody(
    open_page: Any, viewport: Viewport, runtime: Runtime, unit: dict[str, Any]
) -> None:
    head = unit["head"]
    expected = api_get(runtime, head["cadre_id"], f"/units/{head['unit_id']}/figures")
    page = open_page(viewport)
    sign_in(page, head["cadre_id"])

    open_screen(page, "/overview", '[data-test="figures-table"]')

    months = expected["months"]
    assert len(months) == 6 and months[-1]["month"] == expected["closed_through"]
    rows = page.locator('[data-test^="figures-row-"]')
    expect(rows).to_have_count(len(months))
    for i, figures in enumerate(months):
        row = rows.nth(i)
        assert row.get_attribute("data-test") == f"figures-row-{figures['month']}"
        assert_row_shows(row, figures)
    alternative = page.locator('[data-test="figures-chart"] svg desc').text_content() or ""
    for figures in months:
        year, month = figures["month"].split("-")
        assert f"{int(year)}年{int(month)}月：{words(figures)}" in alternative
    shown = page.locator("main").inner_text() + alternative
    assert not [u["name"] for u in unit["everyone"] if u["name"] in shown]
    check_screen(page)


def test_the_org_dept_sees_every_unit_of_a_closed_month_in_roster_order(
    open_page: Any, viewport: Viewport, runtime: Runtime, unit: dict[str, Any]
) -> None:
    org = unit["org"]
    expected = api_get(runtime, org["cadre_id"], "/units/figures")
    page = open_page(viewport)
    sign_in(page, org["cadre_id"])

    open_screen(page, "/overview", '[data-test="figures-table"]')

    rows = page.locator('[data-test^="figures-row-"]')
    expect(rows).to_have_count(len(expected["units"]))
    order = [r.get_attribute("data-test") for r in rows.all()]
    assert order == [f"figures-row-{u['unit_id']}" for u in expected["units"]]
    mine = next(i for i, u in enumerate(expected["units"]) if u["unit_id"] == unit["head"]["unit_id"])
    assert_row_shows(rows.nth(mine), expected["units"][mine]["figures"])
    check_screen(page)


def expected_rows(runtime: Runtime, cadres: list[dict[str, Any]], today: date) -> list[tuple[str, str, int]]:
    """(name, day, item number) of every item the cadres logged this month, read by each of them."""
    first = today.replace(day=1)
    rows = []
    for c in cadres:
        own = api_get(runtime, c["cadre_id"], "/entries", **{"from": str(first), "to": str(today)})
        for entry in own["entries"]:
            rows += [(c["name"], entry["date"], n) for n in range(1, len(entry["items"]) + 1)]
    return sorted(rows)


def sheet_rows(path: str) -> list[tuple[str, str, int]]:
    with open(path, "rb") as f:
        sheet = load_workbook(io.BytesIO(f.read())).active
    header = [c.value for c in sheet[HEADER_ROW]]
    assert header[:6] == ["序号", "姓名", "职务", "日期", "星期", "事项"]
    return sorted((r[1], r[3], r[5]) for r in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True))


def test_a_unit_heads_export_downloads_their_members_rows_and_each_member_sees_the_read(
    open_page: Any, viewport: Viewport, runtime: Runtime, unit: dict[str, Any]
) -> None:
    head, today = unit["head"], runtime_today(runtime)
    month = today.strftime("%Y-%m")
    page = open_page(viewport)
    sign_in(page, head["cadre_id"])
    open_screen(page, "/export", '[data-test="export-unit"]')
    check_screen(page)

    with page.expect_download(timeout=DOWNLOAD_TIMEOUT_MS) as download:
        page.locator('[data-test="export-unit"]').click()

    assert (
        download.value.suggested_filename.startswith("工作日志-")
        and month in download.value.suggested_filename
    )
    assert sheet_rows(download.value.path()) == expected_rows(runtime, unit["everyone"], today)
    expect(page.locator('[data-test="export-unit-done"]')).to_contain_text("谁看过我的日志")

    member = unit["members"][0]
    reads = api_get(runtime, member["cadre_id"], "/me/reads")["reads"]
    assert any(r["reader_id"] == head["cadre_id"] and r["purpose"] == "unit_head" for r in reads)
    theirs = open_page(viewport)
    sign_in(theirs, member["cadre_id"])
    open_screen(theirs, "/reads", '[data-test="read-row"]')
    row = theirs.locator('[data-test="read-row"]').filter(has_text=head["name"]).first
    expect(row).to_contain_text("单位负责人查阅")
    check_screen(theirs)


def test_a_cadre_exports_their_own_month(
    open_page: Any, viewport: Viewport, runtime: Runtime, unit: dict[str, Any]
) -> None:
    member, today = unit["members"][-1], runtime_today(runtime)
    page = open_page(viewport)
    sign_in(page, member["cadre_id"])
    open_screen(page, "/export", '[data-test="export-mine"]')
    # A plain cadre is offered their own month only.
    expect(page.locator('[data-test="export-unit"]')).to_have_count(0)

    with page.expect_download(timeout=DOWNLOAD_TIMEOUT_MS) as download:
        page.locator('[data-test="export-mine"]').click()

    assert sheet_rows(download.value.path()) == expected_rows(runtime, [member], today)
    expect(page.locator('[data-test="export-mine-done"]')).to_be_visible()
    check_screen(page)


def test_a_plain_cadre_asking_for_their_units_export_is_refused_in_words(
    open_page: Any, runtime: Runtime, unit: dict[str, Any]
) -> None:
    member = unit["members"][0]
    page = open_page(DESKTOP)
    sign_in(page, member["cadre_id"])
    open_screen(page, f"/export?unit={unit['head']['unit_id']}", '[data-test="export-unit"]')

    page.locator('[data-test="export-unit"]').click()

    refusal = page.locator('[data-test="export-unit-error"]')
    expect(refusal).to_contain_text("无权导出", timeout=UI_TIMEOUT_MS)
    settle(page)
    # The browser logs the API's 403 itself: that line is the refusal under test, not an app error.
    recorder = recorder_of(page)
    recorder.console_errors[:] = [e for e in recorder.console_errors if "status of 403" not in e]
    check_screen(page)
