"""Weekly reviews (docs/rules.md): the Monday run that assigns last week's logs and holds reviewers to
account, the reviewer's desk (assignments, the week's log with signals, verdicts), and reading
another cadre's log, which is only for authorized readers and always leaves a trace.

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

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from worklog import messages
from worklog.access import TEXT as ACCESS_TEXT
from worklog.access import (
    VETTING_ROLES,
    Access,
    Act,
    Door,
    ReadFacts,
    days_between,
    is_unit_head,
    read_access,
    refuse_self,
    week_days,
)
from worklog.auth.principals import Principal
from worklog.bus import EventBus
from worklog.calendar import WorkingCalendar
from worklog.clock import Clock, iso_now, system_clock, today
from worklog.compliance.assignment import Assignment, assign_week, week_of
from worklog.compliance.ladder import (
    OPENED_EVENT,
    Case,
    CaseKind,
    CaseState,
    Quarter,
    Subject,
    add_evidence,
    logging_talk,
    needs_accountability,
    needs_reminder_talk,
    open_case,
    opened_event,
    reviewer_needs_talk,
    talk_due,
)
from worklog.compliance.repository import ComplianceRepository
from worklog.compliance.review_repository import ReviewRepository
from worklog.compliance.signals import LoggedDay, signals_for_week
from worklog.errors import Conflict, Forbidden, NotFound
from worklog.journal.repository import JournalRepository, container_repository
from worklog.journal.service import JournalService
from worklog.labels import VERDICT_LABELS, label
from worklog.messages import MSG
from worklog.models.entries import EntryOut
from worklog.models.reviews import (
    CadreEntries,
    ReadOut,
    ReadRecord,
    ReviewDetail,
    ReviewOut,
    ReviewPlanItem,
    StoredReview,
    VerdictIn,
    VerdictOut,
    WeeklyRunSummary,
)
from worklog.periods import check_range, month_label, month_period
from worklog.roster.repository import RosterRepository
from worklog.schedules import current_calendar
from worklog.settings import Rules, get_settings

if TYPE_CHECKING:
    from worklog.publish.notices import NoticeRepository

TEXT = messages.REVIEWS

RECENT_WEEKS = 4  # GET /reviews without ?week: unfinished ones plus the last four weeks


# --- rules ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class VerdictDecision:
    replay: bool  # the same verdict again: answer as before, write nothing
    late: bool  # recorded after the due date


class AlreadyReviewed(Conflict):
    code = "already_reviewed"


def holds_reviewer_role(who: Principal, review: StoredReview) -> bool:
    """Whether the reviewer still holds a role the week was assigned for (assignment.py): head of
    the reviewee's unit, or a district leader. An assignment made before a role was taken away
    does not outlive it."""
    return who.has("district_leader") or (who.has("unit_head") and who.unit_id == review.unit_id)


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


def logged_day(cadre_id: str, entry: EntryOut) -> LoggedDay:
    """An entry as the signals see it: its items' texts and when it was first saved."""
    return LoggedDay(
        cadre_id=cadre_id,
        day=entry.date,
        texts=tuple(item.content for item in entry.items),
        first_saved_at=datetime.fromisoformat(entry.first_saved_at),
        late=entry.late,
    )


def plan_items_of(
    journal: JournalRepository, cadre_id: str, days: Iterable[date], entries: Sequence[EntryOut]
) -> list[ReviewPlanItem]:
    """The items of the cadre's monthly plans for the months of ``days`` (current views), each with
    the days among ``entries`` whose items cite it (an entry cites the plan of its own month). What a
    reader of those days sees beside them: the weekly reviewer, and the inspector of a sample."""
    months = sorted({month_label(d) for d in days})
    views = journal.get_views(cadre_id, [month_period(m).key for m in months])
    cited: defaultdict[tuple[str, str], list[date]] = defaultdict(list)
    for entry in entries:
        for item in entry.items:
            if item.plan_item_id:
                cited[(month_label(entry.date), item.plan_item_id)].append(entry.date)
    out: list[ReviewPlanItem] = []
    for month in months:
        view = views.get(month_period(month).key)
        for item in (view or {}).get("body", {}).get("items", []):
            out.append(
                ReviewPlanItem(
                    month=month,
                    id=item["id"],
                    content=item["content"],
                    target=item.get("target"),
                    referenced_on=sorted(set(cited.get((month, item["id"]), []))),
                )
            )
    return out


def log_read(
    reviews: ReviewRepository,
    who: Principal,
    owner: str,
    purpose: Access,
    first: date,
    last: date,
    at: str,
) -> None:
    """Record that ``who`` read ``owner``'s log over [first, last]: done before the log is returned
    (a read that cannot be recorded is not served), and shown to the owner at /me/reads. Reading
    one's own log is not recorded."""
    if purpose == "own":
        return
    reviews.log_read(
        ReadRecord(
            owner_cadre_id=owner,
            reader_id=who.cadre_id,
            reader_name=who.name,
            reader_roles=sorted(who.roles),
            purpose=purpose,
            first=first,
            last=last,
            read_at=at,
        )
    )


class CaseDesk:
    """Opens ladder cases once, one talk at a time.

    A new case is stored and announced. A case of the same id (same kind, subject, cadre and day)
    takes the new evidence instead, and so does a talk of the same subject still in progress (open
    or talk recorded): as in the nightly check, a cadre has at most one talk under way per subject.
    """

    ATTEMPTS = 3
    ACTIVE = (CaseState.OPEN, CaseState.TALK_RECORDED)

    def __init__(self, cases: ComplianceRepository, bus: EventBus) -> None:
        self.cases = cases
        self.bus = bus

    def cases_about(self, cadre_id: str, kind: CaseKind, subject: Subject) -> list[Case]:
        return [c for c in self.cases.cases_of(cadre_id) if c.kind is kind and c.subject is subject]

    @staticmethod
    def citing(cases: Iterable[Case]) -> dict[str, str]:
        """Evidence already behind these cases (key → case id): it never counts toward another."""
        return {key: case.case_id for case in cases for key in case.evidence}

    def open(self, case: Case, at: str, known: Sequence[Case] = ()) -> tuple[str | None, bool]:
        """(case id, newly opened); (None, False) if a closed case of that id blocks it.

        ``known``: the cadre's cases of this kind and subject, when the caller has read them; a talk
        among them still in progress takes the evidence instead of a new case opening.
        """
        active = next((c for c in known if c.kind is CaseKind.REMINDER_TALK and c.state in self.ACTIVE), None)
        if active is not None:
            return self.attach(active.case_id, case.evidence, at), False
        if self.cases.open_case(case):
            self.bus.publish(OPENED_EVENT[case.kind], [opened_event(case)])
            return case.case_id, True
        return self.attach(case.case_id, case.evidence, at), False

    def attach(self, case_id: str, evidence: Sequence[str], at: str) -> str | None:
        """Add evidence to a case that is not closed; its id, or None if it is closed or gone."""
        for _ in range(self.ATTEMPTS):
            existing = self.cases.get_case(case_id)
            if existing is None or existing.state is CaseState.CLOSED:
                return None
            updated = add_evidence(existing, at=at, by="system", evidence=evidence)
            if updated is existing:
                return case_id
            try:
                self.cases.save_case(updated, previous_version=len(existing.history))
            except Conflict:
                continue  # moved by someone else in between: read it again
            return case_id
        raise Conflict(MSG["busy"], code="busy")


# --- the weekly run -----------------------------------------------------------------------------
REVIEW_DUE_AFTER = timedelta(days=13)  # a week's reviews are due the Sunday after the week ends


def run_weekly_assignment(
    run_date: date | None = None,
    *,
    reviews: ReviewRepository | None = None,
    cases: ComplianceRepository | None = None,
    roster: RosterRepository | None = None,
    bus: EventBus | None = None,
    calendar: WorkingCalendar | None = None,
    rules: Rules | None = None,
    clock: Clock = system_clock,
) -> WeeklyRunSummary:
    """The Monday run for ``run_date`` (default: today; any day stands for the Monday of its week).

    1. Assign the week before (Mon–Sun) over the roster and store the assignments that are not
       stored yet (a cadre already assigned for that week keeps their reviewer, even if the roster
       changed since); one ``ReviewAssigned`` event per reviewer with new assignments. **Catch-up**:
       every earlier week that no run assigned (a Monday whose run failed or never fired) is
       assigned too, back to the earliest week a run did assign within ``Rules.review_catch_up_weeks``.
       A week assigned late is due the later of its normal due date and the Sunday after this run,
       so nobody is overdue on what they have only just received.
    2. Mark overdue every still-open assignment of each week whose due date has passed and whose
       overdue step is not done yet (normally the week before that; after a gap also the weeks that
       fell due during it), once each; one ``ReviewOverdue`` event per reviewer and week.
    3. Feed the reviewers' ladder once per such week: every reviewer with an overdue assignment in
       it is checked for two overdue weeks in its quarter.

    Each step of each week ends by writing that week's mark (``ReviewRepository.mark_week``), read
    back with one Query, so a re-run writes and publishes nothing new, and a run stopped half-way is
    finished by the next one. A step whose mark is missing may have stopped before its events went
    out, so it sends them again for what is stored (at least once, never never).
    """
    reviews = reviews or ReviewRepository()
    cases = cases or ComplianceRepository()
    roster = roster or RosterRepository()
    bus = bus or EventBus()
    rules = rules or get_settings().rules
    monday = week_of(run_date or today(clock))[0]
    week_start = monday - timedelta(days=7)
    overdue_week = week_start - timedelta(days=7)
    at = iso_now(clock)

    look_back = week_start - timedelta(weeks=rules.review_catch_up_weeks)
    marks = reviews.week_marks(min(look_back, overdue_week), week_start)
    dues = {w: m.assigned_due for w, m in marks.items() if m.assigned_due is not None}
    # The weeks of the look-back that no run assigned were missed — unless they come before the
    # system's first run. Steady state: the look-back is all marked and nothing more is read; the
    # one extra (tiny) Query asks whether any run happened before the look-back.
    if (dues and min(dues) <= look_back) or reviews.any_mark_before(look_back):
        first = look_back
    else:
        first = min(dues, default=week_start)
    missed = [w for w in _mondays(first, overdue_week) if w not in dues]

    cadres = list(roster.list_cadres())
    units = {u.unit_id: u for u in roster.list_units()}
    names = {c.cadre_id: c.name for c in cadres}
    summary = WeeklyRunSummary(
        run_date=monday,
        week_start=week_start,
        week_end=week_start + timedelta(days=6),
        due=dues.get(week_start, week_start + REVIEW_DUE_AFTER),
        assignments=0,
        new_assignments=0,
        reviewers_notified=0,
        overdue_week_start=overdue_week,
        marked_overdue=0,
        reminder_talks_opened=[],
        problems=[],
        caught_up_weeks=missed,
    )
    # The week before is assigned on every run (cheap, and picks up roster changes made after the
    # scheduled run); earlier weeks only while their mark is missing.
    for week in [*missed, week_start]:
        assignments, problems = assign_week(week, cadres, units)
        stored = reviews.week(week)
        # A week keeps the due date its first assignments got; a late one is due a full week on.
        due = stored[0].due if stored else max(week + REVIEW_DUE_AFTER, monday + timedelta(days=6))
        already = {r.cadre_id for r in stored}
        written = reviews.put_new(
            [_stored(a, names.get(a.cadre_id, ""), at, due) for a in assignments if a.cadre_id not in already]
        )
        marked = week in dues
        notices = _per_reviewer(written if marked else [*stored, *written])
        if notices:
            bus.publish(
                "ReviewAssigned",
                [_assigned_event(week, reviewer, mine) for reviewer, mine in notices.items()],
            )
        if not marked:
            reviews.mark_week(week, "ASSIGNED", at, due)
            dues[week] = due
        summary.new_assignments += len(written)
        summary.reviewers_notified += len(notices)
        summary.problems += problems
        if week == week_start:
            summary.assignments, summary.due = len(assignments), due

    desk = CaseDesk(cases, bus)
    # Before ``first`` only the week before last is looked at: the one a run that wrote no marks
    # (the first run ever, or one of the version before them) would have assigned.
    for week in sorted({overdue_week, *_mondays(first, week_start)}):
        mark = marks.get(week)
        if (mark is not None and mark.overdue_checked) or dues.get(week, week + REVIEW_DUE_AFTER) >= monday:
            continue
        stale = reviews.week(week)
        marked_now = reviews.mark_overdue([r for r in stale if r.status == "open" and r.due < monday], at)
        marked_ids = {r.assignment_id for r in marked_now}
        # A step without its mark may have stopped before telling: tell again about all still overdue.
        overdue = _per_reviewer(
            [*marked_now, *(r for r in stale if r.status == "overdue" and r.assignment_id not in marked_ids)]
        )
        if overdue:
            bus.publish(
                "ReviewOverdue", [_overdue_event(week, reviewer, mine) for reviewer, mine in overdue.items()]
            )
        late_reviewers = sorted(
            {r.reviewer_id for r in stale if r.was_overdue or r.assignment_id in marked_ids}
        )
        for reviewer in late_reviewers:
            opened = _reviewer_ladder(reviewer, week, monday, at, reviews, desk, calendar)
            if opened and opened not in summary.reminder_talks_opened:
                summary.reminder_talks_opened.append(opened)
        reviews.mark_week(week, "OVERDUE", at)
        summary.marked_overdue += len(marked_now)
        summary.overdue_weeks.append(week)
    return summary


def _mondays(first: date, last: date) -> list[date]:
    return [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)] if first <= last else []


def _assigned_event(week: date, reviewer: str, mine: list[StoredReview]) -> dict[str, Any]:
    return {
        "reviewer_id": reviewer,
        "week_start": week.isoformat(),
        "week_end": (week + timedelta(days=6)).isoformat(),
        "due": mine[0].due.isoformat(),
        "count": len(mine),
    }


def _overdue_event(week: date, reviewer: str, mine: list[StoredReview]) -> dict[str, Any]:
    return {
        "reviewer_id": reviewer,
        "week_start": week.isoformat(),
        "due": mine[0].due.isoformat(),
        "count": len(mine),
        "cadre_ids": [r.cadre_id for r in mine],
    }


def _stored(assignment: Assignment, cadre_name: str, at: str, due: date) -> StoredReview:
    return StoredReview(
        assignment_id=assignment.assignment_id,
        reviewer_id=assignment.reviewer_id,
        cadre_id=assignment.cadre_id,
        cadre_name=cadre_name,
        unit_id=assignment.unit_id,
        week_start=assignment.week_start,
        week_end=assignment.week_end,
        due=due,
        assigned_at=at,
    )


def _per_reviewer(reviews: Iterable[StoredReview]) -> dict[str, list[StoredReview]]:
    grouped: defaultdict[str, list[StoredReview]] = defaultdict(list)
    for review in sorted(reviews, key=lambda r: (r.reviewer_id, r.cadre_id)):
        grouped[review.reviewer_id].append(review)
    return dict(grouped)


def _reviewer_ladder(
    reviewer_id: str,
    overdue_week: date,
    on: date,
    at: str,
    reviews: ReviewRepository,
    desk: CaseDesk,
    calendar: WorkingCalendar | None,
) -> str | None:
    """Open a reviewer's reminder talk when the quarter of ``overdue_week`` holds two overdue weeks
    not yet behind an earlier talk; the id of the case opened, else None."""
    quarter = Quarter.of(overdue_week)
    theirs = [r for r in reviews.of_reviewer(reviewer_id, quarter.first_day, overdue_week) if r.was_overdue]
    if reviewer_needs_talk((r.week_start for r in theirs), on, quarter_of_on=quarter) is None:
        return None
    known = desk.cases_about(reviewer_id, CaseKind.REMINDER_TALK, Subject.REVIEWING)
    used = desk.citing(known)
    used_weeks = {r.week_start for r in theirs if evidence_key(r) in used}
    fresh = [r for r in theirs if r.week_start not in used_weeks]
    reason = reviewer_needs_talk((r.week_start for r in fresh), on, quarter_of_on=quarter)
    if reason is None:
        return None
    case = open_case(
        CaseKind.REMINDER_TALK,
        Subject.REVIEWING,
        reviewer_id,
        opened_on=on,
        at=at,
        reason=reason,
        evidence=[evidence_key(r) for r in fresh],
        due=talk_due(on, calendar or current_calendar()),
        owner_role="district_leader",
        owner_unit_id=None,
    )
    case_id, opened = desk.open(case, at, known)
    return case_id if opened else None


# --- the reviewer's desk and authorized reading -------------------------------------------------
class ReviewService:
    """Use cases of the reviews function. Repositories, bus, calendar and clock are injected; the
    defaults are the production ones (no client is created before it is used)."""

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
        self._calendar = calendar
        self._journal = journal
        self._notices = notices
        self.clock = clock
        self.desk = CaseDesk(cases or ComplianceRepository(), bus or EventBus())

    @property
    def notices(self) -> NoticeRepository:
        if self._notices is None:
            # Imported here: only the Org Dept's reads need it, and the handler's cold start does not.
            from worklog.publish.notices import NoticeRepository

            self._notices = NoticeRepository()
        return self._notices

    @property
    def calendar(self) -> WorkingCalendar:
        if self._calendar is None:
            self._calendar = current_calendar(self.roster)
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
        return self.desk.open(case, at)[0]

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
        known = self.desk.cases_about(review.cadre_id, CaseKind.REMINDER_TALK, Subject.LOGGING)
        used = self.desk.citing(known)
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
        return self.desk.open(case, at, known)[0]

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
