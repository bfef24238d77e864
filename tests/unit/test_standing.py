"""A cadre's standing: what it learns from revisions, and what the nightly check prunes."""

from __future__ import annotations

from datetime import date

from worklog.roster.standing import (
    Miss,
    Standing,
    learned_from,
    revision_update,
    standing_items,
    sweep_update,
)


def revision(kind: str, period: str, *, late: bool = False, body: dict | None = None) -> dict:
    return {
        "cadre_id": "c0001",
        "kind": kind,
        "period": period,
        "late": late,
        "saved_at": "2026-11-20T09:00:00.000+08:00",
        "body": body or {},
    }


def test_leave_and_late_saves_are_learned_and_on_time_saves_are_not() -> None:
    leave = revision("leave", "2026-11-16", body={"from": "2026-11-16", "to": "2026-11-18"})
    assert learned_from(leave) == {"leave:2026-11-16": "2026-11-18"}
    assert learned_from(revision("entry", "2026-11-18", late=True)) == {
        "late:ENTRY#2026-11-18": "2026-11-20T09:00:00.000+08:00"
    }
    assert learned_from(revision("plan", "2026-12", late=True)) == {
        "late:PLAN#2026-12": "2026-11-20T09:00:00.000+08:00"
    }
    assert learned_from(revision("entry", "2026-11-20")) == {}
    assert revision_update("roster", revision("entry", "2026-11-20")) is None


def test_an_update_sets_only_its_own_attributes_and_keeps_the_item_in_the_roster_index() -> None:
    update = revision_update("roster", revision("entry", "2026-11-18", late=True))
    assert update is not None and update["Key"] == {"pk": {"S": "CADRE#c0001"}, "sk": {"S": "STANDING"}}
    names = update["ExpressionAttributeNames"]
    assert set(names.values()) == {"roster_pk", "roster_sk", "late:ENTRY#2026-11-18"}
    assert update["UpdateExpression"].startswith("SET ") and "REMOVE" not in update["UpdateExpression"]
    assert update["ExpressionAttributeValues"][":rs"] == {"S": "CADRE#c0001#STANDING"}


def test_a_sweep_update_never_removes_what_it_sets() -> None:
    miss = Miss("entry", "2026-11-18", date(2026, 11, 18), False)
    update = sweep_update("roster", "c0001", [miss], ["miss:entry/2026-11-18", "leave:2026-09-01"])
    removed = update["UpdateExpression"].split(" REMOVE ")[1]
    assert [update["ExpressionAttributeNames"][n.strip()] for n in removed.split(",")] == ["leave:2026-09-01"]


def test_the_standing_round_trips_from_its_item() -> None:
    item = {
        "pk": "CADRE#c0001",
        "sk": "STANDING",
        "leave:2026-11-16": "2026-11-18",
        "late:ENTRY#2026-11-12": "2026-11-13T08:00:00.000+08:00",
        "miss:entry/2026-11-12": {"due": "2026-11-12", "provisional": False, "status": "missing"},
    }
    standing = Standing.from_item("c0001", item)
    assert standing.on_leave(date(2026, 11, 17)) and not standing.on_leave(date(2026, 11, 19))
    assert standing.misses["entry/2026-11-12"] == Miss("entry", "2026-11-12", date(2026, 11, 12), False)
    assert standing.late == {"ENTRY#2026-11-12": "2026-11-13T08:00:00.000+08:00"}


def test_what_has_aged_out_is_stale_and_what_a_rule_still_needs_is_not() -> None:
    standing = Standing(
        "c0001",
        leave={date(2026, 9, 1): date(2026, 9, 5), date(2026, 11, 1): date(2026, 11, 30)},
        late={
            "ENTRY#2026-11-12": "t",  # waits for its open miss
            "ENTRY#2026-11-13": "t",  # saved late before the check ran: no miss, nothing to wait for
            "ENTRY#2026-11-25": "t",  # a date not yet checked
            "PLAN#2026-11": "t",
            "PLAN#2026-12": "t",
        },
        misses={
            "entry/2026-10-01": Miss("entry", "2026-10-01", date(2026, 10, 9), False),
            "entry/2026-11-12": Miss("entry", "2026-11-12", date(2026, 11, 12), False),
        },
    )
    stale = standing.stale(
        leave_before=date(2026, 10, 1), misses_before=date(2026, 10, 20), late_until=date(2026, 11, 20)
    )
    assert sorted(stale) == ["late:ENTRY#2026-11-13", "leave:2026-09-01", "miss:entry/2026-10-01"]
    # A month later the plan of November has certainly been checked.
    later = standing.stale(
        leave_before=date(2026, 10, 1), misses_before=date(2026, 10, 20), late_until=date(2026, 12, 2)
    )
    assert "late:PLAN#2026-11" in later and "late:PLAN#2026-12" not in later


def test_bulk_loads_build_the_same_standing_the_service_would() -> None:
    items = standing_items(
        [
            revision("leave", "2026-11-16", body={"from": "2026-11-16", "to": "2026-11-18"}),
            revision("entry", "2026-11-12", late=True),
            revision("entry", "2026-11-20"),
        ]
    )
    assert len(items) == 1 and items[0]["roster_sk"] == "CADRE#c0001#STANDING"
    standing = Standing.from_item("c0001", items[0])
    assert standing.leave == {date(2026, 11, 16): date(2026, 11, 18)} and list(standing.late) == [
        "ENTRY#2026-11-12"
    ]
