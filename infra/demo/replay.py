"""Carry the demo's plan out in time order, through the system's own services.

Each event runs at its moment with the clock of the services set to it: the nightly missing-entry
check at 01:30 for the day before (``MissingEntryCheck``), the Monday review run at 08:00
(``WeeklyAssignment``), each reviewer's verdicts (``ReviewService.record_verdict``, after a read of
the week's log), the reminder talks and closures case holders record (``CaseService``), the
quarterly commit and draw (``QuarterlyRun``), inspectors' findings (``AuditService``) and HR's
grades (``EvaluationService``). So the missing records, the standings, the cases, the overdue
reviews and the audit round are exactly what the rules make of the plan — a nightly check re-run
for any past day finds nothing new.

Two things stand in for the passage of time. The journal is loaded whole before the replay starts,
so the nightly check reads it through ``JournalAsOf``: a period counts as saved only if the plan
saved it before the check ran. And a late save's mark on the cadre's standing (what the entries
service writes with the save) is written just before the first check that runs after the save.
The history's events (reminders, cases opened, reviews assigned) were delivered long ago: they go
to a ``QuietBus`` that counts them instead of filling the runtime's event list.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from infra.demo import decisions, plan
from infra.demo.district import DemoDistrict
from infra.demo.plan import Journal, Storylines, Window
from worklog.audit.grading import EvaluationService
from worklog.audit.ledger import LedgerStore
from worklog.audit.quarterly import QuarterlyRun
from worklog.audit.repository import AuditRepository
from worklog.audit.service import AuditService
from worklog.audit.tables import AuditTables
from worklog.auth.principals import Principal
from worklog.bus import EventBus
from worklog.calendar import WorkingCalendar
from worklog.clock import SHANGHAI, today
from worklog.compliance.cases import CaseService
from worklog.compliance.reads import log_read
from worklog.compliance.repository import ComplianceRepository
from worklog.compliance.review_repository import ReviewRepository
from worklog.compliance.reviews import AlreadyReviewed, ReviewService, check_verdict
from worklog.compliance.sweep import MissingEntryCheck
from worklog.compliance.weekly import WeeklyAssignment
from worklog.errors import WorklogError
from worklog.journal.repository import JournalRepository
from worklog.models.audits import AuditRound, EvaluationIn, FindingIn
from worklog.models.cases import CaseKind, CaseState, TalkIn
from worklog.models.reviews import StoredReview, VerdictIn
from worklog.models.roster import Cadre
from worklog.periods import Quarter
from worklog.roster.repository import RosterRepository
from worklog.roster.standing import revision_update
from worklog.settings import get_settings

log = logging.getLogger("infra.demo")
RECENT_READ_WEEKS = 5  # reviewers' reads are recorded for the history's last weeks


class ReplayClock:
    """The services' clock during the replay: it shows the moment of the event being replayed."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


class QuietBus(EventBus):
    """Counts what the history's services publish; sends nothing."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def publish(self, detail_type: str, details: Iterable[Mapping[str, Any]]) -> int:
        self.counts[detail_type] += sum(1 for _ in details)
        return 0


class JournalAsOf(JournalRepository):
    """The by_day pages as they stood at ``moment``: periods the plan first saved later are left
    out, and so are periods the plan does not know (saved by someone since) unless saved by then."""

    def __init__(self, journal: Journal, table: str | None = None, client: Any = None) -> None:
        super().__init__(table, client)
        self.plan = journal
        self.moment = datetime.min.replace(tzinfo=SHANGHAI)

    def submissions(
        self, partition: str, first_id: str | None = None, last_id: str | None = None
    ) -> Iterator[dict[str, Any]]:
        kind, _, period = partition.partition("#")
        kind = {"DAY": "entry", "PLAN": "plan", "SUMMARY": "summary"}.get(kind, kind.lower())
        moment = self.moment
        for item in super().submissions(partition, first_id, last_id):
            saved = self.plan.saved_by(str(item["cadre_id"]), kind, period, moment)
            if saved is None:
                saved = datetime.fromisoformat(str(item.get("saved_at"))) <= moment
            if saved:
                yield item


@dataclass
class ReplaySummary:
    checks: int = 0
    weekly_runs: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)
    talks: list[str] = field(default_factory=list)  # cases whose talk was recorded
    closed: list[str] = field(default_factory=list)
    cases: list[str] = field(default_factory=list)  # every case the history opened
    drawn: str | None = None
    findings: Counter[str] = field(default_factory=Counter)
    evaluations: int = 0
    skipped: list[str] = field(default_factory=list)  # moves refused (e.g. made by a user meanwhile)
    events: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "checks": self.checks,
            "weekly_runs": self.weekly_runs,
            "verdicts": dict(self.verdicts),
            "cases": len(self.cases),
            "talks": len(self.talks),
            "closed": len(self.closed),
            "drawn": self.drawn,
            "findings": dict(self.findings),
            "evaluations": self.evaluations,
            "skipped": len(self.skipped),
        }


Event = tuple[datetime, int, Callable[[], None]]


class Interrupted(Exception):
    """Asked to stop (the runtime is stopping)."""


class Replay:
    def __init__(
        self,
        district: DemoDistrict,
        window: Window,
        journal: Journal,
        calendar: WorkingCalendar,
        late_marks: list[dict[str, Any]],
        *,
        dynamodb: Any = None,
        ledger: LedgerStore | None = None,
        seed: int = plan.SEED,
        stop: threading.Event | None = None,
        bus: QuietBus | None = None,
    ) -> None:
        """``late_marks``: late revisions, their standing marks written in time; ``dynamodb``: the
        repositories' client; ``stop`` interrupts (``Interrupted``); ``bus``: the services' events."""
        self.district, self.window, self.journal, self.calendar = district, window, journal, calendar
        self.seed = seed
        self.stories: Storylines = journal.storylines
        self.cadres: dict[str, Cadre] = {c.cadre_id: c for c in district.cadres}
        self.clock = ReplayClock(window.start)
        self.bus = bus if bus is not None else QuietBus()
        settings = get_settings()
        self.roster = RosterRepository(client=dynamodb)
        self.journal_repo = JournalAsOf(journal, client=dynamodb)
        self.compliance = ComplianceRepository(client=dynamodb)
        self.reviews = ReviewRepository(client=dynamodb)
        self.audits = AuditRepository(client=dynamodb)
        self.rules = settings.rules
        self._wire_services(ledger or LedgerStore())
        self.late_marks = sorted(late_marks, key=lambda r: str(r["saved_at"]))
        self._marked = 0
        self.roster_table = settings.roster_table
        self.summary = ReplaySummary()
        self.verdicts: dict[str, list[str]] = defaultdict(list)  # cadre -> verdicts recorded
        self.stop = stop
        self._queue: list[Event] = []
        self._order = itertools.count()

    def _wire_services(self, ledger: LedgerStore) -> None:
        """The system's own use cases, on the replay's repositories, bus and clock."""
        self.check = MissingEntryCheck(
            roster=self.roster,
            journal=self.journal_repo,
            compliance=self.compliance,
            bus=self.bus,
            calendar=self.calendar,
            rules=self.rules,
            clock=self.clock,
        )
        reviewing: dict[str, Any] = {
            "reviews": self.reviews,
            "cases": self.compliance,
            "roster": self.roster,
            "bus": self.bus,
            "calendar": self.calendar,
            "rules": self.rules,
            "clock": self.clock,
        }
        self.review_service = ReviewService(**reviewing)
        self.weekly = WeeklyAssignment(**reviewing)
        self.case_service = CaseService(
            cases=self.compliance, roster=self.roster, bus=self.bus, clock=self.clock
        )
        tables = AuditTables(
            audits=self.audits,
            roster=self.roster,
            journal=self.journal_repo,
            compliance=self.compliance,
            reviews=self.reviews,
            calendar=self.calendar,
        )
        self.audit_service = AuditService(
            tables=tables, ledger=ledger, bus=self.bus, rules=self.rules, clock=self.clock
        )
        self.rounds = self.audit_service.rounds
        self.quarterly = QuarterlyRun(rounds=self.rounds, clock=self.clock)
        self.evaluations = EvaluationService(tables=tables, clock=self.clock)

    # --- the event loop -------------------------------------------------------------------------
    def at(self, moment: datetime, action: Callable[[], None]) -> None:
        if moment < self.window.end:
            heapq.heappush(self._queue, (moment, next(self._order), action))

    def run(self) -> ReplaySummary:
        w = self.window
        self.at(datetime.combine(w.commit_day, time(9, 0), tzinfo=SHANGHAI), self._commit_round)
        # The check of a day that is not a working day finds nothing owed; all it would do is mark
        # late saves and tidy standings, which the next working day's check does the same way.
        for day in plan.working_days(w.first, w.today - timedelta(days=2), self.calendar):
            moment = datetime.combine(day + timedelta(days=1), time(1, 30), tzinfo=SHANGHAI)
            self.at(moment, partial(self._check, day))
        monday = w.first + timedelta(days=(7 - w.first.weekday()) % 7 + 7)  # its week is all in the window
        while monday < w.today:
            self.at(datetime.combine(monday, time(8, 0), tzinfo=SHANGHAI), partial(self._weekly, monday))
            monday += timedelta(days=7)
        self.at(datetime.combine(w.draw_day, time(9, 0), tzinfo=SHANGHAI), self._quarterly)
        self.at(decisions.evaluation_moment(w, self.calendar), self._evaluate)
        while self._queue:
            if self.stop is not None and self.stop.is_set():
                raise Interrupted
            moment, _, action = heapq.heappop(self._queue)
            self.clock.moment = self.journal_repo.moment = moment
            try:
                action()
            except Interrupted:
                raise
            except WorklogError as err:  # a move a user made meanwhile, or refused by a rule
                self.summary.skipped.append(f"{moment.isoformat()} {type(err).__name__}: {err}")
                log.warning("demo history: %s at %s", err, moment.isoformat())
            except Exception as err:  # the rest of the history still loads; the tests want none
                self.summary.skipped.append(f"{moment.isoformat()} {type(err).__name__}: {err}")
                log.exception("demo history: an event at %s failed", moment.isoformat())
        self.clock.moment = w.end
        self._apply_late_marks(w.end)
        self.summary.events = self.bus.counts
        return self.summary

    # --- the nightly check ----------------------------------------------------------------------
    def _apply_late_marks(self, until: datetime) -> None:
        """Write the standing marks of late saves made by ``until`` (what the save's own
        transaction writes), so the check finds them as it would have."""
        stamp = until.isoformat(timespec="milliseconds")
        while self._marked < len(self.late_marks) and str(self.late_marks[self._marked]["saved_at"]) <= stamp:
            update = revision_update(self.roster_table, self.late_marks[self._marked])
            if update is not None:
                self.roster.client.update_item(**update)
            self._marked += 1

    def _check(self, day: date) -> None:
        moment = self.clock.moment
        self._apply_late_marks(moment)
        result = self.check.run(day)
        self.summary.checks += 1
        for case_id in [*result.talks_opened, *result.accountability_opened]:
            self._opened(case_id)

    # --- weekly reviews -------------------------------------------------------------------------
    def _weekly(self, monday: date) -> None:
        run = self.weekly.run(monday)
        self.summary.weekly_runs += 1
        for case_id in run.reminder_talks_opened:
            self._opened(case_id)
        sessions: dict[str, list[StoredReview]] = defaultdict(list)
        for review in self.reviews.week(run.week_start):
            sessions[review.reviewer_id].append(review)
        for reviewer, assigned in sorted(sessions.items()):
            assigned.sort(key=lambda r: r.cadre_id)
            storyline = any(
                (r.cadre_id == self.stories.perfunctory and r.week_start in self.stories.perfunctory_weeks)
                or (
                    r.cadre_id == self.stories.falsification
                    and r.week_start == self.stories.falsification_week
                )
                for r in assigned
            )
            moment = decisions.review_session(
                self.seed, reviewer, run.week_start, self.stories, on_time=storyline
            )
            if moment is not None:
                self.at(moment, partial(self._review, reviewer, assigned))

    def _review(self, reviewer_id: str, assigned: list[StoredReview]) -> None:
        """One sitting: each week's log read (what ``GET /reviews/{week}/{cadre}`` records; kept
        for the last weeks of the history only, which is what a cadre looks at), then the verdict.

        An adequate verdict has no consequence on the ladder: it is checked by the service's rule
        and stored by its repository (one request instead of three); any other goes through
        ``ReviewService.record_verdict``, which opens the cases it calls for."""
        who = self._principal(reviewer_id)
        start = self.clock.moment
        recent = start >= self.window.end - timedelta(weeks=RECENT_READ_WEEKS)
        for i, review in enumerate(assigned):
            read_at = start + timedelta(minutes=3 * i)
            self.clock.moment = read_at
            if recent:
                stamp = read_at.isoformat(timespec="milliseconds")
                log_read(
                    self.reviews, who, review.cadre_id, "review", review.week_start, review.week_end, stamp
                )
            self.clock.moment = read_at + timedelta(minutes=2)
            days = sorted(
                d
                for d in (review.week_start + timedelta(days=k) for k in range(7))
                if self.journal.saved_by(review.cadre_id, "entry", d.isoformat(), self.clock.moment)
            )
            decision = decisions.verdict_for(
                self.seed, review.cadre_id, review.week_start, self.journal, days
            )
            body = VerdictIn.model_validate({"verdict": decision.verdict, "comment": decision.comment})
            try:
                if decision.verdict == "adequate":
                    self._adequate(who, review, body)
                    opened: list[str] = []
                else:
                    opened = self.review_service.record_verdict(
                        who, review.week_start, review.cadre_id, body
                    ).cases
            except WorklogError as err:  # e.g. recorded by a user of the running demo meanwhile
                self.summary.skipped.append(f"{review.assignment_id}: {err}")
                continue
            self.summary.verdicts[decision.verdict] += 1
            self.verdicts[review.cadre_id].append(decision.verdict)
            for case_id in opened:
                self._opened(case_id)
        self.clock.moment = start

    def _adequate(self, who: Principal, review: StoredReview, body: VerdictIn) -> None:
        decision = check_verdict(review, who.cadre_id, body, today(self.clock))
        if decision.replay:
            return
        stamp = self.clock.moment.isoformat(timespec="milliseconds")
        stored = self.reviews.record_verdict(
            review, verdict=body.verdict, comment=body.comment, at=stamp, late=decision.late
        )
        if stored is None:  # done meanwhile (by a user of the running demo): as the service would
            raise AlreadyReviewed(review.assignment_id)

    # --- cases ----------------------------------------------------------------------------------
    def _opened(self, case_id: str) -> None:
        if case_id in self.summary.cases:
            return
        self.summary.cases.append(case_id)
        case = self.compliance.get_case(case_id)
        if case is None or case.kind is not CaseKind.REMINDER_TALK:
            return
        talk = decisions.talk_for(
            self.seed,
            case.case_id,
            case.cadre_id,
            str(case.subject),
            case.opened_on,
            self.stories,
            self.calendar,
            self.window.today,
        )
        if talk is not None:
            self.at(talk.moment, lambda: self._talk(case_id, talk))

    def _holder(self, case_id: str) -> Principal:
        case = self.compliance.get_case(case_id)
        assert case is not None
        if case.owner_role == "unit_head" and case.owner_unit_id:
            unit = self.roster.get_unit(case.owner_unit_id)
            if unit is not None and unit.head_id and unit.head_id != case.cadre_id:
                return self._principal(unit.head_id)
        leaders = sorted(
            c.cadre_id
            for c in self.district.cadres
            if "district_leader" in c.roles and c.cadre_id != case.cadre_id
        )
        return self._principal(leaders[0])

    def _talk(self, case_id: str, talk: decisions.TalkPlan) -> None:
        who = self._holder(case_id)
        body = TalkIn(talk_date=talk.day, said=talk.said, response=talk.response)
        self.case_service.record_talk(who, case_id, body)
        self.summary.talks.append(case_id)
        case = self.compliance.get_case(case_id)
        if case is not None and case.cadre_id == self.stories.talk_closed and self.stories.close_day:
            moment = datetime.combine(self.stories.close_day, time(16, 30), tzinfo=SHANGHAI)
            self.at(moment, lambda: self._close(case_id))

    def _close(self, case_id: str) -> None:
        case = self.compliance.get_case(case_id)
        if case is None or case.state is not CaseState.TALK_RECORDED:
            return
        self.case_service.close_case(self._holder(case_id), case_id, plan.TEXT["close_reason"])
        self.summary.closed.append(case_id)

    # --- audits ---------------------------------------------------------------------------------
    def _round(self, q: Quarter, moment: datetime) -> AuditRound:
        seed = plan.round_seed(self.seed, q.label)
        return AuditRound(
            round_id=q.label,
            kind="quarterly",
            quarter=q.label,
            first=q.first_day,
            last=q.last_day,
            seed=seed,
            seed_hash=_sha256_hex(seed),
            committed_at=moment.isoformat(timespec="milliseconds"),
            requested_by="system",
        )

    def _commit_round(self) -> None:
        self.rounds.commit(self._round(self.window.quarter, self.clock.moment))

    def _quarterly(self) -> None:
        # The seed of the quarter that starts is committed with the demo's seed (repeatable), then
        # the run draws the quarter that ended and finds that commitment in place.
        self.rounds.commit(self._round(Quarter.of(self.window.draw_day), self.clock.moment))
        run = self.quarterly.run(self.window.draw_day)
        self.summary.drawn = run.drawn
        if run.drawn is None:
            return
        for a in sorted(self.audits.round_assignments(run.drawn), key=lambda a: (a.inspector_id, a.cadre_id)):
            moment = decisions.finding_session(
                self.seed, a.round_id, a.inspector_id, a.cadre_id, self.window.draw_day, self.calendar
            )
            self.at(moment, partial(self._inspect, a.round_id, a.inspector_id, a.cadre_id, a.entries))

    def _inspect(self, round_id: str, inspector_id: str, cadre_id: str, days: list[date]) -> None:
        who = self._principal(inspector_id)
        self.audit_service.sampled_entries(who, round_id, cadre_id)
        for day in sorted(days):
            self.clock.moment += timedelta(minutes=4)
            number = sum(self.summary.findings.values()) + 1
            found = decisions.finding_for(self.seed, round_id, inspector_id, cadre_id, day, number)
            body = FindingIn(result=found.result, note=found.note, evidence_ref=found.evidence_ref)
            self.audit_service.record_finding(who, round_id, cadre_id, day, body)
            self.summary.findings[found.result] += 1

    def _evaluate(self) -> None:
        """HR grades every cadre in post during the quarter (nobody grades themselves)."""
        q = self.window.quarter
        evaluators = sorted(c.cadre_id for c in self.district.cadres if "hr_evaluator" in c.roles)
        if not evaluators:
            return
        days = decisions.quarter_days(self.window, self.calendar)
        for cadre in sorted(self.district.cadres, key=lambda c: c.cadre_id):
            if not (cadre.active_on(q.first_day) or cadre.active_on(q.last_day)):
                continue
            by = next((e for e in evaluators if e != cadre.cadre_id), None)
            if by is None:
                continue
            who = self._principal(by)
            leave = self.journal.leave_days.get(cadre.cadre_id, set())
            owed = [d for d in days if cadre.active_on(d) and d >= self.window.first and d not in leave]
            late = self.journal.late_days.get(cadre.cadre_id, set())
            missing = self.journal.unlogged.get(cadre.cadre_id, set())
            on_time = sum(1 for d in owed if d not in late and d not in missing)
            adverse = sum(1 for v in self.verdicts.get(cadre.cadre_id, []) if v != "adequate")
            grade = decisions.grade_for(len(owed), on_time, adverse)
            body = EvaluationIn(grade=grade, comment=plan.TEXT["grade_comment"][grade])
            self.evaluations.evaluate(who, q.label, cadre.cadre_id, body)
            self.summary.evaluations += 1

    # --- people ---------------------------------------------------------------------------------
    def _principal(self, cadre_id: str) -> Principal:
        """The cadre as the services see a caller (from the roster table if someone imported them
        while the history loaded)."""
        c = self.cadres.get(cadre_id) or self.roster.get_cadre(cadre_id)
        if c is None:
            raise WorklogError(f"{cadre_id} is not on the roster")
        return Principal(c.cadre_id, c.name, c.unit_id, c.title, frozenset(c.roles), c)


def _sha256_hex(seed: str) -> str:
    from worklog.audit import sampling

    return sampling.seed_hash(seed)
