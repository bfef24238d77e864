"""Random audits (双随机) at work (docs/rules.md): rounds asked for on demand, a round's sample for the
Org Dept and the Commission, the inspectors' assignments, sampled reads and findings. Committing and
drawing a round is worklog.audit.rounds; the quarterly run is worklog.audit.quarterly; grading is
worklog.audit.grading.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import date, timedelta

from worklog import messages
from worklog.access import (
    FINDING_ROLE,
    SAMPLE_READERS,
    SPOT_CHECK_ROLES,
    Access,
    Act,
    Door,
    ReadFacts,
    read_access,
    refuse_self,
)
from worklog.access import TEXT as ACCESS_TEXT
from worklog.audit.ledger import LedgerStore
from worklog.audit.rounds import Rounds, quarter_of
from worklog.audit.tables import AuditTables
from worklog.auth.principals import Principal
from worklog.bus import EventBus
from worklog.clock import Clock, iso_now, system_clock, today
from worklog.compliance.cases import CaseService
from worklog.compliance.ladder import open_case
from worklog.compliance.reads import log_read, plan_items_of
from worklog.errors import Conflict, Forbidden, NotFound, RateLimited, invalid
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
    Finding,
    FindingIn,
    FindingOut,
    SampleCadreOut,
    SampleCheckOut,
    SampledEntries,
    SampleInspectorOut,
    SampleProgress,
)
from worklog.models.cases import CaseKind, Subject
from worklog.models.roster import Cadre
from worklog.periods import Quarter
from worklog.settings import Rules, get_settings


class AuditService:
    """Use cases of audits behind HTTP requests. Repositories, ledger, bus, calendar, rules and clock
    are injected; the defaults are the production ones (no client is created before it is used)."""

    def __init__(
        self,
        *,
        tables: AuditTables | None = None,
        ledger: LedgerStore | None = None,
        bus: EventBus | None = None,
        rules: Rules | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.rounds = Rounds(tables=tables, ledger=ledger, bus=bus, clock=clock)
        t = self.rounds.tables
        self.audits, self.roster, self.journal = t.audits, t.roster, t.journal
        self.compliance, self.reviews, self.calendar = t.compliance, t.reviews, t.calendar
        self.bus = self.rounds.bus
        self.rules = rules or get_settings().rules
        self.clock = clock
        self.cases = CaseService(cases=self.compliance, roster=self.roster, bus=self.bus, clock=clock)

    # --- rounds on demand -----------------------------------------------------------------------
    def request(self, who: Principal, body: AuditRequestIn) -> AuditRound:
        """POST /audits: a spot-check now, or a quarter's round drawn on demand."""
        if body.quarter is not None:
            return self._quarter_now(who, body, body.quarter)
        return self._spot_check(who, body)

    def _quarter_now(self, who: Principal, body: AuditRequestIn, quarter: str) -> AuditRound:
        if not who.has(*SAMPLE_READERS):
            raise Forbidden(messages.AUDIT["quarter_draw_forbidden"], code="forbidden")
        q = quarter_of(quarter)
        if q.last_day >= today(self.clock):
            raise invalid(messages.AUDIT["quarter_not_ended"], ["body", "quarter"], "quarter_not_ended")
        stored = self.audits.get_round(q.label)
        if stored is not None and stored.state == "drawn":
            raise Conflict(messages.AUDIT["already_drawn"].format(round_id=q.label), code="already_drawn")
        # A quarter's round has one id and one seed, drawn at most once (draw and mark_drawn
        # refuse a second time): asking again never redraws, so no daily cap is needed here.
        # A round the quarterly run committed keeps its seed; one it never committed is
        # committed now, by the requester and with their reason.
        fresh = self.rounds.quarter_round(q).model_copy(
            update={"requested_by": who.cadre_id, "reason": body.reason}
        )
        r = self.rounds.commit(fresh)
        return self.rounds.draw(r.round_id, who.cadre_id, body.reason)

    def _spot_check(self, who: Principal, body: AuditRequestIn) -> AuditRound:
        if not who.has(*SPOT_CHECK_ROLES):
            raise Forbidden(messages.AUDIT["spot_forbidden"], code="forbidden")
        if body.unit_id and self.roster.get_unit(body.unit_id) is None:
            raise invalid(messages.AUDIT["unknown_unit"], ["body", "unit_id"], "unknown_unit")
        on = today(self.clock)
        q = Quarter.of(on)
        last = on - timedelta(days=1)
        first = q.first_day if q.first_day <= last else Quarter.of(last).first_day
        n = sum(1 for r in self.audits.rounds() if r.round_id.startswith(f"SPOT-{on.isoformat()}-"))
        round_id = f"SPOT-{on.isoformat()}-{n + 1:02d}"
        r = self.rounds.new_round(
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
        cap = self.rules.spot_checks_per_day
        created = self.audits.create_spot_round(r, on.isoformat(), cap)
        if created == "cap":
            raise RateLimited(
                f"您今天（{on.isoformat()}）已发起 {cap} 次随机抽查，达到每日上限；请明天再发起",
                code="spot_check_limit",
            )
        if created == "taken":
            raise Conflict(messages.AUDIT["round_concurrent"], code="concurrent_update")
        self.rounds.commit(r)
        return self.rounds.draw(round_id, who.cadre_id, body.reason)

    # --- a round's sample, for the Org Dept and the Commission --------------------------------
    def round_sample(self, who: Principal, round_id: str) -> AuditSampleOut:
        """GET /audits/{round}/sample: every sampled cadre (name, unit), their sampled days, their
        inspectors and, per inspector and day, the finding's result or pending; with progress counts.
        Days only, never the log's text (reading that is the inspectors' own, recorded, read).

        A round not drawn yet has no sample: 409 ``not_drawn``."""
        if not who.has(*SAMPLE_READERS):
            raise Forbidden(messages.AUDIT["sample_forbidden"], code="forbidden")
        r = self.audits.get_round(round_id)
        if r is None:
            raise NotFound(messages.AUDIT["no_round"], code="not_found")
        if r.state != "drawn":
            raise Conflict(messages.AUDIT["not_drawn"].format(round_id=round_id), code="not_drawn")
        assignments = self.audits.round_assignments(round_id)
        sample = SampleView(
            found={(f.cadre_id, f.day, f.inspector_id): f for f in self.audits.findings_of_round(round_id)},
            people=self.roster.get_cadres(
                {a.cadre_id for a in assignments} | {a.inspector_id for a in assignments}
            ),
            units={u.unit_id: u.name for u in self.roster.list_units()},
        )
        by_cadre: dict[str, list[AuditAssignment]] = defaultdict(list)
        for a in assignments:
            by_cadre[a.cadre_id].append(a)
        cadres = [sample.cadre(cadre_id, parts) for cadre_id, parts in sorted(by_cadre.items())]
        progress = progress_of(cadres, inspectors=len({a.inspector_id for a in assignments}))
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
        journal = JournalService(self.journal, self.calendar, self.rules, self.clock)
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
        if not who.has(FINDING_ROLE):  # assigned earlier, but the role has since been taken away
            raise Forbidden(messages.AUDIT["no_longer_inspector"], code="forbidden")
        a, _ = self.assignment_for(who, round_id, cadre_id)
        if day not in a.entries:
            raise Forbidden(messages.AUDIT["not_in_sample"], code="not_in_sample")
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
            raise Conflict(messages.AUDIT["already_recorded"], code="already_recorded")
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
            finding.case_id = self.cases.open(case, at)[0]
            self.audits.set_case(finding)
        return finding


class SampleView:
    """A drawn round's sample as the Org Dept and the Commission see it: names and units from the
    roster, each check with its finding or pending."""

    def __init__(
        self,
        *,
        found: Mapping[tuple[str, date, str], Finding],
        people: Mapping[str, Cadre],
        units: Mapping[str, str],
    ) -> None:
        self.found, self.people, self.units = found, people, units

    def name(self, cadre_id: str) -> str:
        person = self.people.get(cadre_id)
        return person.name if person else ""

    def check(self, cadre_id: str, day: date, inspector_id: str) -> SampleCheckOut:
        f = self.found.get((cadre_id, day, inspector_id))
        if f is None:
            return SampleCheckOut(
                day=day, result="pending", result_text=FINDING_PENDING_LABEL, recorded_at=None, case_id=None
            )
        return SampleCheckOut(
            day=day,
            result=f.result,
            result_text=FINDING_LABELS[f.result],
            recorded_at=f.recorded_at,
            case_id=f.case_id,
        )

    def cadre(self, cadre_id: str, parts: list[AuditAssignment]) -> SampleCadreOut:
        inspectors = [
            SampleInspectorOut(
                inspector_id=a.inspector_id,
                name=self.name(a.inspector_id),
                unit_id=self.people[a.inspector_id].unit_id if a.inspector_id in self.people else "",
                checks=[self.check(cadre_id, d, a.inspector_id) for d in sorted(a.entries)],
            )
            for a in sorted(parts, key=lambda a: a.inspector_id)
        ]
        unit_id = parts[0].unit_id
        return SampleCadreOut(
            cadre_id=cadre_id,
            name=self.name(cadre_id),
            unit_id=unit_id,
            unit_name=self.units.get(unit_id, ""),
            days=sorted({d for a in parts for d in a.entries}),
            inspectors=inspectors,
        )


def progress_of(cadres: list[SampleCadreOut], *, inspectors: int) -> SampleProgress:
    checks = [c for cadre in cadres for i in cadre.inspectors for c in i.checks]
    results: Counter[str] = Counter(c.result for c in checks if c.result != "pending")
    return SampleProgress(
        cadres=len(cadres),
        inspectors=inspectors,
        checks=len(checks),
        recorded=sum(results.values()),
        pending=len(checks) - sum(results.values()),
        results={code: results[code] for code in FINDING_LABELS},
    )


def finding_key(f: Finding) -> str:
    return f"finding:{f.round_id}/{f.cadre_id}/{f.day.isoformat()}/{f.inspector_id}"
