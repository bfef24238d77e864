"""View models of the public disclosure site: exactly what each page shows, nothing more.

The publisher builds them from the stored records after the disclosure policy has been applied
(internal items already replaced by their placeholder, private fields dropped); ``render`` turns
them into HTML. They are frozen: a page is a pure function of its view model, so identical inputs
give byte-identical pages.
"""

import re
from datetime import date
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field, field_validator

from worklog.models.common import Model

Status = Literal["done", "in_progress", "not_done"]

_HOST = re.compile(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


def web_origin(url: str) -> str:
    """The origin (scheme://host[:port]) of a plain http(s) address; ValueError for anything else.

    A feedback address becomes a form action and a CSP source, so nothing but a plain web address
    will do (no ``javascript:``, no credentials, no spaces or quotes that could end the policy).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not _HOST.fullmatch(parts.netloc):
        raise ValueError(f"not a plain http(s) address: {url!r}")
    if any(c.isspace() or c in "\"'<>`;," for c in url):
        raise ValueError(f"not a plain http(s) address: {url!r}")
    return f"{parts.scheme}://{parts.netloc.lower()}"


class _View(Model):
    model_config = ConfigDict(frozen=True)


class ItemView(_View):
    content: str | None
    status: Status | None
    internal: bool = False
    plan_item_id: str | None = None


class RevisionView(_View):
    revision: int
    saved_at: str
    reason: str | None
    hash: str
    late: bool


class EntryView(_View):
    date: date
    state: Literal["saved", "missing", "leave", "not_owed"]  # not_owed: weekend/holiday/not in post
    items: list[ItemView] = Field(default_factory=list)
    mistakes: str | None = None
    reflections: str | None = None
    late: bool = False  # shown as 补记
    amended: bool = False  # shown as 修订, with the reasons of later revisions
    # all revisions, oldest first; linked to the revision history
    revisions: list[RevisionView] = Field(default_factory=list)


class PlanItemView(_View):
    id: str
    content: str | None
    target: str | None = None
    progress: Literal["done", "in_progress", "not_started"]


class PlanView(_View):
    month: str
    items: list[PlanItemView]
    late: bool = False
    amended: bool = False
    revisions: list[RevisionView] = Field(default_factory=list)


class SummaryView(_View):
    half: str
    achievements: str
    problems: str
    next_steps: str
    late: bool = False
    amended: bool = False
    revisions: list[RevisionView] = Field(default_factory=list)


class CadreRef(_View):
    cadre_id: str
    name: str
    title: str = ""


class CadreMonthPage(_View):
    district: str
    cadre: CadreRef
    unit_id: str
    unit_name: str
    month: str  # "2026-11"
    months: list[str]  # every published month of this cadre, newest first (navigation)
    entries: list[EntryView]  # one per day of the month up to the publication date, ascending
    plan: PlanView | None
    summaries: list[SummaryView]  # those whose half-year ends in or before this month
    seq: int  # the cadre's public chain position …
    head: str  # … and head (for verification)


class CadreIndexPage(_View):
    district: str
    cadre: CadreRef
    unit_id: str
    unit_name: str
    months: list[str]
    seq: int
    head: str


class RevisionsPage(_View):
    district: str
    cadre: CadreRef
    period_key: str  # "ENTRY-2026-11-20", "PLAN-2026-11", "SUMMARY-2026-H2"
    period_label: str
    revisions: list[tuple[RevisionView, dict[str, Any]]]  # each revision with its public body


class MonthFigure(_View):
    """Per unit, in person-days."""

    month: str
    owed: int
    on_time: int
    late: int
    missing: int


class UnitPage(_View):
    district: str
    unit_id: str
    name: str
    category: str
    members: list[CadreRef]
    figures: list[MonthFigure]  # oldest first


class UnitRef(_View):
    unit_id: str
    name: str
    category: str
    members: int


class NoticeView(_View):
    notice_id: str
    candidate: CadreRef
    unit_name: str
    current_post: str
    proposed_post: str
    start: date
    end: date
    state: Literal["open", "closed", "upcoming"]
    feedback_url: str  # absolute URL of the public feedback endpoint for this notice (form action)
    months: list[str]  # the candidate's published months of the last 12 months
    on_time_rate: str  # e.g. "96.2%"
    verdicts: dict[str, int] = Field(default_factory=dict)
    findings: dict[str, int] = Field(default_factory=dict)
    withdrawn: bool = False  # the candidate left and their log is no longer public

    @field_validator("feedback_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        web_origin(value)
        return value


class AuditSampleRow(_View):
    cadre: CadreRef
    unit_name: str
    entries: list[date]
    withdrawn: bool = False  # the cadre left and their log is no longer public: no links to it


class AuditRoundView(_View):
    round_id: str
    kind: Literal["quarterly", "spot"]
    quarter: str
    state: Literal["committed", "drawn"]
    seed_hash: str
    seed: str | None
    committed_at: str
    drawn_at: str | None
    snapshot_hash: str | None
    algorithm: str | None
    version: str | None
    reason: str = ""
    draw_reason: str | None = None
    sample: list[AuditSampleRow] = Field(default_factory=list)


class CheckpointRef(_View):
    date: str
    root: str
    leaves: int
    signature_algorithm: str


class HomePage(_View):
    district: str
    generated_on: date
    units: list[UnitRef]
    notices: list[NoticeView]
    rounds: list[AuditRoundView]
    checkpoint: CheckpointRef | None


class LedgerPage(_View):
    district: str
    checkpoints: list[CheckpointRef]
    key_id: str
    signature_algorithm: str


class FeedbackResult(_View):
    ok: bool
    title: str
    message: str
    notice_id: str | None = None
