"""Promotion-vetting notices (干部任前公示) and the public's feedback on them."""

from datetime import date
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from worklog.models.common import MULTI_LINE, ONE_LINE, Day, Model

NoticeId = Annotated[str, StringConstraints(pattern=r"^N[0-9]{8}-[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")]
FeedbackId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]
Post = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), ONE_LINE]
FeedbackText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), MULTI_LINE
]
Contact = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), ONE_LINE]
Answer = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), MULTI_LINE]
NoticeState = Literal["upcoming", "open", "closed"]
MIN_WORKING_DAYS = 5
MAX_CALENDAR_DAYS = 60  # from start to end; also bounds the search for the notices open on a day


class Notice(Model):
    notice_id: str
    candidate_id: str
    candidate_name: str
    unit_id: str
    current_post: str
    proposed_post: str
    start: date
    end: date
    opened_by: str
    opened_at: str

    def state(self, on: date) -> NoticeState:
        return "upcoming" if on < self.start else "open" if on <= self.end else "closed"


class Feedback(Model):
    # Nothing about the sender: items stored before this carry a "source" hash, dropped on load
    # (and from the item whenever it is rewritten).
    model_config = ConfigDict(extra="ignore")

    notice_id: str
    feedback_id: str
    content: str
    contact: str = ""
    received_at: str
    answer: str | None = None
    answered_by: str | None = None
    answered_at: str | None = None


# --- inputs ---------------------------------------------------------------------------------
class NoticeIn(Model):
    model_config = ConfigDict(extra="forbid")

    candidate_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")]
    current_post: Post
    proposed_post: Post
    start: Day = Field(description="first day of the notice period (today or later)")
    end: Day | None = Field(
        None, description="last day; at least 5 working days from start (default: exactly 5 working days)"
    )
    dry_run: bool = Field(
        False,
        description="check and compute the notice (its end date and working days) without storing or "
        "publishing it: 200 with the notice it would open; refused exactly as a real open would be",
    )


class FeedbackIn(Model):
    model_config = ConfigDict(extra="forbid")

    content: FeedbackText = Field(description="what the sender wants the Org Dept to know")
    contact: Contact = Field("", description="optional: how to reach the sender")


class AnswerIn(Model):
    model_config = ConfigDict(extra="forbid")

    answer: Answer


# --- outputs --------------------------------------------------------------------------------
class NoticeOut(Model):
    notice_id: str
    candidate_id: str
    candidate_name: str
    unit_id: str
    current_post: str
    proposed_post: str
    start: date
    end: date
    working_days: int
    state: NoticeState
    opened_by: str
    opened_at: str


class NoticeList(Model):
    notices: list[NoticeOut]


class FeedbackReceipt(Model):
    notice_id: str
    feedback_id: str
    received_at: str
    message: str


class FeedbackOut(Model):
    feedback_id: str
    content: str
    contact: str
    received_at: str
    answer: str | None
    answered_by: str | None
    answered_at: str | None


class FeedbackList(Model):
    notice_id: str
    feedback: list[FeedbackOut]
