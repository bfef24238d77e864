"""The year change as rules: which years' holidays are in view and known, when the admins are
warned, and which days a provisional miss can turn out not to have been owed."""

from datetime import date

from worklog.calendar import WorkingCalendar
from worklog.compliance.withdrawal import days_off_passed
from worklog.holidays import calendar_notice, next_year_waiting, years_in_view
from worklog.models.calendar import OfficialSchedule

LIBRARY = WorkingCalendar()  # chinese-calendar: 2026 known, 2027 not
LOADED_2027 = WorkingCalendar(
    {
        2027: OfficialSchedule(
            year=2027,
            holidays=[date(2027, 1, 1), date(2027, 2, 8), date(2027, 2, 9)],
            workdays=[date(2027, 2, 6)],
            loaded_at="2026-12-05T09:00:00.000+08:00",
            loaded_by="c0003",
        )
    }
)


def test_only_the_year_in_course_is_in_view_until_1_december() -> None:
    assert years_in_view(date(2026, 11, 30)) == [2026]
    assert years_in_view(date(2026, 12, 1)) == [2026, 2027]
    assert years_in_view(date(2027, 1, 1)) == [2027]


def test_a_known_year_says_nothing() -> None:
    notice = calendar_notice(LIBRARY, date(2026, 11, 20))
    assert not notice.provisional and notice.note is None
    assert [(y.year, y.source) for y in notice.years] == [(2026, "library")]


def test_from_1_december_an_unloaded_next_year_is_named_plainly() -> None:
    notice = calendar_notice(LIBRARY, date(2026, 12, 1))
    assert notice.provisional and [y.provisional for y in notice.years] == [False, True]
    assert notice.note is not None and notice.note.startswith("2027 年的法定节假日安排尚未载入")
    assert "2026" not in notice.note


def test_a_loaded_year_is_official_and_not_provisional() -> None:
    notice = calendar_notice(LOADED_2027, date(2027, 1, 4))
    assert not notice.provisional and [(y.year, y.source) for y in notice.years] == [(2027, "official")]


def test_the_admins_warning_stands_in_december_only_while_next_year_is_provisional() -> None:
    assert not next_year_waiting(LIBRARY, date(2026, 11, 30))
    assert next_year_waiting(LIBRARY, date(2026, 12, 1))
    assert next_year_waiting(LIBRARY, date(2026, 12, 31))
    assert not next_year_waiting(LOADED_2027, date(2026, 12, 1))
    # in January the year in course is provisional, but that is GET /me's notice, not December's warning
    assert not next_year_waiting(LIBRARY, date(2027, 1, 4))


def test_only_passed_weekdays_the_schedule_makes_days_off_are_looked_at() -> None:
    # Given 2027 loaded with 1 Jan and 8–9 Feb off and Sat 6 Feb worked
    assert days_off_passed(2027, LOADED_2027, date(2027, 1, 10)) == [date(2027, 1, 1)]
    assert days_off_passed(2027, LOADED_2027, date(2027, 3, 1)) == [
        date(2027, 1, 1),
        date(2027, 2, 8),
        date(2027, 2, 9),
    ]
    # a year still provisional has no weekday off; nor has a year not yet begun
    assert days_off_passed(2027, LIBRARY, date(2027, 3, 1)) == []
    assert days_off_passed(2027, LOADED_2027, date(2026, 12, 31)) == []
