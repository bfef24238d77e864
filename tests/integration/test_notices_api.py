"""Opening a vetting notice (公示) from the app: a dry run shows the notice that would be opened —
its end date computed from the working-day calendar — and stores and publishes nothing; the Org
Dept chooses the candidate from the roster."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.inprocess import InProcessStack
from tests.conftest import Published, compliance_items, set_clock
from tests.integration.idempotency_support import (
    granted_on_idempotency_table,
    idempotency_requests,
    keyed,
    sent_twice,
)

ORG = "c0010"  # org_inspector
ADMIN = "c0003"
NOTICE = {
    "candidate_id": "c0001",
    "current_post": "区教育局副局长",
    "proposed_post": "区教育局局长",
    "start": "2026-11-23",
}


def post(stack: InProcessStack, body: dict[str, Any], who: str = ORG) -> Any:
    return stack.call("admin", "POST", "/admin/notices", body, as_=who)


def dry(body: dict[str, Any]) -> dict[str, Any]:
    return {**body, "dry_run": True}


def listed(stack: InProcessStack) -> list[dict[str, Any]]:
    resp = stack.call("admin", "GET", "/admin/notices", as_=ORG)
    assert resp.status == 200, resp.body
    notices: list[dict[str, Any]] = json.loads(resp.body)["notices"]
    return notices


def notice_items(stack: InProcessStack) -> list[dict[str, Any]]:
    return [i for i in compliance_items(stack) if i["pk"]["S"].startswith("NOTICE#")]


def test_a_dry_run_answers_the_notice_it_would_open_with_its_computed_end(
    stack: InProcessStack, events: Published
) -> None:
    # Given a Monday start and no end: when the Org Dept asks for a dry run
    resp = post(stack, dry(NOTICE))
    # Then 200 (nothing created) with the fifth working day as the end, and the notice's facts
    assert resp.status == 200, resp.body
    preview = json.loads(resp.body)
    assert preview["end"] == "2026-11-27" and preview["working_days"] == 5
    assert preview["notice_id"] == "N20261123-c0001" and preview["candidate_name"] == "李明"
    assert preview["state"] == "upcoming" and preview["opened_by"] == ORG
    assert (preview["current_post"], preview["proposed_post"]) == ("区教育局副局长", "区教育局局长")


def test_a_dry_run_stores_nothing_and_publishes_no_event(stack: InProcessStack, events: Published) -> None:
    assert post(stack, dry(NOTICE)).status == 200
    # Then no notice is listed or stored, and the publisher was not told
    assert listed(stack) == [] and notice_items(stack) == []
    assert events == []
    # And the real open afterwards is the first one (not a 409 for a notice already there)
    opened = post(stack, NOTICE)
    assert opened.status == 201, opened.body
    assert [e[0] for e in events] == ["NoticeOpened"]
    assert [n["notice_id"] for n in listed(stack)] == ["N20261123-c0001"]


def test_a_dry_run_counts_working_days_across_a_holiday(stack: InProcessStack, events: Published) -> None:
    # Given the 2026 National Day holiday (Oct 1–7 off): a notice from Mon Sep 28 has three
    # working days before the holiday and two after it
    set_clock(2026, 9, 25)
    preview = json.loads(post(stack, dry({**NOTICE, "start": "2026-09-28"})).body)
    assert preview["end"] == "2026-10-09" and preview["working_days"] == 5
    # And a start on a day off begins counting at the next working day, and the Saturday worked
    # in exchange (Oct 10) counts: Oct 8, 9, 10, 12, 13
    preview = json.loads(post(stack, dry({**NOTICE, "start": "2026-10-03"})).body)
    assert preview["end"] == "2026-10-13" and preview["working_days"] == 5


def test_a_dry_run_with_a_longer_end_keeps_it_and_counts_its_working_days(stack: InProcessStack) -> None:
    preview = json.loads(post(stack, dry({**NOTICE, "end": "2026-12-04"})).body)
    assert preview["end"] == "2026-12-04" and preview["working_days"] == 10


@pytest.mark.parametrize(
    ("body", "who", "status", "code"),
    [
        ({**NOTICE, "end": "2026-11-26"}, ORG, 422, "notice_too_short"),
        ({**NOTICE, "end": "2027-01-31"}, ORG, 422, "notice_too_long"),
        ({**NOTICE, "start": "2026-11-19"}, ORG, 422, "start_in_past"),
        ({**NOTICE, "candidate_id": "c9999"}, ORG, 422, "unknown_cadre"),
        ({**NOTICE, "candidate_id": "c0004"}, ORG, 422, "unknown_cadre"),  # left on 2026-10-31
        ({**NOTICE, "candidate_id": ORG}, ORG, 403, "self_notice"),
        (NOTICE, "c0002", 403, "forbidden"),  # a unit head
        (NOTICE, "c0001", 403, "forbidden"),  # a cadre
    ],
)
def test_a_dry_run_is_refused_exactly_as_a_real_open_would_be(
    stack: InProcessStack, events: Published, body: dict[str, Any], who: str, status: int, code: str
) -> None:
    real = post(stack, body, who)
    trial = post(stack, dry(body), who)
    assert (real.status, trial.status) == (status, status), (real.body, trial.body)
    real_body, trial_body = json.loads(real.body), json.loads(trial.body)
    found = {real_body["code"], *(d.get("type") for d in real_body.get("details") or [])}
    assert code in found
    assert trial_body == real_body
    assert notice_items(stack) == [] and events == []


def test_a_dry_run_of_a_notice_already_open_is_409_like_the_real_one(
    stack: InProcessStack, events: Published
) -> None:
    assert post(stack, NOTICE).status == 201
    before = notice_items(stack)
    trial = post(stack, dry(NOTICE))
    assert trial.status == 409 and json.loads(trial.body)["code"] == "notice_exists"
    assert json.loads(trial.body) == json.loads(post(stack, NOTICE).body)
    assert notice_items(stack) == before and len(events) == 1


def test_the_org_dept_may_browse_units_and_members_to_choose_a_candidate(stack: InProcessStack) -> None:
    units = stack.call("admin", "GET", "/admin/roster/units", as_=ORG)
    assert units.status == 200 and {u["unit_id"] for u in json.loads(units.body)["units"]} == {"jyj", "zzb"}
    members = stack.call("admin", "GET", "/admin/roster/units/jyj/cadres", as_=ORG)
    assert members.status == 200
    assert {c["cadre_id"] for c in json.loads(members.body)["cadres"]} == {"c0001", "c0002", "c0004"}
    one = stack.call("admin", "GET", "/admin/roster/cadres/c0001", as_=ORG)
    assert one.status == 200 and json.loads(one.body)["name"] == "李明"


@pytest.mark.parametrize("who", ["c0001", "c0002"])
def test_other_roles_still_may_not_browse_the_roster(stack: InProcessStack, who: str) -> None:
    for path in ("/admin/roster/units", "/admin/roster/units/jyj/cadres", "/admin/roster/cadres/c0001"):
        resp = stack.call("admin", "GET", path, as_=who)
        assert resp.status == 403 and json.loads(resp.body)["code"] == "forbidden", path


def test_importing_the_roster_stays_with_admins(stack: InProcessStack) -> None:
    resp = stack.call("admin", "POST", "/admin/roster/imports", {"format": "json", "content": "[]"}, as_=ORG)
    assert resp.status == 403
    changes = stack.call("admin", "GET", "/admin/roster/role-changes", as_=ORG)
    assert changes.status == 403


# --- an answer to feedback retried by the app's outbox (same Idempotency-Key) ---------------------
def feedback_to_answer(stack: InProcessStack) -> str:
    """Given the notice for c0001 open and one piece of feedback on it: its answer's path."""
    assert post(stack, NOTICE).status == 201
    set_clock(2026, 11, 24, 10)
    sent = stack.call("feedback", "POST", "/feedback/N20261123-c0001", {"content": "该同志工作作风扎实"})
    assert sent.status == 201, sent.body
    return f"/admin/notices/N20261123-c0001/feedback/{json.loads(sent.body)['feedback_id']}/answer"


def answers(stack: InProcessStack) -> list[tuple[str | None, str | None]]:
    resp = stack.call("admin", "GET", "/admin/notices/N20261123-c0001/feedback", as_=ORG)
    return [(f["answer"], f["answered_at"]) for f in json.loads(resp.body)["feedback"]]


def test_an_answer_retried_with_its_idempotency_key_is_answered_as_the_first_and_saved_once(
    stack: InProcessStack,
) -> None:
    """Given an answer sent from the outbox with a key, its answer lost; When the outbox sends it
    again with the same key two minutes later; Then the retry gets the very first answer and the
    feedback keeps the answer as first saved; the same key with another answer is refused as a
    reused key, and without a key the answer is revised as before; the idempotency records are
    within the function's grants in template.yaml."""
    target = feedback_to_answer(stack)

    with idempotency_requests(stack) as asked:
        first, again = sent_twice(stack, "admin", "PUT", target, {"answer": "已核实，情况属实"}, ORG)

    assert first.status == 200 and again.status == 200
    assert json.loads(again.body) == json.loads(first.body)
    assert answers(stack) == [("已核实，情况属实", json.loads(first.body)["answered_at"])]
    assert asked and set(asked) <= granted_on_idempotency_table(stack, "AdminFunction")
    reused = keyed(stack, "admin", "PUT", target, {"answer": "另一答复"}, ORG)
    assert reused.status == 409 and json.loads(reused.body)["code"] == "idempotency_key_reused"
    # And without a key an answer is revised, as it always was
    assert stack.call("admin", "PUT", target, {"answer": "已核实，另附说明"}, as_=ORG).status == 200
    assert [a for a, _ in answers(stack)] == ["已核实，另附说明"]
