"""Review models: weekly assignments and verdicts, another cadre's log read by an authorized reader,
and the read log that tells a cadre who read theirs.

Inputs forbid unknown fields; ``StoredReview`` and ``ReadRecord`` are what the compliance table
holds (worklog.compliance.review_repository); the rest is what the API returns.
"""

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints, field_validator

from worklog.labels import VERDICT_LABELS, describe
from worklog.models.common import MULTI_LINE, Day, Model
from worklog.models.common import ReadPurpose as ReadPurpose
from worklog.models.entries import EntryOut

Verdict = Literal["adequate", "perfunctory", "suspected_falsification"]
ReviewStatus = Literal["open", "done", "overdue"]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), MULTI_LINE]


# --- signals: hints for the reviewer (worklog.compliance.signals) ----------------------------
class SignalKind(StrEnum):
    NEAR_DUPLICATE_DAYS = "near_duplicate_days"
    NEAR_DUPLICATE_COLLEAGUES = "near_duplicate_colleagues"
    NEAR_EMPTY = "near_empty"
    BULK_BACKFILL = "bulk_backfill"


class Signal(Model):
    """A hint for the reviewer about one cadre's log; never a verdict."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: SignalKind
    cadre_id: str = Field(description="the cadre whose log the hint is about")
    days: list[date] = Field(min_length=1, description="the days of that cadre's log the hint concerns")
    score: float | None = Field(
        default=None, ge=0.0, le=1.0, description="similarity (Jaccard index), for duplicate hints only"
    )
    other_cadre_id: str | None = Field(default=None, description="the colleague whose log is similar")
    other_day: date | None = Field(default=None, description="the day of the similar log")
    message: str = Field(description="the hint as the reviewer reads it (Simplified Chinese)")

    @field_validator("score")
    @classmethod
    def _two_decimals(cls, value: float | None) -> float | None:
        return None if value is None else round(value, 2)


# --- stored ---------------------------------------------------------------------------------
class StoredReview(Model):
    """One weekly assignment as the compliance table holds it."""

    assignment_id: str = Field(description="<week_start>#<cadre_id>: deterministic, one per cadre and week")
    reviewer_id: str
    cadre_id: str
    cadre_name: str = Field("", description="the reviewee's name when the week was assigned")
    unit_id: str
    week_start: date = Field(description="Monday of the reviewed week")
    week_end: date = Field(description="Sunday of the reviewed week")
    due: date = Field(description="the review is due by the end of this day (the following Sunday)")
    assigned_at: str
    status: ReviewStatus = "open"
    verdict: Verdict | None = None
    comment: str | None = None
    reviewed_at: str | None = None
    late: bool = Field(False, description="the verdict was recorded after the due date")
    overdue_marked_at: str | None = Field(
        None, description="when the weekly run found it unfinished past its due date (kept once done)"
    )

    @property
    def was_overdue(self) -> bool:
        """Overdue now, or overdue once and reviewed late: either way a week the reviewer missed."""
        return self.status == "overdue" or self.overdue_marked_at is not None


class ReadRecord(Model):
    """One read of a cadre's log by someone else."""

    owner_cadre_id: str = Field(description="whose log was read")
    reader_id: str
    reader_name: str
    reader_roles: list[str]
    purpose: ReadPurpose
    first: date = Field(description="first day of the range read")
    last: date = Field(description="last day of the range read")
    read_at: str = Field(description="server time, ISO 8601")


# --- inputs ---------------------------------------------------------------------------------
class VerdictIn(Model):
    model_config = ConfigDict(extra="forbid")

    verdict: Verdict = Field(description=describe(VERDICT_LABELS))
    comment: Comment = Field(description="the reviewer's comment, 1–2000 characters")


# --- outputs --------------------------------------------------------------------------------
class ReviewOut(Model):
    assignment_id: str
    week_start: date
    week_end: date
    due: date
    cadre_id: str = Field(description="the reviewee")
    cadre_name: str
    unit_id: str
    reviewer_id: str
    status: ReviewStatus = Field(
        description="open → done; open past its due date → overdue (a late verdict → done)"
    )
    verdict: Verdict | None = None
    verdict_text: str | None = Field(
        None, description=f"the verdict as people read it: {describe(VERDICT_LABELS)}"
    )
    comment: str | None = None
    reviewed_at: str | None = None
    late: bool = Field(description="the verdict was recorded after the due date")
    overdue_marked_at: str | None = None


class ReviewList(Model):
    reviews: list[ReviewOut]


class ReviewPlanItem(Model):
    month: str = Field(description="YYYY-MM of the plan the item belongs to")
    id: str
    content: str
    target: str | None = None
    referenced_on: list[date] = Field(description="days of the reviewed week whose entries cite this item")


class ReviewDetail(Model):
    review: ReviewOut
    entries: list[EntryOut] = Field(description="the reviewee's entries of the week (current views)")
    plan_items: list[ReviewPlanItem] = Field(description="items of the monthly plans the week falls in")
    signals: list[Signal] = Field(description="hints for the reviewer, never a verdict")


class VerdictOut(ReviewOut):
    cases: list[str] = Field(
        default_factory=list, description="ids of cases this verdict opened or was added to as evidence"
    )


class CadreEntries(Model):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    cadre_id: str
    from_: date = Field(alias="from")
    to: date
    purpose: ReadPurpose | Literal["own"] = Field(description="why the caller may read it (own: not logged)")
    entries: list[EntryOut]


class ReadOut(Model):
    reader_id: str
    reader_name: str
    reader_roles: list[str]
    purpose: ReadPurpose
    first: date
    last: date
    read_at: str


class ReadList(Model):
    reads: list[ReadOut] = Field(description="newest first")


# --- the weekly run -------------------------------------------------------------------------
class WeeklyRunIn(Model):
    """The scheduled event: empty from the scheduler; ``date`` picks the Monday to run for
    (/_local/run, tests, a manual re-run). Other fields the scheduler may add are ignored."""

    model_config = ConfigDict(extra="ignore")

    date: Day | None = Field(None, description="the Monday the run is for (any day stands for its week)")


class UnreviewedCadre(Model):
    """A cadre left without a reviewer for a week, by id: what the run logs (never the name)."""

    cadre_id: str
    unit_id: str
    week_start: date
    reason: Literal["only_self", "no_leader"] = Field(
        description="only_self: the sole district leader; no_leader: no district leader in post"
    )


class WeeklyRunSummary(Model):
    """What one run of review-assignment did (its return value, and /_local/run's answer)."""

    run_date: date = Field(description="the Monday the run is for")
    week_start: date = Field(description="the week assigned (the one before run_date)")
    week_end: date
    due: date
    assignments: int = Field(description="assignments the roster calls for")
    new_assignments: int = Field(description="written by this run (0 on a re-run)")
    reviewers_notified: int = Field(description="ReviewAssigned events published")
    overdue_week_start: date = Field(description="the week whose unfinished reviews became overdue")
    marked_overdue: int = Field(description="assignments this run marked overdue")
    reminder_talks_opened: list[str] = Field(description="reviewers' reminder-talk cases opened")
    problems: list[str] = Field(description="cadres left without a reviewer, in Chinese")
    unreviewed: list[UnreviewedCadre] = Field(
        default_factory=list, description="the same cadres by id (what the run logs)"
    )
    caught_up_weeks: list[date] = Field(
        default_factory=list, description="earlier weeks no run had assigned, assigned late by this run"
    )
    overdue_weeks: list[date] = Field(
        default_factory=list,
        description="weeks whose unfinished reviews this run checked (and marked) overdue",
    )
