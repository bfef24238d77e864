"""The cases function through function-URL events, under moto, resources from template.yaml."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import pytest

from infra.inprocess import InProcessStack
from tests.conftest import set_clock
from tests.integration.idempotency_support import (
    granted_on_idempotency_table,
    idempotency_requests,
    keyed,
    sent_twice,
)
from worklog.bus import EventBus
from worklog.compliance.ladder import open_case
from worklog.compliance.repository import ComplianceRepository
from worklog.models.cases import Case, CaseKind, Subject
from worklog.models.roster import Cadre
from worklog.roster.repository import RosterRepository

CASE = "RT-LOG-c0001-2026-11-18"  # about c0001 (jyj), held by the head of jyj (c0002)
TALK = {
    "talk_date": "2026-11-20",
    "said": "指出近期多次未按时填写工作日志，要求立即整改",
    "response": "接受，今后按时填写",
}
DISCIPLINE = "c0020"  # 区纪委监委 discipline inspector
LEADER = "c0030"  # district leader


def body(resp: Any) -> Any:
    return json.loads(resp.body)


def seed(case: Case) -> Case:
    assert ComplianceRepository().open_case(case)
    return case


def talk_case(cadre_id: str = "c0001", unit: str = "jyj", opened_on: date = date(2026, 11, 18)) -> Case:
    return open_case(
        CaseKind.REMINDER_TALK,
        Subject.LOGGING,
        cadre_id,
        opened_on=opened_on,
        at=f"{opened_on.isoformat()}T02:00:00.000+08:00",
        reason="近10个工作日内3次未按时填写（2026-11-12、2026-11-16、2026-11-17）",
        evidence=[
            f"{cadre_id}/entry/2026-11-12",
            f"{cadre_id}/entry/2026-11-16",
            f"{cadre_id}/entry/2026-11-17",
        ],
        owner_unit_id=unit,
    )


@pytest.fixture
def district(stack: InProcessStack) -> InProcessStack:
    """Given the test district plus a discipline inspector and a district leader, and one open
    reminder-talk case about c0001 held by the head of jyj."""
    roster = RosterRepository()
    roster.put_row(
        Cadre(
            cadre_id=DISCIPLINE,
            name="钱纪",
            unit_id="jw",
            title="纪检监察室主任",
            roles=["cadre", "discipline_inspector"],
        )
    )
    roster.put_row(
        Cadre(cadre_id=LEADER, name="郑远", unit_id="qw", title="副区长", roles=["cadre", "district_leader"])
    )
    seed(talk_case())
    return stack


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Events the function put on the bus (the real bus is under moto; this records what was sent)."""
    sent: list[tuple[str, dict[str, Any]]] = []

    def publish(self: EventBus, detail_type: str, details: Iterable[Mapping[str, Any]]) -> int:
        sent.extend((detail_type, dict(d)) for d in details)
        return 1

    monkeypatch.setattr(EventBus, "publish", publish)
    return sent


def call(stack: InProcessStack, method: str, path: str, data: Any = None, who: str = "c0002") -> Any:
    return stack.call("cases", method, path, data, as_=who)


def listed(stack: InProcessStack, who: str, query: str = "") -> list[str]:
    resp = call(stack, "GET", f"/cases{query}", who=who)
    assert resp.status == 200, resp.body
    return [c["case_id"] for c in body(resp)["cases"]]


# --- seeing ------------------------------------------------------------------------------------


def test_a_unit_head_lists_the_cases_of_their_unit(district: InProcessStack) -> None:
    seed(talk_case("c0011", unit="zzb"))
    resp = call(district, "GET", "/cases")
    assert resp.status == 200
    [case] = body(resp)["cases"]
    assert case["case_id"] == CASE and case["state"] == "open" and case["state_text"] == "待办理"
    assert case["kind_text"] == "提醒谈话" and case["owner_unit_id"] == "jyj"
    assert [e["action"] for e in case["history"]] == ["opened"]


def test_the_head_of_another_unit_may_neither_read_nor_act(district: InProcessStack) -> None:
    assert listed(district, "c0010", "?role=unit_head") == []
    resp = call(district, "GET", f"/cases/{CASE}", who="c0010")
    assert resp.status == 403 and body(resp)["code"] == "case_forbidden"
    assert call(district, "POST", f"/cases/{CASE}/talks", TALK, who="c0010").status == 403


def test_the_cadre_a_case_is_about_reads_it_but_cannot_act(district: InProcessStack) -> None:
    assert listed(district, "c0001") == [CASE]
    assert call(district, "GET", f"/cases/{CASE}", who="c0001").status == 200
    for route, data in (("talks", TALK), ("escalation", {"reason": "x"}), ("closure", {"reason": "x"})):
        resp = call(district, "POST", f"/cases/{CASE}/{route}", data, who="c0001")
        assert resp.status == 403 and body(resp)["code"] == "own_case"
    assert body(call(district, "GET", f"/cases/{CASE}"))["state"] == "open"


def test_a_colleague_sees_nothing(district: InProcessStack) -> None:
    assert listed(district, "c0003") == []
    assert call(district, "GET", f"/cases/{CASE}", who="c0003").status == 403


def test_the_list_filters_by_state_and_role(district: InProcessStack) -> None:
    assert listed(district, "c0002", "?state=open") == [CASE]
    assert listed(district, "c0002", "?state=closed") == []
    assert listed(district, "c0002", "?role=cadre") == []
    narrowed = call(district, "GET", "/cases?role=district_leader")
    assert narrowed.status == 403 and body(narrowed)["code"] == "forbidden"
    assert call(district, "GET", "/cases?state=pending").status == 422


def test_an_unknown_case_is_404(district: InProcessStack) -> None:
    missing = "RT-LOG-c0001-2026-01-05"
    resp = call(district, "GET", f"/cases/{missing}")
    assert resp.status == 404 and body(resp)["code"] == "case_not_found"
    assert call(district, "POST", f"/cases/{missing}/talks", TALK).status == 404
    assert call(district, "POST", f"/cases/{missing}/closure", {"reason": "办结"}).status == 404


def test_without_a_token_it_is_401(district: InProcessStack) -> None:
    assert district.call("cases", "GET", "/cases").status == 401


# --- moves -------------------------------------------------------------------------------------


def test_recording_a_talk_moves_the_case_on_and_keeps_its_history(district: InProcessStack) -> None:
    set_clock(2026, 11, 20, 9, 30)
    resp = call(district, "POST", f"/cases/{CASE}/talks", TALK)
    assert resp.status == 200
    case = body(resp)
    assert case["state"] == "talk_recorded" and case["state_text"] == "已谈话"
    opened, talked = case["history"]
    assert opened["action"] == "opened" and talked["action"] == "talk_recorded"
    assert talked["by"] == "c0002" and talked["at"].startswith("2026-11-20T09:30")
    assert talked["details"] == {
        "talk_date": "2026-11-20",
        "said": TALK["said"],
        "response": TALK["response"],
    }
    assert body(call(district, "GET", f"/cases/{CASE}", who="c0001"))["history"] == case["history"]


def test_escalation_opens_an_accountability_case_for_both_inspectorates(
    district: InProcessStack, published: list[tuple[str, dict[str, Any]]]
) -> None:
    call(district, "POST", f"/cases/{CASE}/talks", TALK)
    resp = call(district, "POST", f"/cases/{CASE}/escalation", {"reason": "谈话后又连续3天未填写"})
    assert resp.status == 200
    escalated, opened = body(resp)["case"], body(resp)["opened"]
    assert escalated["state"] == "escalated" and escalated["history"][-1]["note"] == "谈话后又连续3天未填写"
    assert opened["case_id"] == "AC-LOG-c0001-2026-11-20" and opened["kind_text"] == "问责"
    assert opened["owner_role"] == "discipline_inspector" and opened["state"] == "open"
    assert opened["evidence"] == [*talk_case().evidence, f"CASE#{CASE}"]
    # Then both inspectorates see it and may act on it, the unit head may not, the cadre may read it
    for inspector in (DISCIPLINE, "c0010"):
        assert listed(district, inspector) == [opened["case_id"]]
    assert call(district, "GET", f"/cases/{opened['case_id']}").status == 403
    assert listed(district, "c0001") == [opened["case_id"], CASE]
    # And the bus got exactly one AccountabilityCaseOpened
    assert [t for t, _ in published] == ["AccountabilityCaseOpened"]
    detail = published[0][1]
    assert detail["case_id"] == opened["case_id"] and detail["escalated_from"] == CASE
    assert detail["cadre_id"] == "c0001" and detail["escalated_by"] == "c0002"


def test_an_inspector_closes_the_accountability_case(
    district: InProcessStack, published: list[tuple[str, dict[str, Any]]]
) -> None:
    opened = body(call(district, "POST", f"/cases/{CASE}/escalation", {"reason": "升级"}))["opened"]
    resp = call(
        district, "POST", f"/cases/{opened['case_id']}/closure", {"reason": "已给予诫勉谈话"}, who=DISCIPLINE
    )
    assert resp.status == 200 and body(resp)["state"] == "closed"
    assert listed(district, "c0010", "?state=closed") == [opened["case_id"]]


def test_an_org_inspector_never_acts_on_a_case_about_themselves(district: InProcessStack) -> None:
    own = seed(
        open_case(
            CaseKind.ACCOUNTABILITY,
            Subject.REVIEWING,
            "c0010",
            opened_on=date(2026, 11, 19),
            at="2026-11-19T02:00:00.000+08:00",
            reason="审阅涉嫌造假",
        )
    )
    assert call(district, "GET", f"/cases/{own.case_id}", who="c0010").status == 200
    assert call(district, "POST", f"/cases/{own.case_id}/closure", {"reason": "x"}, who="c0010").status == 403
    assert (
        call(district, "POST", f"/cases/{own.case_id}/closure", {"reason": "查无实据"}, who=DISCIPLINE).status
        == 200
    )


def test_a_district_leader_holds_the_cases_of_reviewers(district: InProcessStack) -> None:
    reviewer = seed(
        open_case(
            CaseKind.REMINDER_TALK,
            Subject.REVIEWING,
            "c0002",
            opened_on=date(2026, 11, 16),
            at="2026-11-16T08:00:00.000+08:00",
            reason="2026年第4季度有2周的审阅逾期未完成",
        )
    )
    assert listed(district, LEADER) == [reviewer.case_id]
    assert call(district, "POST", f"/cases/{reviewer.case_id}/talks", TALK, who="c0010").status == 403
    assert call(district, "POST", f"/cases/{reviewer.case_id}/talks", TALK, who=LEADER).status == 200
    assert reviewer.case_id in listed(district, "c0002", "?role=cadre")


def test_closing_and_escalating_need_a_reason(district: InProcessStack) -> None:
    for route in ("closure", "escalation"):
        for data in (
            {"reason": "   "},
            {},
            {"reason": ""},
            {"reason": "x" * 1001},
            {"reason": "x", "by": "c0010"},
        ):
            resp = call(district, "POST", f"/cases/{CASE}/{route}", data)
            assert resp.status == 422 and body(resp)["code"] == "validation_error"
    resp = call(district, "POST", f"/cases/{CASE}/closure", {"reason": "已补填并作出说明"})
    assert resp.status == 200 and body(resp)["state"] == "closed"
    assert body(resp)["history"][-1]["note"] == "已补填并作出说明"


def test_illegal_transitions_are_409(
    district: InProcessStack, published: list[tuple[str, dict[str, Any]]]
) -> None:
    assert call(district, "POST", f"/cases/{CASE}/talks", TALK).status == 200
    again = call(district, "POST", f"/cases/{CASE}/talks", TALK)
    assert again.status == 409 and body(again)["code"] == "invalid_transition"
    opened = body(call(district, "POST", f"/cases/{CASE}/escalation", {"reason": "升级"}))["opened"]
    assert call(district, "POST", f"/cases/{CASE}/escalation", {"reason": "再升级"}).status == 409
    on_accountability = call(district, "POST", f"/cases/{opened['case_id']}/talks", TALK, who=DISCIPLINE)
    assert on_accountability.status == 409
    assert (
        call(
            district, "POST", f"/cases/{opened['case_id']}/escalation", {"reason": "x"}, who=DISCIPLINE
        ).status
        == 409
    )
    assert call(district, "POST", f"/cases/{CASE}/closure", {"reason": "已移交问责"}).status == 200
    closed_again = call(district, "POST", f"/cases/{CASE}/closure", {"reason": "再次办结"})
    assert closed_again.status == 409 and body(closed_again)["code"] == "invalid_transition"
    assert len(published) == 1


# --- a move retried by the app's outbox (same Idempotency-Key) -------------------------------------


@pytest.mark.parametrize(
    ("move", "data", "other", "action"),
    [
        ("talks", TALK, {**TALK, "response": "不接受"}, "talk_recorded"),
        ("closure", {"reason": "已补填并作出说明"}, {"reason": "另一个理由"}, "closed"),
    ],
)
def test_a_move_retried_with_its_idempotency_key_is_answered_as_the_first_and_made_once(
    district: InProcessStack, move: str, data: dict[str, Any], other: dict[str, Any], action: str
) -> None:
    """Given a move sent from the outbox with a key, its answer lost; When the outbox sends it again
    with the same key two minutes later; Then the retry gets the very first answer and the case's
    history has the move once; the same key with another body is refused as a reused key, and
    without a key the move is refused as before; the idempotency records are within the function's
    grants in template.yaml."""
    target = f"/cases/{CASE}/{move}"

    with idempotency_requests(district) as asked:
        first, again = sent_twice(district, "cases", "POST", target, data, "c0002")

    assert first.status == 200 and again.status == 200 and body(again) == body(first)
    history = body(call(district, "GET", f"/cases/{CASE}"))["history"]
    assert [h["action"] for h in history] == ["opened", action]
    assert history == body(first)["history"]
    assert asked and set(asked) <= granted_on_idempotency_table(district, "CasesFunction")
    reused = keyed(district, "cases", "POST", target, other, "c0002")
    assert reused.status == 409 and body(reused)["code"] == "idempotency_key_reused"
    unkeyed = call(district, "POST", target, data)  # without a key: as it always was
    assert unkeyed.status == 409 and body(unkeyed)["code"] == "invalid_transition"


def test_an_escalation_retried_with_its_idempotency_key_opens_one_case_and_publishes_once(
    district: InProcessStack, published: list[tuple[str, dict[str, Any]]]
) -> None:
    """Given an escalation sent from the outbox with a key, its answer lost; When the outbox sends
    it again with the same key; Then the retry gets the first answer, one accountability case is
    open with one entry in its history, one AccountabilityCaseOpened went out; the same key with
    another reason is refused; without a key a second escalation is refused as before."""
    target = f"/cases/{CASE}/escalation"
    reason = {"reason": "谈话后又连续3天未填写"}

    with idempotency_requests(district) as asked:
        first, again = sent_twice(district, "cases", "POST", target, reason, "c0002")

    assert first.status == 200 and again.status == 200 and body(again) == body(first)
    assert asked and set(asked) <= granted_on_idempotency_table(district, "CasesFunction")
    opened = body(first)["opened"]["case_id"]
    assert listed(district, DISCIPLINE) == [opened]
    case = ComplianceRepository().get_case(opened)
    assert case is not None and len(case.history) == 1
    escalated = body(call(district, "GET", f"/cases/{CASE}"))["history"]
    assert [h["action"] for h in escalated] == ["opened", "escalated"]
    assert [(t, d["case_id"]) for t, d in published] == [("AccountabilityCaseOpened", opened)]
    reused = keyed(district, "cases", "POST", target, {"reason": "另一个理由"}, "c0002")
    assert reused.status == 409 and body(reused)["code"] == "idempotency_key_reused"
    unkeyed = call(district, "POST", target, reason)
    assert unkeyed.status == 409 and body(unkeyed)["code"] == "invalid_transition"
    assert len(published) == 1


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({**TALK, "extra": 1}, "validation_error"),
        ({**TALK, "said": "  "}, "validation_error"),
        ({**TALK, "said": "长" * 2001}, "validation_error"),
        ({**TALK, "talk_date": "2026/11/20"}, "validation_error"),
        ({k: v for k, v in TALK.items() if k != "talk_date"}, "validation_error"),
        ({**TALK, "talk_date": "2026-11-21"}, "bad_talk_date"),  # after today
        ({**TALK, "talk_date": "2026-11-17"}, "bad_talk_date"),  # before the case opened
    ],
    ids=["unknown_field", "blank", "too_long", "bad_date", "no_date", "future", "before_opening"],
)
def test_malformed_talks_are_422_and_change_nothing(district: InProcessStack, data: Any, code: str) -> None:
    resp = call(district, "POST", f"/cases/{CASE}/talks", data)
    assert resp.status == 422 and body(resp)["code"] == code
    assert body(call(district, "GET", f"/cases/{CASE}"))["state"] == "open"


def test_unreadable_or_oversized_bodies_and_malformed_case_ids_are_rejected(district: InProcessStack) -> None:
    resp = district.call("cases", "POST", f"/cases/{CASE}/closure", raw=b"{reason", as_="c0002")
    assert resp.status == 400 and body(resp)["code"] == "invalid_json"
    huge = call(district, "POST", f"/cases/{CASE}/closure", {"reason": "长" * 30000})
    assert huge.status == 413 and body(huge)["code"] == "payload_too_large"
    assert call(district, "GET", "/cases/..%2Fx").status == 422
    assert call(district, "GET", "/cases/bad*id").status == 422


def test_concurrent_moves_on_one_case_never_lose_or_repeat_a_move(
    district: InProcessStack, published: list[tuple[str, dict[str, Any]]]
) -> None:
    results: list[tuple[str, int]] = []

    def act(route: str, data: dict[str, str]) -> None:
        results.append((route, call(district, "POST", f"/cases/{CASE}/{route}", data).status))

    moves = [("talks", TALK), ("closure", {"reason": "已整改"}), ("escalation", {"reason": "升级"})] * 3
    threads = [threading.Thread(target=act, args=move) for move in moves]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {status for _, status in results} <= {200, 409}, results
    succeeded = [route for route, status in results if status == 200]
    assert succeeded and len(succeeded) == len(set(succeeded))  # each move at most once
    history = body(call(district, "GET", f"/cases/{CASE}"))["history"]
    assert len(history) == 1 + len(succeeded)
    assert len(published) == succeeded.count("escalation")


# --- what a client shows: names, the moves open to the caller, the dossier ----------------------


def test_a_listed_case_names_the_cadre_it_is_about_and_their_unit(district: InProcessStack) -> None:
    [case] = body(call(district, "GET", "/cases"))["cases"]
    assert case["cadre_id"] == "c0001"
    assert case["cadre_name"] == "李明" and case["cadre_unit_name"] == "区教育局"
    one = body(call(district, "GET", f"/cases/{CASE}", who="c0001"))
    assert one["cadre_name"] == "李明"


def test_a_case_lists_the_moves_the_caller_may_make_now(
    district: InProcessStack, published: list[tuple[str, dict[str, Any]]]
) -> None:
    # Given an open reminder talk: its holder may record the talk, escalate or close; its cadre nothing
    assert body(call(district, "GET", f"/cases/{CASE}"))["actions"] == ["talks", "escalation", "closure"]
    assert body(call(district, "GET", f"/cases/{CASE}", who="c0001"))["actions"] == []
    # When the talk is recorded, then it may be escalated or closed, and the answer says so
    talked = body(call(district, "POST", f"/cases/{CASE}/talks", TALK))
    assert talked["actions"] == ["escalation", "closure"]
    # When it is escalated, the accountability case is the inspectors' to close, not the unit head's
    done = body(call(district, "POST", f"/cases/{CASE}/escalation", {"reason": "谈话后仍未改正"}))
    assert done["case"]["actions"] == ["closure"] and done["opened"]["actions"] == []
    opened = done["opened"]["case_id"]
    assert body(call(district, "GET", f"/cases/{opened}", who=DISCIPLINE))["actions"] == ["closure"]
    # And a closed case offers nothing
    closed = body(call(district, "POST", f"/cases/{CASE}/closure", {"reason": "已移交问责"}))
    assert closed["actions"] == []
    assert [c["actions"] for c in body(call(district, "GET", "/cases?state=closed"))["cases"]] == [[]]


def test_the_dossier_of_an_escalated_case_describes_the_talk_it_came_from(
    district: InProcessStack, published: list[tuple[str, dict[str, Any]]]
) -> None:
    set_clock(2026, 11, 20, 9, 30)
    call(district, "POST", f"/cases/{CASE}/talks", TALK)
    opened = body(call(district, "POST", f"/cases/{CASE}/escalation", {"reason": "谈话后仍未改正"}))["opened"]
    resp = call(district, "GET", f"/cases/{opened['case_id']}/dossier", who=DISCIPLINE)
    assert resp.status == 200, resp.body
    dossier = body(resp)
    cited = dossier["evidence"][-1]
    assert cited["key"] == f"CASE#{CASE}" and cited["kind"] == "case"
    assert cited["date"] == "2026-11-18"
    assert cited["details"]["case_id"] == CASE and cited["details"]["state"] == "escalated"
    assert cited["details"]["kind"] == "reminder_talk" and cited["details"]["opened_on"] == "2026-11-18"
    talk = next(e for e in cited["details"]["history"] if e["action"] == "talk_recorded")
    assert talk["details"]["said"] == TALK["said"]
    # And every person it mentions is named: the cadre, and the unit head who talked and escalated
    assert dossier["names"] == {"c0001": "李明", "c0002": "王强"}
    assert dossier["case"]["cadre_name"] == "李明" and dossier["case"]["actions"] == ["closure"]
