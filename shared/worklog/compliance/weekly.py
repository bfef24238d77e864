"""The Monday run of the weekly reviews (docs/rules.md): assign last week's logs, hold reviewers to
account for the weeks that fell due, and feed the reviewers' ladder.

Each step of each week ends by writing that week's mark (``ReviewRepository.mark_week``), read back
with one Query, so a re-run writes and publishes nothing new, and a run stopped half-way is finished
by the next one. A step whose mark is missing may have stopped before its events went out, so it
sends them again for what is stored (at least once, never never).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from worklog.bus import EventBus
from worklog.calendar import WorkingCalendar
from worklog.clock import Clock, iso_now, system_clock, today
from worklog.compliance.assignment import Assignment, assign_week, week_of
from worklog.compliance.cases import CaseService
from worklog.compliance.ladder import open_case, reviewer_needs_talk, talk_due
from worklog.compliance.repository import ComplianceRepository
from worklog.compliance.review_repository import ReviewRepository, WeekMarks
from worklog.compliance.reviews import evidence_key
from worklog.models.cases import CaseKind, Subject
from worklog.models.reviews import StoredReview, UnreviewedCadre, WeeklyRunSummary
from worklog.models.roster import Cadre, Unit
from worklog.periods import Quarter
from worklog.records import datarecord
from worklog.roster.repository import RosterRepository
from worklog.schedules import current_calendar
from worklog.settings import Rules, get_settings

REVIEW_DUE_AFTER = timedelta(days=13)  # a week's reviews are due the Sunday after the week ends


@datarecord
class RunWeeks:
    """The weeks one run looks at, as its marks show them."""

    monday: date  # the run's Monday
    week_start: date  # the week before: assigned on every run
    overdue_week: date  # the week before that: normally the one falling due
    at: str
    marks: dict[date, WeekMarks]
    dues: dict[date, date]  # weeks assigned so far → their due date
    first: date  # the earliest week the run looks at beyond the two above
    missed: list[date]  # weeks no run assigned, to catch up

    def to_check_overdue(self) -> list[date]:
        """Before ``first`` only the week before last is looked at: the one a run that wrote no marks
        (the first run ever, or one of the version before them) would have assigned."""
        return sorted({self.overdue_week, *mondays(self.first, self.week_start)})

    def falls_due(self, week: date) -> bool:
        """The week's overdue step is not done yet and its due date has passed."""
        mark = self.marks.get(week)
        if mark is not None and mark.overdue_checked:
            return False
        return self.dues.get(week, week + REVIEW_DUE_AFTER) < self.monday


@datarecord
class Roster:
    """The roster as the run reads it once."""

    cadres: list[Cadre]
    units: dict[str, Unit]
    names: dict[str, str]


class WeeklyAssignment:
    """The Monday run. Repositories, bus, calendar, rules and clock are injected; the defaults are
    the production ones (no client is created before it is used)."""

    def __init__(
        self,
        *,
        reviews: ReviewRepository | None = None,
        cases: ComplianceRepository | None = None,
        roster: RosterRepository | None = None,
        bus: EventBus | None = None,
        calendar: WorkingCalendar | None = None,
        rules: Rules | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.reviews = reviews or ReviewRepository()
        self.roster = roster or RosterRepository()
        self.bus = bus or EventBus()
        self.rules = rules or get_settings().rules
        # Only a reviewer's reminder talk needs the calendar: read when one is opened, not before.
        self.calendar = calendar
        self.clock = clock
        self.cases = CaseService(
            cases=cases or ComplianceRepository(), roster=self.roster, bus=self.bus, clock=clock
        )

    def run(self, run_date: date | None = None) -> WeeklyRunSummary:
        """The Monday run for ``run_date`` (default: today; any day stands for the Monday of its week).

        1. Assign the week before (Mon–Sun) over the roster and store the assignments that are not
           stored yet (a cadre already assigned for that week keeps their reviewer, even if the
           roster changed since); one ``ReviewAssigned`` event per reviewer with new assignments.
           **Catch-up**: every earlier week that no run assigned (a Monday whose run failed or never
           fired) is assigned too, back to the earliest week a run did assign within
           ``Rules.review_catch_up_weeks``. A week assigned late is due the later of its normal due
           date and the Sunday after this run, so nobody is overdue on what they have only just
           received.
        2. Mark overdue every still-open assignment of each week whose due date has passed and whose
           overdue step is not done yet (normally the week before that; after a gap also the weeks
           that fell due during it), once each; one ``ReviewOverdue`` event per reviewer and week.
        3. Feed the reviewers' ladder once per such week: every reviewer with an overdue assignment
           in it is checked for two overdue weeks in its quarter.
        """
        weeks = self.weeks(week_of(run_date or today(self.clock))[0])
        summary = WeeklyRunSummary(
            run_date=weeks.monday,
            week_start=weeks.week_start,
            week_end=weeks.week_start + timedelta(days=6),
            due=weeks.dues.get(weeks.week_start, weeks.week_start + REVIEW_DUE_AFTER),
            assignments=0,
            new_assignments=0,
            reviewers_notified=0,
            overdue_week_start=weeks.overdue_week,
            marked_overdue=0,
            reminder_talks_opened=[],
            problems=[],
            caught_up_weeks=weeks.missed,
        )
        cadres = list(self.roster.list_cadres())
        roster = Roster(
            cadres=cadres,
            units={u.unit_id: u for u in self.roster.list_units()},
            names={c.cadre_id: c.name for c in cadres},
        )
        # The week before is assigned on every run (cheap, and picks up roster changes made after the
        # scheduled run); earlier weeks only while their mark is missing.
        for week in [*weeks.missed, weeks.week_start]:
            self.assign(week, weeks, roster, summary)
        for week in weeks.to_check_overdue():
            if weeks.falls_due(week):
                self.mark_overdue(week, weeks, summary)
        return summary

    def weeks(self, monday: date) -> RunWeeks:
        """The weeks of the run of ``monday``, from the marks of the look-back."""
        week_start = monday - timedelta(days=7)
        overdue_week = week_start - timedelta(days=7)
        look_back = week_start - timedelta(weeks=self.rules.review_catch_up_weeks)
        marks = self.reviews.week_marks(min(look_back, overdue_week), week_start)
        dues = {w: m.assigned_due for w, m in marks.items() if m.assigned_due is not None}
        # The weeks of the look-back that no run assigned were missed — unless they come before the
        # system's first run. Steady state: the look-back is all marked and nothing more is read; the
        # one extra (tiny) Query asks whether any run happened before the look-back.
        if (dues and min(dues) <= look_back) or self.reviews.any_mark_before(look_back):
            first = look_back
        else:
            first = min(dues, default=week_start)
        return RunWeeks(
            monday=monday,
            week_start=week_start,
            overdue_week=overdue_week,
            at=iso_now(self.clock),
            marks=marks,
            dues=dues,
            first=first,
            missed=[w for w in mondays(first, overdue_week) if w not in dues],
        )

    def assign(self, week: date, weeks: RunWeeks, roster: Roster, summary: WeeklyRunSummary) -> None:
        """Step 1 for one week: store the assignments not stored yet, tell their reviewers, mark it."""
        assignments, problems = assign_week(week, roster.cadres, roster.units)
        stored = self.reviews.week(week)
        # A week keeps the due date its first assignments got; a late one is due a full week on.
        due = stored[0].due if stored else max(week + REVIEW_DUE_AFTER, weeks.monday + timedelta(days=6))
        already = {r.cadre_id for r in stored}
        written = self.reviews.put_new(
            [
                stored_review(a, roster.names.get(a.cadre_id, ""), weeks.at, due)
                for a in assignments
                if a.cadre_id not in already
            ]
        )
        marked = week in weeks.dues
        notices = per_reviewer(written if marked else [*stored, *written])
        if notices:
            self.bus.publish(
                "ReviewAssigned", [assigned_event(week, reviewer, mine) for reviewer, mine in notices.items()]
            )
        if not marked:
            self.reviews.mark_week(week, "ASSIGNED", weeks.at, due)
            weeks.dues[week] = due
        summary.new_assignments += len(written)
        summary.reviewers_notified += len(notices)
        summary.problems += [p.text for p in problems]
        summary.unreviewed += [
            UnreviewedCadre(cadre_id=p.cadre_id, unit_id=p.unit_id, week_start=week, reason=p.reason)
            for p in problems
        ]
        if week == weeks.week_start:
            summary.assignments, summary.due = len(assignments), due

    def mark_overdue(self, week: date, weeks: RunWeeks, summary: WeeklyRunSummary) -> None:
        """Steps 2 and 3 for one week fallen due: mark its open assignments overdue, tell their
        reviewers, check each late reviewer's ladder, mark it."""
        stale = self.reviews.week(week)
        marked_now = self.reviews.mark_overdue(
            [r for r in stale if r.status == "open" and r.due < weeks.monday], weeks.at
        )
        marked_ids = {r.assignment_id for r in marked_now}
        # A step without its mark may have stopped before telling: tell again about all still overdue.
        overdue = per_reviewer(
            [*marked_now, *(r for r in stale if r.status == "overdue" and r.assignment_id not in marked_ids)]
        )
        if overdue:
            self.bus.publish(
                "ReviewOverdue", [overdue_event(week, reviewer, mine) for reviewer, mine in overdue.items()]
            )
        late_reviewers = sorted(
            {r.reviewer_id for r in stale if r.was_overdue or r.assignment_id in marked_ids}
        )
        for reviewer in late_reviewers:
            opened = self.reviewer_ladder(reviewer, week, weeks.monday, weeks.at)
            if opened and opened not in summary.reminder_talks_opened:
                summary.reminder_talks_opened.append(opened)
        self.reviews.mark_week(week, "OVERDUE", weeks.at)
        summary.marked_overdue += len(marked_now)
        summary.overdue_weeks.append(week)

    def reviewer_ladder(self, reviewer_id: str, overdue_week: date, on: date, at: str) -> str | None:
        """Open a reviewer's reminder talk when the quarter of ``overdue_week`` holds two overdue weeks
        not yet behind an earlier talk; the id of the case opened, else None."""
        quarter = Quarter.of(overdue_week)
        theirs = [
            r for r in self.reviews.of_reviewer(reviewer_id, quarter.first_day, overdue_week) if r.was_overdue
        ]
        if reviewer_needs_talk((r.week_start for r in theirs), on, quarter_of_on=quarter) is None:
            return None
        known = self.cases.cases_about(reviewer_id, CaseKind.REMINDER_TALK, Subject.REVIEWING)
        used = self.cases.citing(known)
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
            due=talk_due(on, self.calendar or current_calendar()),
            owner_role="district_leader",
            owner_unit_id=None,
        )
        case_id, opened = self.cases.open(case, at, known)
        return case_id if opened else None


def mondays(first: date, last: date) -> list[date]:
    return [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)] if first <= last else []


def assigned_event(week: date, reviewer: str, mine: list[StoredReview]) -> dict[str, Any]:
    return {
        "reviewer_id": reviewer,
        "week_start": week.isoformat(),
        "week_end": (week + timedelta(days=6)).isoformat(),
        "due": mine[0].due.isoformat(),
        "count": len(mine),
    }


def overdue_event(week: date, reviewer: str, mine: list[StoredReview]) -> dict[str, Any]:
    return {
        "reviewer_id": reviewer,
        "week_start": week.isoformat(),
        "due": mine[0].due.isoformat(),
        "count": len(mine),
        "cadre_ids": [r.cadre_id for r in mine],
    }


def stored_review(assignment: Assignment, cadre_name: str, at: str, due: date) -> StoredReview:
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


def per_reviewer(reviews: Iterable[StoredReview]) -> dict[str, list[StoredReview]]:
    grouped: defaultdict[str, list[StoredReview]] = defaultdict(list)
    for review in sorted(reviews, key=lambda r: (r.reviewer_id, r.cadre_id)):
        grouped[review.reviewer_id].append(review)
    return dict(grouped)
