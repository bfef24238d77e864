"""季度考评 in a real browser, on a phone (360×740) and a desk's monitor (1280×800): an HR evaluator
opens the screen (the last quarter that has ended), chooses their own unit, grades a colleague with
a comment, sees grading themselves refused in the server's words, finds a comment holding a script
shown as text, and downloads the unit's XLSX sheet, which holds the grade just given.

Who: the demo's HR evaluators and the plain cadres of their unit (区人社局), which no other browser
test grades; the phone and the desk each grade a colleague of their own, so the tests hold in any
order. The script comment is stored through the API by the Org Dept beforehand (set-up only); the
grade under test is given through the screen. Every state visited passes ``check_screen``.
"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
from openpyxl import load_workbook
from playwright.sync_api import expect

from infra.browser import DESKTOP, PHONE, Viewport, open_from_menu, sign_in
from tests.e2e.browser import check_screen, recorder_of, settle
from tests.e2e.conftest import OpenPage, Runtime, runtime_today, token_for

pytestmark = pytest.mark.e2e

SCRIPT_TEXT = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
SELF_REFUSED = "不能评定本人的季度考核等次"
UI_TIMEOUT_MS = 20_000
# The sheet's columns (shared/worklog/audit/evaluation.py HEADERS): name, grade, comment.
NAME_COL, GRADE_COL, COMMENT_COL = 1, 11, 12


def last_closed_quarter(today: date) -> str:
    index = today.year * 4 + (today.month - 1) // 3 - 1
    return f"{index // 4}-Q{index % 4 + 1}"


def quarter_text(quarter: str) -> str:
    return f"{quarter[:4]}年第{'一二三四'[int(quarter[-1]) - 1]}季度"


def put_grade(runtime: Runtime, as_: str, quarter: str, cadre_id: str, body: dict[str, Any]) -> None:
    resp = requests.put(
        f"{runtime.url}/evaluations/{quarter}/{cadre_id}",
        json=body,
        headers={"Authorization": f"Bearer {token_for(runtime, as_)}"},
        timeout=15,
    )
    assert resp.status_code == 200, resp.text


def screen_ok(page: Any, *, refused: bool = False) -> None:
    """``check_screen``; after the refusal under test, the browser's own console line for that 403
    (the app shows the server's words) is the one line let through."""
    if refused:
        settle(page)
        recorder = recorder_of(page)
        recorder.console_errors[:] = [
            line
            for line in recorder.console_errors
            if not ("status of 403" in line and "/evaluations/" in line)
        ]
    check_screen(page)


@pytest.fixture(scope="module")
def cast(users: list[dict[str, Any]]) -> dict[str, Any]:
    """An HR evaluator per screen size, their unit, two colleagues to grade and one with a stored
    script comment; an Org Dept officer to store it."""
    evaluators = sorted((u for u in users if "hr_evaluator" in u["roles"]), key=lambda u: u["cadre_id"])
    assert evaluators, "the demo district has no HR evaluator"
    unit = evaluators[0]["unit_id"]
    graders = [u for u in evaluators if u["unit_id"] == unit]
    plain = sorted(
        (u for u in users if u["unit_id"] == unit and u["roles"] == ["cadre"]), key=lambda u: u["cadre_id"]
    )
    assert len(graders) >= 2 and len(plain) >= 3, "the demo's HR unit is too small for this test"
    org = next(u for u in users if "org_inspector" in u["roles"])
    return {
        "unit": unit,
        "grader": {PHONE.name: graders[0], DESKTOP.name: graders[1]},
        "graded": {PHONE.name: plain[-1], DESKTOP.name: plain[-2]},
        "scripted": plain[-3],
        "org": org,
    }


def open_grading(page: Any, viewport: Viewport) -> None:
    """季度考评 from the side menu (desk) or from 我的's 工作 group (phone)."""
    if viewport.name == DESKTOP.name:
        open_from_menu(page, "季度考评")
    else:
        open_from_menu(page, "我的")
        page.wait_for_url(re.compile(r"/app/mine$"))
        page.get_by_role("link", name="季度考评").click()
    page.wait_for_url(re.compile(r"/app/grading"))


def _choose_the_unit(page: Any, viewport: Viewport, unit: str, graded: dict[str, Any]) -> Any:
    """The unit's cadres, unranked (a table on a desk); returns the graded colleague's row."""
    page.select_option('[data-test="unit-select"]', unit)
    row = page.locator(f'[data-test="cadre-{graded["cadre_id"]}"]')
    expect(row).to_be_visible(timeout=UI_TIMEOUT_MS)
    expect(page.locator('[data-test="grading-summary"]')).to_contain_text("不作排名")
    if viewport.name == DESKTOP.name:
        expect(page.locator('[data-test="grading-table"]')).to_be_visible()
    screen_ok(page)
    return row


def _assert_the_stored_script_is_text(page: Any, scripted: dict[str, Any]) -> None:
    """The stored script is text in its comment box, and nothing ran."""
    scripted_row = page.locator(f'[data-test="cadre-{scripted["cadre_id"]}"]')
    expect(scripted_row.locator('[data-test="grade-comment"]')).to_have_value(SCRIPT_TEXT)
    expect(scripted_row.locator('[data-test="grade-status"]')).to_contain_text("已评定：一般")
    assert page.evaluate("() => window.__pwned === undefined")
    assert scripted_row.locator("img").count() == 0


def _grade_good(page: Any, row: Any, comment: str, grader: dict[str, Any]) -> None:
    """良好 with a two-line comment: saved, and the row says so with the grader's name."""
    row.locator('[data-test="grade-good"]').click()
    row.locator('[data-test="grade-comment"]').fill(comment)
    with page.expect_response(lambda r: r.request.method == "PUT" and "/evaluations/" in r.url) as put:
        row.locator('[data-test="grade-save"]').click()
    assert put.value.status == 200, put.value.text()
    expect(row.locator('[data-test="grade-status"]')).to_contain_text("已评定：良好", timeout=UI_TIMEOUT_MS)
    expect(row.locator('[data-test="grade-status"]')).to_contain_text(grader["name"])
    screen_ok(page)


def _grade_oneself_and_be_refused(page: Any, grader: dict[str, Any]) -> None:
    """Refused, in the server's words, and nothing is stored."""
    own = page.locator(f'[data-test="cadre-{grader["cadre_id"]}"]')
    expect(own).to_contain_text("本人")
    before = own.locator('[data-test="grade-status"]').inner_text()
    own.locator('[data-test="grade-excellent"]').click()
    with page.expect_response(lambda r: r.request.method == "PUT" and "/evaluations/" in r.url) as refused:
        own.locator('[data-test="grade-save"]').click()
    assert refused.value.status == 403 and refused.value.json()["code"] == "self_evaluation"
    expect(own.locator('[data-test="grade-error"]')).to_have_text(SELF_REFUSED)
    assert own.locator('[data-test="grade-status"]').inner_text() == before
    screen_ok(page, refused=True)


def _download_the_sheet(page: Any, unit: str, quarter: str) -> dict[Any, Any]:
    """The unit's sheet, downloaded through the app: its rows by name."""
    with page.expect_download() as got:
        page.locator('[data-test="download-sheet"]').click()
    download = got.value
    assert download.suggested_filename == f"evaluation-{unit}-{quarter}.xlsx"
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    return {r[NAME_COL]: r for r in sheet.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)}


def test_an_hr_evaluator_grades_a_colleague_and_the_downloaded_sheet_holds_the_grade(
    open_page: OpenPage, viewport: Viewport, runtime: Runtime, cast: dict[str, Any]
) -> None:
    quarter = last_closed_quarter(runtime_today(runtime))
    grader = cast["grader"][viewport.name]
    graded = cast["graded"][viewport.name]
    scripted = cast["scripted"]
    comment = f"日志记录完整，能按时填写\n{viewport.name} 评定"
    # Set-up: a comment holding a script, stored by the Org Dept.
    put_grade(
        runtime,
        cast["org"]["cadre_id"],
        quarter,
        scripted["cadre_id"],
        {"grade": "fair", "comment": SCRIPT_TEXT},
    )

    page = open_page(viewport)
    sign_in(page, grader["cadre_id"])
    open_grading(page, viewport)
    # It opens on the last quarter that has ended, asking for a unit.
    expect(page.locator("main h2").first).to_have_text(quarter_text(quarter))
    expect(page.locator('[data-test="choose-unit"]')).to_be_visible(timeout=UI_TIMEOUT_MS)
    screen_ok(page)
    row = _choose_the_unit(page, viewport, cast["unit"], graded)

    # The stored script is text in its comment box, and nothing ran.
    _assert_the_stored_script_is_text(page, scripted)

    # Grade a colleague: 良好 with a two-line comment.
    _grade_good(page, row, comment, grader)

    # Grading oneself is refused, in the server's words, and nothing is stored.
    _grade_oneself_and_be_refused(page, grader)

    # The unit's sheet, downloaded through the app, holds the grade and the comment as typed.
    rows = _download_the_sheet(page, cast["unit"], quarter)
    assert rows[graded["name"]][GRADE_COL] == "良好"
    assert rows[graded["name"]][COMMENT_COL] == comment
    assert rows[scripted["name"]][COMMENT_COL] == SCRIPT_TEXT
    screen_ok(page, refused=True)
