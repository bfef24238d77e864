"""The nightly missing-entry check (DESIGN.md §4): who owed what on a date and did not save it.

For the checked date (normally yesterday) it reads the roster, the date's submissions and who was
on leave; writes one missing record per missed obligation (deterministic keys: a second run of the
same date finds the first run's records and writes nothing); reminds exactly those people with an
``EntryMissing`` event; marks missing records of the correction window whose entry has since been
saved as late-submitted; and climbs the ladder: 3 misses in 10 working days open a reminder-talk
case, 3 more within 20 working days after a recorded talk open an accountability case. Dates whose
calendar is provisional remind but never escalate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from worklog.bus import EventBus
from worklog.calendar import WorkingCalendar
from worklog.clock import Clock, iso_now, system_clock
from worklog.compliance.ladder import (
    ACCOUNTABILITY_OPENED,
    DEFAULT_LADDER,
    TALK_OPENED,
    Case,
    CaseKind,
    CaseState,
    LadderSettings,
    Subject,
    escalate,
    logging_talk,
    needs_accountability,
    needs_reminder_talk,
    open_case,
    opened_event,
    talk_date_of,
    window_start,
)
from worklog.compliance.owed import Obligation, OwedKind, obligations_due_on
from worklog.compliance.repository import ComplianceRepository, MissingRecord
from worklog.journal.repository import JournalRepository
from worklog.models.roster import Cadre
from worklog.roster.repository import RosterRepository
from worklog.settings import Rules

ENTRY_MISSING = "EntryMissing"


@dataclass
class CheckSummary:
    date: date
    provisional: bool
    cadres: int = 0
    owed: int = 0
    missing: int = 0
    new_missing: int = 0
    late_submitted: int = 0
    talks_opened: list[str] = field(default_factory=list)
    accountability_opened: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "date": self.date.isoformat()}


class MissingEntryCheck:
    def __init__(
        self,
        roster: RosterRepository,
        journal: JournalRepository,
        compliance: ComplianceRepository,
        bus: EventBus,
        calendar: WorkingCalendar,
        rules: Rules,
        clock: Clock = system_clock,
        ladder: LadderSettings = DEFAULT_LADDER,
    ) -> None:
        self.roster, self.journal, self.compliance, self.bus = roster, journal, compliance, bus
        self.calendar, self.rules, self.clock, self.ladder = calendar, rules, clock, ladder

    def run(self, day: date) -> CheckSummary:
        provisional = self.calendar.day(day).provisional
        summary = CheckSummary(day, provisional)
        cadres = list(self.roster.list_cadres())
        summary.cadres = len(cadres)
        obligations = obligations_due_on(
            day,
            cadres,
            self.calendar,
            self._leave_lookup(),
            plan_due_working_day=self.rules.plan_due_working_day,
            summary_due_working_day=self.rules.summary_due_working_day,
        )
        summary.owed = len(obligations)
        missing = self._missing(day, obligations)
        summary.missing = len(missing)
        # The ladder's window of missing records, one Query per working day: also holds this
        # date's records of an earlier run (so a re-run writes nothing) and the correction window.
        recent = self._recent_records(day)
        known = {r.record_id for r in recent.get(day, [])}
        now = iso_now(self.clock)
        new = [self._record(o, now) for o in missing if f"{o.cadre_id}/{o.kind}/{o.period}" not in known]
        summary.new_missing = len(new)
        self.compliance.put_missing(new)
        self.bus.publish(ENTRY_MISSING, [self._reminder(r) for r in new])
        summary.late_submitted = self._mark_late(day, recent, now)
        if not provisional and new:
            recent[day] = recent.get(day, []) + new
            self._climb(day, {r.cadre_id for r in new}, {c.cadre_id: c for c in cadres}, recent, now, summary)
        return summary

    def _recent_records(self, day: date) -> dict[date, list[MissingRecord]]:
        window = max(
            self.ladder.talk_window_working_days,
            self.ladder.after_talk_window_working_days,
        )
        first = min(
            window_start(day, window, self.calendar), day - timedelta(days=self.rules.correction_window_days)
        )
        found: dict[date, list[MissingRecord]] = {}
        d = first
        while d <= day:
            # Records fall due on working days only, and on the checked date itself.
            if d == day or self.calendar.is_working(d):
                found[d] = self.compliance.missing_due_on(d)
            d += timedelta(days=1)
        return found

    # --- what is missing ----------------------------------------------------------------------
    def _leave_lookup(self) -> Callable[[str, date], bool]:
        by_day: dict[date, dict[str, list[tuple[date, date]]]] = {}

        def on_leave(cadre_id: str, d: date) -> bool:
            if d not in by_day:
                by_day[d] = self.journal.on_leave(d)
            return any(first <= d <= last for first, last in by_day[d].get(cadre_id, []))

        return on_leave

    def _missing(self, day: date, obligations: list[Obligation]) -> list[Obligation]:
        entries = [o for o in obligations if o.kind is OwedKind.ENTRY]
        others = [o for o in obligations if o.kind is not OwedKind.ENTRY]
        saved_entries = {item["cadre_id"] for item in self.journal.submissions_on(day)} if entries else set()
        saved_others = (
            self.journal.views_of([(o.cadre_id, o.period_key) for o in others]) if others else set()
        )
        return [o for o in entries if o.cadre_id not in saved_entries] + [
            o for o in others if (o.cadre_id, o.period_key) not in saved_others
        ]

    @staticmethod
    def _record(o: Obligation, now: str) -> MissingRecord:
        return MissingRecord(
            cadre_id=o.cadre_id,
            unit_id=o.unit_id,
            kind=o.kind.value,
            period=o.period,
            due=o.due,
            provisional=o.provisional,
            detected_at=now,
        )

    def _reminder(self, record: MissingRecord) -> dict[str, Any]:
        last_day = record.due + timedelta(days=self.rules.correction_window_days)
        return {
            "cadre_id": record.cadre_id,
            "unit_id": record.unit_id,
            "kind": record.kind,
            "period": record.period,
            "due": record.due.isoformat(),
            "can_still_save_until": last_day.isoformat(),
            "provisional": record.provisional,
        }

    def _mark_late(self, day: date, recent: dict[date, list[MissingRecord]], now: str) -> int:
        """Missing records of the correction window whose entry has been saved since."""
        first = day - timedelta(days=self.rules.correction_window_days)
        open_records = [
            r for d, records in recent.items() if first <= d < day for r in records if r.status == "missing"
        ]
        if not open_records:
            return 0
        saved = self.journal.views_of([(r.cadre_id, f"{r.kind.upper()}#{r.period}") for r in open_records])
        marked = 0
        for r in open_records:
            if (r.cadre_id, f"{r.kind.upper()}#{r.period}") in saved and self.compliance.mark_late_submitted(
                r, now
            ):
                marked += 1
        return marked

    # --- the ladder ---------------------------------------------------------------------------
    def _climb(
        self,
        day: date,
        cadre_ids: set[str],
        cadres: dict[str, Cadre],
        recent: dict[date, list[MissingRecord]],
        now: str,
        summary: CheckSummary,
    ) -> None:
        """Only cadres with enough countable misses in the window can reach a rung: their cases
        are read (one Query each); everyone else costs nothing more."""
        by_cadre: dict[str, list[MissingRecord]] = {}
        for records in recent.values():
            for r in records:
                if r.cadre_id in cadre_ids and not r.provisional:
                    by_cadre.setdefault(r.cadre_id, []).append(r)
        threshold = min(self.ladder.misses_for_talk, self.ladder.misses_after_talk)
        for cadre_id in sorted(c for c, misses in by_cadre.items() if len(misses) >= threshold):
            misses = sorted(by_cadre[cadre_id], key=lambda m: m.due)
            cases = self.compliance.cases_of(cadre_id)
            used = {e for c in cases for e in c.evidence}
            talk = next(
                (
                    c
                    for c in cases
                    if c.kind is CaseKind.REMINDER_TALK
                    and c.subject is Subject.LOGGING
                    and c.state in (CaseState.OPEN, CaseState.TALK_RECORDED)
                ),
                None,
            )
            if talk is not None and talk.state is CaseState.TALK_RECORDED:
                self._maybe_accountability(day, talk, misses, now, summary)
            elif talk is None:
                fresh = [m for m in misses if _evidence(m) not in used]
                reason = needs_reminder_talk([m.due for m in fresh], [], day, self.calendar, self.ladder)
                if reason:
                    self._open_talk(day, cadres[cadre_id], reason, fresh, now, summary)

    def _open_talk(
        self,
        day: date,
        cadre: Cadre,
        reason: str,
        misses: list[MissingRecord],
        now: str,
        summary: CheckSummary,
    ) -> None:
        case = logging_talk(
            cadre.cadre_id,
            cadre.unit_id,
            of_unit_head="unit_head" in cadre.roles,
            opened_on=day,
            at=now,
            reason=reason,
            evidence=[_evidence(m) for m in misses],
            calendar=self.calendar,
            settings=self.ladder,
        )
        if self.compliance.open_case(case):
            summary.talks_opened.append(case.case_id)
            self.bus.publish(TALK_OPENED, [opened_event(case)])

    def _maybe_accountability(
        self, day: date, talk: Case, misses: list[MissingRecord], now: str, summary: CheckSummary
    ) -> None:
        reason = needs_accountability(
            [m.due for m in misses], talk_date_of(talk), day, self.calendar, self.ladder, falsification=False
        )
        if not reason:
            return
        talk_day = talk_date_of(talk)
        evidence = [talk.case_id] + [_evidence(m) for m in misses if talk_day and m.due > talk_day]
        case = open_case(
            CaseKind.ACCOUNTABILITY,
            Subject.LOGGING,
            talk.cadre_id,
            opened_on=day,
            at=now,
            reason=reason,
            evidence=evidence,
        )
        if self.compliance.open_case(case):
            self.compliance.save_case(
                escalate(talk, at=now, by="system", reason=reason), previous_version=len(talk.history)
            )
            summary.accountability_opened.append(case.case_id)
            self.bus.publish(ACCOUNTABILITY_OPENED, [opened_event(case)])


def _evidence(record: MissingRecord) -> str:
    return f"miss:{record.record_id}"
