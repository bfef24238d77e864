"""Audit models (双随机): rounds, inspectors' assignments, findings, quarterly evaluations.

Stored models carry what the repository writes; ``…In`` models are request bodies (unknown fields
forbidden); ``…Out`` models are what the API returns. A round's seed is never returned before its
draw has been published.
"""

from datetime import date
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from worklog.labels import FINDING_LABELS, FINDING_PENDING_LABEL, GRADE_LABELS, describe
from worklog.models.audit_keys import ledger_folder
from worklog.models.common import MULTI_LINE, ONE_LINE, YEARS, Model
from worklog.models.grades import Grade, SheetRow, on_time_rate, quarter_label
from worklog.models.reviews import CadreEntries, ReviewPlanItem

Quarter = Annotated[str, StringConstraints(pattern=rf"^{YEARS}-Q[1-4]$")]
RoundId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,59}$")]
FindingResult = Literal["verified", "discrepancy", "falsified"]
RoundKind = Literal["quarterly", "spot"]
RoundState = Literal["committed", "drawn"]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), MULTI_LINE]
EvidenceRef = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), ONE_LINE]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), MULTI_LINE]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), MULTI_LINE]
CadreRef = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")]

SPOT_MAX = 200


class AuditRound(Model):
    """A round as stored (the seed stays private until ``state`` is drawn)."""

    round_id: str
    kind: RoundKind
    quarter: str
    first: date
    last: date
    state: RoundState = "committed"
    seed: str
    seed_hash: str
    committed_at: str
    requested_by: str
    reason: str = ""
    size: int | None = None
    unit_id: str | None = None
    drawn_at: str | None = None
    snapshot_hash: str | None = None
    algorithm: str | None = None
    version: str | None = None
    sampled: int | None = None
    drawn_by: str | None = Field(None, description='who had it drawn ("system": the quarterly run)')
    draw_reason: str | None = Field(None, description="why it was drawn then (published in the reveal)")


class AuditAssignment(Model):
    """One inspector's part of a round: one sampled cadre and the entries to check."""

    round_id: str
    inspector_id: str
    cadre_id: str
    unit_id: str
    quarter: str
    entries: list[date]
    assigned_at: str


class Finding(Model):
    round_id: str
    cadre_id: str
    day: date
    inspector_id: str
    result: FindingResult
    note: str
    evidence_ref: str = ""
    recorded_at: str
    case_id: str | None = None


class Evaluation(Model):
    quarter: str
    cadre_id: str
    unit_id: str
    grade: Grade
    comment: str = ""
    by: str
    at: str


# --- inputs ---------------------------------------------------------------------------------
class Input(Model):
    model_config = ConfigDict(extra="forbid")


class AuditRequestIn(Input):
    """Body of POST /audits: a spot-check now (``size``, optionally one unit), or the quarterly round
    of ``quarter`` drawn on demand."""

    quarter: Quarter | None = Field(None, description="draw this quarter's round now (after it ended)")
    size: int | None = Field(None, ge=1, le=SPOT_MAX, strict=True, description="spot-check: how many cadres")
    unit_id: CadreRef | None = Field(None, description="spot-check: only this unit")
    reason: Reason = Field(description="why (recorded and published)")

    @model_validator(mode="after")
    def _one_kind(self) -> "AuditRequestIn":
        if (self.quarter is None) == (self.size is None):
            raise ValueError("give either quarter or size")
        if self.quarter is not None and self.unit_id is not None:
            raise ValueError("unit_id is for spot-checks only")
        return self


class FindingIn(Input):
    result: FindingResult = Field(description=describe(FINDING_LABELS))
    note: Note = Field(description="what the inspector found")
    evidence_ref: EvidenceRef = Field("", description="where the evidence is kept (file no., archive ref)")


class EvaluationIn(Input):
    grade: Grade = Field(description=describe(GRADE_LABELS))
    comment: Comment = ""


# --- outputs --------------------------------------------------------------------------------
class AuditRoundOut(Model):
    round_id: str
    kind: RoundKind
    quarter: str
    first: date
    last: date
    state: RoundState
    seed_hash: str = Field(description="SHA-256 of the seed, published before the draw")
    seed: str | None = Field(description="revealed with the draw; null before")
    committed_at: str
    drawn_at: str | None
    snapshot_hash: str | None
    algorithm: str | None
    version: str | None
    sampled: int | None
    reason: str = Field(description="why the round was asked for (published in its commitment)")
    draw_reason: str | None = Field(
        None, description="why it was drawn when it was (a quarter drawn on demand; published in the reveal)"
    )
    ledger_prefix: str = Field(description="where the round's files are in the ledger bucket")

    @classmethod
    def of(cls, r: AuditRound) -> "AuditRoundOut":
        return cls(
            **r.model_dump(exclude={"seed", "requested_by", "size", "unit_id", "drawn_by"}),
            seed=r.seed if r.state == "drawn" else None,
            ledger_prefix=ledger_folder(r.round_id),
        )


class AuditRoundList(Model):
    rounds: list[AuditRoundOut]


class SampleCheckOut(Model):
    """One inspector's check of one sampled day: the finding's result, or pending."""

    day: date
    result: FindingResult | Literal["pending"]
    result_text: str = Field(description=f"{describe(FINDING_LABELS)} | pending {FINDING_PENDING_LABEL}")
    recorded_at: str | None = Field(description="when the finding was recorded; null while pending")
    case_id: str | None = Field(description="the accountability case a falsified finding opened")


class SampleInspectorOut(Model):
    inspector_id: str
    name: str
    unit_id: str
    checks: list[SampleCheckOut] = Field(description="one per sampled day, oldest first")


class SampleCadreOut(Model):
    cadre_id: str
    name: str
    unit_id: str = Field(description="the cadre's unit when the round was drawn")
    unit_name: str
    days: list[date] = Field(description="the sampled days of the cadre's log")
    inspectors: list[SampleInspectorOut]


class SampleProgress(Model):
    cadres: int = Field(description="sampled cadres")
    inspectors: int = Field(description="inspectors with a part in the round")
    checks: int = Field(description="inspector × sampled day: findings the round calls for")
    recorded: int
    pending: int
    results: dict[str, int] = Field(description="recorded findings per result code (every code, 0 included)")


class AuditSampleOut(Model):
    """A drawn round's sample and the state of its findings (no log text: the days, not the entries)."""

    round: AuditRoundOut
    progress: SampleProgress
    cadres: list[SampleCadreOut] = Field(description="sampled cadres by id")


class FindingOut(Model):
    round_id: str
    cadre_id: str
    day: date
    inspector_id: str
    result: FindingResult
    result_text: str
    note: str
    evidence_ref: str
    recorded_at: str
    case_id: str | None

    @classmethod
    def of(cls, f: Finding) -> "FindingOut":
        return cls(**f.model_dump(), result_text=FINDING_LABELS[f.result])


class AssignmentOut(Model):
    round_id: str
    quarter: str
    cadre_id: str
    cadre_name: str = Field(description="the sampled cadre's name on the roster")
    unit_id: str = Field(description="the cadre's unit when the round was drawn")
    unit_name: str
    entries: list[date]
    findings: list[FindingOut]


class SampledEntries(CadreEntries):
    """The audit door's answer: the sampled days of the cadre's log, and beside them the monthly plans
    of those days' months (the inspector has no other door to the plan)."""

    plan_items: list[ReviewPlanItem] = Field(
        description="items of the cadre's monthly plans for the sampled days' months; referenced_on: the "
        "sampled days whose entries cite the item"
    )


class AssignmentList(Model):
    assignments: list[AssignmentOut]


class EvaluationOut(Model):
    quarter: str
    cadre_id: str
    unit_id: str
    grade: Grade
    grade_text: str
    comment: str
    by: str
    at: str

    @classmethod
    def of(cls, e: Evaluation) -> "EvaluationOut":
        return cls(**e.model_dump(), grade_text=GRADE_LABELS[e.grade])


class VerdictCounts(Model):
    """Weekly review verdicts on the cadre's weeks of the quarter, by verdict."""

    adequate: int = 0
    perfunctory: int = 0
    suspected_falsification: int = 0


class FindingCounts(Model):
    """Audit findings on the cadre's days of the quarter, by result."""

    verified: int = 0
    discrepancy: int = 0
    falsified: int = 0


class CaseCounts(Model):
    """Cases opened about the cadre over the quarter's days counted, by kind (whatever their state now)."""

    reminder_talk: int = 0
    accountability: int = 0


class CadreQuarterOut(Model):
    """One cadre's quarter as the evaluation sheet counts it, and the grade given so far. No log text."""

    cadre_id: str
    name: str
    title: str
    owed_days: int = Field(description="working days in post the cadre owed an entry for")
    on_time: int
    late: int = Field(description="entries saved after their day (补记)")
    missing: int
    on_time_rate: str = Field(description="on time per day owed, as on the sheet: 92.3%, or — when none owed")
    verdicts: VerdictCounts
    findings: FindingCounts
    cases: CaseCounts
    grade: Grade | None = Field(description=f"null until graded; {describe(GRADE_LABELS)}")
    grade_text: str | None
    comment: str
    graded_by: str | None = Field(description="cadre id of who gave the grade")
    graded_by_name: str | None
    graded_at: str | None

    @classmethod
    def of(cls, row: SheetRow, names: dict[str, str]) -> "CadreQuarterOut":
        return cls(
            cadre_id=row.cadre_id,
            name=row.name,
            title=row.title,
            owed_days=row.owed_days,
            on_time=row.on_time,
            late=row.late,
            missing=row.missing,
            on_time_rate=on_time_rate(row),
            verdicts=VerdictCounts(**row.verdicts),
            findings=FindingCounts(**row.findings),
            cases=CaseCounts(**row.cases),
            grade=row.grade,
            grade_text=GRADE_LABELS[row.grade] if row.grade else None,
            comment=row.comment,
            graded_by=row.graded_by,
            graded_by_name=names.get(row.graded_by) if row.graded_by else None,
            graded_at=row.graded_at,
        )


class UnitEvaluationOut(Model):
    """A unit's quarter for its evaluators: the figures of the evaluation sheet per cadre, in roster
    order (never ranked), with the grades given so far."""

    quarter: str
    quarter_text: str = Field(description="2026年第三季度")
    unit_id: str
    unit_name: str
    first: date = Field(description="the quarter's first day")
    last: date = Field(
        description="the figures run through this day: yesterday while the quarter is under way"
    )
    closed: bool = Field(description="the quarter has ended")
    cadres: list[CadreQuarterOut]

    @classmethod
    def of(
        cls,
        *,
        quarter: str,
        unit_id: str,
        unit_name: str,
        first: date,
        last: date,
        closed: bool,
        rows: list[SheetRow],
        names: dict[str, str],
    ) -> "UnitEvaluationOut":
        return cls(
            quarter=quarter,
            quarter_text=quarter_label(quarter),
            unit_id=unit_id,
            unit_name=unit_name,
            first=first,
            last=last,
            closed=closed,
            cadres=[CadreQuarterOut.of(r, names) for r in rows],
        )
