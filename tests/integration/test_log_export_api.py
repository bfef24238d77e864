"""导出: a month of logs as XLSX, through the reviews function (a unit's) and the entries function (one's
own). The export is a door that returns log text: it reads exactly what the access table lets the
reader read (docs/access.md) and records each cadre exported as a read before returning the file.

Given the test district on 2026-11-20 (jyj: head c0002, c0001, c0004 who left on 2026-10-31; zzb: head
c0010 of the Org Dept, c0003 admin) plus a district leader d0001, and November's logs:

- c0001's plan for November has item "p1" (走访辖区学校); on 11-16 c0001 logs two items, one citing
  p1, and corrects the entry once; on 11-18 one item that looks like a formula, saved late (on 11-19);
- c0002 (the head) logs 11-17.
"""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from infra.inprocess import InProcessStack
from tests.conftest import set_clock
from worklog.models.roster import Cadre, Unit
from worklog.roster.repository import RosterRepository

PLAN = {"items": [{"id": "p1", "content": "走访辖区学校", "target": "全覆盖"}]}
DAY_16 = {
    "items": [
        {"content": "走访实验小学，了解课后服务情况", "status": "done", "plan_item_id": "p1"},
        {"content": "起草冬季校园安全通知", "status": "in_progress"},
    ]
}
DAY_18 = {"items": [{"content": '=HYPERLINK("http://x")', "status": "not_done"}]}
DAY_17 = {"items": [{"content": "主持召开局党组会", "status": "done"}]}
HEADER_ROW = 3


@pytest.fixture
def november(stack: InProcessStack) -> InProcessStack:
    RosterRepository().put_row(
        Cadre(cadre_id="d0001", name="陈书记", unit_id="lead", roles=["cadre", "district_leader"]),
        Unit(unit_id="lead", name="区领导"),
    )
    set_clock(2026, 11, 16, 18)
    put(stack, "c0001", "/plans/2026-11", PLAN)
    put(stack, "c0001", "/entries/2026-11-16", DAY_16)
    put(stack, "c0001", "/entries/2026-11-16", {**DAY_16, "reason": "补充进展"})
    set_clock(2026, 11, 17, 18)
    put(stack, "c0002", "/entries/2026-11-17", DAY_17)
    set_clock(2026, 11, 19, 9)
    put(stack, "c0001", "/entries/2026-11-18", DAY_18)
    set_clock(2026, 11, 20, 18)
    return stack


def put(stack: InProcessStack, who: str, target: str, body: dict[str, Any]) -> None:
    assert stack.call("entries", "PUT", target, body, as_=who).status in (200, 201)


def rows(body: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(body)).active
    header = [c.value for c in sheet[HEADER_ROW]]
    assert header[:4] == ["序号", "姓名", "职务", "日期"]
    return [tuple(r) for r in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]


def reads(stack: InProcessStack, owner: str) -> list[dict[str, Any]]:
    resp = stack.call("reviews", "GET", "/me/reads?from=2026-11-01&to=2026-11-30", as_=owner)
    assert resp.status == 200
    found: list[dict[str, Any]] = json.loads(resp.body)["reads"]
    return found


def export(stack: InProcessStack, who: str, unit: str = "jyj", month: str = "2026-11") -> Any:
    return stack.call("reviews", "GET", f"/units/{unit}/export/{month}", as_=who)


def test_a_unit_head_exports_one_row_per_member_day_and_item(november: InProcessStack) -> None:
    resp = export(november, "c0002")

    assert resp.status == 200, resp.body
    assert dict(resp.headers)["Content-Type"].startswith("application/vnd.openxmlformats")
    got = [(r[1], r[3], r[5], r[6], r[7], r[8], r[9], r[10]) for r in rows(resp.body)]
    assert got == [
        ("李明", "2026-11-16", 1, DAY_16["items"][0]["content"], "已完成", "走访辖区学校", None, 2),
        ("李明", "2026-11-16", 2, DAY_16["items"][1]["content"], "推进中", None, None, 2),
        ("李明", "2026-11-18", 1, DAY_18["items"][0]["content"], "未完成", None, "补记", 1),
        ("王强", "2026-11-17", 1, DAY_17["items"][0]["content"], "已完成", None, None, 1),
    ]


def test_the_file_is_named_for_the_unit_and_month_in_chinese(november: InProcessStack) -> None:
    disposition = dict(export(november, "c0002").headers)["Content-Disposition"]

    assert disposition.startswith("attachment;") and 'filename="worklog-jyj-2026-11.xlsx"' in disposition
    encoded = disposition.split("filename*=UTF-8''")[1]
    assert unquote(encoded) == "工作日志-区教育局-2026-11.xlsx"


def test_each_member_exported_sees_the_read_with_its_purpose_and_the_head_reads_themselves_unrecorded(
    november: InProcessStack,
) -> None:
    assert export(november, "c0002").status == 200

    [read] = reads(november, "c0001")
    assert (read["reader_id"], read["purpose"], read["first"], read["last"]) == (
        "c0002",
        "unit_head",
        "2026-11-01",
        "2026-11-20",
    )
    assert reads(november, "c0002") == []


def test_a_district_leader_exports_the_unit_heads_rows_only(november: InProcessStack) -> None:
    resp = export(november, "d0001")

    assert resp.status == 200
    assert {r[1] for r in rows(resp.body)} == {"王强"}
    assert [r["purpose"] for r in reads(november, "c0002")] == ["district_leader"]
    assert reads(november, "c0001") == []


def test_the_org_dept_exports_only_a_candidate_under_an_open_vetting_notice(november: InProcessStack) -> None:
    refused = export(november, "c0010")
    assert refused.status == 403 and json.loads(refused.body)["code"] == "read_forbidden"
    notice = {
        "candidate_id": "c0001",
        "current_post": "副局长",
        "proposed_post": "局长",
        "start": "2026-11-20",
    }
    assert november.call("admin", "POST", "/admin/notices", notice, as_="c0010").status == 201

    resp = export(november, "c0010")

    assert resp.status == 200
    assert {r[1] for r in rows(resp.body)} == {"李明"}
    assert [r["purpose"] for r in reads(november, "c0001")] == ["vetting"]


@pytest.mark.parametrize("who", ["c0001", "c0003"])
def test_a_reader_the_table_grants_nobody_in_the_unit_is_refused_in_words_and_nothing_is_recorded(
    november: InProcessStack, who: str
) -> None:
    resp = export(november, who)

    assert resp.status == 403
    error = json.loads(resp.body)
    assert error["code"] == "read_forbidden" and "导出" in error["message"]
    assert reads(november, "c0002") == [] and (who == "c0001" or reads(november, "c0001") == [])


def test_a_unit_head_cannot_export_another_unit(november: InProcessStack) -> None:
    assert export(november, "c0002", unit="zzb").status == 403


def test_a_month_not_begun_and_an_unknown_unit_are_refused(november: InProcessStack) -> None:
    future = export(november, "c0002", month="2026-12")
    assert future.status == 422 and json.loads(future.body)["details"][0]["type"] == "future_period"
    assert export(november, "c0002", unit="nowhere").status == 404
    assert export(november, "c0002", month="2026-13").status == 422


def test_a_formula_is_exported_as_text(november: InProcessStack) -> None:
    sheet = load_workbook(io.BytesIO(export(november, "c0002").body)).active
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == DAY_18["items"][0]["content"])
    assert cell.data_type == "s"


def test_a_cadre_exports_their_own_month_and_no_read_is_recorded(november: InProcessStack) -> None:
    resp = november.call("entries", "GET", "/me/export/2026-11", as_="c0001")

    assert resp.status == 200, resp.body
    assert [(r[1], r[3], r[5]) for r in rows(resp.body)] == [
        ("李明", "2026-11-16", 1),
        ("李明", "2026-11-16", 2),
        ("李明", "2026-11-18", 1),
    ]
    assert "filename*=UTF-8''" in dict(resp.headers)["Content-Disposition"]
    assert reads(november, "c0001") == []
