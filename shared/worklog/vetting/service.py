"""Vetting notices (干部任前公示) as use cases: opening them, the public's feedback under its rate
limits, and the Org Dept's answers (storage in repository.py).

A notice is open from its start through its end date, Asia/Shanghai; it needs no job to close:
every use of it compares the date with the clock, and the nightly publisher re-renders its page.
"""

from __future__ import annotations

import random
import secrets
import time
from datetime import date, datetime, timedelta

from worklog import messages
from worklog.access import Act, refuse_self
from worklog.auth.principals import Principal
from worklog.bus import EventBus
from worklog.calendar import WorkingCalendar
from worklog.clock import SHANGHAI, Clock, iso_now, system_clock, today
from worklog.errors import Conflict, Forbidden, NotFound, RateLimited, ServiceUnavailable, invalid
from worklog.messages import MSG
from worklog.models.notices import (
    MAX_CALENDAR_DAYS,
    MIN_WORKING_DAYS,
    AnswerIn,
    Feedback,
    FeedbackIn,
    Notice,
    NoticeIn,
    NoticeOut,
)
from worklog.models.roster import Role
from worklog.roster.repository import RosterRepository
from worklog.schedules import current_calendar
from worklog.settings import FeedbackLimits, get_settings
from worklog.vetting.ratelimit import Refusal, judge
from worklog.vetting.repository import NoticeRepository
from worklog.vetting.senders import new_day_secret, normalised, sender_key

NOTICE_OPENED = "NoticeOpened"
# Each failed attempt means another post was accepted meanwhile; the feedback function runs at most
# 10 at a time (template.yaml), so this many attempts outlast any contention it can meet.
ACCEPT_ATTEMPTS = 12
NOTICE_ROLES: tuple[Role, ...] = ("admin", "org_inspector")
NOTICE_EXISTS = "这名干部在这一天已有公示"


class NoticeService:
    """The notices' use cases; each dependency left out is the production one."""

    def __init__(
        self,
        *,
        notices: NoticeRepository | None = None,
        roster: RosterRepository | None = None,
        calendar: WorkingCalendar | None = None,
        bus: EventBus | None = None,
        clock: Clock = system_clock,
        limits: FeedbackLimits | None = None,
    ) -> None:
        self.notices = notices if notices is not None else NoticeRepository()
        self.roster = roster if roster is not None else RosterRepository()
        self.calendar = calendar if calendar is not None else current_calendar()
        self.bus = bus if bus is not None else EventBus()
        self.clock = clock
        self.limits = limits or get_settings().feedback

    def out(self, n: Notice) -> NoticeOut:
        return NoticeOut(
            **n.model_dump(),
            working_days=sum(1 for _ in self.calendar.working_days(n.start, n.end)),
            state=n.state(today(self.clock)),
        )

    def open(self, who: Principal, body: NoticeIn) -> Notice:
        """Store the notice and tell the publisher; a dry run (``body.dry_run``) only checks and
        computes it, with the same refusals, and stores and publishes nothing."""
        notice = self._check(who, body)
        if body.dry_run:
            # The conditional write below is the real guard; this read gives the dry run its 409.
            if self.notices.get(notice.notice_id) is not None:
                raise Conflict(NOTICE_EXISTS, code="notice_exists")
            return notice
        if not self.notices.create(notice):
            raise Conflict(NOTICE_EXISTS, code="notice_exists")
        self.bus.publish(
            NOTICE_OPENED,
            [{"notice_id": notice.notice_id, "start": str(notice.start), "end": str(notice.end)}],
        )
        return notice

    def _check(self, who: Principal, body: NoticeIn) -> Notice:
        """The notice ``body`` asks for, or the refusal of it (nothing stored)."""
        if not who.has(*NOTICE_ROLES):
            raise Forbidden(messages.NOTICES["publish_forbidden"], code="forbidden")
        refuse_self(Act.VET, who.cadre_id, body.candidate_id)
        on = today(self.clock)
        if body.start < on:
            raise invalid(messages.NOTICES["start_in_past"], ["body", "start"], "start_in_past")
        shortest = self._shortest_end(body.start)
        end = body.end or shortest
        if end < shortest:
            days = sum(1 for _ in self.calendar.working_days(body.start, end))
            raise invalid(
                messages.NOTICES["notice_too_short"].format(
                    min_days=MIN_WORKING_DAYS, start=body.start, end=end, days=days, shortest=shortest
                ),
                ["body", "end"],
                "notice_too_short",
            )
        if (end - body.start).days > MAX_CALENDAR_DAYS:
            raise invalid(
                messages.NOTICES["notice_too_long"].format(max_days=MAX_CALENDAR_DAYS),
                ["body", "end"],
                "notice_too_long",
            )
        cadre = self.roster.get_cadre(body.candidate_id)
        if cadre is None or not cadre.active_on(on):
            raise invalid(messages.NOTICES["unknown_cadre"], ["body", "candidate_id"], "unknown_cadre")
        return Notice(
            notice_id=f"N{body.start.strftime('%Y%m%d')}-{cadre.cadre_id}",
            candidate_id=cadre.cadre_id,
            candidate_name=cadre.name,
            unit_id=cadre.unit_id,
            current_post=body.current_post,
            proposed_post=body.proposed_post,
            start=body.start,
            end=end,
            opened_by=who.cadre_id,
            opened_at=iso_now(self.clock),
        )

    def _shortest_end(self, start: date) -> date:
        """The last day of a period of exactly MIN_WORKING_DAYS working days from ``start``."""
        first = start if self.calendar.is_working(start) else self.calendar.add_working_days(start, 1)
        return self.calendar.add_working_days(first, MIN_WORKING_DAYS - 1)

    def get(self, notice_id: str) -> Notice:
        n = self.notices.get(notice_id)
        if n is None:
            raise NotFound(messages.NOTICES["no_notice"], code="not_found")
        return n

    # --- the public's feedback ----------------------------------------------------------------
    def receive(self, notice_id: str, body: FeedbackIn, source_ip: str | None) -> Feedback:
        """Take one post, unless it would break a rate limit (ratelimit.py): per sender, a sliding
        window; per notice, a sliding window and a daily cap, all senders together."""
        notice = self.get(notice_id)
        if notice.state(today(self.clock)) != "open":
            raise Conflict(messages.NOTICES["not_open"], code="not_open")
        sender = normalised(source_ip)
        window = timedelta(minutes=self.limits.window_minutes)
        for attempt in range(ACCEPT_ATTEMPTS):
            now = self.clock.now().astimezone(SHANGHAI)
            own = (f"RATE#{sender_key(self._todays_secret(now), sender)}", "SENDER")
            before = self._yesterdays_record(sender, now, window)
            sender_before = self.notices.tally(*before) if before else None
            sender_tally = self.notices.tally(*own)
            notice_rate = (f"NOTICE#{notice_id}", "RATE")
            notice_tally = self.notices.tally(*notice_rate)
            verdict = judge(self.limits, now, sender_tally, notice_tally, sender_before)
            if verdict.refusal is not None:
                raise RateLimited(_refusal_message(verdict.refusal, self.limits, now), code="rate_limited")
            feedback = Feedback(
                notice_id=notice_id,
                feedback_id=secrets.token_hex(8),
                content=body.content,
                contact=body.contact,
                received_at=now.isoformat(timespec="milliseconds"),
            )
            writes = [(*own, sender_tally, verdict.sender), (*notice_rate, notice_tally, verdict.notice)]
            unchanged = [(*before, sender_before)] if before and sender_before is not None else []
            if self.notices.accept_feedback(feedback, writes, unchanged):
                return feedback
            # Someone else's post was accepted meanwhile: back off a little, then judge again.
            time.sleep(random.uniform(0, 0.005 * (attempt + 1)))
        raise RateLimited(MSG["feedback_busy"], code="rate_limited")

    def _yesterdays_record(self, sender: str, now: datetime, window: timedelta) -> tuple[str, str] | None:
        """The sender's record under yesterday's key, while the day is younger than the window:
        keys change at midnight, the window must not. Yesterday's secret is only read here, never
        used to write, and not at all once it has expired."""
        start = datetime.combine(now.date(), datetime.min.time(), SHANGHAI)
        if now - start >= window:
            return None
        found = self.notices.day_secret(now.date() - timedelta(days=1))
        if found is None or not found.usable(now):
            return None
        return (f"RATE#{sender_key(found.secret, sender)}", "SENDER")

    def sender_key(self, address: str | None) -> str:
        """The key the rate limit knows the sender by today: an HMAC of the normalised address
        under today's secret, which the first request of the day creates."""
        return sender_key(self._todays_secret(self.clock.now().astimezone(SHANGHAI)), normalised(address))

    def _todays_secret(self, now: datetime) -> bytes:
        for _ in range(3):
            found = self.notices.day_secret(now.date())
            if found is not None and found.usable(now):
                return found.secret
            fresh = new_day_secret(now.date())
            if self.notices.create_day_secret(fresh, now):
                return fresh.secret
            # Another request created it between our read and our write: read back the winner.
        raise ServiceUnavailable(MSG["feedback_unavailable"], code="service_unavailable")

    def feedback(self, who: Principal, notice_id: str) -> list[Feedback]:
        if not who.has(*NOTICE_ROLES):
            raise Forbidden(messages.NOTICES["feedback_forbidden"], code="forbidden")
        # Feedback about oneself is read and answered by colleagues, never by the candidate.
        refuse_self(Act.FEEDBACK, who.cadre_id, self.get(notice_id).candidate_id)
        return self.notices.feedback(notice_id)

    def answer(self, who: Principal, notice_id: str, feedback_id: str, body: AnswerIn) -> Feedback:
        found = next((f for f in self.feedback(who, notice_id) if f.feedback_id == feedback_id), None)
        if found is None:
            raise NotFound(messages.NOTICES["no_feedback"], code="not_found")
        answered = found.model_copy(
            update={"answer": body.answer, "answered_by": who.cadre_id, "answered_at": iso_now(self.clock)}
        )
        if not self.notices.save_answer(answered, found.answered_at):
            raise Conflict(messages.NOTICES["answer_concurrent"], code="concurrent_update")
        return answered


def _refusal_message(refusal: Refusal, limits: FeedbackLimits, now: datetime) -> str:
    if refusal.retry_at is None:
        return MSG["feedback_notice_day_limit"].format(allowed=refusal.allowed)
    # Rounded up to the minute, so that "after" it is always late enough.
    at = (refusal.retry_at + timedelta(seconds=59)).replace(second=0, microsecond=0)
    shown = at.strftime("%H:%M") if at.date() == now.date() else f"{at.month}月{at.day}日 {at:%H:%M}"
    return MSG[f"feedback_{refusal.limit}_limit"].format(
        allowed=refusal.allowed, minutes=limits.window_minutes, at=shown
    )
