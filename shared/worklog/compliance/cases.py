"""Cases at work: who may see and act on a case, and the moves the case owners make.

The rules of who holds what (docs/rules.md and docs/access.md; ``worklog.access.holds_case``,
ladder.owner_role_for):

- a reminder-talk case held by ``unit_head`` is acted on by the head of its ``owner_unit_id``;
- one held by ``district_leader`` by any district leader (the leadership holds it as a whole);
- an accountability case by the Discipline Commission and the Org Dept (``discipline_inspector``,
  ``org_inspector``), district-wide;
- the cadre a case is about may read it but never act on it, even when they hold the owner role
  (an org inspector never closes their own accountability case);
- anyone else gets 403.

Every move reads the case, applies a ladder transition stamped with the server clock, and saves it
on the condition that nobody moved it in between (409 otherwise). Nothing is deleted.

``CaseService`` holds the use cases: the owners' reads and moves behind /cases, and the opening of
ladder cases by the weekly reviews and the audits (once, one talk at a time). The case store, the
roster, the event bus and the clock are injected; the defaults are the production ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from worklog import messages
from worklog.access import ACCOUNTABILITY_HOLDERS, holds_case
from worklog.auth.principals import Principal
from worklog.bus import EventBus
from worklog.clock import Clock, iso_now, system_clock, today
from worklog.compliance import ladder
from worklog.compliance.ladder import OPENED_EVENT, opened_event
from worklog.compliance.repository import ComplianceRepository
from worklog.errors import Conflict, Forbidden, NotFound
from worklog.labels import CASE_KIND_LABELS
from worklog.messages import MSG
from worklog.models.cases import Case, CaseKind, CaseMove, CaseOut, CaseState, Subject, TalkIn
from worklog.models.roster import Cadre, Role, Unit
from worklog.observability import logger
from worklog.records import datarecord
from worklog.roster.repository import RosterRepository

TEXT = messages.CASES


class CaseStore(Protocol):
    """What the use cases need of worklog.compliance.repository.ComplianceRepository."""

    def open_case(self, case: Case) -> bool: ...

    def get_case(self, case_id: str) -> Case | None: ...

    def save_case(self, case: Case, *, previous_version: int) -> None: ...

    def cases_owned_by(self, role: str, unit_id: str | None = None) -> list[Case]: ...

    def cases_of(self, cadre_id: str) -> list[Case]: ...


class Roster(Protocol):
    """What presenting cases needs of worklog.roster.repository.RosterRepository."""

    def get_cadres(self, cadre_ids: Iterable[str]) -> Mapping[str, Cadre]: ...

    def list_units(self) -> Iterable[Unit]: ...


class Publisher(Protocol):
    """What the use cases need of worklog.bus.EventBus."""

    def publish(self, detail_type: str, details: Iterable[Mapping[str, Any]]) -> int: ...


@datarecord(frozen=True)
class Escalation:
    case: Case  # the reminder-talk case, escalated
    opened: Case  # the accountability case it opened or joined
    published: bool  # whether AccountabilityCaseOpened reached the bus


# --- who may do what ---------------------------------------------------------------------------


def is_subject(who: Principal, case: Case) -> bool:
    return case.cadre_id == who.cadre_id


def may_act(who: Principal, case: Case) -> bool:
    """Record a talk, escalate, close: the owner side, never the cadre the case is about."""
    return holds_case(who, case) and not is_subject(who, case)


def may_see(who: Principal, case: Case) -> bool:
    return holds_case(who, case) or is_subject(who, case)


def moves(who: Principal, case: Case) -> list[CaseMove]:
    """The moves the caller may make on the case as it stands (the ladder's transitions, for a
    holder who is not the case's cadre), so a client offers exactly those and no others."""
    if not may_act(who, case):
        return []
    talk = case.kind is CaseKind.REMINDER_TALK
    found: list[CaseMove] = []
    if talk and case.state is CaseState.OPEN:
        found.append("talks")
    if talk and case.state in (CaseState.OPEN, CaseState.TALK_RECORDED):
        found.append("escalation")
    if case.state is not CaseState.CLOSED:
        found.append("closure")
    return found


# --- the use cases ------------------------------------------------------------------------------


def _queues(who: Principal, perspectives: Iterable[str]) -> list[tuple[str, str | None]]:
    """The owner queues (owner_role, owner_unit_id; None when district-wide) the caller works from
    in these roles; an inspector of both kinds reads the accountability queue once."""
    queues: set[tuple[str, str | None]] = set()
    for perspective in perspectives:
        if perspective == "unit_head":
            queues.add(("unit_head", who.unit_id))
        elif perspective == "district_leader":
            queues.add(("district_leader", None))
        elif perspective in ACCOUNTABILITY_HOLDERS:
            queues.add(("discipline_inspector", None))
    return sorted(queues, key=lambda q: (q[0], q[1] or ""))


def _newest_first(case: Case) -> tuple[str, str, str]:
    opened_at = case.history[0].at if case.history else ""
    return case.opened_on.isoformat(), opened_at, case.case_id


class CaseService:
    """Use cases of cases: the owners' reads and moves (behind /cases), and opening ladder cases once,
    one talk at a time (the weekly reviews and the audits).

    A new case is stored and announced. A case of the same id (same kind, subject, cadre and day)
    takes the new evidence instead, and so does a talk of the same subject still in progress (open
    or talk recorded): as in the nightly check, a cadre has at most one talk under way per subject.
    """

    ATTEMPTS = 3
    ACTIVE = (CaseState.OPEN, CaseState.TALK_RECORDED)

    def __init__(
        self,
        *,
        cases: CaseStore | None = None,
        roster: Roster | None = None,
        bus: Publisher | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.cases: CaseStore = cases or ComplianceRepository()
        self.roster: Roster = roster or RosterRepository()
        self.bus: Publisher = bus or EventBus()
        self.clock = clock

    # --- reads ---------------------------------------------------------------------------------
    def list_cases(
        self, who: Principal, *, state: CaseState | None = None, role: Role | None = None
    ) -> list[Case]:
        """The cases the caller may act on, and the cases about the caller; newest first.

        ``role`` narrows the list to one perspective: ``cadre`` for the cases about oneself, an owner
        role for the cases one holds in that role (403 if the caller does not have it).
        """
        if role is not None and role != "cadre":
            who.require(role)
        found: dict[str, Case] = {}
        if role in (None, "cadre"):
            for case in self.cases.cases_of(who.cadre_id):
                found[case.case_id] = case
        perspectives = [role] if role is not None else sorted(who.roles)
        for owner_role, unit_id in _queues(who, perspectives):
            for case in self.cases.cases_owned_by(owner_role, unit_id):
                if may_act(who, case):
                    found.setdefault(case.case_id, case)
        listed = [c for c in found.values() if state is None or c.state is state]
        return sorted(listed, key=_newest_first, reverse=True)

    def get_case(self, who: Principal, case_id: str) -> Case:
        """A case with its whole history: 404 if unknown, 403 unless the caller holds it or is its subject."""
        case = self.cases.get_case(case_id)
        if case is None:
            raise NotFound(TEXT["case_not_found"].format(case_id=case_id), code="case_not_found")
        if not may_see(who, case):
            raise Forbidden(TEXT["case_forbidden"], code="case_forbidden")
        return case

    def present(self, who: Principal, found: list[Case]) -> list[CaseOut]:
        """The cases as the caller sees them: each with the name and unit of the cadre it is about
        (as the roster has them now) and the moves the caller may make. One batch read of the
        profiles and one of the units, whatever the number of cases."""
        if not found:
            return []
        people = self.roster.get_cadres({c.cadre_id for c in found})
        units = {u.unit_id: u.name for u in self.roster.list_units()}
        out = []
        for case in found:
            person = people.get(case.cadre_id)
            out.append(
                CaseOut.of(
                    case,
                    cadre_name=person.name if person else "",
                    cadre_unit_name=units.get(person.unit_id, "") if person else "",
                    actions=moves(who, case),
                )
            )
        return out

    def _to_act_on(self, who: Principal, case_id: str) -> Case:
        case = self.get_case(who, case_id)
        if not may_act(who, case):  # may see it but not act: the caller is the cadre it is about
            raise Forbidden(TEXT["own_case"], code="own_case")
        return case

    # --- the owners' moves ---------------------------------------------------------------------
    def record_talk(self, who: Principal, case_id: str, talk: TalkIn) -> Case:
        """OPEN → TALK_RECORDED: the date of the talk, what was said and the cadre's response."""
        case = self._to_act_on(who, case_id)
        talked = ladder.record_talk(
            case,
            at=iso_now(self.clock),
            by=who.cadre_id,
            talk_date=talk.talk_date,
            said=talk.said,
            response=talk.response,
        )
        self.cases.save_case(talked, previous_version=len(case.history))
        return talked

    def close_case(self, who: Principal, case_id: str, reason: str) -> Case:
        """Any state but CLOSED → CLOSED, with the owner's reason."""
        case = self._to_act_on(who, case_id)
        closed = ladder.close(case, at=iso_now(self.clock), by=who.cadre_id, reason=reason)
        self.cases.save_case(closed, previous_version=len(case.history))
        return closed

    def escalate_case(self, who: Principal, case_id: str, reason: str) -> Escalation:
        """A reminder-talk case → ESCALATED, and an accountability case for the Discipline Commission
        and the Org Dept, carrying the evidence over; then ``AccountabilityCaseOpened`` on the bus.

        The accountability case is written before the escalation is saved: its id is deterministic
        (cadre, subject, day), so a retry after a failure in between finds it and saves the
        escalation, whereas the other order could leave an escalated case with nothing opened and no
        way to retry. If an accountability case about the same cadre was opened today already, the
        evidence joins it.
        """
        case = self._to_act_on(who, case_id)
        at = iso_now(self.clock)
        escalated = ladder.escalate(case, at=at, by=who.cadre_id, reason=reason)
        opened = self._open_accountability(escalated, at=at, by=who.cadre_id, reason=reason)
        self.cases.save_case(escalated, previous_version=len(case.history))
        published = self._announce(opened, escalated, by=who.cadre_id, at=at)
        return Escalation(escalated, opened, published)

    def _open_accountability(self, source: Case, *, at: str, by: str, reason: str) -> Case:
        evidence = [*source.evidence, f"CASE#{source.case_id}"]
        fresh = ladder.open_case(
            CaseKind.ACCOUNTABILITY,
            source.subject,
            source.cadre_id,
            opened_on=today(self.clock),
            at=at,
            reason=TEXT["escalated_from"].format(
                kind=CASE_KIND_LABELS[source.kind], case_id=source.case_id, reason=reason.strip()
            ),
            evidence=evidence,
            by=by,
        )
        if self.cases.open_case(fresh):
            return fresh
        existing = self.cases.get_case(fresh.case_id)
        if existing is None:  # pragma: no cover - open_case just found it
            raise RuntimeError(f"case {fresh.case_id} vanished")
        joined = ladder.add_evidence(existing, at=at, by=by, evidence=evidence, note=fresh.reason)
        if joined is not existing:
            self.cases.save_case(joined, previous_version=len(existing.history))
        return joined

    def _announce(self, opened: Case, source: Case, *, by: str, at: str) -> bool:
        """Tell the gateways. The escalation is already stored and stays valid if the bus is down, so
        a failure here is logged for operators instead of failing the request (the case still shows
        in the inspectors' lists). Consumers dedupe on case_id: EventBridge delivers at least once."""
        # The fields every case announcement carries, plus where the escalation came from.
        detail = {**opened_event(opened), "escalated_from": source.case_id, "escalated_by": by, "at": at}
        try:
            self.bus.publish(ladder.ACCOUNTABILITY_OPENED, [detail])
        except Exception:
            logger.exception(
                "event not published", detail_type=ladder.ACCOUNTABILITY_OPENED, case_id=opened.case_id
            )
            return False
        return True

    # --- cases the ladder opens ----------------------------------------------------------------
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
            updated = ladder.add_evidence(existing, at=at, by="system", evidence=evidence)
            if updated is existing:
                return case_id
            try:
                self.cases.save_case(updated, previous_version=len(existing.history))
            except Conflict:
                continue  # moved by someone else in between: read it again
            return case_id
        raise Conflict(MSG["busy"], code="busy")
