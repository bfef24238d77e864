"""The passage from a provisional year to a loaded one (2026 → 2027, which chinese-calendar does not
know): misses on provisional days are recorded and reminded but never escalate; loading the official
schedule withdraws only the provisional misses on days it makes days off, tells their cadres, and
re-judges nothing else; loading it again changes nothing."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from infra.inprocess import InProcessStack
from tests.conftest import Published, compliance_items, set_clock
from tests.integration.notify_support import FakeDeliverer
from worklog.compliance.repository import ComplianceRepository
from worklog.notify.intake import Intake
from worklog.notify.repository import OutboxRepository
from worklog.roster.repository import RosterRepository
from worklog.schedules import current_calendar

ENTRY = {"items": [{"content": "召开专题会议，研究部署冬季安全生产工作", "status": "done"}]}
PLAN = {"items": [{"content": "完成年度总结"}]}
# The official 2027 schedule as an admin would load it: New Year's Day (a Friday) off.
SCHEDULE_2027 = {"holidays": ["2027-01-01"], "workdays": [], "source": "国办发明电〔2026〕X号"}
OWING = ("c0001", "c0002", "c0003", "c0010")  # c0004 left in October


def check(stack: InProcessStack, day: str) -> dict[str, Any]:
    result: dict[str, Any] = stack.invoke("missing-entry-check", {"date": day})
    return result


def load_2027(stack: InProcessStack, confirm: bool = True) -> Any:
    path = "/admin/calendar/2027" + ("?confirm=true" if confirm else "")
    return stack.call("admin", "PUT", path, SCHEDULE_2027, as_="c0003")


def records(day: str) -> dict[str, Any]:
    return {r.cadre_id: r for r in ComplianceRepository().missing_due_on(date.fromisoformat(day))}


def misses_in_standing(cadre_id: str) -> set[str]:
    standing = RosterRepository().roster_slice().standings.get(cadre_id)
    return set(standing.misses) if standing else set()


def provisional_new_year(stack: InProcessStack) -> list[dict[str, Any]]:
    """Given every cadre's January plan saved on time and nobody's entries from 31 Dec to 5 Jan,
    when the nightly check runs for those days in early January, before 2027 is loaded."""
    for who in OWING:
        set_clock(2027, 1, 4, 9)
        assert stack.call("entries", "PUT", "/plans/2027-01", PLAN, as_=who).status in (200, 201)
    set_clock(2027, 1, 6, 9)
    return [check(stack, day) for day in ("2026-12-31", "2027-01-01", "2027-01-04", "2027-01-05")]


def test_provisional_days_are_recorded_and_reminded_but_never_escalate(
    stack: InProcessStack, events: Published
) -> None:
    results = provisional_new_year(stack)
    # 2026 is the library's, 2027 provisional: Friday 1 Jan is assumed a working day
    assert [r["provisional"] for r in results] == [False, True, True, True]
    assert [r["new_missing"] for r in results] == [4, 4, 4, 4]
    reminded = [d for kind, d in events if kind == "EntryMissing"]
    assert len(reminded) == 16 and all(d["provisional"] == (d["due"] > "2027") for d in reminded)
    # Four misses in a row, one of them countable: no reminder talk for anyone
    assert not any(r["talks_opened"] for r in results)
    assert not any(i["pk"]["S"].startswith("CASE#") for i in compliance_items(stack))


def test_loading_the_schedule_withdraws_only_the_provisional_misses_on_its_days_off(
    stack: InProcessStack, events: Published
) -> None:
    provisional_new_year(stack)
    reminded = len(events)
    # When the admin loads 2027 with 1 Jan off (the year is in use: confirmed)
    resp = load_2027(stack)
    assert resp.status == 201
    answer = json.loads(resp.body)
    # Then the four misses of 1 Jan are withdrawn, and the answer names them
    assert sorted(answer["withdrawn_misses"]) == sorted(f"{c}/entry/2027-01-01" for c in OWING)
    assert {c: r.status for c, r in records("2027-01-01").items()} == dict.fromkeys(OWING, "withdrawn")
    assert all(r.withdrawn_at for r in records("2027-01-01").values())
    # and their cadres, who were reminded of them, are told
    told = [d for kind, d in events[reminded:] if kind == "EntryMissingWithdrawn"]
    assert sorted(d["cadre_id"] for d in told) == sorted(OWING)
    assert all(d["period"] == "2027-01-01" and d["reminder_id"].endswith("/entry/2027-01-01") for d in told)
    # while the misses of days that stay working stand as recorded: provisional, still missing
    for day in ("2027-01-04", "2027-01-05"):
        assert {(r.status, r.provisional) for r in records(day).values()} == {("missing", True)}
        assert all(f"entry/{day}" in misses_in_standing(c) for c in OWING)
    assert {(r.status, r.provisional) for r in records("2026-12-31").values()} == {("missing", False)}
    # and the next nightly check drops the withdrawn misses from the standings, and only those
    check(stack, "2027-01-06")
    assert all("entry/2027-01-01" not in misses_in_standing(c) for c in OWING)
    assert all(
        {"entry/2027-01-04", "entry/2027-01-05", "entry/2027-01-06"} <= misses_in_standing(c) for c in OWING
    )
    assert {r.status for r in records("2027-01-01").values()} == {"withdrawn"}


def test_loading_the_same_schedule_twice_withdraws_and_tells_nothing_more(
    stack: InProcessStack, events: Published
) -> None:
    provisional_new_year(stack)
    load_2027(stack)
    before, sent = compliance_items(stack), len(events)
    again = load_2027(stack)
    assert again.status == 200 and json.loads(again.body)["withdrawn_misses"] == []
    assert compliance_items(stack) == before and len(events) == sent


def test_after_the_load_provisional_misses_are_never_escalated_retroactively(
    stack: InProcessStack, events: Published
) -> None:
    provisional_new_year(stack)
    load_2027(stack)
    # When c0003 also misses 6 and 7 Jan, now official working days
    set_clock(2027, 1, 8, 9)
    results = [check(stack, day) for day in ("2027-01-06", "2027-01-07")]
    assert not any(r["provisional"] for r in results)
    # Then only 31 Dec, 6 and 7 Jan count (3 in 10 working days): the talk's evidence holds no
    # provisional day, and no withdrawn one
    opened = results[-1]["talks_opened"]
    assert "RT-LOG-c0003-2027-01-07" in opened and not results[0]["talks_opened"]
    case = next(c for c in ComplianceRepository().cases_of("c0003"))
    assert case.evidence == [
        "miss:c0003/entry/2026-12-31",
        "miss:c0003/entry/2027-01-06",
        "miss:c0003/entry/2027-01-07",
    ]


def test_a_load_before_the_year_begins_withdraws_nothing(stack: InProcessStack, events: Published) -> None:
    # Given December 2026, 2027 not yet begun: loading it needs no confirmation and finds no miss
    set_clock(2026, 12, 2, 9)
    resp = load_2027(stack, confirm=False)
    assert resp.status == 201 and json.loads(resp.body)["withdrawn_misses"] == []
    assert not any(kind == "EntryMissingWithdrawn" for kind, _ in events)


# --- GET /me and the admins' warning -------------------------------------------------------------
def me(stack: InProcessStack) -> dict[str, Any]:
    resp = stack.call("entries", "GET", "/me", as_="c0001")
    assert resp.status == 200
    calendar: dict[str, Any] = json.loads(resp.body)["calendar"]
    return calendar


def test_get_me_says_plainly_which_years_holidays_are_not_loaded(stack: InProcessStack) -> None:
    # In November 2026 (the library knows 2026) nothing is provisional
    assert me(stack) == {
        "years": [{"year": 2026, "source": "library", "provisional": False}],
        "provisional": False,
        "note": None,
    }
    # From 1 December next year is in view too, and it is not loaded
    set_clock(2026, 12, 1, 9)
    december = me(stack)
    assert [(y["year"], y["provisional"]) for y in december["years"]] == [(2026, False), (2027, True)]
    assert december["provisional"] and "2027 年的法定节假日安排尚未载入" in december["note"]
    # In January 2027 the year in course is the provisional one
    set_clock(2027, 1, 4, 9)
    january = me(stack)
    assert january["years"] == [{"year": 2027, "source": "provisional", "provisional": True}]
    assert "2027 年" in january["note"]
    # Once the admin loads 2027, GET /me says nothing more
    load_2027(stack)
    assert me(stack) == {
        "years": [{"year": 2027, "source": "official", "provisional": False}],
        "provisional": False,
        "note": None,
    }


def status(stack: InProcessStack) -> dict[str, Any]:
    resp = stack.call("admin", "GET", "/admin/calendar/status", as_="c0003")
    assert resp.status == 200
    answer: dict[str, Any] = json.loads(resp.body)
    return answer


def warnings(events: Published) -> list[dict[str, Any]]:
    return [d for kind, d in events if kind == "CalendarNotLoaded"]


def test_admins_are_warned_from_1_december_once_a_day_until_next_year_is_loaded(
    stack: InProcessStack, events: Published
) -> None:
    # In November: no warning
    assert not check(stack, "2026-11-19")["calendar_warning"] and not warnings(events)
    assert status(stack)["warning"] is False
    # On 1 December the night's check warns, once (a re-run that day does not)
    set_clock(2026, 12, 1, 1, 30)
    assert check(stack, "2026-11-30")["calendar_warning"]
    assert not check(stack, "2026-11-30")["calendar_warning"]
    assert [(w["year"], w["on"]) for w in warnings(events)] == [(2027, "2026-12-01")]
    assert "2027" in warnings(events)[0]["message"]
    seen = status(stack)
    assert seen["warning"] and seen["last_warned_on"] == "2026-12-01" and seen["today"] == "2026-12-01"
    # the next night again
    set_clock(2026, 12, 2, 1, 30)
    assert check(stack, "2026-12-01")["calendar_warning"] and len(warnings(events)) == 2
    # When the admin loads 2027, the warning stops
    load_2027(stack, confirm=False)
    set_clock(2026, 12, 3, 1, 30)
    assert not check(stack, "2026-12-02")["calendar_warning"] and len(warnings(events)) == 2
    after = status(stack)
    assert not after["warning"] and not after["provisional"] and after["last_warned_on"] == "2026-12-02"


def test_only_admins_read_the_calendar_status(stack: InProcessStack) -> None:
    assert stack.call("admin", "GET", "/admin/calendar/status", as_="c0001").status == 403
    assert stack.call("admin", "GET", "/admin/calendar/status").status == 401


def test_the_cadres_told_of_a_withdrawal_get_it_with_their_next_morning(
    stack: InProcessStack, events: Published
) -> None:
    # Given the load withdrew the misses of 1 Jan (on Wednesday 6 Jan, 10:00)
    provisional_new_year(stack)
    set_clock(2027, 1, 6, 10)
    load_2027(stack)
    told = [d for kind, d in events if kind == "EntryMissingWithdrawn"]
    # When the notifier takes the events in
    intake = Intake(calendar=current_calendar(), sender=FakeDeliverer())
    stored = sum(intake.take("EntryMissingWithdrawn", d).stored for d in told)
    # Then each cadre has one notice, for information, waiting for Thursday's morning
    notices = [n for page in OutboxRepository().morning_pages(date(2027, 1, 7)) for n in page]
    assert stored == 4 and sorted(n.person_id for n in notices) == sorted(OWING)
    assert {(n.kind, n.link) for n in notices} == {("entry_withdrawn", "/calendar/2027-01")}
