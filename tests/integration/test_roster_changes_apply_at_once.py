"""Roster changes apply at once to writes: a cadre marked left, removed, moved or stripped of a role
is held to the roster as it is now on their very next write, although a warm container keeps the
profiles it has read for ``principal_cache_seconds``. Reads may be served from that cache.

Every test first makes a request as the cadre (which leaves their profile in the container's
cache), then changes the roster, then writes the next second.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.inprocess import InProcessStack
from tests.conftest import Published, set_clock
from worklog.audit.repository import AuditRepository
from worklog.journal.repository import JournalRepository
from worklog.models.roster import Cadre, Role, Unit
from worklog.roster.repository import RosterRepository

ENTRY = {"items": [{"content": "召开全区教育系统安全工作会议，部署冬季校园安全检查", "status": "done"}]}
LEAVE = {"from": "2026-11-23", "to": "2026-11-24", "kind": "annual"}
SPEC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def body(resp: Any) -> Any:
    return json.loads(resp.body)


def profile(cadre_id: str) -> Cadre:
    found = RosterRepository().get_cadre(cadre_id)
    assert found is not None
    return found


def change(cadre_id: str, **update: Any) -> None:
    """The roster as an import would leave it: the cadre's profile rewritten."""
    RosterRepository().put_row(profile(cadre_id).model_copy(update=update))


def without_role(cadre_id: str, role: Role) -> None:
    change(cadre_id, roles=[r for r in profile(cadre_id).roles if r != role])


def chain_length(cadre_id: str) -> int:
    return len(list(JournalRepository().chain(cadre_id)))


# --- the journal's saves: the transaction checks the author's profile ---------------------------
@pytest.mark.parametrize(
    ("method", "path", "data"),
    [("PUT", "/entries/2026-11-20", ENTRY), ("POST", "/leaves", LEAVE)],
    ids=["entry", "leave"],
)
def test_a_cadre_marked_left_cannot_save_the_next_second(
    stack: InProcessStack, method: str, path: str, data: dict[str, Any]
) -> None:
    # Given c0001 saved a moment ago (their profile is in the container's cache)
    assert stack.call("entries", "PUT", "/entries/2026-11-19", ENTRY, as_="c0001").status == 201
    # When the roster marks them as having left yesterday and they save again
    change("c0001", left_on=date(2026, 11, 19))
    resp = stack.call("entries", method, path, data, as_="c0001")
    # Then the save is refused as the authenticator would refuse them, and nothing is written
    assert resp.status == 401 and body(resp)["code"] == "inactive_cadre"
    assert chain_length("c0001") == 1
    # And their next request is refused too: the stale cached profile was replaced
    assert stack.call("entries", "GET", "/me", as_="c0001").status == 401


def test_a_cadre_whose_last_day_is_today_may_still_save(stack: InProcessStack) -> None:
    assert stack.call("entries", "GET", "/me", as_="c0001").status == 200
    change("c0001", left_on=date(2026, 11, 20))
    assert stack.call("entries", "PUT", "/entries/2026-11-20", ENTRY, as_="c0001").status == 201


def test_a_cadre_removed_from_the_roster_cannot_save_the_next_second(stack: InProcessStack) -> None:
    assert stack.call("entries", "GET", "/me", as_="c0001").status == 200
    boto3.client("dynamodb").delete_item(  # test-only: the system itself never deletes a profile
        TableName=stack.stack.names["RosterTable"],
        Key={"pk": {"S": "CADRE#c0001"}, "sk": {"S": "PROFILE"}},
    )
    resp = stack.call("entries", "PUT", "/entries/2026-11-20", ENTRY, as_="c0001")
    assert resp.status == 401 and body(resp)["code"] == "unknown_subject"
    assert chain_length("c0001") == 0


def test_a_cadre_moved_to_another_unit_saves_for_the_unit_they_are_in_now(stack: InProcessStack) -> None:
    # Given c0001 of jyj saved a moment ago
    assert stack.call("entries", "PUT", "/entries/2026-11-19", ENTRY, as_="c0001").status == 201
    # When they are moved to zzb and save the next second
    change("c0001", unit_id="zzb")
    resp = stack.call("entries", "PUT", "/entries/2026-11-20", ENTRY, as_="c0001")
    # Then the save goes through, filed under zzb (the day's submissions carry the unit)
    assert resp.status == 201
    repo = JournalRepository()
    assert [s["unit_id"] for s in repo.submissions_on(date(2026, 11, 19))] == ["jyj"]
    assert [s["unit_id"] for s in repo.submissions_on(date(2026, 11, 20))] == ["zzb"]
    assert body(stack.call("entries", "GET", "/me", as_="c0001"))["unit_id"] == "zzb"


def test_reads_may_be_served_from_the_cache_until_it_expires(
    stack: InProcessStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Documented trade-off (docs/decisions.md §1): a read may be answered on a profile up to
    ``principal_cache_seconds`` old; writes never are."""
    import worklog.auth.principals as principals

    now = [1000.0]
    monkeypatch.setattr(principals.time, "monotonic", lambda: now[0])
    assert stack.call("entries", "GET", "/me", as_="c0001").status == 200
    change("c0001", left_on=date(2026, 11, 19))
    # Within the TTL a read is still answered from the cached profile...
    now[0] += 59
    assert stack.call("entries", "GET", "/entries?from=2026-11-01&to=2026-11-20", as_="c0001").status == 200
    # ...a write is not...
    assert stack.call("entries", "PUT", "/entries/2026-11-20", ENTRY, as_="c0001").status == 401
    # ...and once the TTL has passed, reads see the change too.
    assert stack.call("entries", "GET", "/me", as_="c0002").status == 200
    change("c0002", left_on=date(2026, 11, 19))
    assert stack.call("entries", "GET", "/me", as_="c0002").status == 200
    now[0] += 61
    assert stack.call("entries", "GET", "/me", as_="c0002").status == 401


def test_a_save_still_makes_at_most_three_requests_with_the_roster_check(stack: InProcessStack) -> None:
    """The budget of docs/benchmarks.md, counted by the benchmark's own code."""
    from infra.bench import BUDGET_REQUESTS_PER_SAVE, _roster, request_counts

    _roster(1)
    counts: dict[str, Counter[str]] = dict(request_counts(stack))
    warm = counts["warm container, no Idempotency-Key"]
    hot = counts["warm container, with Idempotency-Key"]
    assert warm == Counter({"TransactWriteItems": 1})
    assert sum(hot.values()) <= BUDGET_REQUESTS_PER_SAVE
    assert hot["GetItem"] == 0  # no roster read on the hot path


# --- every other write: the caller is resolved from the roster as it is now ----------------------
def _write_routes() -> list[tuple[str, str, str]]:
    """Every write of every function-URL function but the journal's saves (guarded by their own
    transaction, above) and public feedback (no caller), from the committed OpenAPI spec."""
    spec = json.loads(SPEC.read_text("utf-8"))
    routes = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            function = operation["x-worklog-function"]
            if method.upper() in {"GET", "HEAD", "OPTIONS"} or function in {"entries", "feedback"}:
                continue
            routes.append((function, method.upper(), re.sub(r"\{[^}]+\}", "x", path)))
    return routes


WRITES = _write_routes()


def test_the_write_routes_were_found() -> None:
    functions = {f for f, _, _ in WRITES}
    assert {"admin", "cases", "reviews"} <= functions and len(WRITES) >= 10


@pytest.mark.parametrize(("function", "method", "path"), WRITES, ids=[f"{m} {p}" for _, m, p in WRITES])
def test_a_cadre_marked_left_is_refused_on_any_other_write_the_next_second(
    stack: InProcessStack, function: str, method: str, path: str
) -> None:
    # Given c0010 (every role a write below may need is theirs or refused later) made a request
    stack.call(function, "GET", "/warm-up", as_="c0010")
    change("c0010", left_on=date(2026, 11, 19))
    # When they write the next second, then they are refused before anything is looked at
    resp = stack.call(function, method, path, {}, as_="c0010")
    assert resp.status == 401 and body(resp)["code"] == "inactive_cadre"


# --- role checks on writes --------------------------------------------------------------------------
LEADERS = Unit(unit_id="lead", name="区领导", head_id="d0001")


@pytest.fixture
def assigned(stack: InProcessStack, events: Published) -> InProcessStack:
    """The week of 2026-11-16 assigned (c0002 reviews c0001), on Tuesday 2026-11-24."""
    RosterRepository().put_row(
        Cadre(
            cadre_id="d0001", name="陈书记", unit_id="lead", roles=["cadre", "district_leader", "unit_head"]
        ),
        LEADERS,
    )
    stack.invoke("review-assignment", {"date": "2026-11-23"})
    set_clock(2026, 11, 24, 10)
    return stack


def test_a_reviewer_stripped_of_the_unit_head_role_cannot_record_a_verdict(assigned: InProcessStack) -> None:
    # Given c0002 (head of jyj) read their assignments a moment ago
    assert assigned.call("reviews", "GET", "/reviews", as_="c0002").status == 200
    # When the roster takes the unit_head role away and they record a verdict the next second
    without_role("c0002", "unit_head")
    verdict = {"verdict": "adequate", "comment": "记录具体"}
    resp = assigned.call("reviews", "PUT", "/reviews/2026-11-16/c0001", verdict, as_="c0002")
    # Then it is refused, and the review stays open
    assert resp.status == 403 and body(resp)["code"] == "forbidden"
    [review] = [r for r in body(assigned.call("reviews", "GET", "/reviews", as_="c0002"))["reviews"]]
    assert review["status"] == "open"


def test_a_reviewer_moved_out_of_the_unit_cannot_record_a_verdict(assigned: InProcessStack) -> None:
    assert assigned.call("reviews", "GET", "/reviews", as_="c0002").status == 200
    change("c0002", unit_id="zzb")
    verdict = {"verdict": "adequate", "comment": "记录具体"}
    resp = assigned.call("reviews", "PUT", "/reviews/2026-11-16/c0001", verdict, as_="c0002")
    assert resp.status == 403


def test_an_evaluator_stripped_of_the_role_cannot_grade_the_next_second(stack: InProcessStack) -> None:
    set_clock(2026, 10, 15, 10)
    grade = {"grade": "good", "comment": "日志记录及时完整"}
    assert stack.call("cases", "PUT", "/evaluations/2026-Q3/c0001", grade, as_="c0010").status == 200
    without_role("c0010", "org_inspector")
    resp = stack.call("cases", "PUT", "/evaluations/2026-Q3/c0002", grade, as_="c0010")
    assert resp.status == 403
    graded = AuditRepository().evaluations_of_unit("2026-Q3", "jyj")
    assert [e.cadre_id for e in graded] == ["c0001"]


INSPECTOR = Cadre(
    cadre_id="k0002", name="钱峰", unit_id="jw", title="纪检监察员", roles=["cadre", "discipline_inspector"]
)


def test_an_inspector_stripped_of_the_role_cannot_record_a_finding(stack: InProcessStack) -> None:
    # Given the only discipline inspector assigned to c0001's sampled entry of a spot-check
    roster = RosterRepository()
    roster.put_unit(Unit(unit_id="jw", name="区纪委监委"))
    roster.put_row(INSPECTOR)
    assert stack.call("entries", "PUT", "/entries/2026-11-19", ENTRY, as_="c0001").status == 201
    spot = body(stack.call("cases", "POST", "/audits", {"size": 200, "reason": "全员抽查"}, as_="c0010"))
    [assignment] = [a for a in AuditRepository().round_assignments(spot["round_id"]) if a.cadre_id == "c0001"]
    assert assignment.inspector_id == INSPECTOR.cadre_id
    assert stack.call("cases", "GET", "/me/audits", as_=INSPECTOR.cadre_id).status == 200
    # When the role is taken away and they record a finding the next second
    without_role(INSPECTOR.cadre_id, "discipline_inspector")
    target = f"/audits/{spot['round_id']}/findings/c0001/2026-11-19"
    finding = {"result": "verified", "note": "与会议纪要一致"}
    resp = stack.call("cases", "PUT", target, finding, as_=INSPECTOR.cadre_id)
    # Then it is refused and no finding is stored
    assert resp.status == 403
    assert AuditRepository().findings_of_round(spot["round_id"], "c0001") == []
