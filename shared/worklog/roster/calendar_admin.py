"""Loading a year's official schedule, and describing a year as the system sees it."""

from __future__ import annotations

from datetime import date, timedelta

from worklog import schedules
from worklog.calendar import DaySource, WorkingCalendar
from worklog.clock import Clock, iso_now, system_clock
from worklog.errors import ValidationFailed
from worklog.messages import MSG
from worklog.models.calendar import CalendarYearOut, OfficialSchedule, ScheduleIn
from worklog.roster.repository import RosterRepository

MIN_YEAR, MAX_YEAR = 2000, 2099


def check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(
            MSG["bad_year"], details=[{"loc": ["path", "year"], "msg": MSG["bad_year"], "type": "range"}]
        )


def load_schedule(
    year: int, data: ScheduleIn, author: str, repo: RosterRepository, clock: Clock = system_clock
) -> tuple[bool, CalendarYearOut]:
    """Store the schedule; returns (created, the year as now seen)."""
    check_year(year)
    outside = sorted({d for d in [*data.holidays, *data.workdays] if d.year != year})
    if outside:
        dates = "、".join(d.isoformat() for d in outside)
        raise ValidationFailed(
            MSG["schedule_wrong_year"].format(year=year, dates=dates),
            details=[{"loc": ["body"], "msg": "dates outside the year", "type": "wrong_year"}],
        )
    schedule = OfficialSchedule(
        year=year,
        holidays=sorted(set(data.holidays)),
        workdays=sorted(set(data.workdays)),
        source=data.source,
        loaded_at=iso_now(clock),
        loaded_by=author,
    )
    created = repo.put_schedule(schedule)
    schedules.invalidate()
    return created, describe_year(year, WorkingCalendar({year: schedule}), schedule)


def describe_year(
    year: int, calendar: WorkingCalendar, schedule: OfficialSchedule | None = None
) -> CalendarYearOut:
    check_year(year)
    holidays, workdays, working = [], [], 0
    d = date(year, 1, 1)
    while d.year == year:
        info = calendar.day(d)
        working += info.working
        if d.weekday() < 5 and not info.working:
            holidays.append(d)
        elif d.weekday() >= 5 and info.working:
            workdays.append(d)
        d += timedelta(days=1)
    source = calendar.source_of_year(year)
    note = None
    if source is DaySource.PROVISIONAL:
        note = "该年度尚无官方节假日安排，暂按周一至周五计算；据此提醒但不升级问责"
    return CalendarYearOut(
        year=year,
        source=str(source),
        holidays=holidays,
        workdays=workdays,
        working_days=working,
        loaded_at=schedule.loaded_at if schedule else None,
        loaded_by=schedule.loaded_by if schedule else None,
        note=note,
    )
