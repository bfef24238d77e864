"""Roster import: one head per unit (the unit_head role and the unit's named head agree), and the
role changes it records with each row, never the importing admin's own."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest

from tests.unit.roster_import_support import ADMIN, EXISTING, FGJ, FakeRoster, roster_csv, row
from worklog.clock import SHANGHAI, FixedClock
from worklog.models.roster import Cadre, Role, RoleState, Unit
from worklog.roster.importer import import_roster, plan_import


# --- one head per unit: the unit_head role and the unit's named head agree --------------------------
def _row(cadre_id: str, unit_id: str, roles: str) -> dict[str, Any]:
    return {"cadre_id": cadre_id, "name": "王五", "unit_id": unit_id, "roles": roles}


def test_a_new_head_takes_the_role_from_the_old_head_not_in_the_file() -> None:
    roster = FakeRoster([FGJ])
    roster.cadres["c0900"] = Cadre(cadre_id="c0900", name="赵六", unit_id="fgj", roles=["cadre", "unit_head"])
    import_roster(json.dumps([_row("c1", "fgj", "unit_head")]).encode(), "json", roster, author=ADMIN)
    assert roster.units["fgj"].head_id == "c1"
    assert roster.cadres["c0900"].roles == ["cadre"] and "unit_head" in roster.cadres["c1"].roles


def test_the_old_heads_own_row_without_the_role_leaves_the_unit_headless() -> None:
    roster = FakeRoster([FGJ])
    import_roster(json.dumps([_row("c0900", "fgj", "cadre")]).encode(), "json", roster, author=ADMIN)
    assert roster.units["fgj"].head_id is None


def test_the_old_head_moving_to_another_unit_leaves_the_unit_headless() -> None:
    roster = FakeRoster([FGJ, Unit(unit_id="jyj", name="区教育局")])
    import_roster(json.dumps([_row("c0900", "jyj", "unit_head")]).encode(), "json", roster, author=ADMIN)
    assert roster.units["fgj"].head_id is None and roster.units["jyj"].head_id == "c0900"


# --- role changes: recorded with the row, never one's own -----------------------------------------
def stored(cadre_id: str, roles: list[Role], unit_id: str = "fgj", **fields: Any) -> Cadre:
    return Cadre(cadre_id=cadre_id, name="赵六", unit_id=unit_id, roles=roles, **fields)


def state(roles: list[Role], unit_id: str = "fgj", left_on: date | None = None) -> RoleState:
    return RoleState(roles=roles, unit_id=unit_id, left_on=left_on)


def test_the_plan_states_before_and_after_of_every_change_of_roles_unit_or_last_day() -> None:
    # Given four stored cadres and the units they belong to
    existing = {
        "c1": stored("c1", ["cadre"]),
        "c2": stored("c2", ["cadre"]),
        "c3": stored("c3", ["cadre"]),
        "c4": stored("c4", ["cadre"], title="科员"),
    }
    units = {"fgj": FGJ, "jyj": Unit(unit_id="jyj", name="区教育局")}
    rows = [
        row("c1", roles="组织部"),  # gains a role
        row("c2", unit_id="jyj"),  # moves unit
        row("c3", left_on="2026-11-30"),  # is given a last day
        row("c4", title="副科长"),  # only the title changes
        row("c5"),  # is new
    ]
    # When planned
    plan = plan_import(rows, units, existing)
    # Then every change of what someone may do is stated, and nothing else
    assert [(d.cadre_id, d.cause, d.before, d.after) for d in plan.role_changes] == [
        ("c1", "row", state(["cadre"]), state(["cadre", "org_inspector"])),
        ("c2", "row", state(["cadre"]), state(["cadre"], "jyj")),
        ("c3", "row", state(["cadre"]), state(["cadre"], left_on=date(2026, 11, 30))),
        ("c5", "row", None, state(["cadre"])),
    ]
    assert [d.row for d in plan.role_changes] == [1, 2, 3, 5]


def test_a_head_replaced_by_another_row_is_stated_as_losing_the_role() -> None:
    existing = {"c0900": stored("c0900", ["cadre", "unit_head"])}
    plan = plan_import([row("c1", roles="一把手")], EXISTING, existing)
    [step] = plan.planned
    assert step.demoted == ((existing["c0900"], stored("c0900", ["cadre"])),)
    assert [(d.cadre_id, d.cause, d.row, d.before, d.after) for d in plan.role_changes] == [
        ("c1", "row", 1, None, state(["cadre", "unit_head"])),
        ("c0900", "head_replaced", None, state(["cadre", "unit_head"]), state(["cadre"])),
    ]


ME = stored("a0001", ["cadre", "admin"], unit_id="zzb")


@pytest.mark.parametrize(
    "mine",
    [
        row("a0001", unit_id="zzb", roles="管理员；组织部"),  # gives oneself a role
        row("a0001", unit_id="zzb", roles="干部"),  # drops one's own role
        row("a0001", unit_id="fgj", roles="管理员"),  # moves oneself
        row("a0001", unit_id="zzb", roles="管理员", left_on="2027-12-31"),  # sets one's own last day
    ],
    ids=["gain", "drop", "move", "last-day"],
)
def test_a_row_changing_the_importing_admins_own_roles_is_rejected_and_the_others_go_on(
    mine: dict[str, Any],
) -> None:
    units = {"fgj": FGJ, "zzb": Unit(unit_id="zzb", name="区委组织部")}
    plan = plan_import([row("c1"), mine, row("c2")], units, {"a0001": ME}, author="a0001")
    assert [c.cadre_id for c, _ in plan.rows] == ["c1", "c2"]
    [rejected] = plan.rejected
    assert (rejected.row, rejected.cadre_id) == (2, "a0001")
    assert rejected.errors == ["不能修改本人的角色、所在单位或离任日期，请由其他管理员导入本行"]
    assert [d.cadre_id for d in plan.role_changes] == ["c1", "c2"]


def test_the_admins_own_row_that_changes_nothing_they_may_do_is_accepted() -> None:
    units = {"zzb": Unit(unit_id="zzb", name="区委组织部")}
    plan = plan_import(
        [row("a0001", unit_id="zzb", roles="管理员", title="副部长")], units, {"a0001": ME}, author="a0001"
    )
    assert plan.rejected == [] and plan.role_changes == []


def test_a_row_taking_the_importing_admins_unit_head_role_is_rejected() -> None:
    mine = stored("c0900", ["cadre", "unit_head", "admin"])
    plan = plan_import([row("c1", roles="一把手"), row("c2")], EXISTING, {"c0900": mine}, author="c0900")
    assert [c.cadre_id for c, _ in plan.rows] == ["c2"]
    assert plan.rejected[0].errors == ["本行将取消您本人单位 fgj 一把手的身份，请由其他管理员导入本行"]
    assert plan.replaced_heads == {}


def test_import_writes_each_role_change_with_its_row_stamped_with_author_time_and_import() -> None:
    # Given the old head c0900 of fgj, at 2026-11-20 18:00 in Shanghai
    roster = FakeRoster([FGJ])
    roster.cadres["c0900"] = stored("c0900", ["cadre", "unit_head"])
    clock = FixedClock(datetime(2026, 11, 20, 18, 0, tzinfo=SHANGHAI))
    content = json.dumps([_row("c1", "fgj", "unit_head"), _row("c2", "fgj", "cadre")]).encode()
    # When an admin imports a new head and a new cadre
    report = import_roster(content, "json", roster, author=ADMIN, clock=clock)
    # Then the row's change and the old head's went in the new head's transaction, the other row's in its own
    assert [(c.cadre_id, c.cause) for c in roster.changes] == [
        ("c1", "row"),
        ("c0900", "head_replaced"),
        ("c2", "row"),
    ]
    assert {(c.by, c.at, c.import_id) for c in roster.changes} == {
        (ADMIN, "2026-11-20T18:00:00.000+08:00", report.import_id)
    }
    assert report.import_id.startswith("20261120T180000-")
    assert report.role_changes == roster.changes


def test_a_dry_run_reports_the_role_changes_it_would_make_and_writes_none() -> None:
    roster = FakeRoster([FGJ])
    report = import_roster(roster_csv(), "csv", roster, author=ADMIN, dry_run=True)
    assert [(c.cadre_id, c.before) for c in report.role_changes] == [("c1", None), ("c2", None)]
    assert roster.changes == [] and roster.transactions == []


def test_importing_the_same_roster_again_records_no_change() -> None:
    roster = FakeRoster([FGJ])
    assert len(import_roster(roster_csv(), "csv", roster, author=ADMIN).role_changes) == 2
    again = import_roster(roster_csv(), "csv", roster, author=ADMIN)
    assert again.imported == 2 and again.role_changes == [] and len(roster.changes) == 2


def test_a_row_whose_profile_changed_after_the_plan_is_not_written_and_is_reported() -> None:
    # Given c2 is given a role by someone else between this import's plan and its write
    roster = FakeRoster([FGJ])
    roster.cadres["c2"] = stored("c2", ["cadre"], unit_id="jyj")

    def meanwhile() -> None:
        roster.cadres["c2"] = stored("c2", ["cadre", "hr_evaluator"], unit_id="jyj")

    roster.before_write = meanwhile
    report = import_roster(roster_csv(), "csv", roster, author=ADMIN)
    # Then the row is reported, not written, and its change is not recorded as made
    assert [c.cadre_id for c, _ in roster.transactions] == ["c1"]
    assert roster.cadres["c2"].roles == ["cadre", "hr_evaluator"]
    assert report.imported == 1 and [c.cadre_id for c in report.role_changes] == ["c1"]
    assert any(r.cadre_id == "c2" and "已被他人修改" in r.errors[0] for r in report.rejected)
