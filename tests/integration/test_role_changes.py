"""Role changes leave a record: every roster import that changes what a cadre may do (roles, unit,
last day in post) stores who, when, before and after, append-only, in the row's own transaction;
admins list them; nobody changes their own.

Given the test district: c0003 (zzb) is the admin; c0002 heads jyj; c0001 is a cadre of jyj.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import boto3
import pytest

from infra.inprocess import InProcessStack
from tests.conftest import set_clock
from worklog.models.roster import Cadre, RoleChange, RoleState
from worklog.roster.repository import RosterRepository

ADMIN = "c0003"
HEADER = "工号,姓名,单位编码,单位名称,职务,角色,离任日期\n"


def body(resp: Any) -> Any:
    return json.loads(resp.body)


def import_csv(stack: InProcessStack, rows: str, who: str = ADMIN, **options: Any) -> dict[str, Any]:
    resp = stack.call(
        "admin",
        "POST",
        "/admin/roster/imports",
        {"format": "csv", "content": HEADER + rows, **options},
        as_=who,
    )
    assert resp.status == 200, resp.body
    report: dict[str, Any] = body(resp)
    return report


def listed(stack: InProcessStack, query: str = "", who: str = ADMIN) -> Any:
    return stack.call("admin", "GET", f"/admin/roster/role-changes{query}", as_=who)


def changes(stack: InProcessStack, query: str = "") -> list[dict[str, Any]]:
    resp = listed(stack, query)
    assert resp.status == 200, resp.body
    found: list[dict[str, Any]] = body(resp)["changes"]
    return found


def stored_records() -> list[dict[str, Any]]:
    """Every role change item in the roster table (test-only inspection)."""
    table = RosterRepository().table
    items = boto3.client("dynamodb").scan(TableName=table)["Items"]
    return [i for i in items if i["sk"]["S"].startswith("ROLECHANGE#")]


def test_an_import_records_each_change_and_admins_list_them_newest_first(stack: InProcessStack) -> None:
    # Given an import at 09:00 that gives c0001 a role and adds a new cadre
    set_clock(2026, 11, 20, 9)
    first = import_csv(stack, "c0001,李明,jyj,,副局长,干部；人社局,\nc0501,黄海,jyj,,科员,干部,\n")
    # And one at 10:00 that moves c0001 to zzb
    set_clock(2026, 11, 20, 10)
    second = import_csv(stack, "c0001,李明,zzb,,副部长,干部；人社局,\n")
    # Then the admin lists the three changes, newest first, each with who, when, before and after
    found = changes(stack)
    assert [(c["cadre_id"], c["import_id"]) for c in found] == [
        ("c0001", second["import_id"]),
        *sorted([("c0001", first["import_id"]), ("c0501", first["import_id"])], reverse=True),
    ]
    newest = RoleChange.model_validate(found[0])
    assert newest.by == ADMIN and newest.at.startswith("2026-11-20T10:00") and newest.cause == "row"
    assert newest.before == RoleState(roles=["cadre", "hr_evaluator"], unit_id="jyj")
    assert newest.after == RoleState(roles=["cadre", "hr_evaluator"], unit_id="zzb")
    gained = next(c for c in found if c["import_id"] == first["import_id"] and c["cadre_id"] == "c0001")
    assert gained["before"]["roles"] == ["cadre"] and gained["after"]["roles"] == ["cadre", "hr_evaluator"]
    new = next(c for c in found if c["cadre_id"] == "c0501")
    assert new["before"] is None and new["row"] == 3
    # And the report of each import named the same changes
    assert [c["cadre_id"] for c in second["role_changes"]] == ["c0001"]
    # And one cadre's history is listed on its own
    assert [c["import_id"] for c in changes(stack, "?cadre_id=c0001")] == [
        second["import_id"],
        first["import_id"],
    ]


def test_a_second_import_with_no_change_writes_no_record(stack: InProcessStack) -> None:
    rows = "c0501,黄海,jyj,,科员,干部,\n"
    assert len(import_csv(stack, rows)["role_changes"]) == 1
    set_clock(2026, 11, 20, 19)
    again = import_csv(stack, rows.replace("科员", "副科长"))  # a new title changes nothing one may do
    assert again["imported"] == 1 and again["role_changes"] == []
    assert len(stored_records()) == 1 and len(changes(stack)) == 1


def test_records_are_append_only(stack: InProcessStack) -> None:
    # Given a recorded change
    import_csv(stack, "c0501,黄海,jyj,,科员,干部,\n")
    [record] = changes(stack, "?cadre_id=c0501")
    change = RoleChange.model_validate(record)
    roster = RosterRepository()
    cadre = roster.get_cadre("c0501")
    assert cadre is not None
    # When the same record is written again (with any row), then the write is refused whole
    doctored = change.model_copy(update={"by": "c9999"})
    assert roster.put_row(cadre.model_copy(update={"title": "改"}), changes=[doctored]) is False
    assert RoleChange.model_validate(changes(stack, "?cadre_id=c0501")[0]) == change
    assert roster.get_cadre("c0501") == cadre


def test_a_row_is_written_only_over_the_profile_its_record_calls_before(stack: InProcessStack) -> None:
    # Given an import planned c0001's change from their profile as it was
    roster = RosterRepository()
    planned_from = roster.get_cadre("c0001")
    assert planned_from is not None
    after = planned_from.model_copy(update={"roles": ["cadre", "org_inspector"]})
    change = RoleChange(
        cadre_id="c0001",
        at="2026-11-20T18:00:00.000+08:00",
        by=ADMIN,
        import_id="20261120T180000-0000abcd",
        row=2,
        cause="row",
        before=RoleState.of(planned_from),
        after=RoleState.of(after),
    )
    # When someone else changes the profile first (a role, the unit, or a last day)
    for meanwhile in (
        {"roles": ["cadre", "hr_evaluator"]},
        {"unit_id": "zzb"},
        {"left_on": date(2026, 12, 31)},
    ):
        roster.put_row(planned_from.model_copy(update=meanwhile))
        # Then the row and its record are not written
        assert roster.put_row(after, seen={"c0001": planned_from}, changes=[change]) is False
        assert roster.get_cadre("c0001") == planned_from.model_copy(update=meanwhile)
        assert stored_records() == []
    # And over the profile it was planned from, it is
    roster.put_row(planned_from)
    assert roster.put_row(after, seen={"c0001": planned_from}, changes=[change]) is True
    assert roster.get_cadre("c0001") == after and len(stored_records()) == 1
    # And a new cadre is written only if nobody added them meanwhile
    assert roster.put_row(after, seen={"c0001": None}) is False


def test_a_replaced_head_losing_the_role_is_recorded(stack: InProcessStack) -> None:
    report = import_csv(stack, "c0501,黄海,jyj,,局长,一把手,\n")
    demoted = [c for c in report["role_changes"] if c["cause"] == "head_replaced"]
    assert [(c["cadre_id"], c["before"]["roles"], c["after"]["roles"], c["row"]) for c in demoted] == [
        ("c0002", ["cadre", "unit_head"], ["cadre"], None)
    ]
    assert {c["cadre_id"] for c in changes(stack)} == {"c0501", "c0002"}


def test_a_dry_run_reports_the_changes_it_would_make_and_stores_none(stack: InProcessStack) -> None:
    report = import_csv(stack, "c0001,李明,jyj,,副局长,干部；纪委监委,\n", dry_run=True)
    [change] = report["role_changes"]
    assert change["after"]["roles"] == ["cadre", "discipline_inspector"]
    assert stored_records() == [] and RosterRepository().get_cadre("c0001").roles == ["cadre"]  # type: ignore[union-attr]


def test_an_admin_cannot_give_themselves_a_role_and_the_other_rows_go_on(stack: InProcessStack) -> None:
    report = import_csv(stack, "c0003,赵敏,zzb,,干部科科长,管理员；组织部,\nc0501,黄海,jyj,,科员,干部,\n")
    assert report["imported"] == 1
    [rejected] = report["rejected"]
    assert rejected["row"] == 2 and rejected["cadre_id"] == ADMIN and "本人" in rejected["errors"][0]
    assert RosterRepository().get_cadre(ADMIN).roles == ["cadre", "admin"]  # type: ignore[union-attr]
    assert [c["cadre_id"] for c in changes(stack)] == ["c0501"]


def test_another_admin_may_change_an_admins_roles(stack: InProcessStack) -> None:
    RosterRepository().put_row(Cadre(cadre_id="c0601", name="钱红", unit_id="zzb", roles=["cadre", "admin"]))
    report = import_csv(stack, "c0003,赵敏,zzb,,干部科科长,管理员；组织部,\n", who="c0601")
    assert report["rejected"] == [] and report["role_changes"][0]["by"] == "c0601"


def test_the_list_takes_a_date_range_and_pages(stack: InProcessStack) -> None:
    for day, cadre in ((18, "c0501"), (19, "c0502"), (20, "c0503")):
        set_clock(2026, 11, day, 9)
        import_csv(stack, f"{cadre},某人,jyj,,科员,干部,\n")
    assert [c["cadre_id"] for c in changes(stack, "?from=2026-11-19&to=2026-11-19")] == ["c0502"]
    assert [c["cadre_id"] for c in changes(stack, "?from=2026-11-19")] == ["c0503", "c0502"]
    assert [c["cadre_id"] for c in changes(stack, "?to=2026-11-18")] == ["c0501"]
    # One at a time, following the cursor
    seen, query = [], "?limit=1"
    while True:
        page = body(listed(stack, query))
        seen += [c["cadre_id"] for c in page["changes"]]
        if not page["next_cursor"]:
            break
        query = f"?limit=1&cursor={page['next_cursor']}"
    assert seen == ["c0503", "c0502", "c0501"]


@pytest.mark.parametrize(
    "query",
    [
        "?from=2026-11-20&to=2026-11-19",
        "?cursor=not-a-cursor",
        "?limit=0",
        "?limit=501",
        "?cadre_id=bad%20id",
    ],
)
def test_bad_queries_are_422(stack: InProcessStack, query: str) -> None:
    resp = listed(stack, query)
    assert resp.status == 422 and body(resp)["code"] == "validation_error"


def test_a_cursor_of_another_cadres_list_is_422(stack: InProcessStack) -> None:
    import_csv(stack, "c0501,某人,jyj,,科员,干部,\nc0502,某人,jyj,,科员,干部,\n")
    cursor = body(listed(stack, "?limit=1"))["next_cursor"]
    assert listed(stack, f"?cadre_id=c0001&cursor={cursor}").status == 422


def test_only_admins_list_role_changes(stack: InProcessStack) -> None:
    assert listed(stack, who="c0010").status == 403
    assert listed(stack, who="c0001").status == 403
