"""A year's official working-day schedule (国务院办公厅 holiday arrangement), as an admin loads it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from worklog.models.common import ONE_LINE, Day


class ScheduleIn(BaseModel):
    """Body of PUT /admin/calendar/{year}."""

    model_config = ConfigDict(extra="forbid")

    holidays: list[Day] = Field(max_length=60, description="statutory holiday dates (non-working)")
    workdays: list[Day] = Field(
        default_factory=list, max_length=30, description="make-up working days (调休上班), usually weekends"
    )
    source: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), ONE_LINE] = ""

    @model_validator(mode="after")
    def _disjoint(self) -> ScheduleIn:
        both = set(self.holidays) & set(self.workdays)
        if both:
            raise ValueError(f"dates listed as both holiday and workday: {sorted(both)}")
        return self


class OfficialSchedule(BaseModel):
    """Stored schedule of one year."""

    year: int
    holidays: list[date]
    workdays: list[date]
    source: str = ""
    loaded_at: str
    loaded_by: str


class CalendarYearOut(BaseModel):
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
