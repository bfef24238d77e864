"""LockdownPolicy: what may be written on a given day, and when a first save is late."""

import re
from datetime import date, timedelta

import pytest

from worklog.calendar import WorkingCalendar
from worklog.errors import PeriodLocked, ValidationFailed
from worklog.periods import LockdownPolicy, day_period, half_period, month_period
from worklog.settings import Rules

POLICY = LockdownPolicy(Rules(), WorkingCalendar())


def test_an_entry_for_today_is_writable_and_not_late() -> None:
    POLICY.check_writable(day_period(date(2026, 11, 20)), date(2026, 11, 20))
    assert not POLICY.is_late(day_period(date(2026, 11, 20)), date(2026, 11, 20))


def test_an_entry_for_a_future_date_is_refused_as_invalid() -> None:
    with pytest.raises(ValidationFailed) as err:
        POLICY.check_writable(day_period(date(2026, 11, 21)), date(2026, 11, 20))
    assert err.value.code == "validation_error" and err.value.details[0]["type"] == "future_period"


def test_an_entry_seven_days_late_is_accepted_and_marked_late() -> None:
    day = date(2026, 11, 13)
    POLICY.check_writable(day_period(day), date(2026, 11, 20))
    assert POLICY.is_late(day_period(day), date(2026, 11, 20))


def test_an_entry_eight_days_old_is_locked() -> None:
    with pytest.raises(PeriodLocked) as err:
        POLICY.check_writable(day_period(date(2026, 11, 12)), date(2026, 11, 20))
    assert err.value.status == 409 and err.value.code == "period_locked"


def test_an_entry_for_a_holiday_is_never_late() -> None:
    assert not POLICY.is_late(day_period(date(2026, 10, 2)), date(2026, 10, 8))


def test_the_monthly_plan_is_due_on_the_third_working_day() -> None:
    # October 2026: working days start on the 8th (after the National Day holiday).
    window = POLICY.window(month_period("2026-10"))
    assert window.due == date(2026, 10, 10)
    assert not POLICY.is_late(month_period("2026-10"), date(2026, 10, 10))
    assert POLICY.is_late(month_period("2026-10"), date(2026, 10, 11))


def test_next_months_plan_may_be_written_but_not_the_one_after() -> None:
    POLICY.check_writable(month_period("2026-12"), date(2026, 11, 20))
    with pytest.raises(ValidationFailed):
        POLICY.check_writable(month_period("2027-01"), date(2026, 11, 20))


def test_a_plan_locks_seven_days_after_its_month() -> None:
    POLICY.check_writable(month_period("2026-10"), date(2026, 11, 7))
    with pytest.raises(PeriodLocked):
        POLICY.check_writable(month_period("2026-10"), date(2026, 11, 8))


def test_the_h1_summary_is_due_on_the_tenth_working_day_of_july() -> None:
    window = POLICY.window(half_period("2026-H1"))
    assert window.opens == date(2026, 6, 1)
    assert window.due == date(2026, 7, 14)


def test_the_h2_summary_is_due_in_january_of_the_next_year_provisionally() -> None:
    # 2027 has no official data: Mon–Fri; 2027-01-01 is a Friday → 10th working day is Jan 14.
    window = POLICY.window(half_period("2026-H2"))
    assert window.due == date(2027, 1, 14)
    with pytest.raises(ValidationFailed):
        POLICY.check_writable(half_period("2026-H2"), date(2026, 11, 30))
    POLICY.check_writable(half_period("2026-H2"), date(2026, 12, 1))


def test_a_shorter_correction_window_is_honoured() -> None:
    policy = LockdownPolicy(Rules(correction_window_days=2), WorkingCalendar())
    with pytest.raises(PeriodLocked):
        policy.check_writable(day_period(date(2026, 11, 17)), date(2026, 11, 20))


@pytest.mark.parametrize("label", ["2026-13", "2026-1", "26-01", "2026-00"])
def test_malformed_months_are_invalid(label: str) -> None:
    with pytest.raises(ValidationFailed):
        month_period(label)


@pytest.mark.parametrize("label", ["2026-H3", "2026H1", "2026-h1"])
def test_malformed_halves_are_invalid(label: str) -> None:
    with pytest.raises(ValidationFailed):
        half_period(label)


def test_a_locked_period_is_named_in_words_people_read_not_iso_dates() -> None:
    """Given an entry, a plan and a summary past their last day, the refusal names each the way the
    app shows it (2026年11月10日的工作日志 … 截至2026年11月17日), so the message can be shown as is."""
    cases = [
        (day_period(date(2026, 11, 10)), date(2026, 11, 30), "2026年11月10日的工作日志"),
        (month_period("2026-09"), date(2026, 11, 30), "2026年9月的月度计划"),
        (half_period("2025-H2"), date(2026, 11, 30), "2025年下半年的半年总结"),
    ]
    for period, today, spoken in cases:
        with pytest.raises(PeriodLocked) as err:
            POLICY.check_writable(period, today)
        message = str(err.value)
        assert message.startswith(spoken) and re.search(r"截至\d{4}年\d{1,2}月\d{1,2}日", message)
        assert not re.search(r"\d{4}-\d{2}", message)


def test_a_month_locks_the_day_after_its_last_days_window_even_when_that_day_is_a_rest_day() -> None:
    """Given September 2026, whose last day's correction window ends on 7 October (a National Day
    holiday), and October 2026, whose window ends on Saturday 7 November, when asked whether each
    month is locked, then it is still open on that rest day and locked from the day after: the
    window counts calendar days, and the latest locked months move on that day."""
    calendar = WorkingCalendar()
    for month, last_open in (("2026-09", date(2026, 10, 7)), ("2026-10", date(2026, 11, 7))):
        assert not calendar.is_working(last_open)
        assert not POLICY.month_locked(month, last_open)
        assert POLICY.month_locked(month, last_open + timedelta(days=1))
    assert POLICY.locked_months(date(2026, 11, 7), 3) == ["2026-07", "2026-08", "2026-09"]
    assert POLICY.locked_months(date(2026, 11, 8), 3) == ["2026-08", "2026-09", "2026-10"]
