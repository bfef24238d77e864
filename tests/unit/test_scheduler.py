"""Local EventBridge Scheduler: the template's expressions, read as AWS reads them, on a movable clock."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from infra.local.schedule_expressions import (
    AtExpression,
    CronExpression,
    RateExpression,
    ScheduleExpressionError,
    aws_weekday,
    parse_expression,
    zone,
)
from infra.local.scheduler import ScheduledJob, Scheduler

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


def at(*args: int, tz: ZoneInfo = SHANGHAI) -> datetime:
    return datetime(*args, tzinfo=tz)


def next_fire(expression: str, after: datetime, tz: ZoneInfo = SHANGHAI) -> datetime | None:
    expr = parse_expression(expression)
    assert isinstance(expr, CronExpression)
    return expr.next_after(after, tz)


def fires(expression: str, after: datetime, count: int, tz: ZoneInfo = SHANGHAI) -> list[datetime]:
    out: list[datetime] = []
    moment = after
    for _ in range(count):
        found = next_fire(expression, moment, tz)
        assert found is not None
        out.append(found)
        moment = found
    return out


# --- parsing -------------------------------------------------------------------------------------


def test_parses_the_three_kinds_of_expression():
    assert isinstance(parse_expression("cron(0 1 * * ? *)"), CronExpression)
    assert parse_expression("rate(5 minutes)") == RateExpression("rate(5 minutes)", timedelta(minutes=5))
    assert parse_expression("at(2024-05-06T09:30:00)") == AtExpression(
        "at(2024-05-06T09:30:00)", datetime(2024, 5, 6, 9, 30)
    )


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("cron(0 1 * * *)", "6 fields"),
        ("cron(0 1 * * * *)", "exactly one of day-of-month and day-of-week"),
        ("cron(0 1 ? * ? *)", "exactly one of day-of-month and day-of-week"),
        ("cron(60 1 * * ? *)", "outside 0-59"),
        ("cron(0 24 * * ? *)", "outside 0-23"),
        ("cron(0 1 32 * ? *)", "outside 1-31"),
        ("cron(0 1 * FOO ? *)", "not a number or a name"),
        ("cron(0 1 ? * 8 *)", "outside 1-7"),
        ("cron(? 1 * * ? *)", "only allowed in day-of-month or day-of-week"),
        ("cron(0 1 * * ? 2300)", "outside 1970-2199"),
        ("cron(0 1 5X * ? *)", "not a number"),
        # As in EventBridge (Quartz's rules), W, L-n, LW, nL and # stand alone in their field.
        ("cron(0 9 1W,15 * ? *)", "'1W' must be the field's only value"),
        ("cron(0 9 LW,15 * ? *)", "'LW' must be the field's only value"),
        ("cron(0 9 ? * MON#1,FRI *)", "'MON#1' must be the field's only value"),
        ("cron(0 9 ? * 5L,2 *)", "'5L' must be the field's only value"),
        ("rate(1 minutes)", "use 'minute' for a value of 1"),
        ("rate(5 minute)", "use 'minute' for a value of 1 and 'minutes' otherwise"),
        ("rate(0 hours)", "positive"),
        ("rate(2 weeks)", "unit minute(s), hour(s) or day(s)"),
        ("at(2024-05-06 09:30:00)", "yyyy-mm-ddThh:mm:ss"),
        ("at(2024-02-30T09:30:00)", "at:"),
        ("every day at nine", "expected cron(...), rate(...) or at(...)"),
    ],
)
def test_unreadable_expressions_are_rejected_with_the_reason(expression, reason):
    with pytest.raises(ScheduleExpressionError, match=reason.replace("(", r"\(").replace(")", r"\)")) as info:
        parse_expression(expression)
    assert expression in str(info.value)


def test_unknown_time_zone_is_rejected():
    with pytest.raises(ScheduleExpressionError, match="unknown time zone"):
        zone("Mars/Olympus_Mons")


def test_time_zone_defaults_to_utc_like_eventbridge_scheduler():
    assert zone(None).key == "UTC"


def test_eventbridge_numbers_weekdays_from_sunday():
    assert aws_weekday(at(2024, 5, 5).date()) == 1  # Sunday
    assert aws_weekday(at(2024, 5, 6).date()) == 2  # Monday
    assert aws_weekday(at(2024, 5, 11).date()) == 7  # Saturday


# --- cron fire times -----------------------------------------------------------------------------


def test_nightly_cron_fires_at_the_wall_clock_time_of_its_zone():
    assert next_fire("cron(30 1 * * ? *)", at(2024, 5, 6, 0, 0)) == at(2024, 5, 6, 1, 30)
    assert next_fire("cron(30 1 * * ? *)", at(2024, 5, 6, 1, 30)) == at(2024, 5, 7, 1, 30)


def test_same_expression_in_utc_fires_eight_hours_later_than_in_shanghai():
    in_utc = next_fire("cron(30 1 * * ? *)", at(2024, 5, 6, 0, 0), ZoneInfo("UTC"))

    assert in_utc == at(2024, 5, 6, 9, 30)  # 01:30 UTC is 09:30 in Shanghai


def test_weekday_range_skips_the_weekend():
    friday_night = at(2024, 5, 10, 23, 0)

    assert next_fire("cron(0 9 ? * MON-FRI *)", friday_night) == at(2024, 5, 13, 9, 0)


def test_weekly_monday_schedule_uses_names_or_numbers_alike():
    after = at(2024, 5, 7, 0, 0)

    assert (
        next_fire("cron(0 6 ? * MON *)", after)
        == next_fire("cron(0 6 ? * 2 *)", after)
        == at(2024, 5, 13, 6, 0)
    )


def test_steps_lists_and_ranges():
    assert fires("cron(0/20 9 * * ? *)", at(2024, 5, 6, 8, 0), 4) == [
        at(2024, 5, 6, 9, 0),
        at(2024, 5, 6, 9, 20),
        at(2024, 5, 6, 9, 40),
        at(2024, 5, 7, 9, 0),
    ]
    assert fires("cron(*/30 8-9 * * ? *)", at(2024, 5, 6, 0, 0), 4)[-1] == at(2024, 5, 6, 9, 30)
    assert fires("cron(0 8,12,18 * * ? *)", at(2024, 5, 6, 10, 0), 2) == [
        at(2024, 5, 6, 12, 0),
        at(2024, 5, 6, 18, 0),
    ]
    assert fires("cron(15-45/15 10 * * ? *)", at(2024, 5, 6, 0, 0), 3) == [
        at(2024, 5, 6, 10, 15),
        at(2024, 5, 6, 10, 30),
        at(2024, 5, 6, 10, 45),
    ]


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        # A range from a value to itself is that value alone.
        ("cron(0 5-5 * * ? *)", at(2024, 5, 6), [at(2024, 5, 6, 5, 0), at(2024, 5, 7, 5, 0)]),
        # A step counts across the wrap of a range: 22, (23, 0,) 1, (2, 3).
        (
            "cron(0 22-3/3 * * ? *)",
            at(2024, 5, 6, 12, 0),
            [at(2024, 5, 6, 22), at(2024, 5, 7, 1), at(2024, 5, 7, 22)],
        ),
        # Years run to 2199.
        ("cron(0 0 1 1 ? 2150)", at(2024, 5, 6), [at(2150, 1, 1, 0, 0)]),
    ],
)
def test_fire_times_are_read_as_eventbridge_reads_the_fields(expression, after, expected):
    assert fires(expression, after, len(expected)) == expected


def test_a_day_that_never_comes_has_no_fire_time():
    assert next_fire("cron(0 0 L-29 2 ? *)", at(2024, 5, 6)) is None


def test_range_past_the_end_of_the_field_wraps_around():
    assert fires("cron(0 22-1 * * ? *)", at(2024, 5, 6, 12, 0), 4) == [
        at(2024, 5, 6, 22, 0),
        at(2024, 5, 6, 23, 0),
        at(2024, 5, 7, 0, 0),
        at(2024, 5, 7, 1, 0),
    ]


def test_quarterly_schedule_with_month_names():
    assert fires("cron(0 2 1 JAN,APR,JUL,OCT ? *)", at(2024, 5, 6), 2) == [
        at(2024, 7, 1, 2, 0),
        at(2024, 10, 1, 2, 0),
    ]


def test_year_field_limits_the_years():
    assert next_fire("cron(0 0 1 1 ? 2026)", at(2024, 5, 6)) == at(2026, 1, 1, 0, 0)
    assert next_fire("cron(0 0 1 1 ? 2020)", at(2024, 5, 6)) is None


def test_L_in_day_of_month_is_the_last_day_of_the_month():
    assert fires("cron(0 18 L * ? *)", at(2024, 1, 15), 3) == [
        at(2024, 1, 31, 18, 0),
        at(2024, 2, 29, 18, 0),
        at(2024, 3, 31, 18, 0),
    ]


def test_L_minus_n_counts_back_from_the_last_day():
    assert next_fire("cron(0 18 L-2 * ? *)", at(2024, 2, 1)) == at(2024, 2, 27, 18, 0)


def test_W_is_the_nearest_weekday_without_leaving_the_month():
    # 2024-06-15 is a Saturday -> Friday 14th; 2024-06-01 is a Saturday -> Monday 3rd.
    assert next_fire("cron(0 9 15W * ? *)", at(2024, 6, 1)) == at(2024, 6, 14, 9, 0)
    assert next_fire("cron(0 9 1W * ? *)", at(2024, 5, 31, 12, 0)) == at(2024, 6, 3, 9, 0)


def test_LW_is_the_last_weekday_of_the_month():
    # 2024-08-31 is a Saturday.
    assert next_fire("cron(0 9 LW * ? *)", at(2024, 8, 1)) == at(2024, 8, 30, 9, 0)


def test_hash_is_the_nth_weekday_of_the_month():
    # The first Monday of June 2024 is the 3rd; the second Friday is the 14th.
    assert next_fire("cron(0 9 ? * MON#1 *)", at(2024, 5, 31)) == at(2024, 6, 3, 9, 0)
    assert next_fire("cron(0 9 ? * 6#2 *)", at(2024, 6, 1)) == at(2024, 6, 14, 9, 0)


def test_nL_in_day_of_week_is_the_last_such_weekday_of_the_month():
    # The last Thursday (5) of May 2024 is the 30th.
    assert next_fire("cron(0 9 ? * 5L *)", at(2024, 5, 1)) == at(2024, 5, 30, 9, 0)


def test_L_alone_in_day_of_week_is_saturday():
    assert next_fire("cron(0 9 ? * L *)", at(2024, 5, 6)) == at(2024, 5, 11, 9, 0)


def test_a_time_skipped_by_spring_forward_does_not_fire():
    # 2024-03-10 02:30 does not exist in New York.
    assert next_fire("cron(30 2 * * ? *)", at(2024, 3, 9, 12, 0, tz=NEW_YORK), NEW_YORK) == at(
        2024, 3, 11, 2, 30, tz=NEW_YORK
    )


def test_a_time_repeated_by_fall_back_fires_once():
    # 2024-11-03 01:30 happens twice in New York; the schedule runs at the first one only.
    first = next_fire("cron(30 1 * * ? *)", at(2024, 11, 2, 12, 0, tz=NEW_YORK), NEW_YORK)
    assert first is not None
    assert first.utcoffset() == timedelta(hours=-4)
    following = next_fire("cron(30 1 * * ? *)", first, NEW_YORK)
    assert following == at(2024, 11, 4, 1, 30, tz=NEW_YORK)


# --- rate and at ---------------------------------------------------------------------------------


def test_rate_counts_whole_intervals_from_its_start():
    rate = parse_expression("rate(2 hours)")
    assert isinstance(rate, RateExpression)
    start = at(2024, 5, 6, 10, 0)

    assert rate.next_after(at(2024, 5, 6, 9, 0), start) == start
    assert rate.next_after(start, start) == at(2024, 5, 6, 12, 0)
    assert rate.next_after(at(2024, 5, 6, 13, 59), start) == at(2024, 5, 6, 14, 0)


def test_rate_of_days_is_24_hours_even_across_dst():
    rate = parse_expression("rate(1 day)")
    assert isinstance(rate, RateExpression)
    start = at(2024, 3, 9, 12, 0, tz=NEW_YORK)

    following = rate.next_after(start, start)

    assert following == start.astimezone(UTC) + timedelta(hours=24)
    assert following.astimezone(NEW_YORK).hour == 13  # the wall clock moved an hour


def test_at_is_read_in_the_schedule_zone():
    once = parse_expression("at(2024-05-06T09:30:00)")
    assert isinstance(once, AtExpression)

    assert once.moment(ZoneInfo("UTC")) == at(2024, 5, 6, 17, 30)


# --- the scheduler on a movable clock ------------------------------------------------------------


class MovableClock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def move(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


class Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.fail = fail

    def __call__(self, job: ScheduledJob, event: dict) -> dict:
        self.calls.append((job.name, dict(event)))
        event["mutated"] = True  # must not leak into the next firing
        if self.fail:
            raise RuntimeError("sweep failed")
        return {"ok": True}


def nightly(input: dict | None = None, enabled: bool = True) -> ScheduledJob:
    return ScheduledJob.build(
        "missing-entry-check", "Nightly", "cron(30 1 * * ? *)", "Asia/Shanghai", input=input, enabled=enabled
    )


def test_nothing_fires_before_the_time_comes():
    clock, invoke = MovableClock(at(2024, 5, 6, 1, 0)), Recorder()
    scheduler = Scheduler([nightly()], clock, invoke)
    scheduler.plan()

    clock.move(minutes=29)
    assert scheduler.tick() == []
    assert invoke.calls == []


def test_a_due_schedule_fires_once_with_its_input():
    clock, invoke = MovableClock(at(2024, 5, 6, 1, 0)), Recorder()
    scheduler = Scheduler([nightly({"mode": "sweep"})], clock, invoke)
    scheduler.plan()

    clock.move(minutes=30)
    scheduler.tick()
    scheduler.tick()

    assert invoke.calls == [("Nightly", {"mode": "sweep"})]


def test_planned_from_a_past_moment_the_first_tick_fires_what_came_due_since_once():
    clock, invoke = MovableClock(at(2024, 5, 6, 10, 0)), Recorder()
    scheduler = Scheduler([nightly()], clock, invoke)
    scheduler.plan(since=at(2024, 5, 6, 0, 0))

    scheduler.tick()
    scheduler.tick()

    assert invoke.calls == [("Nightly", {})]
    assert scheduler.describe()[0]["next_fire"] == "2024-05-07T01:30:00+08:00"


def test_a_schedule_without_input_gets_an_empty_event():
    clock, invoke = MovableClock(at(2024, 5, 6, 1, 0)), Recorder()
    scheduler = Scheduler([nightly()], clock, invoke)
    scheduler.plan()

    clock.move(hours=1)
    scheduler.tick()

    assert invoke.calls == [("Nightly", {})]


def test_moving_the_clock_past_many_fire_times_fires_once():
    clock, invoke = MovableClock(at(2024, 5, 6, 12, 0)), Recorder()
    job = nightly()
    scheduler = Scheduler([job], clock, invoke)
    scheduler.plan()

    clock.move(days=7)
    scheduler.tick()
    scheduler.tick()

    assert len(invoke.calls) == 1
    assert job.next_fire == at(2024, 5, 14, 1, 30)


def test_each_night_fires_again():
    clock, invoke = MovableClock(at(2024, 5, 6, 12, 0)), Recorder()
    scheduler = Scheduler([nightly({"n": 1})], clock, invoke)
    scheduler.plan()

    for _ in range(3):
        clock.move(days=1)
        scheduler.tick()

    assert invoke.calls == [("Nightly", {"n": 1})] * 3


def test_a_disabled_schedule_never_fires():
    clock, invoke = MovableClock(at(2024, 5, 6, 1, 0)), Recorder()
    scheduler = Scheduler([nightly(enabled=False)], clock, invoke)
    scheduler.plan()

    clock.move(days=2)
    scheduler.tick()

    assert invoke.calls == []


def test_a_failing_run_is_recorded_and_the_schedule_goes_on():
    clock, invoke = MovableClock(at(2024, 5, 6, 1, 0)), Recorder(fail=True)
    job = nightly()
    scheduler = Scheduler([job], clock, invoke)
    scheduler.plan()

    clock.move(hours=1)
    scheduler.tick()
    clock.move(days=1)
    scheduler.tick()

    assert len(invoke.calls) == 2
    assert job.last_error == "RuntimeError: sweep failed"
    assert job.fired == 2


def test_moving_the_clock_back_plans_from_the_new_time():
    clock, invoke = MovableClock(at(2024, 5, 10, 12, 0)), Recorder()
    job = nightly()
    scheduler = Scheduler([job], clock, invoke)
    scheduler.plan()

    clock.moment = at(2024, 5, 1, 0, 0)
    scheduler.tick()
    assert job.next_fire == at(2024, 5, 1, 1, 30)

    clock.move(hours=2)
    scheduler.tick()
    assert len(invoke.calls) == 1


def test_rate_schedule_fires_at_start_then_every_interval():
    clock, invoke = MovableClock(at(2024, 5, 6, 10, 0)), Recorder()
    job = ScheduledJob.build("closer", "Every5", "rate(5 minutes)")
    scheduler = Scheduler([job], clock, invoke)
    scheduler.plan()

    scheduler.tick()
    clock.move(minutes=4)
    scheduler.tick()
    clock.move(minutes=1)
    scheduler.tick()

    assert len(invoke.calls) == 2


def test_one_time_schedule_fires_once_and_not_again_after_the_clock_goes_back():
    clock, invoke = MovableClock(at(2024, 5, 6, 9, 0)), Recorder()
    job = ScheduledJob.build("publisher", "Once", "at(2024-05-06T10:00:00)", "Asia/Shanghai")
    scheduler = Scheduler([job], clock, invoke)
    scheduler.plan()

    clock.move(hours=2)
    scheduler.tick()
    clock.move(hours=-3)
    scheduler.tick()
    clock.move(hours=3)
    scheduler.tick()

    assert len(invoke.calls) == 1


def test_describe_reports_next_fire_in_the_schedule_zone():
    clock = MovableClock(at(2024, 5, 6, 12, 0))
    scheduler = Scheduler([nightly()], clock, Recorder())
    scheduler.plan()

    (described,) = scheduler.describe()

    assert described["next_fire"] == "2024-05-07T01:30:00+08:00"
    assert described["timezone"] == "Asia/Shanghai"
    assert described["fired"] == 0


def test_the_thread_fires_when_woken_after_the_clock_moved():
    clock, invoke = MovableClock(at(2024, 5, 6, 12, 0)), Recorder()
    scheduler = Scheduler([nightly()], clock, invoke, tick_seconds=60)
    scheduler.start()
    try:
        clock.move(days=1)
        scheduler.wake()
        for _ in range(200):
            if invoke.calls:
                break
            time.sleep(0.01)
    finally:
        scheduler.stop()

    assert len(invoke.calls) == 1


def test_fire_times_are_instants_whatever_zone_the_clock_reports():
    clock, invoke = MovableClock(at(2024, 5, 5, 17, 29, tz=UTC)), Recorder()  # 01:29 in Shanghai
    scheduler = Scheduler([nightly()], clock, invoke)
    scheduler.plan()

    clock.move(minutes=1)
    scheduler.tick()

    assert len(invoke.calls) == 1
