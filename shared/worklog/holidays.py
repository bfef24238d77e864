"""Official holiday schedules: loading a year's, and describing a year as the system sees it.

A year is *in use* once a schedule was loaded for it or any of its days has come (today in
Shanghai or earlier): the nightly check, reviews and deadlines have then counted its working days,
so changing them rewrites what those decisions stood on. Loading such a year needs an explicit
confirmation (otherwise ``409 confirmation_required`` listing the working days that would change),
and every load is recorded, append-only, with who, when, the schedule before and after and the days
whose status changed (``GET /admin/calendar/{year}/history``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from worklog import schedules
from worklog.bus import EventBus
from worklog.calendar import DayKind, DaySource, WorkingCalendar
from worklog.clock import Clock, iso_now, system_clock, today
from worklog.errors import Conflict, ValidationFailed, invalid
from worklog.labels import WORKING_DAY_LABELS
from worklog.messages import MSG
from worklog.models.calendar import (
    CalendarChange,
    CalendarHistory,
    CalendarLoadOut,
    CalendarNoticeOut,
    CalendarStatusOut,
    CalendarYearOut,
    DayChange,
    OfficialSchedule,
    ScheduleIn,
    YearSource,
)
from worklog.models.common import MAX_YEAR, MIN_YEAR
from worklog.records import datarecord
from worklog.schedules import ScheduleRepository

# How many changed days the 409 message spells out (details list them all).
_LISTED_DAYS = 20


def check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise invalid(MSG["bad_year"], ["path", "year"], "range")


def changed_days(year: int, before: WorkingCalendar, after: WorkingCalendar) -> list[DayChange]:
    """Days of ``year`` that are working days in one calendar and not in the other."""
    out = []
    d = date(year, 1, 1)
    while d.year == year:
        was, now = before.is_working(d), after.is_working(d)
        if was != now:
            out.append(DayChange(date=d, working_before=was, working_after=now))
        d += timedelta(days=1)
    return out


def _status(working: bool) -> str:
    return WORKING_DAY_LABELS[working]


def _confirmation_required(year: int, in_use: list[str], changes: list[DayChange]) -> Conflict:
    why = "、".join(MSG[f"calendar_{reason}"] for reason in in_use)
    if changes:
        listed = "、".join(
            f"{c.date.isoformat()}（{_status(c.working_before)}→{_status(c.working_after)}）"
            for c in changes[:_LISTED_DAYS]
        )
        more = MSG["calendar_more_days"].format(n=len(changes)) if len(changes) > _LISTED_DAYS else ""
        what = MSG["calendar_days_change"].format(days=listed + more)
    else:
        what = MSG["calendar_no_day_changes"]
    details = [
        {
            "loc": ["query", "confirm"],
            "msg": f"{c.date.isoformat()}: {_status(c.working_before)} → {_status(c.working_after)}",
            "type": "working_day_change",
            "date": c.date.isoformat(),
            "working_before": c.working_before,
            "working_after": c.working_after,
        }
        for c in changes
    ]
    return Conflict(
        MSG["calendar_confirm"].format(year=year, why=why, what=what),
        code="confirmation_required",
        details=details or [{"loc": ["query", "confirm"], "msg": "no day changes", "type": "no_change"}],
    )


InUse = Literal["schedule_loaded", "days_passed"]


@datarecord(frozen=True)
class _Load:
    """A year's new schedule weighed against what is stored: what it replaces and changes."""

    schedule: OfficialSchedule
    previous: OfficialSchedule | None
    after: WorkingCalendar
    source_before: str
    in_use: list[InUse]
    changes: list[DayChange]

    def answer(self, *, dry: bool) -> CalendarLoadOut:
        described = describe_year(self.schedule.year, self.after, None if dry else self.schedule)
        return CalendarLoadOut(
            **described.model_dump(),
            dry_run=dry,
            source_before=self.source_before,
            in_use=self.in_use,
            confirmation_required=dry and bool(self.in_use),
            changed_days=self.changes,
        )

    def record(self) -> CalendarChange:
        return CalendarChange(
            year=self.schedule.year,
            at=self.schedule.loaded_at,
            by=self.schedule.loaded_by,
            in_use=self.in_use,
            confirmed=bool(self.in_use),
            source_before=self.source_before,
            before=self.previous,
            after=self.schedule,
            changed_days=self.changes,
        )


def _check_dates(year: int, data: ScheduleIn) -> None:
    check_year(year)
    outside = sorted({d for d in [*data.holidays, *data.workdays] if d.year != year})
    if outside:
        dates = "、".join(d.isoformat() for d in outside)
        raise ValidationFailed(
            MSG["schedule_wrong_year"].format(year=year, dates=dates),
            details=[{"loc": ["body"], "msg": "dates outside the year", "type": "wrong_year"}],
        )


def _weigh(schedule: OfficialSchedule, stored: dict[int, OfficialSchedule], clock: Clock) -> _Load:
    year = schedule.year
    previous = stored.get(year)
    before, after = WorkingCalendar(stored), WorkingCalendar({**stored, year: schedule})
    in_use: list[InUse] = []
    if previous is not None:
        in_use.append("schedule_loaded")
    if date(year, 1, 1) <= today(clock):
        in_use.append("days_passed")
    source_before = str(before.source_of_year(year))
    return _Load(schedule, previous, after, source_before, in_use, changed_days(year, before, after))


def load_schedule(
    year: int,
    data: ScheduleIn,
    author: str,
    repo: ScheduleRepository,
    clock: Clock = system_clock,
    *,
    confirm: bool = False,
    dry_run: bool = False,
) -> tuple[bool, CalendarLoadOut]:
    """Store the schedule and record the load; returns (created, the year as now seen).

    A year in use is replaced only with ``confirm``; otherwise ``409 confirmation_required``. The
    schedules are read afresh (not the warm container's cached calendar) so that what is compared
    and recorded as "before" is what is stored.

    ``dry_run`` checks the schedule the same way and answers what the year would become and the
    days whose working status would change, storing and recording nothing: an admin sees the
    changes before loading, without going through the 409 (``confirmation_required`` says whether
    the real load needs ``confirm``).
    """
    _check_dates(year, data)
    stored = repo.list_schedules()
    schedule = OfficialSchedule(
        year=year,
        holidays=sorted(set(data.holidays)),
        workdays=sorted(set(data.workdays)),
        source=data.source,
        loaded_at=iso_now(clock),
        loaded_by=author,
    )
    load = _weigh(schedule, stored, clock)
    if dry_run:
        return load.previous is None, load.answer(dry=True)
    if load.in_use and not confirm:
        raise _confirmation_required(year, list(load.in_use), load.changes)
    if not repo.replace_schedule(schedule, load.previous, load.record()):
        raise Conflict(MSG["calendar_changed_meanwhile"].format(year=year), code="concurrent_update")
    schedules.invalidate()
    return load.previous is None, load.answer(dry=False)


def schedule_history(year: int, repo: ScheduleRepository) -> CalendarHistory:
    check_year(year)
    return CalendarHistory(year=year, changes=list(repo.list_schedule_changes(year)))


def describe_year(
    year: int, calendar: WorkingCalendar, schedule: OfficialSchedule | None = None
) -> CalendarYearOut:
    check_year(year)
    holidays, workdays, working = [], [], 0
    d = date(year, 1, 1)
    while d.year == year:
        info = calendar.day(d)
        working += info.working
        if info.kind is DayKind.HOLIDAY:
            holidays.append(d)
        elif info.kind is DayKind.ADJUSTED_WORKDAY:
            workdays.append(d)
        d += timedelta(days=1)
    source = calendar.source_of_year(year)
    note = None
    if source is DaySource.PROVISIONAL:
        note = MSG["calendar_provisional"]
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


# --- the year change: which years' holidays are known --------------------------------------------
# From this month on, next year's schedule is looked for (the State Council publishes it in November).
WARN_FROM_MONTH = 12


def years_in_view(on: date) -> list[int]:
    """The year in course, and from 1 December the next one too."""
    return [on.year, on.year + 1] if on.month >= WARN_FROM_MONTH else [on.year]


def calendar_notice(calendar: WorkingCalendar, on: date) -> CalendarNoticeOut:
    """What ``GET /me`` says of the calendar: which years in view are provisional, in plain words."""
    years = [
        YearSource(year=y, source=str(source), provisional=source is DaySource.PROVISIONAL)
        for y in years_in_view(on)
        for source in [calendar.source_of_year(y)]
    ]
    waiting = [y.year for y in years if y.provisional]
    note = MSG["calendar_not_loaded"].format(years="、".join(map(str, waiting))) if waiting else None
    return CalendarNoticeOut(years=years, provisional=bool(waiting), note=note)


def next_year_waiting(calendar: WorkingCalendar, on: date) -> bool:
    """From 1 December: next year has no official or library schedule yet (the admins' warning)."""
    return on.month >= WARN_FROM_MONTH and calendar.source_of_year(on.year + 1) is DaySource.PROVISIONAL


def calendar_status(calendar: WorkingCalendar, on: date, last_warned_on: date | None) -> CalendarStatusOut:
    """``GET /admin/calendar/status``: the notice, and whether next year's warning stands."""
    notice = calendar_notice(calendar, on)
    return CalendarStatusOut(
        **notice.model_dump(),
        today=on,
        warning=next_year_waiting(calendar, on),
        last_warned_on=last_warned_on,
    )


CALENDAR_NOT_LOADED = "CalendarNotLoaded"


def warn_next_year(
    calendar: WorkingCalendar, repo: ScheduleRepository, bus: EventBus, clock: Clock = system_clock
) -> bool:
    """From 1 December while next year is provisional: one ``CalendarNotLoaded`` event on the bus
    a day at most (the nightly check calls this on each run; a day's warning is recorded, and a
    second run that day finds it). Returns whether a warning went out."""
    on = today(clock)
    if not next_year_waiting(calendar, on):
        return False
    year = on.year + 1
    if repo.last_warned_on(year) == on:
        return False
    # The event first, then its record: a run cut short in between warns twice rather than never.
    detail = {
        "year": year,
        "on": on.isoformat(),
        "message": MSG["calendar_next_year_warning"].format(year=year),
    }
    bus.publish(CALENDAR_NOT_LOADED, [detail])
    repo.note_warning(year, on, iso_now(clock))
    return True
