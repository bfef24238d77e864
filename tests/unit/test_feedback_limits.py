"""The public feedback's rate limits as rules: sliding windows per sender and per notice, a daily cap
per notice, and settings that can be tightened through the environment."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from worklog.clock import SHANGHAI
from worklog.settings import FeedbackLimits, Settings
from worklog.vetting.ratelimit import Tally, epoch_ms, in_window, judge

LIMITS = FeedbackLimits(window_minutes=60, per_sender=5, per_notice_window=8, per_notice_day=10)
T0 = datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)
FAR = int((T0 + timedelta(days=3)).timestamp())  # records that have not expired


def stamps(*minutes: float) -> tuple[int, ...]:
    return tuple(epoch_ms(T0 + timedelta(minutes=m)) for m in minutes)


def test_a_post_leaves_the_window_exactly_one_window_after_it_was_accepted() -> None:
    window = timedelta(minutes=60)
    held = stamps(0, 10)
    assert in_window(held, T0 + timedelta(minutes=59, seconds=59, milliseconds=999), window) == held
    assert in_window(held, T0 + timedelta(minutes=60), window) == stamps(10)


def test_a_sender_with_five_posts_in_the_last_hour_is_refused_until_the_oldest_leaves() -> None:
    sender = Tally(stamps=stamps(0, 10, 20, 30, 40), version="v", expires_at=FAR)
    refused = judge(LIMITS, T0 + timedelta(minutes=59), sender, Tally())
    assert refused.refusal is not None and refused.refusal.limit == "sender"
    assert refused.refusal.retry_at == T0 + timedelta(minutes=60)
    accepted = judge(LIMITS, T0 + timedelta(minutes=60), sender, Tally())
    assert accepted.refusal is None
    assert accepted.sender.stamps == (*stamps(10, 20, 30, 40), epoch_ms(T0 + timedelta(minutes=60)))
    assert accepted.sender.version not in ("", "v")


def test_posts_under_yesterdays_key_still_count_in_the_first_window_of_a_day() -> None:
    midnight = datetime(2026, 11, 25, tzinfo=SHANGHAI)
    before = Tally(
        stamps=tuple(epoch_ms(midnight - timedelta(minutes=m)) for m in (30, 20, 10)),
        version="y",
        expires_at=FAR,
    )
    today = Tally(
        stamps=tuple(epoch_ms(midnight + timedelta(minutes=m)) for m in (1, 2)), version="t", expires_at=FAR
    )
    refused = judge(LIMITS, midnight + timedelta(minutes=5), today, Tally(), before)
    assert refused.refusal is not None and refused.refusal.limit == "sender"
    assert refused.refusal.retry_at == midnight + timedelta(minutes=30)
    accepted = judge(LIMITS, midnight + timedelta(minutes=30), today, Tally(), before)
    # yesterday's posts are counted, not copied under today's key
    assert accepted.refusal is None and len(accepted.sender.stamps) == 3


def test_a_notice_takes_at_most_its_window_cap_from_all_senders_together() -> None:
    notice = Tally(
        stamps=stamps(*range(0, 40, 5)), day="2026-11-24", day_count=8, version="n", expires_at=FAR
    )
    refused = judge(LIMITS, T0 + timedelta(minutes=50), Tally(), notice)
    assert refused.refusal is not None and refused.refusal.limit == "notice_window"
    accepted = judge(LIMITS, T0 + timedelta(minutes=60), Tally(), notice)
    assert accepted.refusal is None and accepted.notice.day_count == 9 and len(accepted.notice.stamps) == 8


def test_a_notice_takes_at_most_its_daily_cap_and_counts_afresh_the_next_day() -> None:
    notice = Tally(stamps=stamps(0), day="2026-11-24", day_count=10, version="n", expires_at=FAR)
    refused = judge(LIMITS, T0 + timedelta(hours=5), Tally(), notice)
    assert (
        refused.refusal is not None
        and refused.refusal.limit == "notice_day"
        and refused.refusal.retry_at is None
    )
    next_day = judge(LIMITS, T0 + timedelta(days=1), Tally(), notice)
    assert next_day.refusal is None and next_day.notice.day == "2026-11-25" and next_day.notice.day_count == 1


def test_an_expired_record_counts_as_empty_but_its_version_still_guards_the_write() -> None:
    # TTL deletes eventually (moto never): a record past expires_at must not count.
    now = T0 + timedelta(minutes=30)
    sender = Tally(stamps=stamps(0, 1, 2, 3, 4), version="old", expires_at=int(now.timestamp()) - 1)
    notice = Tally(
        stamps=stamps(0), day="2026-11-24", day_count=10, version="n", expires_at=int(now.timestamp())
    )
    verdict = judge(LIMITS, now, sender, notice)
    assert verdict.refusal is None
    assert verdict.sender.stamps == (epoch_ms(now),) and verdict.notice.day_count == 1


def test_records_expire_a_window_after_the_post_and_the_notices_not_before_its_day_ends() -> None:
    verdict = judge(LIMITS, T0, Tally(), Tally())
    assert verdict.sender.expires_at == int((T0 + timedelta(minutes=60)).timestamp()) + 1
    assert verdict.notice.expires_at == int(datetime(2026, 11, 25, tzinfo=SHANGHAI).timestamp())
    late = datetime(2026, 11, 24, 23, 30, tzinfo=SHANGHAI)
    assert (
        judge(LIMITS, late, Tally(), Tally()).notice.expires_at
        == int((late + timedelta(hours=1)).timestamp()) + 1
    )


def test_the_limits_come_from_the_settings_and_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = Settings().feedback
    assert (defaults.window_minutes, defaults.per_sender) == (60, 5)
    monkeypatch.setenv("WORKLOG_FEEDBACK__PER_SENDER", "3")
    monkeypatch.setenv("WORKLOG_FEEDBACK__PER_NOTICE_DAY", "50")
    tightened = Settings().feedback
    assert (tightened.per_sender, tightened.per_notice_day) == (3, 50)
    monkeypatch.setenv("WORKLOG_FEEDBACK__PER_SENDER", "0")
    with pytest.raises(ValueError):
        Settings()
