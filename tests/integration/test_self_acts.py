"""Nobody grades, reviews, inspects or vets themselves, whatever role they hold and whatever a stored
record says: each attempt is a 403 with its own code and a message in Chinese, and changes nothing.

Given the test district (tests/conftest.py: c0010 heads the Org Dept and is an org inspector, c0003
is an admin there), an HR evaluator h0001 and a discipline inspector k0002.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from infra.inprocess import InProcessStack
from tests.conftest import set_clock
from worklog.audit.repository import AuditRepository
from worklog.compliance.repository import ComplianceRepository
from worklog.compliance.review_repository import ReviewRepository
from worklog.models.audits import AuditAssignment
from worklog.models.reviews import StoredReview
from worklog.models.roster import Cadre, Unit
from worklog.roster.repository import RosterRepository
from worklog.vetting.repository import NoticeRepository

ENTRY = {"items": [{"content": "研究干部考核工作", "status": "done"}]}
GRADE = {"grade": "excellent", "comment": "日志记录及时完整"}


@pytest.fixture
def district(stack: InProcessStack) -> InProcessStack:
    roster = RosterRepository()
    roster.put_row(
        Cadre(cadre_id="h0001", name="何考", unit_id="rsj", roles=["cadre", "hr_evaluator"]),
        Unit(unit_id="rsj", name="区人社局"),
    )
    roster.put_row(
        Cadre(cadre_id="k0002", name="钱峰", unit_id="jwj", roles=["cadre", "discipline_inspector"]),
        Unit(unit_id="jwj", name="区纪委监委"),
    )
    return stack


def body(resp: Any) -> Any:
    return json.loads(resp.body)


def assert_refused(resp: Any, code: str) -> None:
    assert resp.status == 403, resp.body
    error = body(resp)
    assert error["code"] == code and "本人" in error["message"]


# --- grades ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("evaluator", ["c0010", "h0001"], ids=["org_inspector", "hr_evaluator"])
def test_an_evaluator_never_grades_themselves(district: InProcessStack, evaluator: str) -> None:
    set_clock(2026, 10, 15, 10)
    unit = "zzb" if evaluator == "c0010" else "rsj"

    resp = district.call("cases", "PUT", f"/evaluations/2026-Q3/{evaluator}", GRADE, as_=evaluator)

    assert_refused(resp, "self_evaluation")
    assert AuditRepository().evaluations_of_unit("2026-Q3", unit) == []


def test_an_evaluator_grades_a_colleague_of_their_own_unit(district: InProcessStack) -> None:
    set_clock(2026, 10, 15, 10)
    resp = district.call("cases", "PUT", "/evaluations/2026-Q3/c0003", GRADE, as_="c0010")
    assert resp.status == 200 and body(resp)["by"] == "c0010"


# --- weekly reviews -------------------------------------------------------------------------------
def test_a_stored_assignment_of_ones_own_week_serves_nothing_and_takes_no_verdict(
    district: InProcessStack,
) -> None:
    # Given an assignment whose reviewer is the reviewee (the weekly run never writes one)
    week = date(2026, 11, 9)
    ReviewRepository().put_new(
        [
            StoredReview(
                assignment_id="2026-11-09#c0002",
                reviewer_id="c0002",
                cadre_id="c0002",
                unit_id="jyj",
                week_start=week,
                week_end=date(2026, 11, 15),
                due=date(2026, 11, 22),
                assigned_at="2026-11-16T08:00:00.000+08:00",
            )
        ]
    )
    verdict = {"verdict": "adequate", "comment": "记录具体"}

    # When the reviewer opens it or records a verdict, Then both are refused as self-review
    assert_refused(district.call("reviews", "GET", "/reviews/2026-11-09/c0002", as_="c0002"), "self_review")
    resp = district.call("reviews", "PUT", "/reviews/2026-11-09/c0002", verdict, as_="c0002")
    assert_refused(resp, "self_review")
    stored = ReviewRepository().get("c0002", week, "c0002")
    assert stored is not None and stored.status == "open" and stored.verdict is None


# --- audits ---------------------------------------------------------------------------------------
def test_an_inspector_records_no_finding_on_their_own_log(district: InProcessStack) -> None:
    set_clock(2026, 11, 19, 18)
    assert district.call("entries", "PUT", "/entries/2026-11-19", ENTRY, as_="k0002").status == 201
    set_clock(2026, 11, 24, 10)
    # Given an assignment naming the inspector on their own log (the draw never makes one)
    AuditRepository().put_assignments(
        [
            AuditAssignment(
                round_id="SPOT-2026-11-23-01",
                inspector_id="k0002",
                cadre_id="k0002",
                unit_id="jwj",
                quarter="2026-Q4",
                entries=[date(2026, 11, 19)],
                assigned_at="2026-11-23T09:00:00.000+08:00",
            )
        ]
    )
    finding = {"result": "falsified", "note": "自查", "evidence_ref": ""}

    resp = district.call(
        "cases", "PUT", "/audits/SPOT-2026-11-23-01/findings/k0002/2026-11-19", finding, as_="k0002"
    )

    assert_refused(resp, "self_inspection")
    assert AuditRepository().findings_of_round("SPOT-2026-11-23-01") == []
    assert ComplianceRepository().cases_of("k0002") == []


# --- vetting notices ------------------------------------------------------------------------------
def notice_for(candidate: str, start: str = "2026-11-23") -> dict[str, Any]:
    return {"candidate_id": candidate, "current_post": "部长", "proposed_post": "副区长", "start": start}


@pytest.mark.parametrize("who", ["c0010", "c0003"], ids=["org_inspector", "admin"])
def test_nobody_opens_a_vetting_notice_for_themselves(district: InProcessStack, who: str) -> None:
    resp = district.call("admin", "POST", "/admin/notices", notice_for(who), as_=who)
    assert_refused(resp, "self_notice")
    assert NoticeRepository().all() == []


def test_the_candidate_neither_reads_nor_answers_feedback_about_themselves(district: InProcessStack) -> None:
    # Given a notice for the Org Dept's head, opened by an admin, with one piece of feedback
    opened = district.call("admin", "POST", "/admin/notices", notice_for("c0010"), as_="c0003")
    assert opened.status == 201
    nid = body(opened)["notice_id"]
    set_clock(2026, 11, 24, 10)
    sent = district.call("feedback", "POST", f"/feedback/{nid}", {"content": "该同志工作作风扎实"})
    assert sent.status == 201
    fid = body(sent)["feedback_id"]

    # When the candidate asks for it or answers it, Then both are refused and nothing is answered
    target = f"/admin/notices/{nid}/feedback"
    assert_refused(district.call("admin", "GET", target, as_="c0010"), "self_feedback")
    answer = district.call("admin", "PUT", f"{target}/{fid}/answer", {"answer": "已核实"}, as_="c0010")
    assert_refused(answer, "self_feedback")
    [stored] = NoticeRepository().feedback(nid)
    assert stored.answer is None

    # And a colleague who handles notices still reads it
    listed = district.call("admin", "GET", target, as_="c0003")
    assert listed.status == 200 and [f["feedback_id"] for f in body(listed)["feedback"]] == [fid]
