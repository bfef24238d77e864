"""Shapes shared by every API: the error body."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field

# Years the system accepts anywhere a client names a date or period: keeps date arithmetic far from
# the ends of the calendar, and rejects look-alikes such as "0" or "2026-11-20T00:00".
YEARS = r"20\d{2}"
_DAY = re.compile(rf"^{YEARS}-\d{{2}}-\d{{2}}$")


def _iso_day(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime) and 2000 <= value.year <= 2099:
        return value
    if isinstance(value, str) and _DAY.fullmatch(value):
        return value  # pydantic then checks it is a real calendar day
    raise ValueError("date must be YYYY-MM-DD with a year from 2000 to 2099")


Day = Annotated[date, BeforeValidator(_iso_day)]
"""A date a client sends: strictly YYYY-MM-DD, years 2000–2099."""


class ErrorBody(BaseModel):
    code: str = Field(description="stable snake_case error code", examples=["period_locked"])
    message: str = Field(description="human-readable message (Simplified Chinese)")
    details: list[dict[str, Any]] | None = Field(
        default=None, description="for validation errors: one entry per field, with loc, msg and type"
    )
