"""What the audits read and write: the audit table, and the roster, journal, compliance and review
tables a draw weighs and a grade counts, with the working calendar. One bundle, so that the rounds,
the audit service and the evaluations are handed the same ones."""

from __future__ import annotations

from worklog.audit.repository import AuditRepository
from worklog.calendar import WorkingCalendar
from worklog.compliance.repository import ComplianceRepository
from worklog.compliance.review_repository import ReviewRepository
from worklog.journal.repository import JournalRepository
from worklog.roster.repository import RosterRepository
from worklog.schedules import current_calendar


class AuditTables:
    """Each one injected by keyword; the default ``None`` is the production one (no client is
    created before it is used; the calendar is read from the roster's schedules)."""

    def __init__(
        self,
        *,
        audits: AuditRepository | None = None,
        roster: RosterRepository | None = None,
        journal: JournalRepository | None = None,
        compliance: ComplianceRepository | None = None,
        reviews: ReviewRepository | None = None,
        calendar: WorkingCalendar | None = None,
    ) -> None:
        self.audits = audits or AuditRepository()
        self.roster = roster or RosterRepository()
        self.journal = journal or JournalRepository()
        self.compliance = compliance or ComplianceRepository()
        self.reviews = reviews or ReviewRepository()
        self.calendar = calendar or current_calendar()
