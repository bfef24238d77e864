"""Weekly reviews (docs/rules.md): the reviewer's desk (assignments, the week's log with signals,
verdicts), and reading another cadre's log, which is only for authorized readers and always leaves a
trace (worklog.compliance.reads). The Monday run that assigns last week's logs and holds reviewers to
account is worklog.compliance.weekly.

Rules, as pure functions (unit tested without AWS):

- who may read whose log, and why, is decided by ``worklog.access`` (the one access table, also in
  docs/access.md); this module gathers the facts it needs and records every read it allows;
- ``check_verdict``: a verdict is recorded once, by the assigned reviewer, never on one's own log;
  an overdue review still takes one (late); the identical verdict sent again (a client retry) is
  answered as the first was.

Consequences follow the escalation ladder (worklog.compliance.ladder): a "suspected falsification"
verdict opens an accountability case at once; two "perfunctory" verdicts in a quarter open a
reminder talk for the reviewee; a reviewer with two overdue weeks in a quarter gets a reminder
talk with the district leaders. Case ids are deterministic (kind, subject, cadre, day), and verdicts
or weeks already used as evidence by an earlier case never count again, so re-runs and retries
open nothing twice. A case that already exists for that day takes the new evidence instead.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from worklog import messages
from worklog.access import TEXT as ACCESS_TEXT
from worklog.access import (
    VETTING_ROLES,
    Access,
    Act,
    Door,
    ReadFacts,
    days_between,
    holds_reviewer_role,
    is_unit_head,
    read_access,
    refuse_self,
    week_days,
)
from worklog.auth.principals import Principal
from worklog.bus import EventBus
from worklog.calendar import WorkingCalendar
from worklog.clock import Clock, iso_now, system_clock, today
from worklog.compliance.assignment import week_of
from worklog.compliance.cases import CaseService
from worklog.compliance.ladder import logging_talk, needs_accountability, needs_reminder_talk, open_case
from worklog.compliance.reads import log_read, logged_day, plan_items_of
from worklog.compliance.repository import ComplianceRepository
from worklog.compliance.review_repository import ReviewRepository
from worklog.compliance.signals import signals_for_week
from worklog.errors import Conflict, Forbidden, NotFound
from worklog.journal.repository import container_repository
from worklog.journal.service import JournalService
from worklog.labels import VERDICT_LABELS, label
from worklog.models.cases import CaseKind, Subject
from worklog.models.reviews import (
    CadreEntries,
    ReadOut,
    ReviewDetail,
    ReviewOut,
    StoredReview,
    VerdictIn,
    VerdictOut,
)
from worklog.periods import Quarter, check_range
from worklog.records import datarecord
from worklog.roster.repository import RosterRepository
from worklog.schedules import current_calendar
from worklog.settings import Rules, get_settings
from worklog.vetting.repository import NoticeRepository

TEXT = messages.REVIEWS

RECENT_WEEKS = 4  # GET /reviews without ?week: unfinished ones plus the last four weeks


# --- rules ------------------------------------------------------------------------------------
@datarecord(frozen=True)
class VerdictDecision:
    replay: bool  # the same verdict again: answer as before, write nothing
    late: bool  # recorded after the due date


class AlreadyReviewed(Conflict):
    code = "already_reviewed"


def check_verdict(review: StoredReview, reviewer_id: str, verdict: VerdictIn, on: date) -> VerdictDecision:
    """May ``reviewer_id`` record ``verdict`` on ``review`` on day ``on``?

    Only the assigned reviewer (403), and never on their own log (403 ``self_review``, even if a
    stored assignment says so). Once done, a review is closed: a different verdict or comment is
    refused (409 ``already_reviewed``); the identical one is a retry and is answered as before. An
    overdue review still takes its verdict, marked late.
    """
    refuse_self(Act.REVIEW, reviewer_id, review.cadre_id)
    if review.reviewer_id != reviewer_id:
        raise Forbidden(ACCESS_TEXT["not_your_review"], code="not_your_review")
    if review.status == "done":
        if review.verdict == verdict.verdict and review.comment == verdict.comment:
            return VerdictDecision(replay=True, late=review.late)
        raise AlreadyReviewed(
            TEXT["already_reviewed"].format(
                at=review.reviewed_at, verdict=label(VERDICT_LABELS, review.verdict)
            )
        )
    return VerdictDecision(replay=False, late=review.status == "overdue" or on > review.due)


def evidence_key(review: StoredReview) -> str:
    """How a review is cited as evidence in a case (``review:2026-11-16#c0001``; misses are ``miss:…``)."""
    return f"review:{review.assignment_id}"


def verdict_day(review: StoredReview) -> date | None:
    return datetime.fromisoformat(review.reviewed_at).date() if review.reviewed_at else None


def review_out(review: StoredReview) -> ReviewOut:
    fields = review.model_dump(include=set(ReviewOut.model_fields))
    return ReviewOut.model_validate(
        {**fields, "verdict_text": label(VERDICT_LABELS, review.verdict) if review.verdict else None}
    )


# --- the reviewer's desk and authorized reading -------------------------------------------------
class ReviewService:
    """Use cases of the reviews function: the reviewer's assignments, a week's detail, verdicts and
    their consequences, reading another cadre's log and who read mine. Repositories, bus, calendar
    and clock are injected; the defaults are the production ones (no client is created before it is
    used)."""

    def __init__(
        self,
        *,
        reviews: ReviewRepository | None = None,
        cases: ComplianceRepository | None = None,
        roster: RosterRepository | None = None,
        journal: JournalService | None = None,
        bus: EventBus | None = None,
        calendar: WorkingCalendar | None = None,
        rules: Rules | None = None,
        notices: NoticeRepository | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.reviews = reviews or ReviewRepository()
        self.roster = roster or RosterRepository()
        self.rules = rules or get_settings().rules
        self.notices = notices or NoticeRepository()
        self.clock = clock
        self.cases = CaseService(
            cases=cases or ComplianceRepository(), roster=self.roster, bus=bus, clock=clock
        )
        # The calendar is a read of the roster's schedules: made when a use case first needs it (the
        # journal's reads and the ladder's due dates), not for the ones that do not.
        self._calendar = calendar
        self._journal = journal

    @property
    def calendar(self) -> WorkingCalendar:
        if self._calendar is None:
            self._calendar = current_calendar()
        return self._calendar

    @property
    def journal(self) -> JournalService:
        if self._journal is None:
            self._journal = JournalService(container_repository(), self.calendar, self.rules, self.clock)
        return self._journal

    # --- assignments --------------------------------------------------------------------------
    def my_reviews(self, who: Principal, week: date | None = None) -> list[ReviewOut]:
        """The caller's assignments: of the week ``week`` falls in, or else every unfinished one
        and all of the last four weeks; newest week first."""
        if week is not None:
            monday = week_of(week)[0]
            found = self.reviews.of_reviewer(who.cadre_id, monday, monday)
        else:
            since = week_of(today(self.clock))[0] - timedelta(weeks=RECENT_WEEKS)
            found = self.reviews.unfinished_or_since(who.cadre_id, since)
        found.sort(key=lambda r: (-r.week_start.toordinal(), r.cadre_id))
        return [review_out(r) for r in found]

    def _assignment(self, who: Principal, week_start: date, cadre_id: str) -> StoredReview:
        """The caller's assignment; 403 if the cadre's week is someone else's, 404 if nobody's."""
        review = self.reviews.get(who.cadre_id, week_start, cadre_id)
        if review is not None:
            return review
        if self.reviews.of_cadre(cadre_id, week_start, week_start):
            raise Forbidden(ACCESS_TEXT["not_your_review"], code="not_your_review")
        raise NotFound(TEXT["review_not_found"], code="review_not_found")

    def review_detail(self, who: Principal, week_start: date, cadre_id: str) -> ReviewDetail:
        """One assignment with the reviewee's week: entries, plan items, signals. Recorded as a read.

        Signals compare the reviewee with each unit colleague active that week: one Query per
        colleague (a unit is tens of people; a per-unit week index would make it one). They name a
        similar colleague and day, never the colleague's text.
        """
        refuse_self(Act.REVIEW, who.cadre_id, cadre_id)
        review = self._assignment(who, week_start, cadre_id)
        facts = ReadFacts(
            reader=who,
            subject_id=cadre_id,
            days=week_days(review.week_start),
            on=today(self.clock),
            review_weeks=frozenset({review.week_start}),
        )
        purpose = read_access(Door.REVIEW, facts)
        entries = self.journal.list_entries(cadre_id, review.week_start, review.week_end)
        days = [review.week_start + timedelta(days=i) for i in range(7)]
        colleagues = [
            member
            for member in self.roster.list_unit_members(review.unit_id)
            if member.cadre_id != cadre_id and any(member.active_on(d) for d in days)
        ]
        others = [
            logged_day(member.cadre_id, entry)
            for member in colleagues
            for entry in self.journal.list_entries(member.cadre_id, review.week_start, review.week_end)
        ]
        signals = signals_for_week([logged_day(cadre_id, e) for e in entries], others)
        plan_items = plan_items_of(self.journal.repo, cadre_id, days, entries)
        self._log_read(who, cadre_id, purpose, review.week_start, review.week_end)
        return ReviewDetail(
            review=review_out(review), entries=entries, plan_items=plan_items, signals=signals
        )

    # --- verdicts -----------------------------------------------------------------------------
    def record_verdict(self, who: Principal, week_start: date, cadre_id: str, body: VerdictIn) -> VerdictOut:
        refuse_self(Act.REVIEW, who.cadre_id, cadre_id)
        review = self._assignment(who, week_start, cadre_id)
        if not holds_reviewer_role(who, review):
            raise Forbidden(TEXT["reviewer_role_lost"], code="forbidden")
        on = today(self.clock)
        decision = check_verdict(review, who.cadre_id, body, on)
        if not decision.replay:
            recorded = self.reviews.record_verdict(
                review, verdict=body.verdict, comment=body.comment, at=iso_now(self.clock), late=decision.late
            )
            if recorded is None:  # done by a concurrent request in between: decide on what it stored
                review = self._assignment(who, week_start, cadre_id)
                check_verdict(review, who.cadre_id, body, on)
            else:
                review = recorded
        # Re-run on a replay too: the cases are keyed by the verdict's day, so a retry after a failure
        # here completes them, and otherwise finds them in place and changes nothing.
        touched = self._verdict_consequences(review)
        return VerdictOut(**review_out(review).model_dump(), cases=touched)

    def _verdict_consequences(self, review: StoredReview) -> list[str]:
        on = verdict_day(review)
        if on is None or review.reviewed_at is None:
            return []
        at = review.reviewed_at
        case_id: str | None = None
        if review.verdict == "suspected_falsification":
            case_id = self._falsification_case(review, on, at)
        elif review.verdict == "perfunctory":
            case_id = self._perfunctory_ladder(review, on, at)
        return [case_id] if case_id else []

    def _falsification_case(self, review: StoredReview, on: date, at: str) -> str | None:
        """Any "suspected falsification" verdict → an accountability case for the Discipline Commission."""
        reason = needs_accountability([], None, on, self.calendar, falsification=True)
        if reason is None:
            return None
        case = open_case(
            CaseKind.ACCOUNTABILITY,
            Subject.LOGGING,
            review.cadre_id,
            opened_on=on,
            at=at,
            reason=reason,
            evidence=[evidence_key(review)],
            owner_role="discipline_inspector",
        )
        return self.cases.open(case, at)[0]

    def _perfunctory_ladder(self, review: StoredReview, on: date, at: str) -> str | None:
        """Two "perfunctory" verdicts in the quarter of ``on`` not yet behind a talk → a reminder talk
        for the reviewee, held by their unit head (district leaders for a unit head)."""
        quarter = Quarter.of(on)
        # Weeks reviewed in this quarter start at most a few weeks before it.
        stored = self.reviews.of_cadre(review.cadre_id, quarter.first_day - timedelta(weeks=5), on)
        by_id = {r.assignment_id: r for r in stored}
        by_id[review.assignment_id] = review  # the index may not show the verdict just written yet
        perfunctory = [r for r in by_id.values() if r.verdict == "perfunctory" and verdict_day(r) in quarter]
        days = [d for r in perfunctory if (d := verdict_day(r)) is not None]
        if needs_reminder_talk([], days, on, self.calendar) is None:
            return None
        known = self.cases.cases_about(review.cadre_id, CaseKind.REMINDER_TALK, Subject.LOGGING)
        used = self.cases.citing(known)
        if evidence_key(review) in used:  # a retry: this verdict already stands behind a talk
            return used[evidence_key(review)]
        fresh = [r for r in perfunctory if evidence_key(r) not in used]
        fresh_days = [d for r in fresh if (d := verdict_day(r)) is not None]
        reason = needs_reminder_talk([], fresh_days, on, self.calendar)
        if reason is None:
            return None
        cadre = self.roster.get_cadre(review.cadre_id)
        unit_id = cadre.unit_id if cadre else review.unit_id
        head = cadre is not None and is_unit_head(cadre, self.roster.get_unit(unit_id))
        case = logging_talk(
            review.cadre_id,
            unit_id,
            of_unit_head=head,
            opened_on=on,
            at=at,
            reason=reason,
            evidence=[evidence_key(r) for r in fresh],
            calendar=self.calendar,
        )
        return self.cases.open(case, at, known)[0]

    # --- another cadre's log, and who read mine -----------------------------------------------
    def cadre_entries(self, who: Principal, cadre_id: str, first: date, last: date) -> CadreEntries:
        """A cadre's entries for a reader the access table allows (recorded in the owner's read log),
        or one's own (not recorded). 403 for everyone else, before anything is read or recorded."""
        check_range(first, last, self.rules.max_range_days)
        on = today(self.clock)
        days = days_between(first, last)
        if cadre_id == who.cadre_id:
            facts = ReadFacts(reader=who, subject_id=cadre_id, days=days, on=on, subject=who.cadre)
        else:
            subject = self.roster.get_cadre(cadre_id)
            if subject is None:
                raise NotFound(TEXT["unknown_cadre"], code="unknown_cadre")
            # A week overlaps [first, last] when it starts no earlier than six days before ``first``.
            weeks = self.reviews.of_cadre(cadre_id, first - timedelta(days=6), last)
            facts = ReadFacts(
                reader=who,
                subject_id=cadre_id,
                days=days,
                on=on,
                subject=subject,
                subject_unit=self.roster.get_unit(subject.unit_id),
                review_weeks=frozenset(r.week_start for r in weeks if r.reviewer_id == who.cadre_id),
                vetting=who.has(*VETTING_ROLES) and self.notices.open_for(cadre_id, on) is not None,
            )
        access = read_access(Door.CADRE_ENTRIES, facts)
        entries = self.journal.list_entries(cadre_id, first, last)
        self._log_read(who, cadre_id, access, first, last)
        return CadreEntries(cadre_id=cadre_id, from_=first, to=last, purpose=access, entries=entries)

    def _log_read(self, who: Principal, owner: str, purpose: Access, first: date, last: date) -> None:
        log_read(self.reviews, who, owner, purpose, first, last, iso_now(self.clock))

    def reads_of_mine(self, who: Principal, first: date | None, last: date | None) -> list[ReadOut]:
        """Who read the caller's log on days [first, last] (default: the last 92 days), newest first."""
        last = last or today(self.clock)
        first = first or last - timedelta(days=self.rules.max_range_days - 1)
        check_range(first, last, self.rules.max_range_days)
        return [
            ReadOut.model_validate(r.model_dump(exclude={"owner_cadre_id"}))
            for r in self.reviews.reads_of(who.cadre_id, first, last)
        ]
