"""GET /me/calendar through the entries function: a month's days as the signed-in cadre's calendar
screen shows them, judged by the same rules as GET /me. The district's date is 2026-11-20 (Fri)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from typing import Any

import pytest

from infra.inprocess import InProcessStack, reset_caches
from worklog import aws
from worklog.models.roster import Cadre
from worklog.roster.repository import RosterRepository

ENTRY = {"items": [{"content": "督导城区学校冬季安全检查", "status": "done"}]}


def calendar(stack: InProcessStack, month: str, who: str = "c0001") -> Any:
    resp = stack.call("entries", "GET", f"/me/calendar?month={month}", as_=who)
    assert resp.status == 200, resp.body
    return json.loads(resp.body)


def by_date(shown: Any) -> dict[str, dict[str, Any]]:
    return {d["date"]: d for d in shown["days"]}


def test_a_month_lists_every_day_with_today_and_its_calendar_source(stack: InProcessStack) -> None:
    shown = calendar(stack, "2026-11")
    assert (shown["month"], shown["today"], shown["source"]) == ("2026-11", "2026-11-20", "library")
    assert [d["date"] for d in shown["days"]] == [f"2026-11-{n:02d}" for n in range(1, 31)]
    assert set(shown["days"][0]) == {
        "date",
        "working",
        "kind",
        "provisional",
        "in_post",
        "on_leave",
        "owed",
        "due",
        "last_day",
        "locked",
    }


def test_each_day_says_whether_it_is_owed_on_leave_or_locked(stack: InProcessStack) -> None:
    # Given leave on Mon 16 Nov (past) and Mon 23 – Tue 24 Nov (ahead), and the 19th's entry saved
    for span in (("2026-11-16", "2026-11-16"), ("2026-11-23", "2026-11-24")):
        leave = {"from": span[0], "to": span[1], "kind": "annual"}
        assert stack.call("entries", "POST", "/leaves", leave, as_="c0001").status == 201
    assert stack.call("entries", "PUT", "/entries/2026-11-19", ENTRY, as_="c0001").status == 201
    # When c0001 opens November on Fri 20 Nov
    days = by_date(calendar(stack, "2026-11"))
    # Then today is owed, due today and open for the week after
    today = days["2026-11-20"]
    assert (today["owed"], today["due"], today["last_day"], today["locked"]) == (
        True,
        "2026-11-20",
        "2026-11-27",
        False,
    )
    # A saved day stays owed (whether it was saved is GET /entries' to say)
    assert days["2026-11-19"]["owed"]
    # Leave days are not owed, past or ahead
    for leave_day in ("2026-11-16", "2026-11-23", "2026-11-24"):
        assert days[leave_day]["on_leave"] and not days[leave_day]["owed"], leave_day
        assert days[leave_day]["working"] and days[leave_day]["due"] is None
    # A weekend day is neither working nor owed
    assert days["2026-11-21"]["kind"] == "weekend" and not days["2026-11-21"]["owed"]
    # A future working day is not owed yet
    assert days["2026-11-25"]["working"] and not days["2026-11-25"]["owed"]
    assert not days["2026-11-25"]["locked"]
    # The 12th is past its last day: owed, and locked
    assert days["2026-11-12"]["owed"] and days["2026-11-12"]["locked"]
    assert days["2026-11-12"]["last_day"] == "2026-11-19"
    assert not days["2026-11-13"]["locked"]


def test_the_calendar_and_get_me_agree_on_the_entries_still_owed(stack: InProcessStack) -> None:
    # Given some of the week's days saved
    for day in ("2026-11-16", "2026-11-18"):
        assert stack.call("entries", "PUT", f"/entries/{day}", ENTRY, as_="c0001").status == 201
    saved = {
        e["date"]
        for e in json.loads(
            stack.call("entries", "GET", "/entries?from=2026-11-01&to=2026-11-30", as_="c0001").body
        )["entries"]
    }
    # When GET /me and GET /me/calendar are asked on the same day
    me = json.loads(stack.call("entries", "GET", "/me", as_="c0001").body)
    days = by_date(calendar(stack, "2026-11"))
    # Then the entries GET /me lists are exactly the calendar's owed, unsaved, unlocked days
    listed = {o["period"]: (o["due"], o["last_day"]) for o in me["owes"] if o["kind"] == "entry"}
    open_and_owed = {
        d: (v["due"], v["last_day"])
        for d, v in days.items()
        if v["owed"] and not v["locked"] and d not in saved
    }
    assert listed == open_and_owed
    assert set(listed) == {"2026-11-13", "2026-11-17", "2026-11-19", "2026-11-20"}


def test_holidays_and_adjusted_workdays_of_a_library_year(stack: InProcessStack) -> None:
    days = by_date(calendar(stack, "2026-10"))
    # 国庆节: Thu 1 Oct is a weekday off; Sat 3 Oct is a weekend day off; Sat 10 Oct is worked (调休)
    assert (days["2026-10-01"]["kind"], days["2026-10-01"]["working"]) == ("holiday", False)
    assert (days["2026-10-03"]["kind"], days["2026-10-03"]["working"]) == ("weekend", False)
    assert (days["2026-10-10"]["kind"], days["2026-10-10"]["working"]) == ("adjusted_workday", True)
    assert days["2026-10-10"]["owed"] and not days["2026-10-01"]["owed"]
    assert all(d["locked"] for d in days.values())  # all of October is past its last day


def test_a_year_without_a_schedule_is_provisional_until_an_admin_loads_one(stack: InProcessStack) -> None:
    # Given 2027, which neither an admin nor the library has a schedule for
    before = calendar(stack, "2027-01")
    assert before["source"] == "provisional" and all(d["provisional"] for d in before["days"])
    assert by_date(before)["2027-01-01"]["kind"] == "workday"  # a Friday, Mon–Fri assumed
    assert not any(d["owed"] for d in before["days"])  # all in the future
    # When an admin loads 2027 with 1 Jan off
    schedule = {"holidays": ["2027-01-01"], "workdays": ["2027-02-06"]}
    assert stack.call("admin", "PUT", "/admin/calendar/2027", schedule, as_="c0003").status == 201
    # Then the calendar is official and says so
    after = calendar(stack, "2027-01")
    assert after["source"] == "official" and not any(d["provisional"] for d in after["days"])
    assert by_date(after)["2027-01-01"]["kind"] == "holiday"
    assert by_date(calendar(stack, "2027-02"))["2027-02-06"]["kind"] == "adjusted_workday"


def test_a_cadre_who_joined_mid_month_owes_from_the_joining_day(stack: InProcessStack) -> None:
    # Given a cadre whose roster profile says they took up their post on Wed 18 Nov
    newcomer = Cadre(cadre_id="c0005", name="陈晨", unit_id="jyj", joined_on=date(2026, 11, 18))
    RosterRepository().put_row(newcomer)
    days = by_date(calendar(stack, "2026-11", who="c0005"))
    assert not days["2026-11-17"]["in_post"] and not days["2026-11-17"]["owed"]
    assert days["2026-11-18"]["in_post"] and days["2026-11-18"]["owed"]


def test_any_signed_in_cadre_may_ask_only_for_their_own_calendar(stack: InProcessStack) -> None:
    # A unit head and the Org Dept get their own months; the leave of c0001 shows only to c0001
    assert (
        stack.call(
            "entries",
            "POST",
            "/leaves",
            {"from": "2026-11-20", "to": "2026-11-20", "kind": "sick"},
            as_="c0001",
        ).status
        == 201
    )
    for who in ("c0002", "c0010"):
        assert not by_date(calendar(stack, "2026-11", who=who))["2026-11-20"]["on_leave"]
    assert by_date(calendar(stack, "2026-11", who="c0001"))["2026-11-20"]["on_leave"]


def test_without_a_token_it_is_401(stack: InProcessStack) -> None:
    resp = stack.call("entries", "GET", "/me/calendar?month=2026-11")
    assert resp.status == 401 and set(json.loads(resp.body)) >= {"code", "message"}


@pytest.mark.parametrize(
    "query", ["month=2026-13", "month=2026-1", "month=1999-12", "month=2026-11-01", "month=２０２６-11", ""]
)
def test_a_malformed_or_missing_month_is_422(stack: InProcessStack, query: str) -> None:
    resp = stack.call("entries", "GET", f"/me/calendar?{query}", as_="c0001")
    error = json.loads(resp.body)
    assert resp.status == 422 and error["code"] == "validation_error"
    assert error["details"][0]["loc"] == ["query", "month"]


def requests_of_one_call(stack: InProcessStack, month: str) -> Counter[str]:
    seen: Counter[str] = Counter()

    def hook(event_name: str = "", **_: Any) -> None:
        seen[event_name.rsplit(".", 1)[-1]] += 1

    remove = aws.on_request(hook)
    try:
        calendar(stack, month)
    finally:
        remove()
    return seen


def test_one_call_reads_the_leave_once_and_the_calendar_and_profile_only_when_cold(
    stack: InProcessStack,
) -> None:
    # A cold container: the caller's profile, the loaded schedules, the caller's leave
    reset_caches()
    assert requests_of_one_call(stack, "2026-11") == Counter({"GetItem": 1, "Query": 2})
    # Warm, for any month near or far: the leave only
    for month in ("2026-11", "2031-06", "2009-02"):
        assert requests_of_one_call(stack, month) == Counter({"Query": 1}), month
