"""The admin function: roster import (JSON, CSV, XLSX), roster browsing, official calendars."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import openpyxl

from infra.inprocess import InProcessStack
from worklog.roster.repository import RosterRepository

ADMIN = "c0003"
CSV = (
    "工号,姓名,单位编码,单位名称,职务,角色\n"
    "c0101,陈晓东,cgj,区城市管理局,局长,一把手\n"
    "c0102,刘雨桐,cgj,区城市管理局,副局长,干部\n"
    "bad id!,某人,cgj,区城市管理局,科员,干部\n"
)


def body(resp: Any) -> Any:
    return json.loads(resp.body)


def import_(stack: InProcessStack, payload: dict[str, Any], who: str = ADMIN) -> Any:
    return stack.call("admin", "POST", "/admin/roster/imports", payload, as_=who)


def test_csv_import_writes_good_rows_and_reports_bad_rows_whole(stack: InProcessStack) -> None:
    report = body(import_(stack, {"format": "csv", "content": CSV}))
    assert report["imported"] == 2 and report["received"] == 3 and not report["dry_run"]
    assert [r["row"] for r in report["rejected"]] == [4]
    repo = RosterRepository()
    assert repo.get_cadre("c0101").roles == ["cadre", "unit_head"]
    assert repo.get_unit("cgj").head_id == "c0101"
    assert repo.get_cadre("bad id!") is None


def test_a_dry_run_validates_and_writes_nothing(stack: InProcessStack) -> None:
    report = body(import_(stack, {"format": "csv", "content": CSV, "dry_run": True}))
    assert report["dry_run"] and report["imported"] == 2
    assert RosterRepository().get_cadre("c0101") is None


def test_xlsx_import_is_read_with_openpyxl(stack: InProcessStack) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["cadre_id", "name", "unit_id", "unit_name", "title", "roles"])
    sheet.append(["c0201", "黄志强", "swj", "区商务局", "局长", "unit_head"])
    sheet.append(["c0202", "", "swj", "区商务局", "科员", "cadre"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = body(import_(stack, {"format": "xlsx", "content": base64.b64encode(buffer.getvalue()).decode()}))
    assert report["imported"] == 1 and [r["row"] for r in report["rejected"]] == [3]
    assert RosterRepository().get_cadre("c0201").name == "黄志强"


def test_json_import(stack: InProcessStack) -> None:
    rows = [{"cadre_id": "c0301", "name": "吴敏", "unit_id": "jyj", "title": "科长", "roles": "cadre"}]
    report = body(import_(stack, {"format": "json", "content": json.dumps(rows, ensure_ascii=False)}))
    assert report["imported"] == 1 and RosterRepository().get_cadre("c0301").unit_id == "jyj"


def test_unreadable_files_are_422_and_only_admins_may_import(stack: InProcessStack) -> None:
    assert import_(stack, {"format": "xlsx", "content": "bm90IGEgemlw"}).status == 422
    assert import_(stack, {"format": "xlsx", "content": "***"}).status == 422
    assert import_(stack, {"format": "pdf", "content": "x"}).status == 422
    assert import_(stack, {"format": "csv", "content": CSV}, who="c0002").status == 403


def test_an_import_bigger_than_64_kib_is_accepted_up_to_the_import_limit(stack: InProcessStack) -> None:
    rows = "\n".join(f"c{5000 + i},测试人员{i},jyj,区教育局,科员,干部" for i in range(2500))
    content = "工号,姓名,单位编码,单位名称,职务,角色\n" + rows
    assert len(content.encode()) > 64 * 1024
    report = body(import_(stack, {"format": "csv", "content": content, "dry_run": True}))
    assert report["imported"] == 2500


def test_units_and_members_can_be_browsed(stack: InProcessStack) -> None:
    units = body(stack.call("admin", "GET", "/admin/roster/units", as_=ADMIN))["units"]
    assert {u["unit_id"] for u in units} == {"jyj", "zzb"}
    members = body(stack.call("admin", "GET", "/admin/roster/units/jyj/cadres", as_=ADMIN))["cadres"]
    assert {c["cadre_id"] for c in members} == {"c0001", "c0002", "c0004"}
    assert stack.call("admin", "GET", "/admin/roster/units/none/cadres", as_=ADMIN).status == 404
    assert stack.call("admin", "GET", "/admin/roster/cadres/c9999", as_=ADMIN).status == 404


def test_loading_a_years_schedule_makes_it_official_for_everyone(stack: InProcessStack) -> None:
    before = body(stack.call("admin", "GET", "/admin/calendar/2027", as_=ADMIN))
    assert before["source"] == "provisional" and before["note"]
    loaded = stack.call(
        "admin",
        "PUT",
        "/admin/calendar/2027",
        {"holidays": ["2027-01-01"], "workdays": ["2027-02-06"]},
        as_=ADMIN,
    )
    assert loaded.status == 201 and body(loaded)["source"] == "official"
    again = stack.call(
        "admin", "PUT", "/admin/calendar/2027", {"holidays": ["2027-01-01"], "workdays": []}, as_=ADMIN
    )
    assert again.status == 200
    after = body(stack.call("admin", "GET", "/admin/calendar/2027", as_=ADMIN))
    assert after["source"] == "official" and after["workdays"] == [] and after["loaded_by"] == ADMIN


def test_bad_schedules_are_422(stack: InProcessStack) -> None:
    wrong_year = {"holidays": ["2028-01-01"], "workdays": []}
    both = {"holidays": ["2027-01-01"], "workdays": ["2027-01-01"]}
    assert stack.call("admin", "PUT", "/admin/calendar/2027", wrong_year, as_=ADMIN).status == 422
    assert stack.call("admin", "PUT", "/admin/calendar/2027", both, as_=ADMIN).status == 422
    assert stack.call("admin", "PUT", "/admin/calendar/1900", {"holidays": []}, as_=ADMIN).status == 422


def test_the_library_year_2026_is_described(stack: InProcessStack) -> None:
    year = body(stack.call("admin", "GET", "/admin/calendar/2026", as_=ADMIN))
    assert (
        year["source"] == "library" and "2026-02-14" in year["workdays"] and "2026-02-16" in year["holidays"]
    )
