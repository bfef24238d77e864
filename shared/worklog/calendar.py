"""Working days: an admin-loaded official schedule, else chinese-calendar, else provisional Mon–Fri.

Precedence: a schedule an admin loaded for the year wins (it is how a year the library does not
know yet, or a late correction by the State Council, gets in); then the chinese-calendar package;
then the Mon–Fri fallback, marked *provisional* so sweeps remind but never escalate on it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

import chinese_calendar

from worklog.models.calendar import OfficialSchedule


class DaySource(StrEnum):
    OFFICIAL = "official"  # loaded by an admin
    LIBRARY = "library"  # chinese-calendar
    PROVISIONAL = "provisional"  # Mon–Fri fallback


class DayKind(StrEnum):
    """What a day is, as a calendar shows it: a weekday's or a weekend day's usual status, or the
    schedule's exception to it."""

    WORKDAY = "workday"  # a working weekday
    WEEKEND = "weekend"  # a Saturday or Sunday off (also inside a holiday period)
    HOLIDAY = "holiday"  # a weekday off (法定节假日 and the days moved to it)
    ADJUSTED_WORKDAY = "adjusted_workday"  # a working Saturday or Sunday (调休上班日)


@dataclass(frozen=True, slots=True)
class DayInfo:
    day: date
    working: bool
    source: DaySource
    holiday_name: str | None = None

    @property
    def provisional(self) -> bool:
        return self.source is DaySource.PROVISIONAL

    @property
    def kind(self) -> DayKind:
        weekend = self.day.weekday() >= 5
        if self.working:
            return DayKind.ADJUSTED_WORKDAY if weekend else DayKind.WORKDAY
        return DayKind.WEEKEND if weekend else DayKind.HOLIDAY


class WorkingCalendar:
    def __init__(self, schedules: Mapping[int, OfficialSchedule] | None = None) -> None:
        self._schedules = dict(schedules or {})
        self._holidays = {y: set(s.holidays) for y, s in self._schedules.items()}
        self._workdays = {y: set(s.workdays) for y, s in self._schedules.items()}

    def day(self, d: date) -> DayInfo:
        if d.year in self._schedules:
            if d in self._workdays[d.year]:
                return DayInfo(d, True, DaySource.OFFICIAL)
            if d in self._holidays[d.year]:
                return DayInfo(d, False, DaySource.OFFICIAL, "holiday")
            return DayInfo(d, d.weekday() < 5, DaySource.OFFICIAL)
        try:
            on_holiday, name = chinese_calendar.get_holiday_detail(d)
        except NotImplementedError:
            return DayInfo(d, d.weekday() < 5, DaySource.PROVISIONAL)
        return DayInfo(d, not on_holiday, DaySource.LIBRARY, str(name) if name else None)

    def is_working(self, d: date) -> bool:
        return self.day(d).working

    def source_of_year(self, year: int) -> DaySource:
        return self.day(date(year, 6, 1)).source

    def working_days(self, start: date, end: date) -> Iterator[date]:
        """Working days in [start, end], oldest first."""
        d = start
        while d <= end:
            if self.is_working(d):
                yield d
            d += timedelta(days=1)

    def nth_working_day(self, year: int, month: int, n: int) -> date:
        """The n-th working day (1-based) of a month."""
        d = date(year, month, 1)
        seen = 0
        while True:
            if self.is_working(d):
                seen += 1
                if seen == n:
                    return d
            d += timedelta(days=1)
            if d.month != month:
                raise ValueError(f"{year}-{month:02d} has fewer than {n} working days")

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (``start`` itself not counted)."""
        d = start
        counted = 0
        while counted < n:
            d += timedelta(days=1)
            if self.is_working(d):
                counted += 1
        return d
