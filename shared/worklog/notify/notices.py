"""Who is told about an event (docs/notifications.md, "The flow"): one notice per person it concerns,
with a deterministic id taken from the event's own ids, a title in Chinese and the app's path that
acts on it.

The people come from the roster (and, for an audit, from the round's assignments): ``Holders`` reads
them once per instance and never returns anyone who has left.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from worklog.access import ACCOUNTABILITY_HOLDERS
from worklog.clock import FixedClock, iso_now
from worklog.messages import NOTIFY
from worklog.models.notifications import Notice, NoticeKind
from worklog.models.roster import Cadre, Role, Unit

if TYPE_CHECKING:  # an annotation only: the audit models are built at an audit's first read
    from worklog.models.audits import AuditAssignment

ENTRY_MISSING = "EntryMissing"
REVIEW_ASSIGNED = "ReviewAssigned"
REVIEW_OVERDUE = "ReviewOverdue"
TALK_OPENED = "ReminderTalkOpened"
ACCOUNTABILITY_OPENED = "AccountabilityCaseOpened"
AUDIT_DRAWN = "AuditDrawn"
ENTRY_WITHDRAWN = "EntryMissingWithdrawn"
CALENDAR_NOT_LOADED = "CalendarNotLoaded"

# The app's screens (web/src/router.ts) that act on each owed thing.
ENTRY_PATHS = {"entry": "/day/{period}", "plan": "/plan/{period}", "summary": "/summary/{period}"}
REVIEW_PATH = "/review"
CASE_PATH = "/case/{case_id}"
MY_MATTERS_PATH = "/matters"
INSPECT_PATH = "/inspect/{round_id}"
CALENDAR_PATH = "/calendar/{month}"
HOLIDAYS_PATH = "/holidays"


class RosterReader(Protocol):
    """What ``Holders`` reads of the roster (worklog.roster.repository.RosterRepository)."""

    def get_cadres(self, cadre_ids: Iterable[str]) -> dict[str, Cadre]: ...
    def list_cadres(self) -> Iterable[Cadre]: ...
    def list_unit_members(self, unit_id: str) -> Iterable[Cadre]: ...
    def get_unit(self, unit_id: str) -> Unit | None: ...


class Holders:
    """The people an event concerns, as the roster has them today. The whole roster is read (once
    per instance) only for district-wide roles: district leaders and accountability holders."""

    def __init__(
        self,
        roster: RosterReader,
        assignments: Callable[[str], list[AuditAssignment]],
        today: Callable[[], date],
    ) -> None:
        self.roster = roster
        self.assignments = assignments
        self.today = today
        self._everyone: list[Cadre] | None = None

    def in_post(self, cadre: Cadre) -> bool:
        return cadre.active_on(self.today())

    def present(self, ids: Iterable[str]) -> set[str]:
        """Those of ``ids`` on the roster and still in post."""
        return {c.cadre_id for c in self.roster.get_cadres(ids).values() if self.in_post(c)}

    def with_role(self, roles: Iterable[Role]) -> list[str]:
        if self._everyone is None:
            self._everyone = list(self.roster.list_cadres())
        wanted = set(roles)
        return sorted(c.cadre_id for c in self._everyone if wanted & set(c.roles) and self.in_post(c))

    def unit_heads(self, unit_id: str | None) -> list[str]:
        """The unit's named head if in post, else its members with the unit_head role."""
        if not unit_id:
            return []
        unit = self.roster.get_unit(unit_id)
        if unit and unit.head_id and unit.head_id in self.present([unit.head_id]):
            return [unit.head_id]
        members = self.roster.list_unit_members(unit_id)
        return sorted(c.cadre_id for c in members if "unit_head" in c.roles and self.in_post(c))

    def case_holders(self, owner_role: str, owner_unit_id: str | None) -> list[str]:
        if owner_role == "unit_head":
            return self.unit_heads(owner_unit_id)
        if owner_role == "district_leader":
            return self.with_role(["district_leader"])
        return self.with_role(ACCOUNTABILITY_HOLDERS)


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _notice(
    kind: NoticeKind, person: str, notice_id: str, detail_type: str, received: str, **fields: Any
) -> Notice:
    return Notice(
        notice_id=notice_id,
        person_id=person,
        kind=kind,
        event_type=detail_type,
        received_at=received,
        **fields,
    )


def cn_date(day: date) -> str:
    """A date as a message says it: 11月30日."""
    return NOTIFY["date"].format(month=day.month, day=day.day)


def period_words(kind: str, period: str) -> str:
    """What an owed period is called in a message: 11月30日, 2026年12月, 2026年下半年."""
    if kind == "plan":
        year, month = period.split("-")
        return NOTIFY["month"].format(year=year, month=int(month))
    if kind == "summary":
        year, half = period.split("-")
        return NOTIFY["half"].format(year=year, half=NOTIFY[half])
    return cn_date(date.fromisoformat(period))


def _entry_missing(d: dict[str, Any], holders: Holders, received: str) -> list[Notice]:
    if d["cadre_id"] not in holders.present([d["cadre_id"]]):
        return []
    kind = d["kind"]
    notice = _notice(
        "entry_missing",
        d["cadre_id"],
        f"entry_missing/{d['reminder_id']}",
        ENTRY_MISSING,
        received,
        title=NOTIFY[f"entry_missing_{kind}"].format(period=period_words(kind, d["period"])),
        due=_day(d.get("due")),
        last_day=_day(d.get("can_still_save_until")),
        link=ENTRY_PATHS[kind].format(period=d["period"]),
        about={"cadre_id": d["cadre_id"], "kind": kind, "period": d["period"]},
    )
    return [notice]


def _review(d: dict[str, Any], holders: Holders, received: str, detail_type: str) -> list[Notice]:
    reviewer = d["reviewer_id"]
    if reviewer not in holders.present([reviewer]):
        return []
    kind: NoticeKind = "review_assigned" if detail_type == REVIEW_ASSIGNED else "review_overdue"
    start = date.fromisoformat(d["week_start"])
    end = _day(d.get("week_end")) or start + timedelta(days=6)
    title = NOTIFY[kind].format(week_start=cn_date(start), week_end=cn_date(end), count=d.get("count", 0))
    due = _day(d.get("due"))
    notice = _notice(
        kind,
        reviewer,
        f"{kind}/{reviewer}/{d['week_start']}",
        detail_type,
        received,
        title=title,
        due=due,
        last_day=due if kind == "review_assigned" else None,
        link=REVIEW_PATH,
    )
    return [notice]


def _talk(d: dict[str, Any], holders: Holders, received: str) -> list[Notice]:
    due = _day(d.get("due"))
    return [
        _notice(
            "talk_opened",
            person,
            f"talk_opened/{d['case_id']}/{person}",
            TALK_OPENED,
            received,
            title=NOTIFY["talk_opened"],
            due=due,
            last_day=due,
            link=CASE_PATH.format(case_id=d["case_id"]),
        )
        for person in holders.case_holders(d.get("owner_role", "unit_head"), d.get("owner_unit_id"))
    ]


def _accountability(d: dict[str, Any], holders: Holders, received: str) -> list[Notice]:
    case, subject, due = d["case_id"], d["cadre_id"], _day(d.get("due"))
    notices = []
    if subject in holders.present([subject]):
        notices.append(
            _notice(
                "accountability_opened",
                subject,
                f"accountability_opened/{case}/{subject}",
                ACCOUNTABILITY_OPENED,
                received,
                urgent=True,
                title=NOTIFY["accountability_subject"],
                link=MY_MATTERS_PATH,
            )
        )
    for person in holders.case_holders("discipline_inspector", None):
        if person == subject:
            continue  # never a holder of a case about oneself
        notices.append(
            _notice(
                "accountability_opened",
                person,
                f"accountability_opened/{case}/{person}",
                ACCOUNTABILITY_OPENED,
                received,
                title=NOTIFY["accountability_holder"],
                due=due,
                last_day=due,
                link=CASE_PATH.format(case_id=case),
            )
        )
    return notices


def _audit(d: dict[str, Any], holders: Holders, received: str) -> list[Notice]:
    """The event (the round's public reveal) names no inspector: the round's assignments do."""
    round_id = d["round_id"]
    sampled = Counter(a.inspector_id for a in holders.assignments(round_id))
    present = holders.present(sampled) if sampled else set()
    return [
        _notice(
            "audit_assigned",
            person,
            f"audit_assigned/{round_id}/{person}",
            AUDIT_DRAWN,
            received,
            title=NOTIFY["audit_assigned"].format(quarter=d.get("quarter", round_id), count=count),
            link=INSPECT_PATH.format(round_id=round_id),
        )
        for person, count in sorted(sampled.items())
        if person in present
    ]


def _withdrawn(d: dict[str, Any], holders: Holders, received: str) -> list[Notice]:
    """A provisional miss withdrawn (its day turned out a holiday): its cadre, who was reminded."""
    if d["cadre_id"] not in holders.present([d["cadre_id"]]):
        return []
    kind, period = d["kind"], d["period"]
    notice = _notice(
        "entry_withdrawn",
        d["cadre_id"],
        f"entry_withdrawn/{d['reminder_id']}",
        ENTRY_WITHDRAWN,
        received,
        title=NOTIFY["entry_withdrawn"].format(period=period_words(kind, period)),
        link=CALENDAR_PATH.format(month=d["due"][:7]),
    )
    return [notice]


def _calendar(d: dict[str, Any], holders: Holders, received: str) -> list[Notice]:
    """Next year's schedule not loaded (from 1 December): every admin in post, once a day."""
    return [
        _notice(
            "calendar_not_loaded",
            person,
            f"calendar_not_loaded/{d['year']}/{d['on']}/{person}",
            CALENDAR_NOT_LOADED,
            received,
            title=NOTIFY["calendar_not_loaded"].format(year=d["year"]),
            link=HOLIDAYS_PATH,
        )
        for person in holders.with_role(["admin"])
    ]


def notices_of(detail_type: str, detail: dict[str, Any], *, roster: Holders, now: datetime) -> list[Notice]:
    """The notices an event makes; an event the notifier does not know makes none."""
    received = iso_now(FixedClock(now))
    if detail_type == ENTRY_MISSING:
        return _entry_missing(detail, roster, received)
    if detail_type in (REVIEW_ASSIGNED, REVIEW_OVERDUE):
        return _review(detail, roster, received, detail_type)
    if detail_type == TALK_OPENED:
        return _talk(detail, roster, received)
    if detail_type == ACCOUNTABILITY_OPENED:
        return _accountability(detail, roster, received)
    if detail_type == AUDIT_DRAWN:
        return _audit(detail, roster, received)
    if detail_type == ENTRY_WITHDRAWN:
        return _withdrawn(detail, roster, received)
    if detail_type == CALENDAR_NOT_LOADED:
        return _calendar(detail, roster, received)
    return []
