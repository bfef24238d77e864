"""The admin's screens in a real browser: 花名册 (upload a roster, read the dry-run report, import,
browse a unit) and 节假日安排 (preview a year's official schedule, then load it).

An XLSX roster built here with openpyxl holds a title row, the header and four rows, one of them bad:
the report names exactly that row, under the number the sheet shows, with its reason, and the import
writes the other three. The cadres and the unit are this file's own (ids no other test uses), not
yet in post (joined far ahead), so no check, review or audit of the shared runtime counts them; no
demo cadre's roles or unit change. The holiday schedule is loaded for a year no other test touches.
Stored script text (the unit's name, a title, a schedule's source) shows as text.

"Today" is the runtime's, never the host's.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from typing import Any

import openpyxl
import pytest
import requests
from playwright.sync_api import expect

from infra.browser import DESKTOP, SCREEN_READY, Viewport, sign_in
from tests.e2e.browser import check_screen, recorder_of
from tests.e2e.conftest import OpenPage, Runtime, demo_user, token_for

pytestmark = pytest.mark.e2e

UI_TIMEOUT_MS = 20_000
MAX_IMPORT_BYTES = 4 * 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

UNIT = "e2e-roster"
SCRIPT_UNIT = "<script>window.__pwned=1</script>"  # a unit name holds at most 60 characters
SCRIPT_TITLE = '<img src=x onerror="window.__pwned=2">'
SCRIPT_SOURCE = '国办发明电<script>window.__pwned=3</script><img src=x onerror="window.__pwned=4">'
JOINS = "2090-01-01"  # in post only from then: nothing of the shared runtime counts these cadres
TITLE_ROW = "区管干部名册（浏览器测试）"
HEADER = ["工号", "姓名", "单位编码", "单位名称", "职务", "角色", "任职日期"]
# (sheet row, cells): row 1 is the title, row 2 the header.
ROWS = [
    (3, ["e2e-ros-01", "测试甲", UNIT, SCRIPT_UNIT, SCRIPT_TITLE, "一把手", JOINS]),
    (4, ["e2e-ros-02", "测试乙", UNIT, SCRIPT_UNIT, "科员", "干部", JOINS]),
    (5, ["e2e-ros-03", "测试丙", UNIT, SCRIPT_UNIT, "科员", "局长", JOINS]),  # no such role
    (6, ["e2e-ros-04", "测试丁", UNIT, SCRIPT_UNIT, "科员", "干部", JOINS]),
]
BAD_ROW, BAD_ID, BAD_REASON = 5, "e2e-ros-03", "未知角色：局长"
GOOD_IDS = ["e2e-ros-01", "e2e-ros-02", "e2e-ros-04"]

LOADED_YEAR = 2091  # loaded by the holiday flow; no other test touches it
PREVIEWED_YEAR = 2092  # only ever previewed (a dry run stores nothing)


def roster_xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([TITLE_ROW])
    sheet.append(HEADER)
    for number, cells in ROWS:
        sheet.append(cells)
        assert sheet.max_row == number
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def admin_api(runtime: Runtime, admin: dict[str, Any]) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token_for(runtime, admin['cadre_id'])}"
    return session


def assert_inert(page: Any) -> None:
    """The script text did nothing: no flag set, no <img src=x> made, no script element holding it."""
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    assert (
        page.evaluate("() => [...document.images].filter((i) => i.getAttribute('src') === 'x').length") == 0
    )
    assert not page.evaluate("() => [...document.scripts].some((s) => s.textContent.includes('__pwned'))")


def open_screen(page: Any, path: str) -> None:
    page.goto(f"/app{path}")
    expect(page.locator(SCREEN_READY)).to_be_visible(timeout=UI_TIMEOUT_MS)
    page.wait_for_load_state("networkidle")


def choose_roster(page: Any) -> None:
    page.locator('[data-test="roster-file"]').set_input_files(
        files=[{"name": "区管干部名册.xlsx", "mimeType": XLSX_TYPE, "buffer": roster_xlsx()}]
    )
    expect(page.locator('[data-test="dry-run-report"]')).to_be_visible(timeout=UI_TIMEOUT_MS)


def md(day: date) -> str:
    return f"{day.month}月{day.day}日"


def schedule_for(year: int) -> tuple[str, str, list[tuple[date, bool, bool]]]:
    """The two text boxes as an admin types them from a notice — New Year's Day, a five-day break
    from the first Monday of February, the Saturday before it worked — and the days whose working
    status it changes against the provisional Monday-to-Friday year (date, before, after)."""
    new_year = date(year, 1, 1)
    monday = date(year, 2, 1) + timedelta(days=(7 - date(year, 2, 1).weekday()) % 7)
    friday, saturday = monday + timedelta(days=4), monday - timedelta(days=2)
    holidays = f"{md(new_year)}（元旦）\n{md(monday)}至{md(friday)}（春节）"
    workdays = f"{md(saturday)}（星期六）"
    changed = [(saturday, False, True)] + [(monday + timedelta(days=i), True, False) for i in range(5)]
    if new_year.weekday() < 5:
        changed.append((new_year, True, False))
    return holidays, workdays, sorted(changed)


def long_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日 {'星期' + '一二三四五六日'[day.weekday()]}"


# --- every screen, on a phone and a desktop -------------------------------------------------------------


def test_the_roster_and_holiday_screens_pass_the_checks(
    open_page: OpenPage, viewport: Viewport, users: list[dict[str, Any]]
) -> None:
    """Given an admin, when they open 花名册 (with a file's dry-run report on it), a unit's members
    and 节假日安排 (with a schedule's preview on it), then each passes check_screen."""
    admin = demo_user(users, "admin")
    page = open_page(viewport)
    sign_in(page, admin["cadre_id"])

    open_screen(page, "/roster")
    expect(page.locator('[data-test="unit-row"]').first).to_be_visible(timeout=UI_TIMEOUT_MS)
    check_screen(page)
    choose_roster(page)  # a dry run: nothing is written
    check_screen(page)

    open_screen(page, f"/roster/{admin['unit_id']}")
    expect(page.locator('[data-test="member-row"]').first).to_be_visible(timeout=UI_TIMEOUT_MS)
    expect(page.locator('[data-test="member-row"]').filter(has_text=admin["name"])).to_contain_text("管理员")
    check_screen(page)

    open_screen(page, "/holidays")
    expect(page.locator('[data-test="year-source"]').first).to_be_visible(timeout=UI_TIMEOUT_MS)
    holidays, workdays, changed = schedule_for(PREVIEWED_YEAR)
    page.fill('[data-test="holiday-year"]', str(PREVIEWED_YEAR))
    page.fill('[data-test="holiday-dates"]', holidays)
    page.fill('[data-test="workday-dates"]', workdays)
    page.locator('[data-test="holiday-preview"]').click()
    expect(page.locator('[data-test="changed-day"]')).to_have_count(len(changed), timeout=UI_TIMEOUT_MS)
    check_screen(page)


# --- 花名册: one bad row rejected, the rest imported -----------------------------------------------------


def _choose_a_file_too_big(page: Any) -> None:
    """Over the import's 4 MiB: refused before anything is sent, saying what to do."""
    page.locator('[data-test="roster-file"]').set_input_files(
        files=[{"name": "全区名册.csv", "mimeType": "text/csv", "buffer": b"a" * (MAX_IMPORT_BYTES + 1)}]
    )
    expect(page.locator('[data-test="file-problem"]')).to_contain_text("拆成几个文件", timeout=UI_TIMEOUT_MS)
    assert not [r for r in recorder_of(page).requests if r.path == "/admin/roster/imports"]


def _assert_the_dry_run_report(page: Any) -> None:
    """4 rows received, 3 to import, exactly sheet row 5 rejected, with why; and the role changes it
    would make: three new cadres, the first the unit's head."""
    report = page.locator('[data-test="dry-run-report"]')
    expect(report.locator('[data-test="count-received"]')).to_have_text("4")
    expect(report.locator('[data-test="count-imported"]')).to_have_text("3")
    expect(report.locator('[data-test="count-rejected"]')).to_have_text("1")
    rejected = report.locator('[data-test="rejected-row"]')
    expect(rejected).to_have_count(1)
    expect(rejected.locator('[data-test="rejected-row-number"]')).to_have_text(f"第 {BAD_ROW} 行")
    expect(rejected).to_contain_text(BAD_ID)
    expect(rejected.locator('[data-test="rejected-reason"]')).to_have_text([BAD_REASON])
    expect(report.locator('[data-test="role-change"]')).to_have_count(3)
    expect(report.locator('[data-test="role-change"]').first).to_contain_text("单位负责人")


def _import_and_confirm(page: Any) -> None:
    """The result says 3 imported and row 5 not."""
    page.locator('[data-test="import"]').click()
    page.get_by_role("button", name="确认导入").click()
    result = page.locator('[data-test="import-result"]')
    expect(result).to_be_visible(timeout=UI_TIMEOUT_MS)
    expect(result.locator('[data-test="count-imported"]')).to_have_text("3")
    expect(result.locator('[data-test="rejected-row-number"]')).to_have_text([f"第 {BAD_ROW} 行"])


def _open_the_new_unit(page: Any) -> None:
    """Its name is a script, shown as text; its three members, the head first, roles in Chinese, not
    yet in post."""
    unit_row = page.locator('[data-test="unit-row"]').filter(has_text=SCRIPT_UNIT)
    expect(unit_row).to_have_count(1, timeout=UI_TIMEOUT_MS)
    unit_row.click()
    page.wait_for_url(re.compile(rf"/app/roster/{UNIT}$"))
    expect(page.locator('[data-test="unit-name"]')).to_have_text(SCRIPT_UNIT, timeout=UI_TIMEOUT_MS)
    members = page.locator('[data-test="member-row"]')
    expect(members).to_have_count(3)
    expect(members.first.locator('[data-test="member-name"]')).to_have_text("测试甲")
    expect(members.first.locator('[data-test="member-title"]')).to_have_text(SCRIPT_TITLE)
    expect(members.first.locator('[data-test="member-roles"]')).to_have_text("普通干部、单位负责人")
    expect(members.first.locator('[data-test="member-status"]')).to_contain_text("尚未到任")


def test_an_xlsx_roster_with_one_bad_row_shows_exactly_that_row_rejected_and_imports_the_rest(
    open_page: OpenPage, runtime: Runtime, users: list[dict[str, Any]]
) -> None:
    admin = demo_user(users, "admin")
    api = admin_api(runtime, admin)
    page = open_page(DESKTOP)
    sign_in(page, admin["cadre_id"])
    open_screen(page, "/roster")

    # Given a file over the import's 4 MiB: it is refused before anything is sent, saying what to do
    _choose_a_file_too_big(page)

    # Given a sheet with a title row, the header and four rows, row 5 naming a role that does not exist
    # When the admin chooses it
    choose_roster(page)
    # Then the dry run's report: 4 rows received, 3 to import, exactly sheet row 5 rejected, with why
    # and the role changes it would make: three new cadres, the first the unit's head
    _assert_the_dry_run_report(page)
    # and nothing is written yet
    for cadre_id in GOOD_IDS:
        assert api.get(f"{runtime.url}/admin/roster/cadres/{cadre_id}", timeout=10).status_code == 404
    check_screen(page)

    # When they import it (and confirm)
    # Then the result says 3 imported, row 5 not, and the three are on the roster as the sheet says
    _import_and_confirm(page)
    for cadre_id in GOOD_IDS:
        resp = api.get(f"{runtime.url}/admin/roster/cadres/{cadre_id}", timeout=10)
        assert resp.status_code == 200, resp.text
        assert (resp.json()["unit_id"], resp.json()["joined_on"]) == (UNIT, JOINS)
    assert api.get(f"{runtime.url}/admin/roster/cadres/{BAD_ID}", timeout=10).status_code == 404
    check_screen(page)

    # When they open the new unit from the list (its name is a script: shown as text)
    # Then its three members, the head first, roles in Chinese, not yet in post; the script did nothing
    _open_the_new_unit(page)
    assert_inert(page)
    check_screen(page)


# --- 节假日安排: preview the days a schedule changes, then load it ------------------------------------------


def test_a_years_holiday_schedule_is_previewed_with_the_days_it_changes_then_loaded(
    open_page: OpenPage, runtime: Runtime, users: list[dict[str, Any]]
) -> None:
    admin = demo_user(users, "admin")
    api = admin_api(runtime, admin)
    calendar = f"{runtime.url}/admin/calendar/{LOADED_YEAR}"
    assert api.get(calendar, timeout=10).json()["source"] == "provisional"
    page = open_page(DESKTOP)
    sign_in(page, admin["cadre_id"])
    open_screen(page, "/holidays")
    # The years around today, each with where its working days come from
    expect(page.locator('[data-test="year-source"]')).to_have_count(4, timeout=UI_TIMEOUT_MS)

    # Given a typo in the holidays: it is named, and the preview waits for it
    holidays, workdays, changed = schedule_for(LOADED_YEAR)
    page.fill('[data-test="holiday-year"]', str(LOADED_YEAR))
    page.fill('[data-test="holiday-dates"]', holidays + "\n2月30日")
    page.fill('[data-test="workday-dates"]', workdays)
    expect(page.locator('[data-test="holiday-dates-read"]')).to_contain_text("「2月30日」不是有效日期")
    expect(page.locator('[data-test="holiday-preview"]')).to_be_disabled()

    # When it is corrected and previewed
    page.fill('[data-test="holiday-dates"]', holidays)
    page.fill('[data-test="holiday-source"]', SCRIPT_SOURCE)
    page.locator('[data-test="holiday-preview"]').click()
    # Then every day whose working status changes is listed, in order, and nothing is stored yet
    rows = page.locator('[data-test="changed-day"]')
    expect(rows).to_have_count(len(changed), timeout=UI_TIMEOUT_MS)
    for row, (day, before, after) in zip(rows.all(), changed, strict=True):
        status = {True: "工作日", False: "休息日"}
        expect(row).to_have_text(
            re.compile(rf"{re.escape(long_date(day))}\s*{status[before]}\s*{status[after]}")
        )
    assert api.get(calendar, timeout=10).json()["source"] == "provisional"
    assert api.get(f"{calendar}/history", timeout=10).json()["changes"] == []
    check_screen(page)

    # When the admin confirms the load
    page.locator('[data-test="holiday-load"]').click()
    # Then the year is official with those days, the load is recorded, and its source shows as text
    expect(page.locator('[data-test="holiday-loaded"]')).to_contain_text(
        f"改变了 {len(changed)} 天", timeout=UI_TIMEOUT_MS
    )
    stored = api.get(calendar, timeout=10).json()
    assert stored["source"] == "official" and stored["loaded_by"] == admin["cadre_id"]
    [load] = api.get(f"{calendar}/history", timeout=10).json()["changes"]
    assert [(d["date"], d["working_before"], d["working_after"]) for d in load["changed_days"]] == [
        (d.isoformat(), before, after) for d, before, after in changed
    ]
    history = page.locator('[data-test="loaded-history"] [data-test="history-row"]')
    expect(history).to_have_count(1, timeout=UI_TIMEOUT_MS)
    expect(history).to_contain_text(SCRIPT_SOURCE)
    assert_inert(page)
    check_screen(page)
