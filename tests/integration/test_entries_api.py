"""The entries function through function-URL events, under moto, resources from template.yaml."""

from __future__ import annotations

import json
import threading
from datetime import date
from typing import Any

from infra.inprocess import InProcessStack
from tests.conftest import set_clock
from worklog.chain import verify_chain
from worklog.journal.repository import JournalRepository
from worklog.roster.repository import RosterRepository

ENTRY = {"items": [{"content": "召开全区教育系统安全工作会议，部署冬季校园安全检查", "status": "done"}]}


def body(resp: Any) -> Any:
    return json.loads(resp.body)


def put(stack: InProcessStack, path: str, data: Any, who: str = "c0001", **headers: str) -> Any:
    method = "POST" if path == "/leaves" else "PUT"
    return stack.call("entries", method, path, data, as_=who, headers=headers)


def stored_items(stack: InProcessStack) -> list[dict[str, Any]]:
    import boto3

    table = stack.stack.names["JournalTable"]
    return boto3.client("dynamodb").scan(TableName=table)["Items"]  # test-only inspection


def test_first_save_is_201_and_a_revision_is_200(stack: InProcessStack) -> None:
    first = put(stack, "/entries/2026-11-20", ENTRY)
    assert first.status == 201
    saved = body(first)
    assert saved["revision"] == 1 and saved["previous_hash"] is None and not saved["late"]
    assert saved["saved_at"].startswith("2026-11-20T18:00") and saved["saved_at"].endswith("+08:00")
    second = put(stack, "/entries/2026-11-20", {**ENTRY, "reason": "补充检查范围"})
    assert second.status == 200
    assert body(second)["revision"] == 2 and body(second)["previous_hash"] == saved["hash"]


def test_get_returns_the_current_view_and_revisions_oldest_first(stack: InProcessStack) -> None:
    put(stack, "/entries/2026-11-20", ENTRY)
    put(
        stack,
        "/entries/2026-11-20",
        {"items": [{"content": "改", "status": "in_progress"}], "reason": "更正进度"},
    )
    current = body(stack.call("entries", "GET", "/entries/2026-11-20", as_="c0001"))
    assert current["revision"] == 2 and current["items"][0]["status"] == "in_progress" and current["amended"]
    revisions = body(stack.call("entries", "GET", "/entries/2026-11-20/revisions", as_="c0001"))["revisions"]
    assert [r["revision"] for r in revisions] == [1, 2]
    assert revisions[0]["reason"] is None and revisions[1]["reason"] == "更正进度"
    assert revisions[0]["items"] == ENTRY["items"]
    assert revisions[1]["previous_hash"] == revisions[0]["hash"]


def test_a_revision_without_reason_is_422_and_stores_nothing(stack: InProcessStack) -> None:
    put(stack, "/entries/2026-11-20", ENTRY)
    before = stored_items(stack)
    resp = put(stack, "/entries/2026-11-20", ENTRY)
    assert resp.status == 422 and body(resp)["code"] == "validation_error"
    assert stored_items(stack) == before


def test_a_field_error_names_its_list_index_even_the_first(stack: InProcessStack) -> None:
    """Given items whose first and second contents are empty, the 422 details name items 0 and 1:
    a client can put each message beside its own field."""
    items = [{"content": "", "status": "done"}, {"content": "", "status": "done"}]
    resp = put(stack, "/entries/2026-11-20", {"items": items})
    assert resp.status == 422
    locs = [d["loc"] for d in body(resp)["details"]]
    assert ["body", "items", 0, "content"] in locs and ["body", "items", 1, "content"] in locs


def test_late_entry_is_marked_late_and_locked_day_is_409(stack: InProcessStack) -> None:
    late = put(stack, "/entries/2026-11-13", ENTRY)
    assert late.status == 201 and body(late)["late"]
    locked = put(stack, "/entries/2026-11-12", ENTRY)
    assert locked.status == 409 and body(locked)["code"] == "period_locked"


def test_future_date_is_422(stack: InProcessStack) -> None:
    resp = put(stack, "/entries/2026-11-21", ENTRY)
    assert resp.status == 422 and body(resp)["code"] == "validation_error"
    assert body(resp)["details"][0]["type"] == "future_period"


def test_idempotent_retry_returns_the_first_response_and_writes_nothing(stack: InProcessStack) -> None:
    first = put(stack, "/entries/2026-11-20", ENTRY, **{"Idempotency-Key": "retry-1"})
    before = stored_items(stack)
    again = put(stack, "/entries/2026-11-20", ENTRY, **{"Idempotency-Key": "retry-1"})
    assert again.status == 201 and body(again) == body(first)
    assert stored_items(stack) == before
    other = put(
        stack,
        "/entries/2026-11-20",
        {"items": [{"content": "别的", "status": "done"}]},
        **{"Idempotency-Key": "retry-1"},
    )
    assert other.status == 409 and body(other)["code"] == "idempotency_key_reused"


def test_the_same_key_from_another_cadre_is_a_different_request(stack: InProcessStack) -> None:
    assert put(stack, "/entries/2026-11-20", ENTRY, "c0001", **{"Idempotency-Key": "k"}).status == 201
    assert put(stack, "/entries/2026-11-20", ENTRY, "c0002", **{"Idempotency-Key": "k"}).status == 201


def test_list_entries_returns_own_entries_in_range(stack: InProcessStack) -> None:
    for day in ("2026-11-16", "2026-11-18", "2026-11-20"):
        put(stack, f"/entries/{day}", ENTRY)
    put(stack, "/entries/2026-11-19", ENTRY, who="c0002")
    listed = body(stack.call("entries", "GET", "/entries?from=2026-11-17&to=2026-11-20", as_="c0001"))[
        "entries"
    ]
    assert [e["date"] for e in listed] == ["2026-11-18", "2026-11-20"]
    too_wide = stack.call("entries", "GET", "/entries?from=2026-01-01&to=2026-11-20", as_="c0001")
    assert too_wide.status == 422


def test_plans_summaries_and_leave(stack: InProcessStack) -> None:
    plan = put(
        stack,
        "/plans/2026-11",
        {"items": [{"content": "完成校舍安全排查", "target": "100所"}, {"content": "起草教育资源布局方案"}]},
    )
    assert plan.status == 201 and body(plan)["item_ids"] == ["p1", "p2"] and body(plan)["late"]
    ref = put(
        stack,
        "/entries/2026-11-20",
        {"items": [{"content": "排查12所学校", "status": "in_progress", "plan_item_id": "p1"}]},
    )
    assert ref.status == 201
    bad_ref = put(
        stack, "/entries/2026-11-19", {"items": [{"content": "x", "status": "done", "plan_item_id": "p7"}]}
    )
    assert bad_ref.status == 422
    assert body(stack.call("entries", "GET", "/plans/2026-11", as_="c0001"))["items"][0]["target"] == "100所"
    assert (
        put(stack, "/summaries/2026-H2", {"achievements": "a", "problems": "b", "next_steps": "c"}).status
        == 422
    )
    leave = put(
        stack,
        "/leaves",
        {"from": "2026-11-23", "to": "2026-11-24", "kind": "business_trip", "note": "赴省厅培训"},
    )
    assert leave.status == 201 and body(leave)["from"] == "2026-11-23"
    overlap = put(stack, "/leaves", {"from": "2026-11-24", "to": "2026-11-24", "kind": "sick"})
    assert overlap.status == 409
    listed = body(stack.call("entries", "GET", "/leaves?from=2026-11-01&to=2026-11-30", as_="c0001"))[
        "leaves"
    ]
    assert [(x["from"], x["kind"]) for x in listed] == [("2026-11-23", "business_trip")]


def test_me_says_who_i_am_and_what_i_owe(stack: InProcessStack) -> None:
    put(stack, "/entries/2026-11-19", ENTRY)
    me = body(stack.call("entries", "GET", "/me", as_="c0001"))
    assert (
        me["cadre_id"] == "c0001"
        and me["name"] == "李明"
        and me["unit_name"] == "区教育局"
        and me["roles"] == ["cadre"]
    )
    owed = {(o["kind"], o["period"]) for o in me["owes"]}
    assert (
        ("entry", "2026-11-20") in owed
        and ("entry", "2026-11-19") not in owed
        and ("plan", "2026-11") in owed
    )
    put(stack, "/entries/2026-11-20", ENTRY)
    put(stack, "/plans/2026-11", {"items": [{"content": "x"}]})
    owed = {(o["kind"], o["period"]) for o in body(stack.call("entries", "GET", "/me", as_="c0001"))["owes"]}
    assert ("entry", "2026-11-20") not in owed and ("plan", "2026-11") not in owed


def test_the_stored_chain_verifies_after_every_kind_of_save(stack: InProcessStack) -> None:
    put(stack, "/plans/2026-11", {"items": [{"content": "x"}]})
    put(stack, "/entries/2026-11-19", ENTRY)
    put(stack, "/entries/2026-11-19", {**ENTRY, "reason": "补充"})
    put(stack, "/leaves", {"from": "2026-11-23", "to": "2026-11-23", "kind": "annual"})
    chain = list(JournalRepository().chain("c0001"))
    assert [r["seq"] for r in chain] == [1, 2, 3, 4]
    assert verify_chain(chain).ok


def test_concurrent_saves_of_the_same_day_never_lose_a_revision_or_fork_the_chain(
    stack: InProcessStack,
) -> None:
    """Six containers (each its own service, repository and head cache) save at once. The handler's
    Powertools app keeps the current request on itself, one invocation at a time like Lambda, so
    the race is run one layer down, where the chain's conditional head decides it."""
    from worklog.auth.principals import PrincipalResolver
    from worklog.errors import WorklogError
    from worklog.journal.service import JournalService
    from worklog.models.entries import EntryIn
    from worklog.schedules import current_calendar
    from worklog.settings import get_settings

    put(stack, "/entries/2026-11-20", ENTRY)
    results: list[int] = []
    who = PrincipalResolver(RosterRepository()).resolve("c0001", date(2026, 11, 20))

    def save(i: int) -> None:
        container = JournalService(JournalRepository(), current_calendar(), get_settings().rules)
        data = EntryIn.model_validate(
            {"items": [{"content": f"第{i}次修改", "status": "done"}], "reason": f"修改{i}"}
        )
        try:
            container.save_entry(who, date(2026, 11, 20), data)
            results.append(200)
        except WorklogError as err:
            results.append(err.status)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(s in (200, 409) for s in results), results
    chain = list(JournalRepository().chain("c0001"))
    assert verify_chain(chain).ok
    assert len(chain) == 1 + results.count(200)
    revisions = body(stack.call("entries", "GET", "/entries/2026-11-20/revisions", as_="c0001"))["revisions"]
    assert [r["revision"] for r in revisions] == list(range(1, len(chain) + 1))


def test_saving_on_a_new_day_uses_the_servers_clock(stack: InProcessStack) -> None:
    set_clock(2026, 11, 23, 9)
    assert body(put(stack, "/entries/2026-11-20", ENTRY))["late"]


def test_the_sweep_sees_a_days_submissions_and_who_is_on_leave(stack: InProcessStack) -> None:
    from datetime import date

    put(stack, "/entries/2026-11-19", ENTRY, who="c0001")
    put(stack, "/entries/2026-11-19", ENTRY, who="c0002")
    put(stack, "/entries/2026-11-18", ENTRY, who="c0002")
    put(stack, "/leaves", {"from": "2026-11-23", "to": "2026-11-25", "kind": "annual"}, who="c0001")
    put(stack, "/leaves", {"from": "2026-12-28", "to": "2027-01-04", "kind": "annual"}, who="c0002")
    repo = JournalRepository()
    assert sorted(i["cadre_id"] for i in repo.submissions_on(date(2026, 11, 19))) == ["c0001", "c0002"]
    assert [i["cadre_id"] for i in repo.submissions_on(date(2026, 11, 19), "c0002", "c0003")] == ["c0002"]
    standings = RosterRepository().roster_slice().standings
    assert {c for c, s in standings.items() if s.on_leave(date(2026, 11, 24))} == {"c0001"}
    assert {c for c, s in standings.items() if s.on_leave(date(2026, 11, 26))} == set()
    assert {c for c, s in standings.items() if s.on_leave(date(2026, 12, 31))} == {"c0002"}
