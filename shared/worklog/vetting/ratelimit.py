"""The public feedback's rate limits, as pure rules over what the rate-limit records hold.

Two records stand behind every accepted post (kept by ``NoticeRepository``):

- the sender's: the times (epoch ms) of its accepted posts within the window;
- the notice's: the times of its accepted posts within the window, from all senders, and the count
  of its posts on the current Shanghai day.

A post is accepted only if, counted with it, every limit still holds; it is then written together
with both records in one transaction, each record conditional on the version that was read, so two
concurrent posts cannot both take the last place: one of them finds its condition failed, reads
again and is judged again.
"""

from __future__ import annotations

import secrets
from dataclasses import field
from datetime import datetime, timedelta
from typing import Literal

from worklog.clock import SHANGHAI
from worklog.records import datarecord
from worklog.settings import FeedbackLimits

Limit = Literal["sender", "notice_window", "notice_day"]


@datarecord(frozen=True)
class Tally:
    """A rate-limit record as read. ``version`` is the token the next write is conditional on
    ("" when none is stored). An expired record reads as empty but keeps its version."""

    stamps: tuple[int, ...] = ()
    day: str = ""
    day_count: int = 0
    version: str = ""
    expires_at: int = 0

    def expired(self, now: datetime) -> bool:
        return bool(self.version) and self.expires_at <= now.timestamp()

    def live(self, now: datetime) -> Tally:
        return Tally(version=self.version, expires_at=self.expires_at) if self.expired(now) else self


@datarecord(frozen=True)
class Refusal:
    limit: Limit
    allowed: int
    retry_at: datetime | None  # when a place frees up (None: on the next day)


@datarecord(frozen=True)
class Verdict:
    """What to write when the post is accepted (``refusal`` is None), else why not."""

    refusal: Refusal | None
    sender: Tally = field(default_factory=Tally)
    notice: Tally = field(default_factory=Tally)


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def in_window(stamps: tuple[int, ...], now: datetime, window: timedelta) -> tuple[int, ...]:
    """The stamps still in the window that ends at ``now``: a post leaves it exactly one window
    after it was accepted."""
    start = epoch_ms(now) - int(window.total_seconds() * 1000)
    return tuple(sorted(t for t in stamps if t > start))


def _frees_at(stamps: tuple[int, ...], allowed: int, window: timedelta) -> datetime:
    # With ``allowed`` stamps in the window the oldest one that must leave is the (n - allowed + 1)th.
    oldest = stamps[len(stamps) - allowed]
    return datetime.fromtimestamp(oldest / 1000, SHANGHAI) + window


def judge(
    limits: FeedbackLimits,
    now: datetime,
    sender: Tally,
    notice: Tally,
    sender_before: Tally | None = None,
) -> Verdict:
    """Accept one post at ``now`` or say which limit it would break.

    ``sender_before`` is the sender's record under the previous day's key (keys change at
    midnight): read during the first window of a day, its stamps still count but are not copied."""
    now = now.astimezone(SHANGHAI)
    window = timedelta(minutes=limits.window_minutes)
    own = in_window(sender.live(now).stamps, now, window)
    before = in_window(sender_before.live(now).stamps, now, window) if sender_before else ()
    counted = tuple(sorted(own + before))
    if len(counted) >= limits.per_sender:
        return Verdict(Refusal("sender", limits.per_sender, _frees_at(counted, limits.per_sender, window)))
    current = notice.live(now)
    recent = in_window(current.stamps, now, window)
    if len(recent) >= limits.per_notice_window:
        refusal = Refusal(
            "notice_window", limits.per_notice_window, _frees_at(recent, limits.per_notice_window, window)
        )
        return Verdict(refusal)
    today = now.date().isoformat()
    day_count = current.day_count if current.day == today else 0
    if day_count >= limits.per_notice_day:
        return Verdict(Refusal("notice_day", limits.per_notice_day, None))
    at = epoch_ms(now)
    window_end = int((now + window).timestamp()) + 1
    next_day = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), SHANGHAI)
    return Verdict(
        None,
        sender=Tally(stamps=(*own, at), version=secrets.token_hex(8), expires_at=window_end),
        notice=Tally(
            stamps=(*recent, at),
            day=today,
            day_count=day_count + 1,
            version=secrets.token_hex(8),
            # The day's count is needed until the day ends, the stamps for a window after the last.
            expires_at=max(window_end, int(next_day.timestamp())),
        ),
    )
