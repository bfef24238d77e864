"""Notification models: what a person is told (a notice from one event), the morning digest that
gathers a person's notices, its deliveries through the channels, the in-app inbox and a person's
channel preferences.

``Notice``, ``Digest`` and ``Delivery`` are what the outbox table holds (worklog.notify.repository);
the ``*Out``/``*In`` models are what ``/me/notifications`` answers and takes.
"""

from datetime import date
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

# The channels and the roster's contact details live in worklog.models.contact, which every function
# loads; they are re-exported here for the notifier's code.
from worklog.models.common import Model
from worklog.models.contact import CHANNELS as CHANNELS
from worklog.models.contact import Channel as Channel
from worklog.models.contact import ContactDetails as ContactDetails

# What a notice is about. "accountability_opened" about the person themself is urgent.
NoticeKind = Literal[
    "entry_missing",
    "review_assigned",
    "review_overdue",
    "talk_opened",
    "accountability_opened",
    "audit_assigned",
    "entry_withdrawn",
    "calendar_not_loaded",
]
DeliveryStatus = Literal["queued", "sent", "retrying", "failed", "muted", "no_channel"]


class Notice(Model):
    """One thing one person is told, from one event. ``notice_id`` is deterministic (from the
    event's own ids), so a replayed event stores nothing new."""

    model_config = ConfigDict(extra="forbid")

    notice_id: str
    person_id: str
    kind: NoticeKind
    urgent: bool = False
    title: str = Field(description="one line in Chinese: what is owed or waiting")
    due: date | None = Field(None, description="the due date, when there is one")
    last_day: date | None = Field(None, description="the last day it can still be done")
    link: str = Field(description="the app's path that acts on it, e.g. /today?date=2026-11-29")
    # What the notice is about, for the done-by-morning check: an owed entry's cadre, kind
    # (day|plan|summary) and period.
    about: dict[str, str] = Field(default_factory=dict)
    event_type: str
    received_at: str = Field(description="server time the event was taken in (ISO 8601, +08:00)")


class Delivery(Model):
    """One attempt to get a digest to a person through one channel: the evidence of who was told."""

    channel: Channel | None = None
    status: DeliveryStatus
    at: str = Field(description="server time of the last change (ISO 8601, +08:00)")
    attempts: int = 0
    message_id: str | None = Field(None, description="the provider's id of the sent message")
    error: str | None = None


class NoticeLine(Model):
    """A notice as a digest lists it."""

    notice_id: str
    kind: NoticeKind
    title: str
    due: date | None = None
    last_day: date | None = None
    link: str


class Digest(Model):
    """What one person is told at once: a morning's digest (``digest_id`` ``morning-<date>``), or an
    urgent notice sent within daytime hours (``urgent-<notice id>``). It is also their inbox item."""

    digest_id: str
    person_id: str
    at: str = Field(description="server time it was made (ISO 8601, +08:00)")
    title: str
    lines: list[NoticeLine]
    urgent: bool = False
    delivery: Delivery
    read_at: str | None = None


class Preferences(Model):
    """A person's choices: channels muted (the inbox cannot be)."""

    model_config = ConfigDict(extra="forbid")

    muted: list[Channel] = Field(default_factory=list, max_length=len(CHANNELS))


# --- the API ---------------------------------------------------------------------------------
# An inbox item's id as the API shows it: ``<at>#<digest id>``, its key in the person's own partition.
NotificationId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=r"^[0-9T:.+-]{10,40}#[A-Za-z0-9_./:-]{1,150}$"),
]


class NotificationOut(Model):
    id: NotificationId = Field(description="the item's id (its time and digest id), used to mark it read")
    at: str
    title: str
    lines: list[NoticeLine]
    urgent: bool
    read: bool
    channel: Channel | None = Field(None, description="the channel it went out on; none: inbox only")
    status: DeliveryStatus


class NotificationList(Model):
    items: list[NotificationOut] = Field(description="newest first")
    unread: int = Field(description="unread items among the newest 100")
    next: str | None = Field(None, description="cursor of the next (older) page")


class MarkReadIn(Model):
    model_config = ConfigDict(extra="forbid")

    ids: list[NotificationId] = Field(
        default_factory=list, max_length=100, description="ids to mark read; ids not in my inbox: ignored"
    )
    all: bool = Field(False, description="mark every unread item read")


class MarkReadOut(Model):
    marked: int = Field(description="items this request marked read (already read or not mine: not counted)")
    unread: int = Field(description="unread items among the newest 100, after marking")


class ChannelState(Model):
    channel: Channel
    available: bool = Field(description="the roster has what this channel needs (a mobile, an e-mail, an id)")
    muted: bool
    preferred: bool = Field(description="the channel a digest goes out on while it is not muted")


class PreferencesOut(Model):
    channels: list[ChannelState]
    inbox: Literal[True] = Field(True, description="the in-app inbox always receives everything")


# After the person's preferred channel and the district's default, the channels are tried in this
# order (the group robots first: free, and read at work).
FALLBACK_ORDER: tuple[Channel, ...] = ("wecom", "dingtalk", "sms", "email")


def channel_order(preferred: Channel | None, default: Channel | None) -> list[Channel]:
    """The order in which a digest's channel is chosen: the first that reaches the person and is
    not muted wins (worklog.notify.sender sends on it; the inbox's preferences show it)."""
    return list(dict.fromkeys(c for c in (preferred, default, *FALLBACK_ORDER) if c is not None))


def morning_id(day: date) -> str:
    return f"morning-{day.isoformat()}"


class Message(Model):
    """A digest made ready for the channels (worklog.notify.digest makes it; the channel adapters
    send the part that is theirs)."""

    person_id: str
    digest_id: str
    subject: str = Field(description="e-mail subject, in Chinese")
    text: str = Field(description="plain text: e-mail body and the robots' message")
    html: str = Field(description="e-mail HTML body (escaped)")
    sms: list[str] = Field(description="SMS segments, each at most 70 characters, the signature in the first")
    link: str = Field(description="the app's absolute link to act on it")
