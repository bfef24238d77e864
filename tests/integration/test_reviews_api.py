"""The reviews function through function-URL events, under moto, resources from template.yaml.

Given the test district (jyj: head c0002 with c0001; zzb: head c0010, an org inspector, with
c0003), a colleague of c0001, district leaders and a discipline inspector.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from infra.inprocess import InProcessStack
from tests.conftest import Published, set_clock
from tests.integration.idempotency_support import (
    granted_on_idempotency_table,
    idempotency_requests,
    keyed,
    sent_twice,
)
from worklog.compliance.ladder import open_case
from worklog.compliance.repository import ComplianceRepository
from worklog.models.cases import CaseKind, Subject
from worklog.models.roster import Cadre, Unit
from worklog.roster.repository import RosterRepository

LEADERS = Unit(unit_id="lead", name="区领导", head_id="d0001")
JWJ = Unit(unit_id="jwj", name="区纪委监委", head_id="k0001")
EXTRA = [
    (
        Cadre(
            cadre_id="d0001", name="陈书记", unit_id="lead", roles=["cadre", "district_leader", "unit_head"]
        ),
        LEADERS,
    ),
    (Cadre(cadre_id="d0002", name="林区长", unit_id="lead", roles=["cadre", "district_leader"]), None),
    (Cadre(cadre_id="c0005", name="钱芳", unit_id="jyj", title="副局长"), None),
    (
        Cadre(
            cadre_id="k0001",
            name="马书记",
            unit_id="jwj",
            roles=["cadre", "unit_head", "discipline_inspector"],
        ),
        JWJ,
    ),
]

WEEK = "2026-11-16"
ENTRY_TEXT = "召开全区教育系统冬季安全工作会议，部署校园消防排查和食堂检查"


@pytest.fixture
def district(stack: InProcessStack) -> InProcessStack:
    roster = RosterRepository()
    for cadre, unit in EXTRA:
        roster.put_row(cadre, unit)
    return stack


@pytest.fixture
def assigned(district: InProcessStack, events: Published) -> InProcessStack:
    """Given the weeks of 11-09 and 11-16 assigned, on Tuesday 2026-11-24."""
    district.invoke("review-assignment", {"date": "2026-11-16"})
    district.invoke("review-assignment", {"date": "2026-11-23"})
    set_clock(2026, 11, 24, 10)
    return district


def body(resp: Any) -> Any:
    return json.loads(resp.body)


def get(stack: InProcessStack, target: str, who: str) -> Any:
    return stack.call("reviews", "GET", target, as_=who)


def put_verdict(
    stack: InProcessStack,
    cadre_id: str,
    verdict: str,
    who: str = "c0002",
    week: str = WEEK,
    comment: str = "意见",
) -> Any:
    data = {"verdict": verdict, "comment": comment}
    return stack.call("reviews", "PUT", f"/reviews/{week}/{cadre_id}", data, as_=who)


def of_type(published: Published, detail_type: str) -> list[dict[str, Any]]:
    return [detail for t, detail in published if t == detail_type]


def save_entry(stack: InProcessStack, who: str, day: str, text: str = ENTRY_TEXT, **item: Any) -> None:
    data = {"items": [{"content": text, "status": "done", **item}]}
    assert stack.call("entries", "PUT", f"/entries/{day}", data, as_=who).status == 201


# --- my assignments -----------------------------------------------------------------------------
def test_a_reviewer_lists_their_assignments_newest_week_first(assigned: InProcessStack) -> None:
    reviews = body(get(assigned, "/reviews", "c0002"))["reviews"]

    assert [(r["week_start"], r["cadre_id"]) for r in reviews] == [
        (WEEK, "c0001"),
        (WEEK, "c0005"),
        ("2026-11-09", "c0001"),
        ("2026-11-09", "c0005"),
    ]
    assert (
        reviews[0]["cadre_name"] == "李明"
        and reviews[0]["status"] == "open"
        and reviews[0]["due"] == "2026-11-29"
    )


def test_week_narrows_the_list_to_that_week(assigned: InProcessStack) -> None:
    reviews = body(get(assigned, "/reviews?week=2026-11-11", "c0002"))["reviews"]
    assert {r["week_start"] for r in reviews} == {"2026-11-09"}


def test_a_cadre_with_nothing_to_review_gets_an_empty_list(assigned: InProcessStack) -> None:
    assert body(get(assigned, "/reviews", "c0001")) == {"reviews": []}


def test_old_finished_reviews_drop_out_of_the_default_list(assigned: InProcessStack) -> None:
    assert put_verdict(assigned, "c0001", "adequate", week="2026-11-09").status == 200
    set_clock(2026, 12, 22)
    reviews = body(get(assigned, "/reviews", "c0002"))["reviews"]
    # Unfinished ones stay however old they are; the finished one is over four weeks back.
    assert [(r["week_start"], r["cadre_id"]) for r in reviews] == [
        (WEEK, "c0001"),
        (WEEK, "c0005"),
        ("2026-11-09", "c0005"),
    ]


# --- one assignment with the week ---------------------------------------------------------------
def test_the_reviewer_sees_the_week_with_plan_items_and_signals(district: InProcessStack) -> None:
    set_clock(2026, 11, 18, 18)
    plan = {
        "items": [{"content": "完成冬季校园安全大检查", "target": "全覆盖"}, {"content": "推进学校改扩建"}]
    }
    assert district.call("entries", "PUT", "/plans/2026-11", plan, as_="c0001").status == 201
    save_entry(district, "c0001", "2026-11-16", plan_item_id="p1")
    save_entry(district, "c0001", "2026-11-17", "无")
    save_entry(district, "c0005", "2026-11-18")  # a colleague's day, word for word the same
    district.invoke("review-assignment", {"date": "2026-11-23"})
    set_clock(2026, 11, 23, 9)

    resp = get(district, f"/reviews/{WEEK}/c0001", "c0002")

    detail = body(resp)
    assert resp.status == 200 and detail["review"]["cadre_id"] == "c0001"
    assert [e["date"] for e in detail["entries"]] == ["2026-11-16", "2026-11-17"]
    assert {(p["id"], tuple(p["referenced_on"])) for p in detail["plan_items"]} == {
        ("p1", ("2026-11-16",)),
        ("p2", ()),
    }
    kinds = {(s["kind"], s["other_cadre_id"]) for s in detail["signals"]}
    assert ("near_duplicate_colleagues", "c0005") in kinds and ("near_empty", None) in kinds
    assert all(s["cadre_id"] == "c0001" for s in detail["signals"])


def test_reading_an_assignment_is_recorded_for_the_reviewee(assigned: InProcessStack) -> None:
    assert get(assigned, f"/reviews/{WEEK}/c0001", "c0002").status == 200

    reads = body(get(assigned, "/me/reads", "c0001"))["reads"]

    assert [(r["reader_id"], r["purpose"], r["first"], r["last"]) for r in reads] == [
        ("c0002", "review", WEEK, "2026-11-22")
    ]


def test_someone_elses_assignment_is_403_and_an_unknown_one_404(assigned: InProcessStack) -> None:
    assert get(assigned, f"/reviews/{WEEK}/c0001", "c0010").status == 403
    assert body(get(assigned, f"/reviews/{WEEK}/c0001", "c0010"))["code"] == "not_your_review"
    assert get(assigned, "/reviews/2026-11-02/c0001", "c0002").status == 404
    assert get(assigned, f"/reviews/{WEEK}/nobody", "c0002").status == 404
    assert get(assigned, "/reviews/2026-13-01/c0001", "c0002").status == 422


# --- verdicts -----------------------------------------------------------------------------------
def test_a_verdict_is_recorded_once(assigned: InProcessStack) -> None:
    first = put_verdict(assigned, "c0001", "adequate", comment="记录具体")
    assert first.status == 200
    out = body(first)
    assert (out["status"], out["verdict"], out["comment"], out["late"], out["cases"]) == (
        "done",
        "adequate",
        "记录具体",
        False,
        [],
    )
    assert out["reviewed_at"].startswith("2026-11-24T10:00")

    second = put_verdict(assigned, "c0001", "perfunctory", comment="改主意了")
    assert second.status == 409 and body(second)["code"] == "already_reviewed"


def test_the_same_verdict_sent_again_is_answered_as_the_first(assigned: InProcessStack) -> None:
    first = body(put_verdict(assigned, "c0001", "adequate", comment="记录具体"))
    again = put_verdict(assigned, "c0001", "adequate", comment="记录具体")
    assert again.status == 200 and body(again) == first


def test_a_verdict_retried_with_its_idempotency_key_is_answered_as_the_first_and_acted_on_once(
    assigned: InProcessStack, events: Published
) -> None:
    """Given a verdict of suspected falsification sent from the outbox with a key, its answer lost;
    When the outbox sends it again with the same key two minutes later; Then the retry gets the very
    first answer, and there is one verdict, one accountability case and one event; the same key with
    another verdict is refused as a reused key, and without a key another verdict is refused as
    before; the idempotency records are within the function's grants in template.yaml."""
    data = {"verdict": "suspected_falsification", "comment": "所记会议当日并未召开"}
    target = f"/reviews/{WEEK}/c0001"

    with idempotency_requests(assigned) as asked:
        first, again = sent_twice(assigned, "reviews", "PUT", target, data, "c0002")

    assert first.status == 200 and again.status == 200 and body(again) == body(first)
    [review] = [
        r
        for r in body(get(assigned, f"/reviews?week={WEEK}", "c0002"))["reviews"]
        if r["cadre_id"] == "c0001"
    ]
    assert (review["status"], review["reviewed_at"]) == ("done", body(first)["reviewed_at"])
    assert [e["case_id"] for e in of_type(events, "AccountabilityCaseOpened")] == ["AC-LOG-c0001-2026-11-24"]
    case = ComplianceRepository().get_case("AC-LOG-c0001-2026-11-24")
    assert case is not None and len(case.history) == 1
    assert asked and set(asked) <= granted_on_idempotency_table(assigned, "ReviewsFunction")

    other = keyed(assigned, "reviews", "PUT", target, {"verdict": "adequate", "comment": "改"}, "c0002")
    assert other.status == 409 and body(other)["code"] == "idempotency_key_reused"
    # And without a key the route answers as it always did: another verdict is refused
    unkeyed = put_verdict(assigned, "c0001", "adequate")
    assert unkeyed.status == 409 and body(unkeyed)["code"] == "already_reviewed"


def test_a_verdict_on_someone_elses_assignment_is_403(assigned: InProcessStack) -> None:
    resp = put_verdict(assigned, "c0001", "adequate", who="c0010")
    assert resp.status == 403
    assert body(get(assigned, f"/reviews?week={WEEK}", "c0002"))["reviews"][0]["status"] == "open"


@pytest.mark.parametrize(
    "data",
    [
        {"verdict": "excellent", "comment": "好"},
        {"verdict": "adequate", "comment": ""},
        {"verdict": "adequate", "comment": "长" * 2001},
        {"verdict": "adequate"},
        {"verdict": "adequate", "comment": "好", "grade": "A"},
        [],
    ],
)
def test_a_malformed_verdict_is_422(assigned: InProcessStack, data: Any) -> None:
    resp = assigned.call("reviews", "PUT", f"/reviews/{WEEK}/c0001", data, as_="c0002")
    assert resp.status == 422 and body(resp)["code"] == "validation_error"


def test_a_body_that_is_not_json_is_400(assigned: InProcessStack) -> None:
    resp = assigned.call("reviews", "PUT", f"/reviews/{WEEK}/c0001", raw=b"{verdict", as_="c0002")
    assert resp.status == 400 and body(resp)["code"] == "invalid_json"


def test_suspected_falsification_opens_an_accountability_case_at_once(
    assigned: InProcessStack, events: Published
) -> None:
    resp = put_verdict(assigned, "c0001", "suspected_falsification", comment="所记会议当日并未召开")

    assert body(resp)["cases"] == ["AC-LOG-c0001-2026-11-24"]
    case = ComplianceRepository().get_case("AC-LOG-c0001-2026-11-24")
    assert case is not None and case.kind == "accountability" and case.subject == "logging"
    assert case.owner_role == "discipline_inspector" and case.evidence == [f"review:{WEEK}#c0001"]
    assert [e["case_id"] for e in of_type(events, "AccountabilityCaseOpened")] == ["AC-LOG-c0001-2026-11-24"]


def test_a_retried_falsification_verdict_opens_nothing_twice(
    assigned: InProcessStack, events: Published
) -> None:
    put_verdict(assigned, "c0001", "suspected_falsification", comment="与事实不符")
    again = put_verdict(assigned, "c0001", "suspected_falsification", comment="与事实不符")
    assert again.status == 200 and body(again)["cases"] == ["AC-LOG-c0001-2026-11-24"]
    assert len(of_type(events, "AccountabilityCaseOpened")) == 1
    case = ComplianceRepository().get_case("AC-LOG-c0001-2026-11-24")
    assert case is not None and len(case.history) == 1


def test_two_perfunctory_verdicts_in_a_quarter_open_a_talk_with_the_unit_head(
    assigned: InProcessStack, events: Published
) -> None:
    assert body(put_verdict(assigned, "c0001", "perfunctory", week="2026-11-09"))["cases"] == []

    second = put_verdict(assigned, "c0001", "perfunctory")

    assert body(second)["cases"] == ["RT-LOG-c0001-2026-11-24"]
    case = ComplianceRepository().get_case("RT-LOG-c0001-2026-11-24")
    assert case is not None
    assert (case.kind, case.owner_role, case.owner_unit_id) == ("reminder_talk", "unit_head", "jyj")
    assert case.evidence == ["review:2026-11-09#c0001", f"review:{WEEK}#c0001"]
    assert case.due is not None and case.due > date(2026, 11, 24)
    assert [e["case_id"] for e in of_type(events, "ReminderTalkOpened")] == ["RT-LOG-c0001-2026-11-24"]


def test_a_talk_already_under_way_takes_the_perfunctory_verdicts_as_evidence(
    assigned: InProcessStack, events: Published
) -> None:
    pending = open_case(
        CaseKind.REMINDER_TALK,
        Subject.LOGGING,
        "c0001",
        opened_on=date(2026, 11, 20),
        at="2026-11-20T01:30:00.000+08:00",
        reason="近10个工作日内3次未按时填写",
        evidence=["miss:c0001/entry/2026-11-18"],
        owner_unit_id="jyj",
    )
    ComplianceRepository().open_case(pending)
    put_verdict(assigned, "c0001", "perfunctory", week="2026-11-09")

    out = body(put_verdict(assigned, "c0001", "perfunctory"))

    assert out["cases"] == [pending.case_id]
    case = ComplianceRepository().get_case(pending.case_id)
    assert case is not None and case.evidence[1:] == ["review:2026-11-09#c0001", f"review:{WEEK}#c0001"]
    assert ComplianceRepository().get_case("RT-LOG-c0001-2026-11-24") is None
    assert of_type(events, "ReminderTalkOpened") == []


def test_perfunctory_verdicts_on_a_unit_head_go_to_the_district_leaders(
    assigned: InProcessStack, events: Published
) -> None:
    leader = {
        r["week_start"]: r["reviewer_id"]
        for who in ("d0001", "d0002")
        for r in body(get(assigned, "/reviews", who))["reviews"]
        if r["cadre_id"] == "c0002"
    }
    put_verdict(assigned, "c0002", "perfunctory", who=leader["2026-11-09"], week="2026-11-09")

    out = body(put_verdict(assigned, "c0002", "perfunctory", who=leader[WEEK]))

    case = ComplianceRepository().get_case(out["cases"][0])
    assert case is not None and (case.owner_role, case.owner_unit_id) == ("district_leader", None)


def test_one_perfunctory_verdict_opens_nothing(assigned: InProcessStack, events: Published) -> None:
    assert body(put_verdict(assigned, "c0001", "perfunctory"))["cases"] == []
    assert of_type(events, "ReminderTalkOpened") == []


# --- reading another cadre's log ----------------------------------------------------------------
RANGE = "from=2026-11-01&to=2026-11-20"


def test_a_plain_cadre_may_not_read_a_colleagues_log(district: InProcessStack) -> None:
    resp = get(district, f"/cadres/c0001/entries?{RANGE}", "c0005")
    assert resp.status == 403 and body(resp)["code"] == "read_forbidden"
    assert body(get(district, "/me/reads", "c0001")) == {"reads": []}


def test_the_unit_head_reads_and_the_read_is_shown_to_the_cadre(district: InProcessStack) -> None:
    save_entry(district, "c0001", "2026-11-20")

    resp = get(district, f"/cadres/c0001/entries?{RANGE}", "c0002")

    out = body(resp)
    assert resp.status == 200 and out["purpose"] == "unit_head"
    assert [e["date"] for e in out["entries"]] == ["2026-11-20"]
    reads = body(get(district, "/me/reads", "c0001"))["reads"]
    assert [(r["reader_id"], r["reader_name"], r["purpose"], r["first"], r["last"]) for r in reads] == [
        ("c0002", "王强", "unit_head", "2026-11-01", "2026-11-20")
    ]
    assert reads[0]["read_at"].startswith("2026-11-20T18:00")


def test_reads_are_listed_newest_first(district: InProcessStack) -> None:
    get(district, f"/cadres/c0002/entries?{RANGE}", "d0001")
    set_clock(2026, 11, 20, 19)
    get(district, f"/cadres/c0002/entries?{RANGE}", "d0002")
    assert [r["reader_id"] for r in body(get(district, "/me/reads", "c0002"))["reads"]] == ["d0002", "d0001"]


def test_reads_outside_the_range_asked_for_are_left_out(district: InProcessStack) -> None:
    get(district, f"/cadres/c0001/entries?{RANGE}", "c0002")
    assert body(get(district, "/me/reads?from=2026-11-21&to=2026-11-30", "c0001")) == {"reads": []}
    assert len(body(get(district, "/me/reads?from=2026-11-20&to=2026-11-20", "c0001"))["reads"]) == 1


def test_reading_ones_own_log_is_allowed_and_not_recorded(district: InProcessStack) -> None:
    resp = get(district, f"/cadres/c0001/entries?{RANGE}", "c0001")
    assert resp.status == 200 and body(resp)["purpose"] == "own"
    assert body(get(district, "/me/reads", "c0001")) == {"reads": []}


def test_the_assigned_reviewer_of_a_week_in_range_reads_for_review(assigned: InProcessStack) -> None:
    leader = next(
        r["reviewer_id"]
        for who in ("d0001", "d0002")
        for r in body(get(assigned, f"/reviews?week={WEEK}", who))["reviews"]
        if r["cadre_id"] == "c0010"
    )
    # District leaders read unit heads anyway; within the assigned week the assignment names the purpose.
    out = body(get(assigned, f"/cadres/c0010/entries?from={WEEK}&to=2026-11-22", leader))
    assert out["purpose"] == "review"
    # Beyond it, the reviewer reads as what else they are.
    assert body(get(assigned, f"/cadres/c0010/entries?{RANGE}", leader))["purpose"] == "district_leader"


def test_district_leaders_read_unit_heads_but_not_their_teams(district: InProcessStack) -> None:
    assert body(get(district, f"/cadres/c0002/entries?{RANGE}", "d0002"))["purpose"] == "district_leader"
    assert get(district, f"/cadres/c0001/entries?{RANGE}", "d0002").status == 403


def test_inspectors_read_no_log_through_this_door(district: InProcessStack) -> None:
    # They read the sampled days of their audit assignments, through the audit endpoints.
    for reader, owner in (("k0001", "c0001"), ("c0010", "d0001")):
        resp = get(district, f"/cadres/{owner}/entries?{RANGE}", reader)
        assert resp.status == 403 and body(resp)["code"] == "read_forbidden"
        assert body(get(district, "/me/reads", owner)) == {"reads": []}


def test_bad_ranges_and_unknown_cadres(district: InProcessStack) -> None:
    wide = get(district, "/cadres/c0001/entries?from=2026-08-01&to=2026-11-20", "c0002")
    assert wide.status == 422 and body(wide)["details"][0]["type"] == "range_too_wide"
    reversed_ = get(district, "/cadres/c0001/entries?from=2026-11-20&to=2026-11-01", "c0002")
    assert reversed_.status == 422
    assert get(district, "/cadres/c0001/entries?from=2026-11-01", "c0002").status == 422
    assert get(district, f"/cadres/c9999/entries?{RANGE}", "c0002").status == 404
    assert get(district, "/me/reads?from=2026-01-01&to=2026-11-20", "c0001").status == 422


def test_every_route_needs_a_token(district: InProcessStack) -> None:
    for target in ("/reviews", f"/reviews/{WEEK}/c0001", f"/cadres/c0001/entries?{RANGE}", "/me/reads"):
        resp = district.call("reviews", "GET", target)
        assert resp.status == 401, target
