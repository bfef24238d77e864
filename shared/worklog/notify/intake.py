"""Intake (docs/notifications.md, "The flow" 1): an event from the bus becomes notices in the
outbox under the morning they go out with; an urgent notice within daytime hours goes out at once
as a one-notice digest (once: its ``URGENT#`` guard)."""

from __future__ import annotations

from dataclasses import asdict, field
from datetime import date, datetime, timedelta
from typing import Any

from worklog.audit.repository import AuditRepository
from worklog.clock import Clock, iso_now, system_clock
from worklog.models.notifications import Notice
from worklog.notify.digest import compose
from worklog.notify.inbox import digest_sk
from worklog.notify.morning import Deliverer, production_sender
from worklog.notify.notices import Holders, RosterReader, notices_of
from worklog.notify.repository import OutboxRepository
from worklog.notify.slots import WorkingDays, in_daytime, morning_of
from worklog.observability import logger
from worklog.records import datarecord
from worklog.roster.repository import RosterRepository
from worklog.schedules import current_calendar
from worklog.settings import Settings, get_settings

# An urgent send claimed this long ago and never marked finished was cut short (a Lambda invocation
# lasts at most 15 minutes): a replay of its event resumes it.
URGENT_STALE = timedelta(minutes=15)


@datarecord
class IntakeSummary:
    detail_type: str
    event_id: str | None = None
    notices: int = 0
    stored: int = 0
    morning: date | None = None
    urgent_sent: list[str] = field(default_factory=list)
    urgent_already_sent: int = 0

    def as_dict(self) -> dict[str, Any]:
        morning = self.morning.isoformat() if self.morning else None
        return {**asdict(self), "morning": morning}


class Intake:
    """Take one event in. Dependencies are keyword arguments (None: the production ones); one
    instance (a warm container's) reads the whole roster at most once, for district-wide roles."""

    def __init__(
        self,
        *,
        outbox: OutboxRepository | None = None,
        roster: RosterReader | None = None,
        audits: AuditRepository | None = None,
        calendar: WorkingDays | None = None,
        sender: Deliverer | None = None,
        clock: Clock | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.outbox = outbox or OutboxRepository()
        self.roster: RosterReader = roster or RosterRepository()
        self.audits = audits or AuditRepository()
        self._calendar = calendar
        self._sender = sender
        self.clock = clock or system_clock
        self.settings = settings or get_settings()
        self.holders = Holders(self.roster, self.audits.round_assignments, lambda: self.clock.now().date())

    @property
    def sender(self) -> Deliverer:
        # Built on the first urgent send only: most events never need a channel.
        if self._sender is None:
            self._sender = production_sender()
        return self._sender

    def take(self, detail_type: str, detail: dict[str, Any], event_id: str | None = None) -> IntakeSummary:
        now = self.clock.now()
        summary = IntakeSummary(detail_type, event_id)
        notices = notices_of(detail_type, detail, roster=self.holders, now=now)
        summary.notices = len(notices)
        waiting = []
        for notice in notices:
            if notice.urgent and in_daytime(now, self.settings.notify):
                self._send_now(notice, now, summary)
            else:
                waiting.append(notice)
        if waiting:
            calendar = self._calendar or current_calendar()
            summary.morning = morning_of(now, calendar, self.settings.notify, self.outbox.run_started)
            summary.stored = self.outbox.put_notices(summary.morning, waiting)
        logger.info("notify intake", extra=summary.as_dict())
        return summary

    def _send_now(self, notice: Notice, now: datetime, summary: IntakeSummary) -> None:
        stale = (now - URGENT_STALE).isoformat(timespec="milliseconds")
        at = self.outbox.claim_urgent(notice.notice_id, iso_now(self.clock), stale_before=stale)
        if at is None:
            summary.urgent_already_sent += 1
            return
        person = self.roster.get_cadres([notice.person_id]).get(notice.person_id)
        if person is None:
            return
        digest, message = compose(
            person,
            [notice],
            at=at,
            morning=None,
            settings=self.settings.notify,
            app_url=self.settings.app_url,
        )
        self.outbox.put_digests([digest])
        prefs = self.outbox.preferences_of([person.cadre_id])[person.cadre_id]
        delivery = self.sender.deliver(person, prefs, message, at)
        self.outbox.record_delivery(person.cadre_id, digest_sk(digest), delivery)
        self.outbox.urgent_sent(notice.notice_id, iso_now(self.clock))
        summary.urgent_sent.append(notice.notice_id)
