"""Journal use cases: save entries, plans and summaries as chain revisions; record leave; read
one's own log; say what a cadre owes now.

Every save follows one path (``_append``): the lockdown policy decides whether the period is open,
the head says whether this is the first save (a reason is required afterwards) and whether the
first save was late; the revision, the new current view and the new head are written in one
transaction; a moved head means a concurrent save won, so the save is recomputed on the new head.
The same transaction checks the author's roster profile (the caller may have been resolved from a
container's cache): a cadre who left or was removed is refused with 401 at once, and one moved to
another unit has the save recomputed for the unit they are in now.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from worklog.auth.principals import Principal, PrincipalResolver
from worklog.calendar import WorkingCalendar
from worklog.chain import normalise_text
from worklog.clock import Clock, iso_now, system_clock, today
from worklog.errors import Conflict, NotFound, PeriodLocked, ValidationFailed, WorklogError, invalid
from worklog.journal.records import Head, append
from worklog.journal.repository import JournalRepository, RosterChanged, StaleHead
from worklog.messages import MSG
from worklog.models.entries import (
    CalendarDayOut,
    EntryIn,
    EntryItemOut,
    EntryOut,
    LeaveIn,
    LeaveOut,
    MonthCalendarOut,
    Owed,
    PlanIn,
    PlanItem,
    PlanOut,
    RevisionOut,
    SummaryIn,
    SummaryOut,
)
from worklog.periods import (
    Kind,
    LockdownPolicy,
    ObligationPolicy,
    Period,
    check_range,
    day_period,
    half_period,
    month_label,
    month_period,
    spoken_date,
)
from worklog.records import datarecord
from worklog.roster.repository import RosterRepository, profile_guard
from worklog.roster.standing import revision_update
from worklog.settings import Rules, get_settings

MAX_ATTEMPTS = 5


@datarecord(frozen=True)
class Saved:
    created: bool
    record: dict[str, Any]


class JournalService:
    def __init__(
        self,
        repo: JournalRepository,
        calendar: WorkingCalendar,
        rules: Rules,
        clock: Clock = system_clock,
        reload: Callable[[str, date], Principal] | None = None,
    ) -> None:
        """``reload(cadre_id, today)`` resolves an author again from the roster as it is now (401
        if they left or are gone) when a save's transaction finds their profile changed; by
        default a consistent read of the roster (a function passes its container's resolver, so
        that the stale cached entry is replaced too)."""
        self.repo = repo
        self.calendar = calendar
        self.rules = rules
        self.clock = clock
        self.policy = LockdownPolicy(rules, calendar)
        self.obligations = ObligationPolicy(rules, calendar)
        self.reload = reload or self._reload_from_roster

    @staticmethod
    def _reload_from_roster(cadre_id: str, on: date) -> Principal:
        return PrincipalResolver(RosterRepository(), ttl_seconds=0).resolve(cadre_id, on, fresh=True)

    # --- saves --------------------------------------------------------------------------------
    def save_entry(self, who: Principal, day: date, data: EntryIn) -> Saved:
        body = data.model_dump(mode="json", exclude={"reason"}, exclude_none=True)
        for item in body["items"]:
            if not item.get("internal"):
                item.pop("internal", None)
        refs = sorted({i.plan_item_id for i in data.items if i.plan_item_id})

        def check_refs(head: Head) -> None:
            if not refs:
                return
            plan = head.periods.get(f"PLAN#{month_label(day)}") or {}
            unknown = [r for r in refs if r not in set(plan.get("items", []))]
            if unknown:
                raise invalid(
                    MSG["unknown_plan_item"].format(ids="、".join(unknown)),
                    ["body", "items"],
                    "unknown_plan_item",
                )

        period = day_period(day)
        self.policy.check_writable(period, today(self.clock))
        return self._append(who, period, body, data.reason, check=check_refs)

    def save_plan(self, who: Principal, month: str, data: PlanIn) -> Saved:
        period = month_period(month)
        self.policy.check_writable(period, today(self.clock))
        given = [i.id for i in data.items if i.id]
        duplicates = sorted({i for i in given if given.count(i) > 1})
        if duplicates:
            raise invalid(
                MSG["duplicate_plan_item"].format(ids="、".join(duplicates)),
                ["body", "items"],
                "duplicate_id",
            )

        def with_ids(head: Head) -> dict[str, Any]:
            # Items without an id get the next free "p<n>", never reusing an id of the plan.
            known = list((head.state(period) or {}).get("items", [])) + given
            numbers = [int(i[1:]) for i in known if i[:1] == "p" and i[1:].isdigit()]
            next_number = max(numbers, default=0) + 1
            items = []
            for item in data.items:
                values = item.model_dump(mode="json", exclude_none=True)
                if not item.id:
                    values["id"] = f"p{next_number}"
                    next_number += 1
                items.append(values)
            return {"items": items}

        return self._append(who, period, with_ids, data.reason)

    def save_summary(self, who: Principal, half: str, data: SummaryIn) -> Saved:
        period = half_period(half)
        self.policy.check_writable(period, today(self.clock))
        return self._append(who, period, data.model_dump(mode="json", exclude={"reason"}), data.reason)

    def _append(
        self,
        who: Principal,
        period: Period,
        body: dict[str, Any] | Callable[[Head], dict[str, Any]],
        reason: str | None,
        *,
        check: Callable[[Head], None] | None = None,
    ) -> Saved:
        """Append one revision. A head read from this container's cache may be stale, so any
        refusal decided on it is confirmed on a fresh read before it reaches the client."""
        started = iso_now(self.clock)
        reason = normalise_text(reason) if reason else None
        for attempt in range(MAX_ATTEMPTS):
            if attempt > 1:
                time.sleep(random.uniform(0, 0.02 * attempt))  # jittered backoff under contention
            head = self.repo.load_head(who.cadre_id, fresh=attempt > 0)
            if attempt > 0 and period.kind is not Kind.LEAVE and head.state(period) is None:
                head = self._with_recovered_state(head, period)
            try:
                self._admit(head, period, reason, started, check)
            except WorklogError:
                if attempt == 0:
                    continue
                raise
            content = normalise_text(body(head) if callable(body) else body)
            self._within_limits(content, reason)
            step = append(
                head,
                period=period,
                body=content,
                reason=reason,
                saved_at=iso_now(self.clock),
                author=who.cadre_id,
                unit_id=who.unit_id,
                policy=self.policy,
            )
            guard = profile_guard(get_settings().roster_table, who.cadre_id, who.unit_id, today(self.clock))
            try:
                self.repo.append(
                    head, step.after, step.record, step.view, self._standing(step.record), guard=guard
                )
            except StaleHead:
                continue
            except RosterChanged:
                # Left or removed: 401 here. Moved: recomputed for the unit they are in now.
                who = self.reload(who.cadre_id, today(self.clock))
                continue
            return Saved(created=step.created, record=step.record)
        raise Conflict(MSG["busy"], code="busy")

    @staticmethod
    def _standing(record: dict[str, Any]) -> list[dict[str, Any]]:
        """The cadre's standing learns of leave and late saves in the same transaction."""
        update = revision_update(get_settings().roster_table, record)
        return [update] if update else []

    @staticmethod
    def _admit(
        head: Head, period: Period, reason: str | None, started: str, check: Callable[[Head], None] | None
    ) -> None:
        state = head.state(period)
        if state is not None and not reason:
            if str(state["first"]) <= started:
                raise invalid(MSG["reason_required"], ["body", "reason"], "reason_required")
            # Saved for the first time by another request while this one was running.
            raise Conflict(MSG["concurrent_update"], code="concurrent_update")
        if check:
            check(head)

    def _with_recovered_state(self, head: Head, period: Period) -> Head:
        """The head forgets periods it believes locked; if the rules have since reopened one (a
        longer window, a newly loaded schedule), rebuild its state from the current view."""
        view = self.repo.get_view(head.cadre_id, period.key)
        if view is None:
            return head
        state: dict[str, Any] = {
            "rev": int(view["revision"]),
            "late": bool(view["late"]),
            "first": view["first_saved_at"],
            "locks": self.policy.window(period).locks_after.isoformat(),
        }
        if period.kind is Kind.PLAN:
            state["items"] = [i["id"] for i in view["body"]["items"]]
        return Head(head.cadre_id, head.seq, head.hash, {**head.periods, period.key: state})

    def _within_limits(self, content: dict[str, Any], reason: str | None) -> None:
        """The configured limits (Rules), which may be tighter than the API's fixed maxima."""
        r = self.rules
        problems: list[dict[str, Any]] = []
        items = content.get("items", [])
        if len(items) > r.max_items:
            problems.append(
                {"loc": ["body", "items"], "msg": f"at most {r.max_items} items", "type": "too_long"}
            )
        for i, item in enumerate(items):
            if len(item.get("content", "")) > r.max_item_chars:
                msg = f"at most {r.max_item_chars} characters"
                problems.append(
                    {"loc": ["body", "items", i, "content"], "msg": msg, "type": "string_too_long"}
                )
        for field in ("mistakes", "reflections", "achievements", "problems", "next_steps"):
            if len(content.get(field) or "") > r.max_text_chars:
                msg = f"at most {r.max_text_chars} characters"
                problems.append({"loc": ["body", field], "msg": msg, "type": "string_too_long"})
        if reason and len(reason) > r.max_reason_chars:
            msg = f"at most {r.max_reason_chars} characters"
            problems.append({"loc": ["body", "reason"], "msg": msg, "type": "string_too_long"})
        if problems:
            raise ValidationFailed(MSG["validation_error"], details=problems)

    # --- leave --------------------------------------------------------------------------------
    def record_leave(self, who: Principal, data: LeaveIn) -> LeaveOut:
        on = today(self.clock)
        if data.to < data.from_:
            raise invalid(MSG["leave_reversed"], ["body", "to"], "leave_reversed")
        days = (data.to - data.from_).days + 1
        if days > self.rules.max_leave_days:
            raise invalid(
                MSG["leave_too_long"].format(days=self.rules.max_leave_days), ["body", "to"], "too_long"
            )
        if data.to > on + timedelta(days=366):
            raise invalid(MSG["leave_too_far"], ["body", "to"], "too_far")
        earliest = self.policy.oldest_open_day(on)
        if data.from_ < earliest:
            raise PeriodLocked(MSG["leave_locked"].format(first=spoken_date(earliest)))
        period = Period(Kind.LEAVE, data.from_.isoformat(), data.from_, data.to)
        body = data.model_dump(mode="json", by_alias=True, exclude_none=True)

        def no_overlap(head: Head) -> None:
            overlapping = self._leaves_overlapping(who.cadre_id, data.from_, data.to)
            if overlapping:
                span = f"{overlapping[0]['body']['from']} 至 {overlapping[0]['body']['to']}"
                raise Conflict(MSG["leave_overlap"].format(span=span), code="leave_overlap")

        return _leave_out(self._append(who, period, body, None, check=no_overlap).record)

    def _leaves_overlapping(self, cadre_id: str, first: date, last: date) -> list[dict[str, Any]]:
        # A leave starting more than max_leave_days before ``first`` cannot reach it.
        earliest_start = first - timedelta(days=self.rules.max_leave_days)
        views = self.repo.views_between(cadre_id, "LEAVE", earliest_start.isoformat(), last.isoformat())
        return [v for v in views if date.fromisoformat(v["body"]["to"]) >= first]

    def list_leaves(self, cadre_id: str, first: date, last: date) -> list[LeaveOut]:
        check_range(first, last, self.rules.max_range_days)
        return [_leave_out_view(v) for v in self._leaves_overlapping(cadre_id, first, last)]

    # --- reads --------------------------------------------------------------------------------
    def get_entry(self, cadre_id: str, day: date) -> EntryOut:
        view = self.repo.get_view(cadre_id, day_period(day).key)
        if view is None:
            raise NotFound(MSG["entry_not_found"], code="entry_not_found")
        return _entry_out(view)

    def list_entries(self, cadre_id: str, first: date, last: date) -> list[EntryOut]:
        check_range(first, last, self.rules.max_range_days)
        views = self.repo.views_between(cadre_id, "ENTRY", first.isoformat(), last.isoformat())
        return [_entry_out(v) for v in views]

    def get_plan(self, cadre_id: str, month: str) -> PlanOut:
        view = self.repo.get_view(cadre_id, month_period(month).key)
        if view is None:
            raise NotFound(MSG["plan_not_found"], code="plan_not_found")
        return PlanOut(
            month=view["period"], items=[PlanItem(**i) for i in view["body"]["items"]], **_view_meta(view)
        )

    def get_summary(self, cadre_id: str, half: str) -> SummaryOut:
        view = self.repo.get_view(cadre_id, half_period(half).key)
        if view is None:
            raise NotFound(MSG["summary_not_found"], code="summary_not_found")
        return SummaryOut(half=view["period"], **view["body"], **_view_meta(view))

    def revisions(self, cadre_id: str, period: Period) -> list[RevisionOut]:
        records = self.repo.revisions(cadre_id, period.key)
        if not records:
            raise NotFound(MSG[f"{period.kind}_not_found"], code=f"{period.kind}_not_found")
        return [_revision_out(r) for r in records]

    # --- what is owed now ---------------------------------------------------------------------
    def owed(self, who: Principal) -> tuple[date, bool, bool, list[Owed]]:
        """(today, today is a working day, on leave today, what is owed) for GET /me.

        Every period still open today is judged by ``ObligationPolicy.owes`` — the nightly check's
        own rule — with leave from the journal's leave views, so what is listed as overdue is
        exactly what the check has recorded missing and not yet saved."""
        on = today(self.clock)
        open_now = [self.obligations.owing(p) for p in self.obligations.open_on(on)]
        # One read of leave covering every window judged here, up to the latest due date: leave
        # already registered for the rest of a plan's window excuses it before it falls due.
        first = min(o.first_day for o in open_now)
        last = max(max(o.due for o in open_now), on)
        leave_days = self._leave_days(who.cadre_id, first, last)
        entries = [o for o in open_now if o.period.kind is Kind.ENTRY]
        saved = {
            f"ENTRY#{v['period']}"
            for v in self.repo.views_between(
                who.cadre_id, "ENTRY", entries[0].period.label, entries[-1].period.label
            )
        }
        saved |= set(self.repo.get_views(who.cadre_id, [o.period.key for o in open_now if o not in entries]))
        on_leave_day = leave_days.__contains__
        owes = [
            Owed(
                kind=str(o.period.kind),
                period=o.period.label,
                due=o.due,
                overdue=o.due < on,
                last_day=o.locks_after,
                provisional=o.provisional,
            )
            for o in open_now
            if o.period.key not in saved and self.obligations.owes(who.cadre, o.period, on_leave_day)
        ]
        return on, self.calendar.is_working(on), on in leave_days, owes

    def month_calendar(self, who: Principal, month: str) -> MonthCalendarOut:
        """The days of ``month`` for ``GET /me/calendar``: each judged by
        ``ObligationPolicy.entry_day`` with leave from the journal's leave views, as ``owed`` does.
        One read of leave; the calendar and the caller's profile are already in hand."""
        span = month_period(month)
        on = today(self.clock)
        on_leave = self._leave_days(who.cadre_id, span.first_day, span.last_day).__contains__
        days = []
        d = span.first_day
        while d <= span.last_day:
            day = self.obligations.entry_day(who.cadre, d, on_leave, on)
            days.append(
                CalendarDayOut(
                    date=d,
                    working=day.info.working,
                    kind=str(day.info.kind),
                    provisional=day.info.provisional,
                    in_post=day.in_post,
                    on_leave=day.on_leave,
                    owed=day.owed,
                    due=day.due,
                    last_day=day.last_day,
                    locked=day.locked,
                )
            )
            d += timedelta(days=1)
        source = str(self.calendar.day(span.first_day).source)
        return MonthCalendarOut(month=month, today=on, source=source, days=days)

    def _leave_days(self, cadre_id: str, first: date, last: date) -> set[date]:
        """The days in [first, last] that the cadre's registered leave covers: one read."""
        covered: set[date] = set()
        for leave in self._leaves_overlapping(cadre_id, first, last):
            d = max(date.fromisoformat(leave["body"]["from"]), first)
            end = min(date.fromisoformat(leave["body"]["to"]), last)
            while d <= end:
                covered.add(d)
                d += timedelta(days=1)
        return covered


# --- output shaping ---------------------------------------------------------------------------
def _view_meta(view: dict[str, Any]) -> dict[str, Any]:
    return {
        "revision": view["revision"],
        "late": view["late"],
        "amended": view["revision"] > 1,
        "first_saved_at": view["first_saved_at"],
        "saved_at": view["saved_at"],
    }


def _entry_out(view: dict[str, Any]) -> EntryOut:
    body = view["body"]
    return EntryOut(
        date=date.fromisoformat(view["period"]),
        items=[EntryItemOut(**i) for i in body["items"]],
        mistakes=body.get("mistakes"),
        reflections=body.get("reflections"),
        **_view_meta(view),
    )


def _revision_out(record: dict[str, Any]) -> RevisionOut:
    body = {k: v for k, v in record["body"].items() if k not in RevisionOut.model_fields}
    return RevisionOut(
        revision=record["revision"],
        seq=record["seq"],
        saved_at=record["saved_at"],
        reason=record.get("reason"),
        author=record["author"],
        late=record["late"],
        hash=record["hash"],
        previous_hash=record.get("previous_hash"),
        **body,
    )


def _leave_out(record: dict[str, Any]) -> LeaveOut:
    return LeaveOut.model_validate(
        {**record["body"], "recorded_at": record["saved_at"], "hash": record["hash"]}
    )


def _leave_out_view(view: dict[str, Any]) -> LeaveOut:
    return LeaveOut.model_validate({**view["body"], "recorded_at": view["saved_at"], "hash": view["hash"]})
