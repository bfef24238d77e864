"""Shapes shared by every API: the error body, the date every client sends, and the checked text."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from worklog.text import find_forbidden, normalise_newlines

# Years the system accepts anywhere a client names a date or period: keeps date arithmetic far from
# the ends of the calendar, and rejects look-alikes such as "0" or "2026-11-20T00:00". ASCII digits
# only: "\d" would also match "٢" or "２", in pydantic's patterns as in Python's.
YEARS = r"20[0-9]{2}"
DAY_PATTERN = rf"^{YEARS}-[0-9]{{2}}-[0-9]{{2}}$"
_DAY = re.compile(DAY_PATTERN)


def _iso_day(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime) and 2000 <= value.year <= 2099:
        return value
    if isinstance(value, str) and _DAY.fullmatch(value):
        return value  # pydantic then checks it is a real calendar day
    raise ValueError("date must be YYYY-MM-DD with a year from 2000 to 2099")


Day = Annotated[
    date,
    BeforeValidator(_iso_day),
    # The spec says what the validator checks (a bare "format: date" would allow any year).
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": DAY_PATTERN,
            "description": "YYYY-MM-DD, a real calendar day from 2000-01-01 to 2099-12-31",
        }
    ),
]
"""A date a client sends: strictly YYYY-MM-DD, years 2000–2099."""

MIN_YEAR, MAX_YEAR = 2000, 2099
_YEAR = re.compile(r"[0-9]{4}")


def _four_digit_year(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value  # the bounds below still apply
    if isinstance(value, str) and _YEAR.fullmatch(value):
        return int(value)
    # Not int("2026.0"), " 2026", "+2026" or "٢٠٢٦": a year names one calendar, spelt one way.
    raise ValueError("year must be exactly four digits, from 2000 to 2099")


Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR), BeforeValidator(_four_digit_year)]
"""A year a client names (path parameters arrive as text): exactly four ASCII digits, 2000–2099."""


def _checked(value: Any, *, multiline: bool) -> Any:
    if not isinstance(value, str):
        return value  # pydantic's own str validation reports the wrong type
    text = normalise_newlines(value) if multiline else value
    found = find_forbidden(text, multiline=multiline)
    if found is not None:
        raise PydanticCustomError(
            "forbidden_character",
            "text contains {character} ({kind}) at character {position}: control, bidirectional and "
            "invisible format characters are not accepted",
            {"character": found.code_point, "kind": found.kind, "position": found.position},
        )
    return text


def _one_line(value: Any) -> Any:
    return _checked(value, multiline=False)


def _multi_line(value: Any) -> Any:
    return _checked(value, multiline=True)


# The rule of worklog.text for every text a client sends, as metadata of an Annotated str. Put it
# AFTER StringConstraints: it then runs first, on the text as sent (before stripping, which would
# hide a trailing control character), and the length limits count the normalised text.
ONE_LINE = BeforeValidator(_one_line)
"""A single line: no control characters at all (no line feed, no tab)."""
MULTI_LINE = BeforeValidator(_multi_line)
"""Multi-line text: line feeds and tabs allowed; CRLF and lone CR are stored as LF."""


class ErrorBody(BaseModel):
    code: str = Field(description="stable snake_case error code", examples=["period_locked"])
    message: str = Field(description="human-readable message (Simplified Chinese)")
    details: list[dict[str, Any]] | None = Field(
        default=None, description="for validation errors: one entry per field, with loc, msg and type"
    )
