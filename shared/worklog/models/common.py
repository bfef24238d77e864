"""Shapes shared by every API: the error body, the date every client sends, and the checked text."""

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from worklog.records import datarecord
from worklog.text import find_forbidden, normalise_newlines


class Model(BaseModel):
    """The base of every model of worklog. Its validator and serializer (pydantic's core schema) are
    built at the model's first use, not when its module is imported: a cold start builds only the
    models its requests use, and none of those it never touches (docs/decisions.md, decision 26)."""

    model_config = ConfigDict(defer_build=True)


# Why a caller other than the owner may read a cadre's entries (each such read is logged). Here
# rather than in worklog.models.reviews so that worklog.access, which every function loads, does not
# build the review models at cold start.
ReadPurpose = Literal["review", "unit_head", "district_leader", "inspector", "vetting"]

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


@datarecord(frozen=True)
class CheckedText:
    """Metadata of an Annotated str: the rule of worklog.text, and its mention in the JSON schema
    (``x-text``), so that the spec says it too."""

    multiline: bool

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        check = _multi_line if self.multiline else _one_line
        return core_schema.no_info_before_validator_function(check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        out = handler(schema)
        out["x-text"] = _MULTI_LINE_DOC if self.multiline else _ONE_LINE_DOC
        return out


def _one_line(value: Any) -> Any:
    return _checked(value, multiline=False)


def _multi_line(value: Any) -> Any:
    return _checked(value, multiline=True)


_REFUSED = (
    "format characters (Cf: bidi overrides and isolates, zero-width characters, BOM), lone surrogates, "
    "U+2028/U+2029 and noncharacters are refused (422 forbidden_character); blanks at the ends are trimmed"
)
_ONE_LINE_DOC = f"one line: control characters (Cc) and {_REFUSED}"
_MULTI_LINE_DOC = (
    f"multi-line: line feed and tab allowed, CRLF and CR stored as LF; other control characters (Cc) and "
    f"{_REFUSED}; a zero-width joiner between two emoji is kept"
)

# The rule of worklog.text for every text a client sends. Put it AFTER StringConstraints in the
# Annotated: it then runs first, on the text as sent (before stripping, which would hide a trailing
# control character), and the length limits count the normalised text.
ONE_LINE = CheckedText(multiline=False)
"""A single line: no control characters at all (no line feed, no tab)."""
MULTI_LINE = CheckedText(multiline=True)
"""Multi-line text: line feeds and tabs allowed; CRLF and lone CR are stored as LF."""


class ErrorBody(Model):
    code: str = Field(description="stable snake_case error code", examples=["period_locked"])
    message: str = Field(description="human-readable message (Simplified Chinese)")
    details: list[dict[str, Any]] | None = Field(
        default=None, description="for validation errors: one entry per field, with loc, msg and type"
    )
