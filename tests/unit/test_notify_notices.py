"""Who is told about an event: one notice per person it concerns, deterministic ids, never anyone
who has left."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import pytest

from worklog.clock import SHANGHAI
from worklog.models.audits import AuditAssignment
from worklog.models.roster import Cadre, Unit
from worklog.notify.notices import Holders, notices_of

NOW = datetime(2026, 11, 24, 22, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()


def cadre(
    cid: str, unit: str = "jyj", roles: tuple[str, ...] = ("cadre",), left: date | None = None
) -> Cadre:
    return Cadre(cadre_id=cid, name=f"名{cid}", unit_id=unit, roles=list(roles), left_on=left)  # type: ignore[arg-type]


class FakeRoster:
    def __init__(self, cadres: list[Cadre], units: list[Unit]) -> None:
        self.cadres = {c.cadre_id: c for c in cadres}
        self.units = {u.unit_id: u for u in units}
        self.listed = 0

    def get_cadres(self, cadre_ids: Iterable[str]) -> dict[str, Cadre]:
        return {c: self.cadres[c] for c in cadre_ids if c in self.cadres}

    def list_cadres(self) -> Iterable[Cadre]:
        self.listed += 1
        return list(self.cadres.values())

    def list_unit_members(self, unit_id: str) -> Iterable[Cadre]:
        return [c for c in self.cadres.values() if c.unit_id == unit_id]

    def get_unit(self, unit_id: str) -> Unit | None:
        return self.units.get(unit_id)


CADRES = [
    cadre("c1"),
    cadre("c2", roles=("cadre", "unit_head")),
    cadre("c3", unit="xfj", roles=("cadre", "unit_head")),
    cadre("c4", unit="xfj", roles=("cadre", "unit_head"), left=date(2026, 11, 1)),
    cadre("d1", unit="qw", roles=("cadre", "district_leader")),
    cadre("d2", unit="qw", roles=("cadre", "district_leader"), left=date(2026, 10, 1)),
    cadre("j1", unit="jw", roles=("cadre", "discipline_inspector")),
    cadre("o1", unit="zzb", roles=("cadre", "org_inspector")),
    cadre("gone", left=date(2026, 11, 23)),
]
UNITS = [Unit(unit_id="jyj", name="区教育局", head_id="c2"), Unit(unit_id="xfj", name="区信访局")]
ASSIGNMENTS = [
    AuditAssignment(
        round_id="Q-2026-Q3",
        inspector_id=i,
        cadre_id=c,
        unit_id="jyj",
        quarter="2026-Q3",
        entries=[date(2026, 9, 9)],
        assigned_at="2026-10-08T09:00:00.000+08:00",
    )
    for i, c in (("j1", "c1"), ("j1", "c2"), ("gone", "c3"))
]


def holders(roster: FakeRoster | None = None) -> Holders:
    r = roster or FakeRoster(CADRES, UNITS)
    return Holders(r, lambda round_id: [a for a in ASSIGNMENTS if a.round_id == round_id], lambda: TODAY)


MISSING = {
    "reminder_id": "MISS#2026-11-24#entry#2026-11-24",
    "cadre_id": "c1",
    "unit_id": "jyj",
    "kind": "entry",
    "period": "2026-11-24",
    "due": "2026-11-24",
    "can_still_save_until": "2026-12-01",
    "provisional": False,
}


def case(kind: str, owner_role: str, owner_unit: str | None, cadre_id: str = "c1") -> dict[str, object]:
    return {
        "case_id": f"{kind}-LOG-{cadre_id}-2026-11-24",
        "kind": kind,
        "subject": "logging",
        "cadre_id": cadre_id,
        "owner_role": owner_role,
        "owner_unit_id": owner_unit,
        "opened_on": "2026-11-24",
        "due": "2026-12-04",
        "reason": "连续缺记",
        "evidence": [],
    }


def test_a_missing_entry_tells_its_cadre_with_its_last_day_and_the_day_screen() -> None:
    [notice] = notices_of("EntryMissing", MISSING, roster=holders(), now=NOW)
    assert notice.person_id == "c1"
    assert notice.notice_id == "entry_missing/MISS#2026-11-24#entry#2026-11-24"
    assert (notice.due, notice.last_day) == (date(2026, 11, 24), date(2026, 12, 1))
    assert notice.link == "/day/2026-11-24"
    assert notice.about == {"cadre_id": "c1", "kind": "entry", "period": "2026-11-24"}
    assert notice.received_at.startswith("2026-11-24T22:00:00")


def test_the_same_event_twice_makes_the_same_notices() -> None:
    first = notices_of(
        "AccountabilityCaseOpened", case("AC", "discipline_inspector", None), roster=holders(), now=NOW
    )
    again = notices_of(
        "AccountabilityCaseOpened", case("AC", "discipline_inspector", None), roster=holders(), now=NOW
    )
    assert [n.notice_id for n in first] == [n.notice_id for n in again]


def test_nobody_who_has_left_is_told() -> None:
    gone = {**MISSING, "cadre_id": "gone"}
    assert notices_of("EntryMissing", gone, roster=holders(), now=NOW) == []
    review = {
        "reviewer_id": "c4",
        "week_start": "2026-11-16",
        "week_end": "2026-11-22",
        "due": "2026-11-25",
        "count": 2,
    }
    assert notices_of("ReviewAssigned", review, roster=holders(), now=NOW) == []


def test_a_review_assignment_tells_the_reviewer_by_week() -> None:
    review = {
        "reviewer_id": "c2",
        "week_start": "2026-11-16",
        "week_end": "2026-11-22",
        "due": "2026-11-25",
        "count": 2,
    }
    [notice] = notices_of("ReviewAssigned", review, roster=holders(), now=NOW)
    assert (notice.notice_id, notice.link, notice.last_day) == (
        "review_assigned/c2/2026-11-16",
        "/review",
        date(2026, 11, 25),
    )
    [overdue] = notices_of("ReviewOverdue", review, roster=holders(), now=NOW)
    assert overdue.notice_id == "review_overdue/c2/2026-11-16"
    assert notice.title == "审阅11月16日至11月22日的周工作日志（2人）"


@pytest.mark.parametrize(
    ("kind", "period", "title"),
    [
        ("entry", "2026-11-24", "填写11月24日的工作日志"),
        ("plan", "2026-12", "提交2026年12月的月度计划"),
        ("summary", "2026-H2", "提交2026年下半年的半年总结"),
    ],
)
def test_a_missing_thing_is_named_in_words_a_reader_uses(kind: str, period: str, title: str) -> None:
    event = {**MISSING, "kind": kind, "period": period, "reminder_id": f"MISS#{period}#{kind}"}
    [notice] = notices_of("EntryMissing", event, roster=holders(), now=NOW)
    assert notice.title == title


def test_a_unit_talk_tells_the_named_head_else_the_units_heads_in_post() -> None:
    [named] = notices_of("ReminderTalkOpened", case("RT", "unit_head", "jyj"), roster=holders(), now=NOW)
    assert (named.person_id, named.link) == ("c2", "/case/RT-LOG-c1-2026-11-24")
    assert named.notice_id == "talk_opened/RT-LOG-c1-2026-11-24/c2"
    # xfj names no head: its unit_head holders in post (c4 has left)
    unnamed = notices_of(
        "ReminderTalkOpened", case("RT", "unit_head", "xfj", "c9"), roster=holders(), now=NOW
    )
    assert [n.person_id for n in unnamed] == ["c3"]


def test_a_district_leaders_talk_tells_every_district_leader_in_post() -> None:
    notices = notices_of(
        "ReminderTalkOpened", case("RT", "district_leader", None, "c2"), roster=holders(), now=NOW
    )
    assert [n.person_id for n in notices] == ["d1"]


def test_an_accountability_case_is_urgent_for_its_cadre_and_waits_for_the_holders() -> None:
    roster = FakeRoster(CADRES, UNITS)
    h = holders(roster)
    notices = notices_of(
        "AccountabilityCaseOpened", case("AC", "discipline_inspector", None), roster=h, now=NOW
    )
    by_person = {n.person_id: n for n in notices}
    assert set(by_person) == {"c1", "j1", "o1"}
    assert by_person["c1"].urgent and by_person["c1"].link == "/matters"
    assert not by_person["j1"].urgent and by_person["j1"].link == "/case/AC-LOG-c1-2026-11-24"
    assert "c1" not in by_person["j1"].title  # a title never names the cadre
    # the roster is read once per instance, however many cases
    notices_of("AccountabilityCaseOpened", case("AC", "discipline_inspector", None, "c2"), roster=h, now=NOW)
    assert roster.listed == 1


def test_an_audit_tells_each_assigned_inspector_in_post_once() -> None:
    drawn = {"round_id": "Q-2026-Q3", "kind": "quarterly", "quarter": "2026-Q3"}
    [notice] = notices_of("AuditDrawn", drawn, roster=holders(), now=NOW)
    assert (notice.person_id, notice.notice_id, notice.link) == (
        "j1",
        "audit_assigned/Q-2026-Q3/j1",
        "/inspect/Q-2026-Q3",
    )
    assert "2" in notice.title


def test_an_unknown_event_tells_nobody() -> None:
    assert notices_of("AuditCommitted", {"round_id": "x"}, roster=holders(), now=NOW) == []


# --- the year change ------------------------------------------------------------------------------
WITHDRAWN = {
    "reminder_id": "c1/entry/2027-01-01",
    "cadre_id": "c1",
    "unit_id": "jyj",
    "kind": "entry",
    "period": "2027-01-01",
    "due": "2027-01-01",
    "year": 2027,
}


def test_a_withdrawn_miss_tells_its_cadre_that_nothing_is_owed_and_links_to_the_month() -> None:
    [notice] = notices_of("EntryMissingWithdrawn", WITHDRAWN, roster=holders(), now=NOW)
    assert (notice.person_id, notice.kind) == ("c1", "entry_withdrawn")
    assert notice.notice_id == "entry_withdrawn/c1/entry/2027-01-01"
    assert "1月1日" in notice.title and "无需填写" in notice.title
    assert notice.link == "/calendar/2027-01" and notice.due is None and notice.last_day is None
    assert (
        notices_of("EntryMissingWithdrawn", {**WITHDRAWN, "cadre_id": "gone"}, roster=holders(), now=NOW)
        == []
    )


def test_the_calendar_warning_tells_every_admin_in_post_once_a_day() -> None:
    admins = [
        *CADRES,
        cadre("a1", unit="zzb", roles=("cadre", "admin")),
        cadre("a2", roles=("admin",), left=date(2026, 1, 1)),
    ]
    detail = {"year": 2027, "on": "2026-12-01", "message": "…"}
    notices = notices_of("CalendarNotLoaded", detail, roster=holders(FakeRoster(admins, UNITS)), now=NOW)
    assert [(n.person_id, n.notice_id) for n in notices] == [("a1", "calendar_not_loaded/2027/2026-12-01/a1")]
    assert "2027年法定节假日安排尚未载入" in notices[0].title and notices[0].link == "/holidays"
