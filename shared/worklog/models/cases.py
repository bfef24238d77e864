"""Case models: what case owners send (a reminder talk, a reason) and what the cases API returns.

Inputs forbid unknown fields. The stored model is ``Case`` (its transitions are the escalation
ladder's, worklog.compliance.ladder); outputs add the Chinese labels a client shows, taken from
``worklog.labels``.
"""

import datetime
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

from worklog import messages
from worklog.labels import CASE_KIND_LABELS, CASE_STATE_LABELS
from worklog.models.common import MULTI_LINE, Day, Model
from worklog.models.roster import Role

# User-facing text lives in worklog.messages; the ladder and the cases name their part TEXT.
TEXT = messages.LADDER
ACTION_TEXT = messages.CASE_ACTIONS


class CaseKind(StrEnum):
    REMINDER_TALK = "reminder_talk"
    ACCOUNTABILITY = "accountability"


class Subject(StrEnum):
    """Whose conduct a case is about: a cadre's own log, or a reviewer's reviews."""

    LOGGING = "logging"
    REVIEWING = "reviewing"


class CaseState(StrEnum):
    OPEN = "open"
    TALK_RECORDED = "talk_recorded"
    ESCALATED = "escalated"
    CLOSED = "closed"


def _iso_timestamp(value: str) -> str:
    datetime.datetime.fromisoformat(value)  # raises ValueError → a pydantic validation error
    return value


CaseAction = Literal["opened", "talk_recorded", "escalated", "closed", "evidence_added"]
IsoTimestamp = Annotated[str, AfterValidator(_iso_timestamp)]


class CaseEvent(Model):
    model_config = ConfigDict(frozen=True, extra="forbid")

    at: IsoTimestamp = Field(description="server time, ISO 8601")
    by: str = Field(min_length=1, description='a cadre id, or "system" for the sweeps')
    action: CaseAction
    note: str
    details: dict[str, str] = Field(default_factory=dict)


class Case(Model):
    model_config = ConfigDict(frozen=True, extra="forbid")

    case_id: str
    kind: CaseKind
    subject: Subject
    cadre_id: str = Field(description="whose conduct the case is about")
    owner_role: Role
    owner_unit_id: str | None = None
    state: CaseState
    opened_on: date
    due: date | None = None
    reason: str
    evidence: list[str] = Field(
        default_factory=list, description="keys of missing records, verdicts, findings"
    )
    history: list[CaseEvent] = Field(default_factory=list)


CaseId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,119}$")]
TalkText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), MULTI_LINE]
TalkResponse = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), MULTI_LINE]
CaseReason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000), MULTI_LINE
]
# The moves on a case, named as their routes are: POST /cases/{case_id}/<move>.
CaseMove = Literal["talks", "escalation", "closure"]

# The ladder labels the moves; opening is not a move but the first event of every case.
_ACTION_TEXT = {"opened": TEXT["note_opened"], **ACTION_TEXT}


class Input(Model):
    model_config = ConfigDict(extra="forbid")


class TalkIn(Input):
    """Body of POST /cases/{case_id}/talks: the reminder talk as it took place."""

    talk_date: Day = Field(description="the day of the talk: not before the case opened, not in the future")
    said: TalkText = Field(description="what was said to the cadre")
    response: TalkResponse = Field(default="", description="the cadre's response")


class ReasonIn(Input):
    """Body of POST /cases/{case_id}/escalation and /closure: why."""

    reason: CaseReason


class CaseEventOut(Model):
    at: str = Field(description="server time, ISO 8601 with +08:00")
    by: str = Field(description='the cadre id who acted, or "system" for the sweeps')
    action: CaseAction
    action_text: str = Field(description="the action in Chinese")
    note: str
    details: dict[str, str] = Field(description="for a talk: talk_date, said, response")

    @classmethod
    def of(cls, event: CaseEvent) -> "CaseEventOut":
        return cls(
            at=event.at,
            by=event.by,
            action=event.action,
            action_text=_ACTION_TEXT[event.action],
            note=event.note,
            details=dict(event.details),
        )


class CaseOut(Model):
    """A case with its whole history, oldest event first."""

    case_id: str
    kind: CaseKind
    kind_text: str = Field(description=" | ".join(CASE_KIND_LABELS.values()))
    subject: Subject = Field(description="logging: the cadre's own log; reviewing: the cadre's reviews")
    cadre_id: str = Field(description="whose conduct the case is about")
    cadre_name: str = Field(description="their name on the roster now; empty if they are no longer on it")
    cadre_unit_name: str = Field(description="the name of their unit now; empty if unknown")
    owner_role: Role = Field(description="who holds the case")
    owner_unit_id: str | None = Field(description="the unit whose head holds it; null when district-wide")
    state: CaseState
    state_text: str = Field(description=" | ".join(CASE_STATE_LABELS.values()))
    opened_on: date
    due: date | None
    reason: str
    evidence: list[str] = Field(description="keys of missing records, verdicts, findings, source cases")
    history: list[CaseEventOut]
    actions: list[CaseMove] = Field(
        description="the moves the caller may make on the case now (empty for the cadre it is about, "
        "and for a closed case)"
    )

    @classmethod
    def of(
        cls,
        case: Case,
        *,
        cadre_name: str = "",
        cadre_unit_name: str = "",
        actions: list[CaseMove] | None = None,
    ) -> "CaseOut":
        return cls(
            case_id=case.case_id,
            kind=case.kind,
            kind_text=CASE_KIND_LABELS[case.kind],
            subject=case.subject,
            cadre_id=case.cadre_id,
            cadre_name=cadre_name,
            cadre_unit_name=cadre_unit_name,
            owner_role=case.owner_role,
            owner_unit_id=case.owner_unit_id,
            state=case.state,
            state_text=CASE_STATE_LABELS[case.state],
            opened_on=case.opened_on,
            due=case.due,
            reason=case.reason,
            evidence=list(case.evidence),
            history=[CaseEventOut.of(e) for e in case.history],
            actions=list(actions or []),
        )


class CaseList(Model):
    cases: list[CaseOut] = Field(description="newest first")


class EscalationOut(Model):
    case: CaseOut = Field(description="the reminder-talk case, now escalated")
    opened: CaseOut = Field(description="the accountability case it opened (or joined, if one was open)")


EvidenceKind = Literal["miss", "review", "finding", "case", "unknown"]


class EvidenceOut(Model):
    key: str
    kind: EvidenceKind
    date: datetime.date | None = Field(
        description="when it happened (due date, reviewed week, sampled day, talk)"
    )
    summary: str = Field(description="one line in Chinese")
    details: dict[str, Any] = Field(default_factory=dict)


class CaseDossier(Model):
    """GET /cases/{case_id}/dossier: the case and its evidence, looked up."""

    case: CaseOut
    evidence: list[EvidenceOut]
    names: dict[str, str] = Field(
        description="cadre id → name on the roster, for everyone the case and its evidence name: the "
        "cadre, who acted in its history, reviewers, inspectors (those no longer on the roster left out)"
    )
