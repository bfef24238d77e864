"""Journal models: daily entries, monthly plans, half-year summaries, leave.

Inputs forbid unknown fields; outputs are what the API returns; stored revisions live in
worklog.journal.records. Size limits here are the defaults of worklog.settings.Rules.
"""

import datetime
from datetime import date
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StrictBool, StringConstraints

from worklog.models.calendar import CalendarNoticeOut
from worklog.models.common import MULTI_LINE, YEARS, Day, Model
from worklog.models.contact import ContactDetails

ItemStatus = Literal["done", "in_progress", "not_done"]
LeaveKind = Literal["annual", "sick", "business_trip", "training", "other"]

PlanItemId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_-]{1,32}$")]
ItemText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), MULTI_LINE]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000), MULTI_LINE]
Section = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000), MULTI_LINE]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), MULTI_LINE]
Target = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), MULTI_LINE]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), MULTI_LINE]
MonthLabel = Annotated[str, StringConstraints(pattern=rf"^{YEARS}-(0[1-9]|1[0-2])$")]
HalfLabel = Annotated[str, StringConstraints(pattern=rf"^{YEARS}-H[12]$")]


class Input(Model):
    model_config = ConfigDict(extra="forbid")


# --- daily entry ----------------------------------------------------------------------------
class EntryItem(Input):
    content: ItemText
    status: ItemStatus
    plan_item_id: PlanItemId | None = None
    internal: StrictBool = False


class EntryIn(Input):
    items: list[EntryItem] = Field(min_length=1, max_length=30)
    mistakes: LongText | None = None
    reflections: LongText | None = None
    reason: Reason | None = None


class SavedEntry(Model):
    date: date
    revision: int
    hash: str
    previous_hash: str | None
    late: bool
    saved_at: str


class EntryItemOut(Model):
    """An item as stored (output: never re-validated against today's input limits)."""

    content: str
    status: ItemStatus
    plan_item_id: str | None = None
    internal: bool = False


class EntryOut(Model):
    date: date
    items: list[EntryItemOut]
    mistakes: str | None = None
    reflections: str | None = None
    revision: int
    late: bool
    amended: bool = Field(description="true once the entry has more than one revision (修订)")
    first_saved_at: str
    saved_at: str


class EntryList(Model):
    entries: list[EntryOut]


# --- monthly plan ---------------------------------------------------------------------------
class PlanItemIn(Input):
    id: PlanItemId | None = None
    content: ItemText
    target: Target | None = None


class PlanIn(Input):
    items: list[PlanItemIn] = Field(min_length=1, max_length=30)
    reason: Reason | None = None


class PlanItem(Model):
    id: str
    content: str
    target: str | None = None


class SavedPlan(Model):
    month: str
    revision: int
    hash: str
    previous_hash: str | None
    late: bool
    saved_at: str
    item_ids: list[str] = Field(description="ids of the plan's items, as assigned")


class PlanOut(Model):
    month: str
    items: list[PlanItem]
    revision: int
    late: bool
    amended: bool
    first_saved_at: str
    saved_at: str


# --- half-year summary ----------------------------------------------------------------------
class SummaryIn(Input):
    achievements: Section
    problems: Section
    next_steps: Section
    reason: Reason | None = None


class SavedSummary(Model):
    half: str
    revision: int
    hash: str
    previous_hash: str | None
    late: bool
    saved_at: str


class SummaryOut(Model):
    half: str
    achievements: str
    problems: str
    next_steps: str
    revision: int
    late: bool
    amended: bool
    first_saved_at: str
    saved_at: str


# --- leave ----------------------------------------------------------------------------------
class LeaveIn(Input):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: Day = Field(alias="from")
    to: Day
    kind: LeaveKind
    note: Note | None = None


class LeaveOut(Model):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    from_: date = Field(alias="from")
    to: date
    kind: LeaveKind
    note: str | None = None
    recorded_at: str
    hash: str


class LeaveList(Model):
    leaves: list[LeaveOut]


# --- revisions ------------------------------------------------------------------------------
class RevisionOut(Model):
    """One stored revision: chain fields plus the saved body's fields."""

    model_config = ConfigDict(extra="allow")

    revision: int
    seq: int
    saved_at: str
    reason: str | None
    author: str
    late: bool
    hash: str
    previous_hash: str | None


class RevisionList(Model):
    revisions: list[RevisionOut]


# --- what the cadre owes --------------------------------------------------------------------
class Owed(Model):
    kind: Literal["entry", "plan", "summary"]
    period: str = Field(description="date, month or half-year")
    due: date
    overdue: bool = Field(description="past its due date: saving it now marks it late")
    last_day: date = Field(description="last day it can still be saved")
    provisional: bool = Field(description="the working-day calendar for this date is provisional (Mon–Fri)")


class MeOut(Model):
    cadre_id: str
    name: str
    unit_id: str
    unit_name: str | None = None
    title: str
    roles: list[str]
    today: date
    working_day: bool
    on_leave: bool
    owes: list[Owed]
    contact: ContactDetails = Field(
        description="how the roster reaches me (my own details only; the district's admins keep them)"
    )
    calendar: CalendarNoticeOut = Field(
        description="whether this year's holidays (from 1 December, next year's too) are loaded: when not, "
        "working days are assumed Mon–Fri, reminders go out but never escalate, and ``note`` says so"
    )


# --- my month as a calendar -----------------------------------------------------------------
class CalendarDayOut(Model):
    """One day of ``GET /me/calendar``. Whether an entry was saved for it, and late, is in
    ``GET /entries``; this says what the working calendar and the obligation rule make of the day."""

    date: date
    working: bool = Field(description="a working day (工作日, including 调休上班日)")
    kind: Literal["workday", "weekend", "holiday", "adjusted_workday"] = Field(
        description="workday: a working weekday; weekend: a Saturday or Sunday off; holiday: a weekday "
        "off (节假日); adjusted_workday: a working Saturday or Sunday (调休上班日)"
    )
    provisional: bool = Field(
        description="the year has no official or library schedule yet: Mon–Fri assumed (待定)"
    )
    in_post: bool = Field(description="the caller is in post on this day (between joining and leaving)")
    on_leave: bool = Field(description="leave the caller registered covers this day")
    owed: bool = Field(
        description="the caller owes an entry for this day: a working day, in post, not on leave, and "
        "not in the future (stays true once the day is saved or locked)"
    )
    due: datetime.date | None = Field(description="for an owed day: saved after it, the entry is late")
    last_day: datetime.date | None = Field(description="for an owed day: the last day the entry can be saved")
    locked: bool = Field(description="past the last day an entry for this date can be saved")


class MonthCalendarOut(Model):
    month: str = Field(description="YYYY-MM")
    today: date = Field(description="today in Asia/Shanghai, by the server's clock")
    source: Literal["official", "library", "provisional"] = Field(
        description="the month's working days: official (loaded by an admin) | library (chinese-calendar) "
        "| provisional (Mon–Fri assumed)"
    )
    days: list[CalendarDayOut] = Field(description="every day of the month, in order")
