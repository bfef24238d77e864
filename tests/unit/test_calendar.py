"""Working days: library data, admin-loaded official schedules, and the provisional fallback."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tests.official_2026 import HOLIDAYS_2026, MAKEUP_WORKDAYS_2026, officially_working
from worklog.calendar import DaySource, WorkingCalendar
from worklog.models.calendar import OfficialSchedule

CAL = WorkingCalendar()


def schedule(year: int, holidays: list[date], workdays: list[date]) -> OfficialSchedule:
    return OfficialSchedule(
        year=year,
        holidays=holidays,
        workdays=workdays,
        loaded_at="2026-11-01T09:00:00+08:00",
        loaded_by="admin",
    )


@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)))
def test_every_2026_answer_matches_the_official_schedule(d: date) -> None:
    assert CAL.is_working(d) == officially_working(d)
    assert CAL.day(d).source is DaySource.LIBRARY


def test_makeup_saturday_2026_02_14_is_a_working_day() -> None:
    assert date(2026, 2, 14).weekday() == 5
    assert CAL.is_working(date(2026, 2, 14))


def test_spring_festival_weekdays_are_not_working_days() -> None:
    for d in [
        date(2026, 2, 16),
        date(2026, 2, 17),
        date(2026, 2, 18),
        date(2026, 2, 19),
        date(2026, 2, 20),
        date(2026, 2, 23),
    ]:
        assert not CAL.is_working(d), d


def test_a_year_without_official_data_falls_back_to_provisional_mon_to_fri() -> None:
    monday, saturday = date(2027, 1, 4), date(2027, 1, 9)
    assert CAL.day(monday).working and CAL.day(monday).provisional
    assert not CAL.day(saturday).working and CAL.day(saturday).provisional


def test_a_loaded_schedule_makes_a_year_official_and_wins_over_the_fallback() -> None:
    cal = WorkingCalendar({2027: schedule(2027, [date(2027, 1, 1)], [date(2027, 2, 6)])})
    assert not cal.is_working(date(2027, 1, 1))  # a Friday holiday
    assert cal.is_working(date(2027, 2, 6))  # a make-up Saturday
    assert cal.is_working(date(2027, 1, 4))
    assert cal.day(date(2027, 1, 4)).source is DaySource.OFFICIAL
    assert not cal.day(date(2027, 3, 6)).provisional


def test_a_loaded_schedule_overrides_the_library_for_its_year() -> None:
    cal = WorkingCalendar({2026: schedule(2026, [date(2026, 3, 2)], [])})
    assert not cal.is_working(date(2026, 3, 2))
    assert cal.is_working(date(2026, 2, 16))  # the loaded schedule is the whole truth for the year


def test_nth_working_day_skips_holidays() -> None:
    # October 2026: 1–7 holiday, 8 Thu, 9 Fri, 10 Sat make-up day.
    assert CAL.nth_working_day(2026, 10, 1) == date(2026, 10, 8)
    assert CAL.nth_working_day(2026, 10, 3) == date(2026, 10, 10)


def test_add_working_days_counts_only_working_days() -> None:
    assert CAL.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert CAL.add_working_days(date(2026, 11, 20), 5) == date(2026, 11, 27)


@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)), st.integers(0, 40))
def test_working_days_lists_exactly_the_working_days_in_range(start: date, span: int) -> None:
    end = start + timedelta(days=span)
    listed = list(CAL.working_days(start, end))
    days = [start + timedelta(days=i) for i in range(span + 1)]
    # Independent of the calendar under test: the State Council's 2026 list, Mon–Fri after it.
    expected = [d for d in days if (officially_working(d) if d.year == 2026 else d.weekday() < 5)]
    assert listed == expected


def test_official_test_data_is_consistent() -> None:
    assert not set(HOLIDAYS_2026) & set(MAKEUP_WORKDAYS_2026)
    assert all(d.weekday() >= 5 for d in MAKEUP_WORKDAYS_2026)
