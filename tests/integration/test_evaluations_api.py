"""A unit's quarter for its evaluators, `GET /evaluations/{quarter}/units/{unit_id}`, under moto.

Given the test district (jyj: head c0002 with c0001 and c0004, who left on 2026-10-31; zzb: the Org
Dept's head c0010, an org inspector, with c0003) and an HR evaluator of 区人社局 (h0001), a quarter
(2026-Q3) with entries on time and late, a weekly verdict, an audit finding, a case and a grade: the
JSON gives, per cadre, the very figures of the XLSX sheet (one computation), the grade given so far
with who gave it and when, in roster order, to the Org Dept and HR only, and no log text.
"""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook

from infra.inprocess import InProcessStack
from tests.conftest import set_clock
from tests.integration.idempotency_support import (
    granted_on_idempotency_table,
    idempotency_requests,
    keyed,
    sent_twice,
)
from worklog.audit.repository import AuditRepository
from worklog.compliance.ladder import open_case
from worklog.compliance.repository import ComplianceRepository
from worklog.models.audits import Finding
from worklog.models.cases import CaseKind, Subject
from worklog.models.roster import Cadre, Unit
from worklog.roster.repository import RosterRepository

UNIT_VIEW = "/evaluations/2026-Q3/units/jyj"
SHEET = f"{UNIT_VIEW}/sheet"
ENTRY_TEXT = "督导检查校园安全工作，形成整改清单"
HR = Cadre(cadre_id="h0001", name="陈红", unit_id="rsj", title="考核科科长", roles=["cadre", "hr_evaluator"])


def body(response: Any) -> Any:
    return json.loads(response.body)


def save_entry(stack: InProcessStack, who: str, day: str) -> None:
    data = {"items": [{"content": ENTRY_TEXT, "status": "done"}]}
    assert stack.call("entries", "PUT", f"/entries/{day}", data, as_=who).status == 201


@pytest.fixture
def quarter(stack: InProcessStack) -> InProcessStack:
    """2026-Q3 lived through by jyj: c0001 logs three days on time and one late, gets a perfunctory
    verdict for the week of 09-07, a discrepancy found on 09-09 and a reminder-talk case opened on
    09-18; the Org Dept grades c0001 on 2026-10-15 10:00."""
    roster = RosterRepository()
    roster.put_row(HR, Unit(unit_id="rsj", name="区人社局", head_id=None))
    for day in ("2026-09-08", "2026-09-09", "2026-09-10"):
        set_clock(2026, 9, int(day[-2:]), 18)
        save_entry(stack, "c0001", day)
    set_clock(2026, 9, 14, 9)
    save_entry(stack, "c0001", "2026-09-11")  # the Friday's entry on Monday: late
    stack.invoke("review-assignment", {"date": "2026-09-14"})  # assigns the week of 09-07
    verdict = {"verdict": "perfunctory", "comment": "内容较空泛"}
    assert stack.call("reviews", "PUT", "/reviews/2026-09-07/c0001", verdict, as_="c0002").status == 200
    AuditRepository().put_finding(
        Finding(
            round_id="2026-Q3",
            cadre_id="c0001",
            day=date(2026, 9, 9),
            inspector_id="d0001",
            result="discrepancy",
            note="与会议记录不一致",
            recorded_at="2026-10-09T10:00:00.000+08:00",
        )
    )
    ComplianceRepository().open_case(
        open_case(
            CaseKind.REMINDER_TALK,
            Subject.LOGGING,
            "c0001",
            opened_on=date(2026, 9, 18),
            at="2026-09-18T02:00:00.000+08:00",
            reason="近10个工作日内3次未按时填写",
            evidence=[],
            owner_unit_id="jyj",
        )
    )
    set_clock(2026, 10, 15, 10)
    grade = {"grade": "good", "comment": "记录较及时，=SUM(1) 仍需具体"}
    assert stack.call("cases", "PUT", "/evaluations/2026-Q3/c0001", grade, as_="c0010").status == 200
    return stack


def test_the_org_dept_sees_each_cadres_quarter_with_the_grade_given_so_far(quarter: InProcessStack) -> None:
    # When the Org Dept asks for jyj's 2026-Q3
    got = quarter.call("cases", "GET", UNIT_VIEW, as_="c0010")

    # Then every cadre in post in the quarter is listed in roster order, with the quarter's figures
    assert got.status == 200, got.body
    out = body(got)
    assert {k: out[k] for k in ("quarter", "quarter_text", "unit_id", "unit_name", "first", "last")} == {
        "quarter": "2026-Q3",
        "quarter_text": "2026年第三季度",
        "unit_id": "jyj",
        "unit_name": "区教育局",
        "first": "2026-07-01",
        "last": "2026-09-30",
    }
    assert out["closed"] is True
    assert [c["cadre_id"] for c in out["cadres"]] == ["c0001", "c0002", "c0004"]
    first = out["cadres"][0]
    assert (first["name"], first["title"]) == ("李明", "副局长")
    assert first["on_time"] == 3 and first["late"] == 1
    assert first["missing"] == first["owed_days"] - 4 and first["owed_days"] > 60
    assert first["verdicts"] == {"adequate": 0, "perfunctory": 1, "suspected_falsification": 0}
    assert first["findings"] == {"verified": 0, "discrepancy": 1, "falsified": 0}
    assert first["cases"] == {"reminder_talk": 1, "accountability": 0}
    # And the grade with its comment, who gave it and when
    assert (first["grade"], first["grade_text"]) == ("good", "良好")
    assert first["comment"] == "记录较及时，=SUM(1) 仍需具体"
    assert (first["graded_by"], first["graded_by_name"]) == ("c0010", "周静")
    assert first["graded_at"].startswith("2026-10-15T10:00")
    # And a cadre not graded yet says so
    head = out["cadres"][1]
    assert head["grade"] is None and head["grade_text"] is None and head["comment"] == ""
    assert head["graded_by"] is None and head["graded_by_name"] is None and head["graded_at"] is None


def test_the_json_and_the_xlsx_sheet_give_the_same_figures_in_the_same_order(quarter: InProcessStack) -> None:
    # Given jyj's quarter as JSON and as the sheet, asked for by HR
    out = body(quarter.call("cases", "GET", UNIT_VIEW, as_="h0001"))
    sheet = quarter.call("cases", "GET", SHEET, as_="h0001")
    assert sheet.status == 200
    rows = [
        [c.value for c in row]
        for row in load_workbook(io.BytesIO(sheet.body)).active.iter_rows(min_row=4, max_col=13)
        if isinstance(row[0].value, int)
    ]

    # Then each row of the sheet is the JSON's cadre at the same place, figure for figure
    def as_sheet(n: int, c: dict[str, Any]) -> list[Any]:
        counts = ["/".join(str(v) for v in c[k].values()) for k in ("verdicts", "findings", "cases")]
        figures = [c["owed_days"], c["on_time"], c["late"], c["missing"], c["on_time_rate"]]
        return [n, c["name"], c["title"], *figures, *counts, c["grade_text"], c["comment"] or None]

    assert rows == [as_sheet(n, c) for n, c in enumerate(out["cadres"], start=1)]
    # And the sheet has the cases column
    header = [c.value for c in load_workbook(io.BytesIO(sheet.body)).active[3]]
    assert header[10] == "案件（提醒谈话/问责）" and rows[0][10] == "1/0"


def test_the_quarter_under_way_counts_through_yesterday_and_a_quarter_not_begun_is_refused(
    quarter: InProcessStack,
) -> None:
    # Given 2026-10-15: 2026-Q4 is under way
    got = quarter.call("cases", "GET", "/evaluations/2026-Q4/units/jyj", as_="c0010")
    assert got.status == 200
    out = body(got)
    assert (out["first"], out["last"], out["closed"]) == ("2026-10-01", "2026-10-14", False)
    # When a quarter that has not begun is asked for, as JSON or as the sheet
    for path in ("/evaluations/2027-Q1/units/jyj/sheet", "/evaluations/2027-Q1/units/jyj"):
        refused = quarter.call("cases", "GET", path, as_="c0010")
        # Then it is refused with the reason, not an empty table
        assert refused.status == 422 and body(refused)["code"] == "validation_error", path
        assert body(refused)["message"] == "这个季度还没有开始"


@pytest.mark.parametrize("who", ["c0001", "c0002", "c0003"])
def test_nobody_but_the_org_dept_and_hr_reads_a_units_quarter(quarter: InProcessStack, who: str) -> None:
    # A cadre, the unit's own head, an admin: refused, in words
    refused = quarter.call("cases", "GET", UNIT_VIEW, as_=who)
    assert refused.status == 403 and body(refused)["code"] == "forbidden"
    assert "组织部或人社局" in body(refused)["message"]


def test_an_unknown_unit_or_a_malformed_quarter_is_refused(quarter: InProcessStack) -> None:
    assert quarter.call("cases", "GET", "/evaluations/2026-Q3/units/nowhere", as_="c0010").status == 404
    assert quarter.call("cases", "GET", "/evaluations/2026-Q5/units/jyj", as_="c0010").status == 422


def test_reading_a_units_quarter_returns_no_log_text_and_records_no_read(quarter: InProcessStack) -> None:
    # When HR reads jyj's quarter
    got = quarter.call("cases", "GET", UNIT_VIEW, as_="h0001")
    assert got.status == 200
    # Then no entry, verdict comment or finding note is in it
    text = got.body if isinstance(got.body, str) else got.body.decode()
    assert ENTRY_TEXT not in text and "内容较空泛" not in text and "与会议记录不一致" not in text
    # And no cadre finds a read of their log by HR
    reads = body(quarter.call("reviews", "GET", "/me/reads", as_="c0001"))
    assert all(r["reader_id"] != "h0001" for r in reads["reads"])


# --- a grade retried by the app's outbox (same Idempotency-Key) ------------------------------------
def graded(stack: InProcessStack, cadre_id: str) -> dict[str, Any]:
    cadres = body(stack.call("cases", "GET", UNIT_VIEW, as_="c0010"))["cadres"]
    row: dict[str, Any] = next(c for c in cadres if c["cadre_id"] == cadre_id)
    return row


def test_a_grade_retried_with_its_idempotency_key_is_answered_as_the_first_and_saved_once(
    quarter: InProcessStack,
) -> None:
    """Given HR's grade of c0002 sent from the outbox with a key, its answer lost; When the outbox
    sends it again with the same key two minutes later; Then the retry gets the very first answer
    and the grade stands as first saved (not saved again later); the same key with another grade is
    refused as a reused key, and without a key a grade is saved again as before; the idempotency
    records are within the function's grants in template.yaml."""
    target = "/evaluations/2026-Q3/c0002"
    grade = {"grade": "excellent", "comment": "审阅及时，带队成效明显"}

    with idempotency_requests(quarter) as asked:
        first, again = sent_twice(quarter, "cases", "PUT", target, grade, HR.cadre_id)

    assert first.status == 200 and again.status == 200 and body(again) == body(first)
    row = graded(quarter, "c0002")
    assert (row["grade"], row["graded_by"], row["graded_at"]) == ("excellent", "h0001", body(first)["at"])
    assert asked and set(asked) <= granted_on_idempotency_table(quarter, "CasesFunction")
    reused = keyed(quarter, "cases", "PUT", target, {**grade, "grade": "good"}, HR.cadre_id)
    assert reused.status == 409 and body(reused)["code"] == "idempotency_key_reused"
    assert graded(quarter, "c0002")["grade"] == "excellent"
    # And without a key a grade is saved again, as it always was
    unkeyed = quarter.call(
        "cases", "PUT", target, {"grade": "good", "comment": "复核后调整"}, as_=HR.cadre_id
    )
    assert unkeyed.status == 200 and graded(quarter, "c0002")["grade"] == "good"
