"""The nightly missing-entry check (docs/rules.md): who owed what on a date and did not save it.

For the checked date (normally yesterday) it reads the roster, the date's submissions and who was
on leave; writes one missing record per missed obligation (deterministic keys: a second run of the
same date finds the first run's records and writes nothing); reminds exactly those people with an
``EntryMissing`` event; marks missing records of the correction window whose entry has since been
saved as late-submitted; and climbs the ladder: 3 misses in 10 working days open a reminder-talk
case, 3 more within 20 working days after a recorded talk open an accountability case. Dates whose
calendar is provisional remind but never escalate.
"""

from __future__ import annotations

from dataclasses import field, replace
from datetime import date, timedelta
from typing import Any

from worklog.bus import EventBus
from worklog.calendar import WorkingCalendar
from worklog.clock import Clock, iso_now, system_clock
from worklog.compliance.ladder import (
    ACCOUNTABILITY_OPENED,
    DEFAULT_LADDER,
    TALK_OPENED,
    LadderSettings,
    escalate,
    logging_talk,
    needs_accountability,
    needs_reminder_talk,
    open_case,
    opened_event,
    talk_date_of,
    window_start,
)
from worklog.compliance.owed import Obligation, obligations_due_on
from worklog.compliance.repository import ComplianceRepository, MissingRecord
from worklog.errors import Conflict
from worklog.journal.repository import JournalRepository
from worklog.models.cases import Case, CaseKind, CaseState, Subject
from worklog.models.roster import Cadre
from worklog.periods import LockdownPolicy, ObligationPolicy, day_period, half_period, month_period
from worklog.records import datarecord
from worklog.roster.repository import RosterRepository
from worklog.roster.standing import LATE, MISS, Miss, Standing, sweep_update
from worklog.schedules import current_calendar
from worklog.settings import Rules, get_settings

ENTRY_MISSING = "EntryMissing"
# Leave is kept in a cadre's standing this long after it ended: a plan or summary due on the n-th
# working day looks back over every working day since the 1st of its month.
LEAVE_KEPT_DAYS = 62


@datarecord
class CheckSummary:
    date: date
    provisional: bool
    cadres: int = 0
    owed: int = 0
    missing: int = 0
    new_missing: int = 0
    late_submitted: int = 0
    start: str | None = None
    next_from: str | None = None
    talks_opened: list[str] = field(default_factory=list)
    accountability_opened: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "date": self.date.isoformat()}


class MissingEntryCheck:
    """One run of the check: one slice of the roster (all of it unless ``slice_pages`` stops it
    early; the summary's ``next_from`` then says where the next slice starts)."""

    def __init__(
        self,
        *,
        roster: RosterRepository | None = None,
        journal: JournalRepository | None = None,
        compliance: ComplianceRepository | None = None,
        bus: EventBus | None = None,
        calendar: WorkingCalendar | None = None,
        rules: Rules | None = None,
        clock: Clock = system_clock,
        ladder: LadderSettings = DEFAULT_LADDER,
        slice_pages: int | None = None,
        page_items: int | None = None,
    ) -> None:
        """Dependencies by keyword; ``None`` is the production one. ``slice_pages`` and ``page_items``
        cut a run into slices (None: the whole roster in one run)."""
        self.roster = roster or RosterRepository()
        self.journal = journal or JournalRepository()
        self.compliance = compliance or ComplianceRepository()
        self.bus = bus or EventBus()
        self.calendar = calendar or current_calendar()
        self.rules = rules or get_settings().rules
        self.lockdown = LockdownPolicy(self.rules, self.calendar)
        self.clock, self.ladder = clock, ladder
        self.slice_pages, self.page_items = slice_pages, page_items

    def run(self, day: date, start: str | None = None) -> CheckSummary:
        provisional = self.calendar.day(day).provisional
        summary = CheckSummary(day, provisional, start=start)
        part = self.roster.roster_slice(start, max_pages=self.slice_pages, page_items=self.page_items)
        summary.cadres, summary.next_from = len(part.cadres), part.next_from
        standings = part.standings

        def on_leave(cadre_id: str, d: date) -> bool:
            standing = standings.get(cadre_id)
            return standing is not None and standing.on_leave(d)

        # The same rule GET /me asks, with leave from the standings the roster pages carry.
        policy = ObligationPolicy(self.rules, self.calendar)
        obligations = obligations_due_on(day, part.cadres, policy, on_leave)
        summary.owed = len(obligations)
        ranged = start is not None or part.next_from is not None
        missing = self._missing(day, obligations, (part.first_id, part.last_id) if ranged else None)
        summary.missing = len(missing)
        known = {cid: set(s.misses) for cid, s in standings.items()}
        new = [o for o in missing if f"{o.kind}/{o.period}" not in known.get(o.cadre_id, set())]
        now = iso_now(self.clock)
        records = [self._record(o, now) for o in new]
        # Everyone missing something today climbs, not only those first found tonight: a run that
        # stopped after its writes and before the ladder finishes the climb when re-run.
        climbing = [self._record(o, now) for o in missing]
        # Reminders first, then the records: a run interrupted in between sends a reminder twice
        # (same reminder_id, for gateways to drop) rather than never.
        self.bus.publish(ENTRY_MISSING, [self._reminder(r) for r in records])
        groups, marked = self._writes(day, records, standings, now)
        written = self.compliance.write_sweep(groups)
        summary.new_missing = sum(1 for r in records if f"CADRE#{r.cadre_id}|{r.sort_key}" in written)
        summary.late_submitted = marked
        if not provisional and climbing:
            self._climb(day, climbing, standings, {c.cadre_id: c for c in part.cadres}, now, summary)
        return summary

    # --- what is missing ----------------------------------------------------------------------
    def _missing(
        self, day: date, obligations: list[Obligation], ids: tuple[str | None, str | None] | None
    ) -> list[Obligation]:
        first, last = ids or (None, None)
        saved: dict[str, set[str]] = {}
        for partition in sorted({o.partition for o in obligations}):
            saved[partition] = {i["cadre_id"] for i in self.journal.submissions(partition, first, last)}
        return [o for o in obligations if o.cadre_id not in saved[o.partition]]

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
        last_day = self._locks_after(record.kind, record.period)
        return {
            **record.event_fields(),
            "can_still_save_until": last_day.isoformat(),
            "provisional": record.provisional,
        }

    def _locks_after(self, kind: str, period: str) -> date:
        """The last day the missing thing can still be saved (a plan: its month's end + 7 days)."""
        if kind == "plan":
            target = month_period(period)
        elif kind == "summary":
            target = half_period(period)
        else:
            target = day_period(date.fromisoformat(period))
        return self.lockdown.window(target).locks_after

    def _horizon(self, day: date) -> date:
        """The oldest due date any rule still looks at: the ladder's windows and the correction
        window."""
        window = max(self.ladder.talk_window_working_days, self.ladder.after_talk_window_working_days)
        oldest_open = self.lockdown.oldest_open_day(day)
        return min(window_start(day, window, self.calendar), oldest_open)

    def _writes(
        self, day: date, records: list[MissingRecord], standings: dict[str, Standing], now: str
    ) -> tuple[list[list[dict[str, Any]]], int]:
        """Per cadre: new missing records, late-submitted marks (a late save the standing has
        learned of, for a record still missing) and the standing's update — new misses in, marks
        applied, what has aged out removed. Cadres with nothing to change cost nothing."""
        table = get_settings().roster_table
        horizon = self._horizon(day)
        new_by_cadre: dict[str, list[MissingRecord]] = {}
        for r in records:
            new_by_cadre.setdefault(r.cadre_id, []).append(r)
        groups: list[list[dict[str, Any]]] = []
        marked = 0
        for cadre_id in sorted(set(new_by_cadre) | set(standings)):
            standing = standings.get(cadre_id) or Standing(cadre_id)
            actions = [self.compliance.new_missing_action(r) for r in new_by_cadre.get(cadre_id, [])]
            changed = [Miss(r.kind, r.period, r.due, r.provisional) for r in new_by_cadre.get(cadre_id, [])]
            consumed = []
            for miss in standing.misses.values():
                if miss.status == "missing" and miss.period_key in standing.late:
                    sort_key = f"MISS#{miss.due.isoformat()}#{miss.kind}#{miss.period}"
                    actions.append(
                        self.compliance.late_action(cadre_id, sort_key, standing.late[miss.period_key])
                    )
                    changed.append(replace(miss, status="late_submitted"))
                    consumed.append(f"{LATE}{miss.period_key}")
            marked += len(consumed)
            stale = standing.stale(
                leave_before=day - timedelta(days=LEAVE_KEPT_DAYS),
                misses_before=horizon,
                late_until=day,
                # A plan or summary can still be saved (and its miss marked late) weeks after it
                # was due: its miss is kept until its period locks.
                locked=lambda m: self._locks_after(m.kind, m.period) < day,
            )
            kept = {f"{MISS}{m.key}" for m in changed}
            removes = [
                n for n in dict.fromkeys(stale + self._withdrawn(standing) + consumed) if n not in kept
            ]
            if changed or removes:
                groups.append([*actions, {"Update": sweep_update(table, cadre_id, changed, removes)}])
        return groups, marked

    def _withdrawn(self, standing: Standing) -> list[str]:
        """Provisional misses on days the calendar now calls days off: a schedule loaded since
        withdrew their records (worklog.compliance.withdrawal), so the standing forgets them."""
        return [
            f"{MISS}{m.key}"
            for m in standing.misses.values()
            if m.provisional and not self.calendar.is_working(m.due)
        ]

    # --- the ladder ---------------------------------------------------------------------------
    def _climb(
        self,
        day: date,
        records: list[MissingRecord],
        standings: dict[str, Standing],
        cadres: dict[str, Cadre],
        now: str,
        summary: CheckSummary,
    ) -> None:
        """Cadres missing something today climb when the ladder's window holds enough countable
        misses (from their standing, plus today's): only they have their cases read (one Query
        each); everyone else costs nothing more."""
        horizon = self._horizon(day)
        by_cadre: dict[str, dict[str, _Counted]] = {}
        for r in records:
            if r.provisional:
                continue
            standing = standings.get(r.cadre_id)
            window = by_cadre.setdefault(r.cadre_id, {})
            for m in standing.misses.values() if standing else ():
                if not m.provisional and m.due >= horizon:
                    window[m.key] = _Counted(f"{r.cadre_id}/{m.key}", m.due)
            window[f"{r.kind}/{r.period}"] = _Counted(r.record_id, r.due)
        threshold = min(self.ladder.misses_for_talk, self.ladder.misses_after_talk)
        for cadre_id in sorted(c for c, counted in by_cadre.items() if len(counted) >= threshold):
            misses = sorted(by_cadre[cadre_id].values(), key=lambda m: m.due)
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
                fresh = [m for m in misses if m.evidence not in used]
                reason = needs_reminder_talk([m.due for m in fresh], [], day, self.calendar, self.ladder)
                if reason:
                    self._open_talk(day, cadres[cadre_id], reason, fresh, now, summary)

    def _open_talk(
        self,
        day: date,
        cadre: Cadre,
        reason: str,
        misses: list[_Counted],
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
            evidence=[m.evidence for m in misses],
            calendar=self.calendar,
            settings=self.ladder,
        )
        if self.compliance.open_case(case):
            summary.talks_opened.append(case.case_id)
            self.bus.publish(TALK_OPENED, [opened_event(case)])

    def _maybe_accountability(
        self, day: date, talk: Case, misses: list[_Counted], now: str, summary: CheckSummary
    ) -> None:
        reason = needs_accountability(
            [m.due for m in misses], talk_date_of(talk), day, self.calendar, self.ladder, falsification=False
        )
        if not reason:
            return
        talk_day = talk_date_of(talk)
        evidence = [talk.case_id] + [m.evidence for m in misses if talk_day and m.due > talk_day]
        case = open_case(
            CaseKind.ACCOUNTABILITY,
            Subject.LOGGING,
            talk.cadre_id,
            opened_on=day,
            at=now,
            reason=reason,
            evidence=evidence,
        )
        # The case id is deterministic: a run that stopped after opening it finds it and still
        # escalates the talk (which is what keeps another case from opening the next night).
        self.compliance.open_case(case)
        try:
            self.compliance.save_case(
                escalate(talk, at=now, by="system", reason=reason), previous_version=len(talk.history)
            )
        except Conflict:
            return  # someone moved the talk meanwhile: the next night judges it afresh
        summary.accountability_opened.append(case.case_id)
        self.bus.publish(ACCOUNTABILITY_OPENED, [opened_event(case)])


@datarecord(frozen=True)
class _Counted:
    """A miss the ladder counts: its record id and due date."""

    record_id: str
    due: date

    @property
    def evidence(self) -> str:
        return f"miss:{self.record_id}"
