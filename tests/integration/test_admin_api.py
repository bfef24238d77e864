"""The admin function: roster import (JSON, CSV, XLSX), roster browsing, official calendars."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import openpyxl
import pytest

from infra.inprocess import InProcessStack
from worklog.models.roster import Cadre
from worklog.roster.repository import RosterRepository
from worklog.schedules import ScheduleRepository

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


def test_the_evaluators_list_the_units_to_grade_and_only_the_org_dept_reads_their_members(
    stack: InProcessStack,
) -> None:
    # Given an HR evaluator next to the Org Dept's inspector (c0010)
    RosterRepository().put_row(
        Cadre(cadre_id="h0001", name="陈红", unit_id="zzb", roles=["cadre", "hr_evaluator"])
    )
    for evaluator in ("c0010", "h0001"):
        # When they list the units, they get them all
        got = stack.call("admin", "GET", "/admin/roster/units", as_=evaluator)
        assert got.status == 200 and {u["unit_id"] for u in body(got)["units"]} == {"jyj", "zzb"}
    # But a unit's members and a cadre's record are the admin's and the Org Dept's (who choose a
    # vetting notice's candidate from them), not HR's
    assert stack.call("admin", "GET", "/admin/roster/units/jyj/cadres", as_="c0010").status == 200
    assert stack.call("admin", "GET", "/admin/roster/cadres/c0001", as_="c0010").status == 200
    assert stack.call("admin", "GET", "/admin/roster/units/jyj/cadres", as_="h0001").status == 403
    assert stack.call("admin", "GET", "/admin/roster/cadres/c0001", as_="h0001").status == 403
    # And a unit head or a plain cadre lists no units
    for other in ("c0001", "c0002"):
        assert stack.call("admin", "GET", "/admin/roster/units", as_=other).status == 403


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
        "admin",
        "PUT",
        "/admin/calendar/2027?confirm=true",
        {"holidays": ["2027-01-01"], "workdays": []},
        as_=ADMIN,
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


# --- the year's schedule: strict years, confirmed and recorded replacements -------------------------
def put_calendar(stack: InProcessStack, target: str, data: dict[str, Any], who: str = ADMIN) -> Any:
    return stack.call("admin", "PUT", target, data, as_=who)


def history(stack: InProcessStack, year: int) -> list[dict[str, Any]]:
    resp = stack.call("admin", "GET", f"/admin/calendar/{year}/history", as_=ADMIN)
    assert resp.status == 200, resp.body
    changes: list[dict[str, Any]] = body(resp)["changes"]
    return changes


@pytest.mark.parametrize(
    "year",
    ["2026.0", "02026", "2026e0", "%2B2026", "%202026", "%D9%A2%D9%A0%D9%A2%D9%A6", "1999", "2100", "0"],
)
def test_a_year_is_exactly_four_digits_from_2000_to_2099(stack: InProcessStack, year: str) -> None:
    # Given 2026 as the library knows it
    before = body(stack.call("admin", "GET", "/admin/calendar/2026", as_=ADMIN))
    # When a look-alike of a year is used to read or to load a schedule
    got = stack.call("admin", "GET", f"/admin/calendar/{year}", as_=ADMIN)
    put = put_calendar(stack, f"/admin/calendar/{year}?confirm=true", {"holidays": ["2026-01-01"]})
    # Then both are 422 and 2026 is untouched
    assert got.status == 422 and put.status == 422, (got.body, put.body)
    assert body(put)["details"][0]["loc"] == ["path", "year"]
    assert body(stack.call("admin", "GET", "/admin/calendar/2026", as_=ADMIN)) == before
    assert history(stack, 2026) == []


def test_the_first_load_of_a_year_not_yet_begun_needs_no_confirmation_and_is_recorded(
    stack: InProcessStack,
) -> None:
    # Given 2026-11-20 in Shanghai and no schedule for 2027
    # When an admin loads 2027
    resp = put_calendar(
        stack, "/admin/calendar/2027", {"holidays": ["2027-01-01"], "source": "国办发明电〔2026〕1号"}
    )
    # Then it is loaded, and recorded with what changed against the provisional Mon–Fri year
    assert resp.status == 201
    [change] = history(stack, 2027)
    assert (change["by"], change["in_use"], change["confirmed"]) == (ADMIN, [], False)
    assert change["source_before"] == "provisional" and change["before"] is None
    assert change["after"]["holidays"] == ["2027-01-01"]
    assert change["changed_days"] == [{"date": "2027-01-01", "working_before": True, "working_after": False}]


def test_replacing_a_loaded_year_needs_confirmation_listing_the_working_days_that_change(
    stack: InProcessStack,
) -> None:
    # Given 2027 loaded once
    first = {"holidays": ["2027-01-01"], "workdays": ["2027-02-06"]}
    assert put_calendar(stack, "/admin/calendar/2027", first).status == 201
    # When it is loaded again with other days, without confirmation
    second = {"holidays": ["2027-01-01", "2027-02-08"], "workdays": []}
    refused = put_calendar(stack, "/admin/calendar/2027", second)
    # Then it is 409 naming each working day that would change, and nothing changed
    assert refused.status == 409
    error = body(refused)
    assert error["code"] == "confirmation_required"
    assert (
        "2027-02-06（工作日→休息日）" in error["message"]
        and "2027-02-08（工作日→休息日）" in error["message"]
    )
    assert "confirm=true" in error["message"]
    assert [(d["date"], d["working_before"], d["working_after"]) for d in error["details"]] == [
        ("2027-02-06", True, False),
        ("2027-02-08", True, False),
    ]
    assert body(stack.call("admin", "GET", "/admin/calendar/2027", as_=ADMIN))["workdays"] == ["2027-02-06"]
    assert len(history(stack, 2027)) == 1
    # When it is confirmed
    assert put_calendar(stack, "/admin/calendar/2027?confirm=true", second).status == 200
    # Then the replacement is in force and recorded after the first load, with before and after
    assert body(stack.call("admin", "GET", "/admin/calendar/2027", as_=ADMIN))["workdays"] == []
    loads = history(stack, 2027)
    assert [c["confirmed"] for c in loads] == [False, True]
    replaced = loads[1]
    assert replaced["in_use"] == ["schedule_loaded"] and replaced["source_before"] == "official"
    assert replaced["before"]["workdays"] == ["2027-02-06"] and replaced["after"]["workdays"] == []
    assert [d["date"] for d in replaced["changed_days"]] == ["2027-02-06", "2027-02-08"]


def test_loading_a_year_whose_days_have_come_needs_confirmation_even_the_first_time(
    stack: InProcessStack,
) -> None:
    # Given 2026-11-20: 2026 has been counted with the library's days (2026-10-07 a holiday)
    new = {"holidays": ["2026-01-01"], "workdays": []}
    # When an admin loads an official 2026 without confirming
    refused = put_calendar(stack, "/admin/calendar/2026", new)
    # Then 409, naming days in the past that would become working days
    assert refused.status == 409 and "2026-01-02（休息日→工作日）" in body(refused)["message"]
    assert {"2026-01-02", "2026-10-07"} <= {d["date"] for d in body(refused)["details"]}
    assert body(stack.call("admin", "GET", "/admin/calendar/2026", as_=ADMIN))["source"] == "library"
    assert history(stack, 2026) == []
    # And confirmed, it is loaded and recorded as a confirmed change from the library's year
    assert put_calendar(stack, "/admin/calendar/2026?confirm=true", new).status == 201
    [change] = history(stack, 2026)
    assert (
        change["in_use"] == ["days_passed"] and change["confirmed"] and change["source_before"] == "library"
    )
    assert {"date": "2026-10-07", "working_before": False, "working_after": True} in change["changed_days"]


def test_the_calendar_history_is_for_admins(stack: InProcessStack) -> None:
    assert stack.call("admin", "GET", "/admin/calendar/2027/history", as_="c0002").status == 403
    assert history(stack, 2027) == []


def test_a_load_that_lost_a_race_writes_nothing(stack: InProcessStack) -> None:
    from worklog.models.calendar import CalendarChange, OfficialSchedule

    repo = ScheduleRepository()
    first = OfficialSchedule(
        year=2027, holidays=[], workdays=[], loaded_at="2026-11-20T18:00:00.000+08:00", loaded_by=ADMIN
    )
    record = CalendarChange(
        year=2027,
        at=first.loaded_at,
        by=ADMIN,
        in_use=[],
        confirmed=False,
        source_before="provisional",
        after=first,
        changed_days=[],
    )
    assert repo.replace_schedule(first, None, record)
    # Given two loads that both read "first" as the stored schedule: the one that writes second
    # sees the schedule moved under it and writes neither the schedule nor a record
    second = first.model_copy(update={"loaded_at": "2026-11-20T18:00:01.000+08:00"})
    late = first.model_copy(update={"loaded_at": "2026-11-20T18:00:02.000+08:00", "holidays": []})
    assert repo.replace_schedule(second, first, record.model_copy(update={"at": second.loaded_at}))
    assert not repo.replace_schedule(late, first, record.model_copy(update={"at": late.loaded_at}))
    assert not repo.replace_schedule(late, None, record.model_copy(update={"at": late.loaded_at}))
    assert repo.list_schedules()[2027].loaded_at == second.loaded_at
    assert [c.at for c in repo.list_schedule_changes(2027)] == [first.loaded_at, second.loaded_at]


def test_the_library_year_2026_is_described(stack: InProcessStack) -> None:
    year = body(stack.call("admin", "GET", "/admin/calendar/2026", as_=ADMIN))
    assert (
        year["source"] == "library" and "2026-02-14" in year["workdays"] and "2026-02-16" in year["holidays"]
    )


# --- previewing a load (dry_run=true): what the year would become, nothing stored --------------------
def test_a_dry_run_shows_what_a_first_load_would_change_and_stores_nothing(stack: InProcessStack) -> None:
    # Given 2026-11-20 and no schedule for 2027 (provisional: Monday to Friday)
    schedule = {"holidays": ["2027-01-01", "2027-02-08"], "workdays": ["2027-02-06"], "source": "国办发明电"}
    # When an admin previews loading it
    resp = put_calendar(stack, "/admin/calendar/2027?dry_run=true", schedule)
    # Then 200 with the year as it would be and each day whose working status would change
    assert resp.status == 200, resp.body
    preview = body(resp)
    assert preview["dry_run"] is True and preview["confirmation_required"] is False
    assert (preview["source"], preview["source_before"], preview["in_use"]) == ("official", "provisional", [])
    assert preview["holidays"] == ["2027-01-01", "2027-02-08"] and preview["workdays"] == ["2027-02-06"]
    assert preview["changed_days"] == [
        {"date": "2027-01-01", "working_before": True, "working_after": False},
        {"date": "2027-02-06", "working_before": False, "working_after": True},
        {"date": "2027-02-08", "working_before": True, "working_after": False},
    ]
    assert preview["loaded_at"] is None
    # And nothing was stored or recorded: the year is still provisional, and a real load is a first load
    assert body(stack.call("admin", "GET", "/admin/calendar/2027", as_=ADMIN))["source"] == "provisional"
    assert history(stack, 2027) == []
    assert put_calendar(stack, "/admin/calendar/2027", schedule).status == 201


def test_a_dry_run_of_a_year_in_use_lists_the_days_the_confirmation_would(stack: InProcessStack) -> None:
    # Given 2026-11-20: 2026 is in use with the library's days
    new = {"holidays": ["2026-01-01"], "workdays": []}
    refused = body(put_calendar(stack, "/admin/calendar/2026", new))
    # When an admin previews loading an official 2026
    resp = put_calendar(stack, "/admin/calendar/2026?dry_run=true", new)
    # Then it is not refused: it says a confirmation is needed and lists the same days the 409 lists
    assert resp.status == 200, resp.body
    preview = body(resp)
    assert preview["confirmation_required"] is True and preview["in_use"] == ["days_passed"]
    assert preview["source_before"] == "library"
    assert [(d["date"], d["working_before"], d["working_after"]) for d in preview["changed_days"]] == [
        (d["date"], d["working_before"], d["working_after"]) for d in refused["details"]
    ]
    # And 2026 is untouched, nothing recorded
    assert body(stack.call("admin", "GET", "/admin/calendar/2026", as_=ADMIN))["source"] == "library"
    assert history(stack, 2026) == []


def test_a_dry_run_checks_the_schedule_like_a_load(stack: InProcessStack) -> None:
    wrong_year = {"holidays": ["2028-01-01"], "workdays": []}
    assert put_calendar(stack, "/admin/calendar/2027?dry_run=true", wrong_year).status == 422
    assert (
        put_calendar(stack, "/admin/calendar/2027?dry_run=true", {"holidays": []}, who="c0002").status == 403
    )


def test_a_load_answers_the_days_it_changed(stack: InProcessStack) -> None:
    resp = put_calendar(stack, "/admin/calendar/2027", {"holidays": ["2027-01-01"]})
    loaded = body(resp)
    assert resp.status == 201 and loaded["dry_run"] is False and loaded["loaded_by"] == ADMIN
    assert loaded["changed_days"] == [{"date": "2027-01-01", "working_before": True, "working_after": False}]
