"""The escalation ladder (docs/rules.md): when a case opens, and how a case moves from state to state.

Rules, as pure functions over dates the caller has read:

- 3 misses in 10 working days, or 2 "perfunctory" verdicts in a quarter → a reminder-talk case,
  held by whoever reviews the cadre (the unit head; district leaders for unit heads), due in 5
  working days;
- after the talk, 3 more misses within the 20 working days that follow it, or any "suspected
  falsification" verdict or audit finding → an accountability case for the Discipline Commission;
- a reviewer with 2 overdue review weeks in a quarter → a reminder-talk case with the district
  leaders.

Provisional days never escalate: a date in a year with no official schedule may be wrong about
being a working day, so a miss on it may not be a miss. Every rule below counts the miss days it is
given, and the caller passes only countable ones; ``countable`` drops the provisional ones.

A case is a small state machine (open → talk recorded → escalated or closed). Nothing is deleted:
each transition returns a new ``Case`` with one more history event, and the earlier events are
kept as they were.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from worklog.calendar import WorkingCalendar
from worklog.errors import Conflict, ValidationFailed
from worklog.labels import CASE_KIND_LABELS, CASE_STATE_LABELS, FINDING_LABELS, VERDICT_LABELS
from worklog.models.cases import (
    ACTION_TEXT,
    TEXT,
    Case,
    CaseAction,
    CaseEvent,
    CaseKind,
    CaseState,
    Subject,
)
from worklog.models.roster import Role
from worklog.periods import Quarter
from worklog.records import datarecord


@datarecord(frozen=True)
class LadderSettings:
    misses_for_talk: int = 3
    talk_window_working_days: int = 10
    perfunctory_for_talk: int = 2
    misses_after_talk: int = 3
    after_talk_window_working_days: int = 20
    overdue_reviews_for_talk: int = 2
    talk_due_working_days: int = 5


DEFAULT_LADDER = LadderSettings()


# --- the rules ---------------------------------------------------------------------------------


def countable(days_with_flags: Iterable[tuple[date, bool]]) -> list[date]:
    """The days that may count toward escalation: ``(day, provisional)`` pairs minus provisional ones."""
    return sorted(day for day, provisional in days_with_flags if not provisional)


def window_start(on: date, window_working_days: int, calendar: WorkingCalendar) -> date:
    """The first of the last ``window_working_days`` working days ending on ``on`` (inclusive)."""
    if window_working_days < 1:
        raise ValueError("a window holds at least one working day")
    d, counted = on, 0
    while True:
        if calendar.is_working(d):
            counted += 1
            if counted == window_working_days:
                return d
        d -= timedelta(days=1)


def misses_in_window(
    miss_days: Iterable[date], on: date, window_working_days: int, calendar: WorkingCalendar
) -> list[date]:
    """The misses among the last ``window_working_days`` working days ending on ``on`` (inclusive).

    One date per missing record, so a day that missed both its entry and the month's plan counts
    twice. Holidays and weekends do not use up the window. Pass countable (non-provisional) days.
    """
    start = window_start(on, window_working_days, calendar)
    return sorted(d for d in miss_days if start <= d <= on)


def needs_reminder_talk(
    miss_days: Iterable[date],
    perfunctory_verdict_days: Iterable[date],
    on: date,
    calendar: WorkingCalendar,
    settings: LadderSettings = DEFAULT_LADDER,
    *,
    quarter_of_on: Quarter | None = None,
) -> str | None:
    """Why a reminder talk is due on ``on`` (Chinese, for the case), or None.

    ``miss_days`` must be countable (provisional ones dropped, see ``countable``) and should not
    include misses already used as evidence by an earlier reminder-talk case, or one run of misses
    would open a case every night for as long as it stays in the window. ``perfunctory_verdict_days``
    holds one date per verdict (two verdicts on one day count twice); only those in the quarter of
    ``on`` (or ``quarter_of_on`` when given) and not after ``on`` count.
    """
    reasons: list[str] = []
    misses = misses_in_window(miss_days, on, settings.talk_window_working_days, calendar)
    if len(misses) >= settings.misses_for_talk:
        reasons.append(
            TEXT["talk_for_misses"].format(
                window=settings.talk_window_working_days, count=len(misses), days=_dates(misses)
            )
        )
    quarter = quarter_of_on or Quarter.of(on)
    verdicts = sorted(d for d in perfunctory_verdict_days if d in quarter and d <= on)
    if len(verdicts) >= settings.perfunctory_for_talk:
        reasons.append(
            TEXT["talk_for_perfunctory"].format(
                quarter=quarter.text,
                verdict=VERDICT_LABELS["perfunctory"],
                count=len(verdicts),
                days=_dates(verdicts),
            )
        )
    return "；".join(reasons) or None


def needs_accountability(
    miss_days_after_talk: Iterable[date],
    talk_day: date | None,
    on: date,
    calendar: WorkingCalendar,
    settings: LadderSettings = DEFAULT_LADDER,
    *,
    falsification: bool,
) -> str | None:
    """Why an accountability case is due on ``on`` (Chinese), or None.

    ``falsification`` (a "suspected falsification" verdict or an audit finding) is enough on its
    own, talk or no talk. Otherwise it takes a recorded talk and then ``misses_after_talk`` misses
    in the ``after_talk_window_working_days`` working days *following* the talk day: a fixed
    probation that starts with the talk, so misses on or before the talk day never count, and once
    the probation is over the cadre is back on the ordinary ladder. Pass countable miss days only.
    """
    if falsification:
        return TEXT["accountability_for_falsification"].format(
            verdict=VERDICT_LABELS["suspected_falsification"], finding=FINDING_LABELS["falsified"]
        )
    if talk_day is None or on <= talk_day:
        return None
    window = settings.after_talk_window_working_days
    end = min(on, calendar.add_working_days(talk_day, window))
    misses = sorted(d for d in miss_days_after_talk if talk_day < d <= end)
    if len(misses) < settings.misses_after_talk:
        return None
    return TEXT["accountability_for_misses"].format(
        talk_day=talk_day.isoformat(), window=window, count=len(misses), days=_dates(misses)
    )


def reviewer_needs_talk(
    overdue_week_starts: Iterable[date],
    on: date,
    settings: LadderSettings = DEFAULT_LADDER,
    *,
    quarter_of_on: Quarter | None = None,
) -> str | None:
    """Why a reviewer's reminder talk is due on ``on`` (Chinese), or None.

    A week counts once however many of its assignments were overdue, and belongs to the quarter
    its Monday is in.
    """
    quarter = quarter_of_on or Quarter.of(on)
    weeks = sorted({w for w in overdue_week_starts if w in quarter and w <= on})
    if len(weeks) < settings.overdue_reviews_for_talk:
        return None
    return TEXT["talk_for_overdue_reviews"].format(
        quarter=quarter.text, count=len(weeks), weeks=_dates(weeks)
    )


def talk_due(
    opened_on: date,
    calendar: WorkingCalendar,
    settings: LadderSettings = DEFAULT_LADDER,
) -> date:
    """A reminder talk is due ``talk_due_working_days`` working days after the case opens."""
    return calendar.add_working_days(opened_on, settings.talk_due_working_days)


def _dates(days: Iterable[date]) -> str:
    return "、".join(d.isoformat() for d in days)


# --- cases -------------------------------------------------------------------------------------


class InvalidTransition(Conflict):
    """A case cannot make this move from its current state (409)."""

    code = "invalid_transition"


_KIND_CODE = {CaseKind.REMINDER_TALK: "RT", CaseKind.ACCOUNTABILITY: "AC"}
_SUBJECT_CODE = {Subject.LOGGING: "LOG", Subject.REVIEWING: "REV"}


def case_id(kind: CaseKind, subject: Subject, cadre_id: str, opened_on: date) -> str:
    """Deterministic, so a sweep run twice on one day opens nothing new (``RT-LOG-c0001-2026-11-20``)."""
    return f"{_KIND_CODE[kind]}-{_SUBJECT_CODE[subject]}-{cadre_id}-{opened_on.isoformat()}"


def owner_role_for(kind: CaseKind, subject: Subject, *, of_unit_head: bool = False) -> Role:
    """Who holds the case: the cadre's reviewer for a talk (district leaders for unit heads and for
    reviewers), the Discipline Commission for accountability."""
    if kind is CaseKind.ACCOUNTABILITY:
        return "discipline_inspector"
    if subject is Subject.REVIEWING or of_unit_head:
        return "district_leader"
    return "unit_head"


def open_case(
    kind: CaseKind,
    subject: Subject,
    cadre_id: str,
    *,
    opened_on: date,
    at: str,
    reason: str,
    evidence: Iterable[str] = (),
    due: date | None = None,
    owner_role: Role | None = None,
    owner_unit_id: str | None = None,
    by: str = "system",
) -> Case:
    """A new case in state OPEN with its "opened" event; ``owner_role`` defaults to ``owner_role_for``."""
    return Case(
        case_id=case_id(kind, subject, cadre_id, opened_on),
        kind=kind,
        subject=subject,
        cadre_id=cadre_id,
        owner_role=owner_role or owner_role_for(kind, subject),
        owner_unit_id=owner_unit_id,
        state=CaseState.OPEN,
        opened_on=opened_on,
        due=due,
        reason=reason,
        evidence=list(dict.fromkeys(evidence)),
        history=[
            CaseEvent(at=at, by=by, action="opened", note=TEXT["note_opened"], details={"reason": reason})
        ],
    )


def record_talk(case: Case, *, at: str, by: str, talk_date: date, said: str, response: str) -> Case:
    """OPEN → TALK_RECORDED, for reminder-talk cases only."""
    if case.kind is not CaseKind.REMINDER_TALK:
        raise InvalidTransition(
            TEXT["talk_only_for_reminder"].format(case_id=case.case_id, kind=CASE_KIND_LABELS[case.kind])
        )
    _require_state(case, "talk_recorded", CaseState.OPEN)
    if not said.strip():
        raise ValidationFailed(TEXT["talk_content_required"], code="talk_content_required")
    if talk_date < case.opened_on:
        raise ValidationFailed(
            TEXT["talk_date_before_opening"].format(opened_on=case.opened_on.isoformat()),
            code="bad_talk_date",
        )
    if talk_date > datetime.fromisoformat(at).date():
        raise ValidationFailed(TEXT["talk_date_in_future"], code="bad_talk_date")
    details = {"talk_date": talk_date.isoformat(), "said": said.strip(), "response": response.strip()}
    return _append(
        case, at, by, "talk_recorded", TEXT["note_talk_recorded"], details, CaseState.TALK_RECORDED
    )


def escalate(case: Case, *, at: str, by: str, reason: str) -> Case:
    """OPEN or TALK_RECORDED → ESCALATED; the caller opens the accountability case."""
    if case.kind is not CaseKind.REMINDER_TALK:
        raise InvalidTransition(
            TEXT["escalate_only_reminder"].format(case_id=case.case_id, kind=CASE_KIND_LABELS[case.kind])
        )
    _require_state(case, "escalated", CaseState.OPEN, CaseState.TALK_RECORDED)
    note = _required_reason(reason, "escalated")
    return _append(case, at, by, "escalated", note, {}, CaseState.ESCALATED)


def close(case: Case, *, at: str, by: str, reason: str) -> Case:
    """Any state but CLOSED → CLOSED, always with a reason."""
    _require_state(case, "closed", CaseState.OPEN, CaseState.TALK_RECORDED, CaseState.ESCALATED)
    note = _required_reason(reason, "closed")
    return _append(case, at, by, "closed", note, {}, CaseState.CLOSED)


def add_evidence(case: Case, *, at: str, by: str, evidence: Iterable[str], note: str = "") -> Case:
    """Attach more evidence keys to a case that is not closed; keys it already holds are ignored, and
    a call that adds nothing returns the case unchanged (a re-run sweep records nothing new)."""
    _require_state(case, "evidence_added", CaseState.OPEN, CaseState.TALK_RECORDED, CaseState.ESCALATED)
    new = [key for key in dict.fromkeys(evidence) if key not in case.evidence]
    if not new:
        return case
    details = {"evidence": ",".join(new)}
    updated = _append(case, at, by, "evidence_added", note.strip() or TEXT["note_evidence_added"], details)
    return updated.model_copy(update={"evidence": [*case.evidence, *new]})


def talk_date_of(case: Case) -> date | None:
    """The date of the recorded talk, which starts the after-talk window of ``needs_accountability``."""
    for event in reversed(case.history):
        if event.action == "talk_recorded":
            return date.fromisoformat(event.details["talk_date"])
    return None


def _require_state(case: Case, action: CaseAction, *allowed: CaseState) -> None:
    if case.state not in allowed:
        raise InvalidTransition(
            TEXT["invalid_transition"].format(
                case_id=case.case_id, state=CASE_STATE_LABELS[case.state], action=ACTION_TEXT[action]
            )
        )


def _required_reason(reason: str, action: CaseAction) -> str:
    if not reason.strip():
        raise ValidationFailed(
            TEXT["reason_required"].format(action=ACTION_TEXT[action]),
            code="reason_required",
            details=[{"loc": ["body", "reason"], "msg": "reason required", "type": "reason_required"}],
        )
    return reason.strip()


def _append(
    case: Case,
    at: str,
    by: str,
    action: CaseAction,
    note: str,
    details: dict[str, str],
    state: CaseState | None = None,
) -> Case:
    event = CaseEvent(at=at, by=by, action=action, note=note, details=details)
    update: dict[str, object] = {"history": [*case.history, event]}
    if state is not None:
        update["state"] = state
    return case.model_copy(update=update)


def logging_talk(
    cadre_id: str,
    unit_id: str,
    *,
    of_unit_head: bool,
    opened_on: date,
    at: str,
    reason: str,
    evidence: Iterable[str],
    calendar: WorkingCalendar,
    settings: LadderSettings = DEFAULT_LADDER,
) -> Case:
    """A reminder-talk case about a cadre's own log: held by the head of the cadre's unit, or by
    the district leaders when the cadre is a unit head; due ``talk_due_working_days`` later."""
    return open_case(
        CaseKind.REMINDER_TALK,
        Subject.LOGGING,
        cadre_id,
        opened_on=opened_on,
        at=at,
        reason=reason,
        evidence=evidence,
        due=talk_due(opened_on, calendar, settings),
        owner_role=owner_role_for(CaseKind.REMINDER_TALK, Subject.LOGGING, of_unit_head=of_unit_head),
        owner_unit_id=None if of_unit_head else unit_id,
    )


# --- announcing cases -----------------------------------------------------------------------
TALK_OPENED = "ReminderTalkOpened"
ACCOUNTABILITY_OPENED = "AccountabilityCaseOpened"
OPENED_EVENT: dict[CaseKind, str] = {
    CaseKind.REMINDER_TALK: TALK_OPENED,
    CaseKind.ACCOUNTABILITY: ACCOUNTABILITY_OPENED,
}


def opened_event(case: Case) -> dict[str, object]:
    """The detail every ReminderTalkOpened / AccountabilityCaseOpened event carries."""
    return {
        "case_id": case.case_id,
        "kind": str(case.kind),
        "subject": str(case.subject),
        "cadre_id": case.cadre_id,
        "owner_role": case.owner_role,
        "owner_unit_id": case.owner_unit_id,
        "opened_on": case.opened_on.isoformat(),
        "due": case.due.isoformat() if case.due else None,
        "reason": case.reason,
        "evidence": list(case.evidence),
    }
