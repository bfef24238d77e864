"""Random audits (双随机): commit, draw, inspect, evaluate (docs/rules.md).

A round goes through two published steps, each written to the ledger bucket before anything
depends on it:

1. **commit** — a fresh seed is stored privately with the round and only its SHA-256 is
   published (``audits/<round>/commitment.json``, event ``AuditCommitted``). The quarterly run
   commits the seed of the quarter that is starting, so the commitment precedes every log that
   the draw will weigh.
2. **draw** — the roster snapshot (candidates with their misses, adverse verdicts and entry dates;
   the discipline inspectors; who reviewed whom) is published first (``snapshot.json``), then the
   sample it gives with the seed (``sample.json``), then the seed itself (``reveal.json``), and the
   round becomes ``drawn`` (event ``AuditDrawn``). An interrupted draw re-run reuses the published
   snapshot, so it draws the same sample.

``python -m worklog.cli verify-audit`` recomputes a round from those files alone.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from worklog import messages
from worklog.access import TEXT as ACCESS_TEXT
from worklog.access import Access, Act, Door, ReadFacts, read_access, refuse_self
from worklog.audit import sampling
from worklog.audit.evaluation import SheetRow, evaluation_workbook, in_roster_order
from worklog.audit.ledger import LedgerStore
from worklog.audit.repository import AuditRepository
from worklog.auth.principals import Principal
from worklog.bus import EventBus
from worklog.calendar import WorkingCalendar
from worklog.clock import Clock, iso_now, system_clock, today
from worklog.compliance.ladder import CaseKind, Quarter, Subject, open_case
from worklog.compliance.repository import ComplianceRepository
from worklog.compliance.review_repository import ReviewRepository
from worklog.compliance.reviews import CaseDesk, log_read, plan_items_of
from worklog.errors import Conflict, Forbidden, NotFound, RateLimited, invalid
from worklog.journal.repository import JournalRepository
from worklog.journal.service import JournalService
from worklog.labels import FINDING_LABELS, FINDING_PENDING_LABEL
from worklog.models.audits import (
    AssignmentList,
    AssignmentOut,
    AuditAssignment,
    AuditRequestIn,
    AuditRound,
    AuditRoundOut,
    AuditSampleOut,
    Evaluation,
    EvaluationIn,
    Finding,
    FindingIn,
    FindingOut,
    SampleCadreOut,
    SampleCheckOut,
    SampledEntries,
    SampleInspectorOut,
    SampleProgress,
    UnitEvaluationOut,
)
from worklog.models.roster import Cadre, Role, Unit
from worklog.publish.policy import mask_personal_data
from worklog.roster.repository import RosterRepository
from worklog.settings import get_settings

AUDIT_COMMITTED = "AuditCommitted"
AUDIT_DRAWN = "AuditDrawn"
ADVERSE = ("perfunctory", "suspected_falsification")
INSPECTOR_ROLE: Role = "discipline_inspector"
EVALUATOR_ROLES: tuple[Role, ...] = ("org_inspector", "hr_evaluator")
SPOT_ROLES: tuple[Role, ...] = ("org_inspector",)
# Who may see a round's whole sample and how its findings stand: the Org Dept and the Commission.
SAMPLE_READERS: tuple[Role, ...] = ("org_inspector", "discipline_inspector")


def ledger_key(round_id: str, name: str) -> str:
    return f"audits/{round_id}/{name}.json"


def quarter_of(label: str) -> Quarter:
    return Quarter(int(label[:4]), int(label[-1]))


@dataclass
class QuarterlyRun:
    date: date
    ran: bool
    drawn: str | None = None
    committed: str | None = None
    already_drawn: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "date": self.date.isoformat()}


@dataclass
class UnitFigures:
    """A unit's quarter as the evaluators see it: each cadre's figures and grade, in roster order,
    counted from ``first`` through ``last``."""

    unit: Unit
    quarter: str
    first: date
    last: date
    rows: list[SheetRow]


class AuditDesk:
    def __init__(
        self,
        audits: AuditRepository,
        ledger: LedgerStore,
        bus: EventBus,
        roster: RosterRepository,
        journal: JournalRepository,
        compliance: ComplianceRepository,
        reviews: ReviewRepository,
        calendar: WorkingCalendar,
        clock: Clock = system_clock,
    ) -> None:
        self.audits, self.ledger, self.bus = audits, ledger, bus
        self.roster, self.journal, self.compliance, self.reviews = roster, journal, compliance, reviews
        self.calendar, self.clock = calendar, clock

    # --- commit and draw ----------------------------------------------------------------------
    def commit(self, r: AuditRound) -> AuditRound:
        """Store the round (if new) and publish its seed's hash; returns the stored round."""
        if not self.audits.create_round(r):
            stored = self.audits.get_round(r.round_id)
            assert stored is not None
            r = stored
        if r.state == "committed":
            # Published again after an interruption: the same bytes.
            self.ledger.put_json(ledger_key(r.round_id, "commitment"), _commitment(r))
            self.bus.publish(AUDIT_COMMITTED, [_commitment(r)])
        return r

    def new_round(
        self, round_id: str, kind: str, quarter: str, first: date, last: date, by: str, **extra: Any
    ) -> AuditRound:
        seed = sampling.new_seed()
        return AuditRound.model_validate(
            {
                "round_id": round_id,
                "kind": kind,
                "quarter": quarter,
                "first": first,
                "last": last,
                "seed": seed,
                "seed_hash": sampling.seed_hash(seed),
                "committed_at": iso_now(self.clock),
                "requested_by": by,
                **extra,
            }
        )

    def draw(self, round_id: str, by: str = "system", reason: str = "") -> AuditRound:
        """Draw a committed round; ``by`` and ``reason`` (who had it drawn now, and why) are
        published with the seed."""
        r = self.audits.get_round(round_id)
        if r is None:
            raise NotFound("没有这一轮抽查", code="not_found")
        if r.state == "drawn":
            raise Conflict(f"{round_id} 已经抽取过，不能再次抽取", code="already_drawn")
        stored = self.ledger.get_json(ledger_key(round_id, "snapshot"))
        if stored is not None:
            snapshot = sampling.Snapshot.model_validate(stored)
        else:
            snapshot = self.snapshot(r)
            self.ledger.put_json(ledger_key(round_id, "snapshot"), snapshot.model_dump(mode="json"))
        sample = sampling.draw(r.seed, snapshot)
        at = iso_now(self.clock)
        units = {c.cadre_id: c.unit_id for c in snapshot.candidates}
        self.audits.put_assignments(
            [
                AuditAssignment(
                    round_id=round_id,
                    inspector_id=inspector,
                    cadre_id=c.cadre_id,
                    unit_id=units[c.cadre_id],
                    quarter=r.quarter,
                    entries=[date.fromisoformat(d) for d in c.entries],
                    assigned_at=at,
                )
                for c in sample.cadres
                for inspector in c.inspectors
            ]
        )
        self.ledger.put_json(ledger_key(round_id, "sample"), sample.model_dump(mode="json"))
        drawn = r.model_copy(
            update={
                "state": "drawn",
                "drawn_at": at,
                "snapshot_hash": sample.snapshot_hash,
                "algorithm": sample.algorithm,
                "version": sample.version,
                "sampled": len(sample.cadres),
                "drawn_by": by,
                "draw_reason": reason,
            }
        )
        self.ledger.put_json(ledger_key(round_id, "reveal"), _reveal(drawn))
        if not self.audits.mark_drawn(drawn):
            raise Conflict(f"{round_id} 已经抽取过，不能再次抽取", code="already_drawn")
        self.bus.publish(AUDIT_DRAWN, [{**_reveal(drawn), "shortfalls": sample.shortfalls}])
        return drawn

    def snapshot(self, r: AuditRound) -> sampling.Snapshot:
        """The published inputs of a draw, read from the tables: Queries by day and by week."""
        cadres = [c for c in self.roster.list_cadres() if _in_post(c, r.first, r.last)]
        pool = [sampling.Inspector(cadre_id=c.cadre_id, unit_id=c.unit_id) for c in cadres if _inspects(c)]
        if r.unit_id:
            cadres = [c for c in cadres if c.unit_id == r.unit_id]
        ids = {c.cadre_id for c in cadres}
        misses: Counter[str] = Counter()
        entries: dict[str, list[str]] = defaultdict(list)
        d = r.first
        while d <= r.last:
            if self.calendar.is_working(d):
                misses.update(m.cadre_id for m in self.compliance.missing_due_on(d) if m.cadre_id in ids)
            for item in self.journal.submissions_on(d):
                if item["cadre_id"] in ids:
                    entries[item["cadre_id"]].append(d.isoformat())
            d += timedelta(days=1)
        adverse: Counter[str] = Counter()
        conflicts: dict[str, set[str]] = defaultdict(set)
        week = r.first - timedelta(days=r.first.weekday())
        while week <= r.last:
            for review in self.reviews.week(week):
                if review.cadre_id in ids:
                    conflicts[review.cadre_id].add(review.reviewer_id)
                    if review.verdict in ADVERSE:
                        adverse[review.cadre_id] += 1
            week += timedelta(days=7)
        return sampling.Snapshot(
            round_id=r.round_id,
            quarter=r.quarter,
            candidates=[
                sampling.Candidate(
                    cadre_id=c.cadre_id,
                    unit_id=c.unit_id,
                    misses=misses[c.cadre_id],
                    adverse=adverse[c.cadre_id],
                    entries=sorted(entries[c.cadre_id]),
                )
                for c in sorted(cadres, key=lambda c: c.cadre_id)
            ],
            inspectors=sorted(pool, key=lambda i: i.cadre_id),
            conflicts={k: sorted(v) for k, v in sorted(conflicts.items())},
            size=r.size,
            stratified=r.kind == "quarterly" and not r.unit_id,
        )

    # --- the quarterly run and on-demand rounds -----------------------------------------------
    def run_quarterly(self, day: date | None = None) -> QuarterlyRun:
        """On the first working day of a quarter: draw the quarter that ended (committing it first
        if it never was), then commit the quarter that starts. Any other day does nothing."""
        day = day or today(self.clock)
        current = Quarter.of(day)
        first_working = next(
            d
            for d in (current.first_day + timedelta(days=i) for i in range(31))
            if self.calendar.is_working(d)
        )
        if day != first_working:
            return QuarterlyRun(day, ran=False)
        previous = Quarter.of(current.first_day - timedelta(days=1))
        run = QuarterlyRun(day, ran=True)
        r = self.commit(self._quarter_round(previous))
        if r.state == "drawn":
            run.already_drawn = True
        else:
            run.drawn = self.draw(r.round_id).round_id
        run.committed = self.commit(self._quarter_round(current)).round_id
        return run

    def _quarter_round(self, q: Quarter) -> AuditRound:
        return self.new_round(q.label, "quarterly", q.label, q.first_day, q.last_day, "system")

    def request(self, who: Principal, body: AuditRequestIn) -> AuditRound:
        """POST /audits: a spot-check now, or a quarter's round drawn on demand."""
        on = today(self.clock)
        if body.quarter is not None:
            if not who.has("org_inspector", INSPECTOR_ROLE):
                raise Forbidden("只有组织部或纪委监委可以抽取季度抽查", code="forbidden")
            q = quarter_of(body.quarter)
            if q.last_day >= on:
                raise invalid(messages.AUDIT["quarter_not_ended"], ["body", "quarter"], "quarter_not_ended")
            stored = self.audits.get_round(q.label)
            if stored is not None and stored.state == "drawn":
                raise Conflict(f"{q.label} 已经抽取过，不能再次抽取", code="already_drawn")
            # A quarter's round has one id and one seed, drawn at most once (draw and mark_drawn
            # refuse a second time): asking again never redraws, so no daily cap is needed here.
            # A round the quarterly run committed keeps its seed; one it never committed is
            # committed now, by the requester and with their reason.
            fresh = self._quarter_round(q).model_copy(
                update={"requested_by": who.cadre_id, "reason": body.reason}
            )
            r = self.commit(fresh)
            return self.draw(r.round_id, who.cadre_id, body.reason)
        if not who.has(*SPOT_ROLES):
            raise Forbidden("只有组织部可以发起随机抽查", code="forbidden")
        if body.unit_id and self.roster.get_unit(body.unit_id) is None:
            raise invalid(messages.AUDIT["unknown_unit"], ["body", "unit_id"], "unknown_unit")
        q = Quarter.of(on)
        last = on - timedelta(days=1)
        first = q.first_day if q.first_day <= last else Quarter.of(last).first_day
        n = sum(1 for r in self.audits.rounds() if r.round_id.startswith(f"SPOT-{on.isoformat()}-"))
        round_id = f"SPOT-{on.isoformat()}-{n + 1:02d}"
        r = self.new_round(
            round_id,
            "spot",
            Quarter.of(last).label,
            first,
            last,
            who.cadre_id,
            size=body.size,
            unit_id=body.unit_id,
            reason=body.reason,
        )
        # The round and the requester's count of the day are written together, the count under a
        # condition: two requests at once cannot both pass the cap.
        cap = get_settings().rules.spot_checks_per_day
        created = self.audits.create_spot_round(r, on.isoformat(), cap)
        if created == "cap":
            raise RateLimited(
                f"您今天（{on.isoformat()}）已发起 {cap} 次随机抽查，达到每日上限；请明天再发起",
                code="spot_check_limit",
            )
        if created == "taken":
            raise Conflict("同时发起了另一轮抽查，请重试", code="concurrent_update")
        self.commit(r)
        return self.draw(round_id, who.cadre_id, body.reason)

    # --- a round's sample, for the Org Dept and the Commission --------------------------------
    def round_sample(self, who: Principal, round_id: str) -> AuditSampleOut:
        """GET /audits/{round}/sample: every sampled cadre (name, unit), their sampled days, their
        inspectors and, per inspector and day, the finding's result or pending; with progress counts.
        Days only, never the log's text (reading that is the inspectors' own, recorded, read).

        A round not drawn yet has no sample: 409 ``not_drawn``."""
        if not who.has(*SAMPLE_READERS):
            raise Forbidden("只有组织部或纪委监委可以查看抽查样本", code="forbidden")
        r = self.audits.get_round(round_id)
        if r is None:
            raise NotFound("没有这一轮抽查", code="not_found")
        if r.state != "drawn":
            raise Conflict(f"{round_id} 尚未抽取，还没有样本", code="not_drawn")
        assignments = self.audits.round_assignments(round_id)
        found = {(f.cadre_id, f.day, f.inspector_id): f for f in self.audits.findings_of_round(round_id)}
        people = self.roster.get_cadres(
            {a.cadre_id for a in assignments} | {a.inspector_id for a in assignments}
        )
        units = {u.unit_id: u.name for u in self.roster.list_units()}
        by_cadre: dict[str, list[AuditAssignment]] = defaultdict(list)
        for a in assignments:
            by_cadre[a.cadre_id].append(a)

        def name(cadre_id: str) -> str:
            person = people.get(cadre_id)
            return person.name if person else ""

        def check(cadre_id: str, day: date, inspector_id: str) -> SampleCheckOut:
            f = found.get((cadre_id, day, inspector_id))
            if f is None:
                return SampleCheckOut(
                    day=day,
                    result="pending",
                    result_text=FINDING_PENDING_LABEL,
                    recorded_at=None,
                    case_id=None,
                )
            return SampleCheckOut(
                day=day,
                result=f.result,
                result_text=FINDING_LABELS[f.result],
                recorded_at=f.recorded_at,
                case_id=f.case_id,
            )

        cadres = []
        for cadre_id, parts in sorted(by_cadre.items()):
            days = sorted({d for a in parts for d in a.entries})
            inspectors = [
                SampleInspectorOut(
                    inspector_id=a.inspector_id,
                    name=name(a.inspector_id),
                    unit_id=people[a.inspector_id].unit_id if a.inspector_id in people else "",
                    checks=[check(cadre_id, d, a.inspector_id) for d in sorted(a.entries)],
                )
                for a in sorted(parts, key=lambda a: a.inspector_id)
            ]
            unit_id = parts[0].unit_id
            cadres.append(
                SampleCadreOut(
                    cadre_id=cadre_id,
                    name=name(cadre_id),
                    unit_id=unit_id,
                    unit_name=units.get(unit_id, ""),
                    days=days,
                    inspectors=inspectors,
                )
            )
        checks = [c for cadre in cadres for i in cadre.inspectors for c in i.checks]
        results: Counter[str] = Counter(c.result for c in checks if c.result != "pending")
        progress = SampleProgress(
            cadres=len(cadres),
            inspectors=len({a.inspector_id for a in assignments}),
            checks=len(checks),
            recorded=sum(results.values()),
            pending=len(checks) - sum(results.values()),
            results={code: results[code] for code in FINDING_LABELS},
        )
        return AuditSampleOut(round=AuditRoundOut.of(r), progress=progress, cadres=cadres)

    # --- inspectors ---------------------------------------------------------------------------
    def my_assignments(self, who: Principal) -> AssignmentList:
        """GET /me/audits: the caller's assignments, each with the cadre's and unit's names and the
        caller's own findings on it."""
        assignments = self.audits.assignments_of(who.cadre_id)
        people = self.roster.get_cadres({a.cadre_id for a in assignments})
        units = {u.unit_id: u.name for u in self.roster.list_units()} if assignments else {}
        out = []
        for a in assignments:
            mine = [
                f
                for f in self.audits.findings_of_round(a.round_id, a.cadre_id)
                if f.inspector_id == who.cadre_id
            ]
            person = people.get(a.cadre_id)
            out.append(
                AssignmentOut(
                    round_id=a.round_id,
                    quarter=a.quarter,
                    cadre_id=a.cadre_id,
                    cadre_name=person.name if person else "",
                    unit_id=a.unit_id,
                    unit_name=units.get(a.unit_id, ""),
                    entries=a.entries,
                    findings=[FindingOut.of(f) for f in mine],
                )
            )
        return AssignmentList(assignments=out)

    def assignment_for(self, who: Principal, round_id: str, cadre_id: str) -> tuple[AuditAssignment, Access]:
        """The caller's assignment on ``cadre_id`` in the round, checked against the access table:
        never on one's own log (even if an assignment says so), only by an inspector in role, only
        the sampled days. Returns it with the purpose of reading it."""
        refuse_self(Act.INSPECT, who.cadre_id, cadre_id)
        a = self.audits.assignment(who.cadre_id, round_id, cadre_id)
        if a is None:
            raise Forbidden(ACCESS_TEXT["not_assigned"], code="not_assigned")
        sampled = frozenset(a.entries)
        facts = ReadFacts(
            reader=who,
            subject_id=cadre_id,
            days=sampled,
            on=today(self.clock),
            sampled_days=sampled,
        )
        return a, read_access(Door.AUDIT, facts)

    def sampled_entries(self, who: Principal, round_id: str, cadre_id: str) -> SampledEntries:
        """The sampled days of a cadre's log with the plans of their months, for an inspector assigned
        to them; recorded as a read."""
        a, purpose = self.assignment_for(who, round_id, cadre_id)
        first, last = min(a.entries, default=today(self.clock)), max(a.entries, default=today(self.clock))
        journal = JournalService(self.journal, self.calendar, get_settings().rules, self.clock)
        sampled = set(a.entries)
        entries = [e for e in journal.list_entries(cadre_id, first, last) if e.date in sampled]
        plan_items = plan_items_of(self.journal, cadre_id, a.entries, entries)
        log_read(self.reviews, who, cadre_id, purpose, first, last, iso_now(self.clock))
        return SampledEntries(
            cadre_id=cadre_id, from_=first, to=last, purpose=purpose, entries=entries, plan_items=plan_items
        )

    def record_finding(
        self, who: Principal, round_id: str, cadre_id: str, day: date, body: FindingIn
    ) -> Finding:
        if not who.has(INSPECTOR_ROLE):  # assigned earlier, but the role has since been taken away
            raise Forbidden("您已不再担任纪检监察检查人员，不能记录核查结果", code="forbidden")
        a, _ = self.assignment_for(who, round_id, cadre_id)
        if day not in a.entries:
            raise Forbidden("这一天的日志不在您的抽查样本中", code="not_in_sample")
        at = iso_now(self.clock)
        finding = Finding(
            round_id=round_id,
            cadre_id=cadre_id,
            day=day,
            inspector_id=who.cadre_id,
            result=body.result,
            note=body.note,
            evidence_ref=body.evidence_ref,
            recorded_at=at,
        )
        # The finding first: a second finding on the same entry is refused before anything follows.
        if not self.audits.put_finding(finding):
            raise Conflict("您已记录过这篇日志的核查结果", code="already_recorded")
        if body.result == "falsified":
            case = open_case(
                CaseKind.ACCOUNTABILITY,
                Subject.LOGGING,
                cadre_id,
                opened_on=today(self.clock),
                at=at,
                reason=f"随机抽查 {day.isoformat()} 的日志，结果为“{FINDING_LABELS['falsified']}”",
                evidence=[finding_key(finding)],
                owner_role="discipline_inspector",
                by=who.cadre_id,
            )
            finding.case_id = CaseDesk(self.compliance, self.bus).open(case, at)[0]
            self.audits.set_case(finding)
        return finding

    # --- evaluations --------------------------------------------------------------------------
    def evaluate(self, who: Principal, quarter: str, cadre_id: str, body: EvaluationIn) -> Evaluation:
        if not who.has(*EVALUATOR_ROLES):
            raise Forbidden("只有组织部或人社局考核人员可以评定等次", code="forbidden")
        refuse_self(Act.EVALUATE, who.cadre_id, cadre_id)
        cadre = self.roster.get_cadre(cadre_id)
        if cadre is None:
            raise NotFound("没有这名干部", code="not_found")
        q = quarter_of(quarter)
        if q.first_day > today(self.clock):
            raise invalid(messages.AUDIT["future_quarter"], ["path", "quarter"], "future_period")
        evaluation = Evaluation(
            quarter=quarter,
            cadre_id=cadre_id,
            unit_id=cadre.unit_id,
            grade=body.grade,
            comment=body.comment,
            by=who.cadre_id,
            at=iso_now(self.clock),
        )
        self.audits.put_evaluation(evaluation)
        return evaluation

    def unit_figures(self, who: Principal, quarter: str, unit_id: str, *, act: str) -> UnitFigures:
        """The quarter's figures of every cadre in post in the unit during it, with the grades given
        so far: one computation for the XLSX sheet and for the app's grading screen. No log text.

        The figures run to yesterday for the quarter under way (today is not owed yet) and to its
        last day once it has ended; a quarter that has not begun has none (422)."""
        if not who.has(*EVALUATOR_ROLES):
            raise Forbidden(f"只有组织部或人社局考核人员可以{act}", code="forbidden")
        unit = self.roster.get_unit(unit_id)
        if unit is None:
            raise NotFound("没有这个单位", code="not_found")
        q = quarter_of(quarter)
        now = today(self.clock)
        if q.first_day > now:
            raise invalid(messages.AUDIT["future_quarter"], ["path", "quarter"], "future_period")
        last = min(q.last_day, now - timedelta(days=1))
        members = [c for c in self.roster.list_unit_members(unit_id) if _in_post(c, q.first_day, last)]
        grades = {e.cadre_id: e for e in self.audits.evaluations_of_unit(quarter, unit_id)}
        rows = [self._sheet_row(c, q.first_day, last, grades.get(c.cadre_id)) for c in members]
        return UnitFigures(
            unit=unit, quarter=quarter, first=q.first_day, last=last, rows=in_roster_order(rows)
        )

    def unit_evaluations(self, who: Principal, quarter: str, unit_id: str) -> UnitEvaluationOut:
        """The grading screen's view of the unit: the sheet's figures and each grade with who gave it."""
        figures = self.unit_figures(who, quarter, unit_id, act="查看考评情况")
        graders = {r.graded_by for r in figures.rows if r.graded_by}
        names = {c.cadre_id: c.name for c in self.roster.get_cadres(graders).values()}
        return UnitEvaluationOut.of(
            quarter=quarter,
            unit_id=unit_id,
            unit_name=figures.unit.name,
            first=figures.first,
            last=figures.last,
            closed=quarter_of(quarter).last_day < today(self.clock),
            rows=figures.rows,
            names=names,
        )

    def unit_sheet(self, who: Principal, quarter: str, unit_id: str) -> bytes:
        figures = self.unit_figures(who, quarter, unit_id, act="导出考评表")
        return evaluation_workbook(
            district=get_settings().district_name,
            unit_name=figures.unit.name,
            quarter=quarter,
            rows=figures.rows,
            generated_at=iso_now(self.clock)[:16].replace("T", " "),
        )

    def _sheet_row(self, cadre: Cadre, first: date, last: date, grade: Evaluation | None) -> SheetRow:
        owed = on_time = late = 0
        views = {
            v["period"]: v
            for v in self.journal.views_between(cadre.cadre_id, "ENTRY", first.isoformat(), last.isoformat())
        }
        d = first
        while d <= last:
            if self.calendar.is_working(d) and cadre.active_on(d):
                owed += 1
                view = views.get(d.isoformat())
                if view is not None:
                    late += 1 if view["late"] else 0
                    on_time += 0 if view["late"] else 1
            d += timedelta(days=1)
        reviews = self.reviews.of_cadre(cadre.cadre_id, first - timedelta(days=first.weekday()), last)
        verdicts = Counter(r.verdict for r in reviews if r.verdict)
        findings = Counter(
            f.result for f in self.audits.findings_of_cadre(cadre.cadre_id) if first <= f.day <= last
        )
        # Cases opened about the cadre over the same days, whatever has become of them since.
        opened = Counter(
            str(c.kind) for c in self.compliance.cases_of(cadre.cadre_id) if first <= c.opened_on <= last
        )
        return SheetRow(
            cadre_id=cadre.cadre_id,
            name=cadre.name,
            title=cadre.title or "",
            owed_days=owed,
            on_time=on_time,
            late=late,
            missing=owed - on_time - late,
            verdicts=dict(verdicts),
            findings=dict(findings),
            cases=dict(opened),
            grade=grade.grade if grade else None,
            comment=grade.comment if grade else "",
            graded_by=grade.by if grade else None,
            graded_at=grade.at if grade else None,
        )


def finding_key(f: Finding) -> str:
    return f"finding:{f.round_id}/{f.cadre_id}/{f.day.isoformat()}/{f.inspector_id}"


def _commitment(r: AuditRound) -> dict[str, Any]:
    """What is published before the draw: the seed's hash, and who asked for the round and why (a
    spot-check's size and unit too), so every draw stands on the public ledger with its reason."""
    spot = {"size": r.size, "unit_id": r.unit_id} if r.kind == "spot" else {}
    return {
        "round_id": r.round_id,
        "kind": r.kind,
        "quarter": r.quarter,
        "first": r.first.isoformat(),
        "last": r.last.isoformat(),
        "seed_hash": r.seed_hash,
        "committed_at": r.committed_at,
        "algorithm": sampling.ALGORITHM,
        "version": sampling.VERSION,
        "requested_by": r.requested_by,
        "reason": mask_personal_data(r.reason),  # public: a phone number in it is masked like in logs
        **spot,
    }


def _reveal(r: AuditRound) -> dict[str, Any]:
    return {
        **_commitment(r),
        "seed": r.seed,
        "snapshot_hash": r.snapshot_hash,
        "drawn_at": r.drawn_at,
        "sampled": r.sampled,
        "drawn_by": r.drawn_by,
        "draw_reason": None if r.draw_reason is None else mask_personal_data(r.draw_reason),
    }


def _in_post(cadre: Cadre, first: date, last: date) -> bool:
    return cadre.active_on(first) or cadre.active_on(last)


def _inspects(cadre: Cadre) -> bool:
    return INSPECTOR_ROLE in cadre.roles


def audit_desk() -> AuditDesk:
    """The desk with the repositories of the environment (handlers)."""
    from worklog.schedules import current_calendar

    roster = RosterRepository()
    return AuditDesk(
        AuditRepository(),
        LedgerStore(),
        EventBus(),
        roster,
        JournalRepository(),
        ComplianceRepository(),
        ReviewRepository(),
        current_calendar(roster),
    )
