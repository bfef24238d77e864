"""A year's official working-day schedule (国务院办公厅 holiday arrangement), as an admin loads it."""

from datetime import date
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from worklog.models.common import ONE_LINE, Day, Model


class ScheduleIn(Model):
    """Body of PUT /admin/calendar/{year}."""

    model_config = ConfigDict(extra="forbid")

    holidays: list[Day] = Field(max_length=60, description="statutory holiday dates (non-working)")
    workdays: list[Day] = Field(
        default_factory=list, max_length=30, description="make-up working days (调休上班), usually weekends"
    )
    source: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), ONE_LINE] = ""

    @model_validator(mode="after")
    def _disjoint(self) -> "ScheduleIn":
        both = set(self.holidays) & set(self.workdays)
        if both:
            raise ValueError(f"dates listed as both holiday and workday: {sorted(both)}")
        return self


class OfficialSchedule(Model):
    """Stored schedule of one year."""

    year: int
    holidays: list[date]
    workdays: list[date]
    source: str = ""
    loaded_at: str
    loaded_by: str


class DayChange(Model):
    """A day whose working status a load changes."""

    date: date
    working_before: bool
    working_after: bool


class CalendarChange(Model):
    """One load of a year's schedule, as recorded (append-only, never changed)."""

    year: int
    at: str = Field(description="server time of the load")
    by: str = Field(description="who loaded it (a cadre id, or cli)")
    in_use: list[Literal["schedule_loaded", "days_passed"]] = Field(
        description="why the year was in use: a schedule was loaded before / some of its days are past"
    )
    confirmed: bool = Field(description="the replacement was explicitly confirmed (needed when in use)")
    source_before: str = Field(description="official | library | provisional: the year before the load")
    before: OfficialSchedule | None = Field(
        None, description="the schedule it replaced (null on a first load)"
    )
    after: OfficialSchedule
    changed_days: list[DayChange] = Field(description="days whose working status changed, in order")


class CalendarHistory(Model):
    year: int
    changes: list[CalendarChange] = Field(description="every load of the year, oldest first")


class CalendarYearOut(Model):
    year: int
    source: str = Field(
        description="official (loaded by an admin) | library (chinese-calendar) | provisional (Mon–Fri)"
    )
    holidays: list[date] = Field(description="non-working weekdays")
    workdays: list[date] = Field(description="working weekend days (调休)")
    working_days: int
    loaded_at: str | None = None
    loaded_by: str | None = None
    note: str | None = None


class YearSource(Model):
    year: int
    source: Literal["official", "library", "provisional"] = Field(
        description="official (loaded by an admin) | library (chinese-calendar) | provisional (Mon–Fri)"
    )
    provisional: bool = Field(description="the year's holidays are not loaded: Mon–Fri assumed (待定)")


class CalendarNoticeOut(Model):
    """Whether the holidays of the year in course (and, from 1 December, of the next) are known."""

    years: list[YearSource] = Field(
        description="this year, and from 1 December the next year too, each with where its working days "
        "come from"
    )
    provisional: bool = Field(description="one of these years has no official or library schedule yet")
    note: str | None = Field(
        None, description="a plain statement (Chinese) of which years' holidays are not loaded; null if none"
    )


class CalendarStatusOut(CalendarNoticeOut):
    """Answer of GET /admin/calendar/status."""

    today: date = Field(description="today in Asia/Shanghai")
    warning: bool = Field(
        description="from 1 December: next year's schedule is still not loaded (the nightly check also "
        "puts a CalendarNotLoaded event on the bus, at most once a day)"
    )
    last_warned_on: date | None = Field(
        None, description="the last day the nightly check sent that warning for next year (null: never)"
    )


class CalendarLoadOut(CalendarYearOut):
    """Answer of PUT /admin/calendar/{year}: the year as it now is (a dry run: as it would be), and
    what the load changes."""

    dry_run: bool = Field(False, description="true: nothing was stored and no load was recorded")
    source_before: str = Field(description="official | library | provisional: the year before the load")
    in_use: list[Literal["schedule_loaded", "days_passed"]] = Field(
        default_factory=list,
        description="why the year is in use (a load then needs confirm=true): a schedule was loaded "
        "before / some of its days have come",
    )
    confirmation_required: bool = Field(
        False, description="a dry run of a year in use: loading it needs confirm=true"
    )
    changed_days: list[DayChange] = Field(
        default_factory=list,
        description="days whose working status the load changes (changed, for a dry run would change), "
        "in order — for a year in use the same days the 409 confirmation lists",
    )
    withdrawn_misses: list[str] = Field(
        default_factory=list,
        description="provisional missing records (cadre_id/kind/period) on days this schedule makes days "
        "off, withdrawn by this load (their cadres are told); empty for a dry run and when a load repeats",
    )
