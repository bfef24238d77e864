"""One row of an uploaded roster, as the importer checks it: a pydantic model of the cells.

The limits (lengths, id pattern, roles) are the roster models' own types (worklog.models.roster);
this module adds only what a file brings: cells that are numbers or dates, blank cells, roles
written in Chinese or English in one cell, dates spelt the ways office PCs spell them.

Errors are pydantic's (``missing``, ``string_too_long``, ``literal_error``, ...) or custom ones
whose type names the importer's reason (``not_text`` is pydantic's ``string_type``): the importer
words them (worklog.roster.importer), one reason per bad field, one per unknown role.
"""

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from worklog.models.common import ONE_LINE, Model
from worklog.models.contact import Channel
from worklog.models.roster import (
    ROLES,
    Cadre,
    CadreId,
    Email,
    MessengerId,
    Mobile,
    PersonName,
    PostTitle,
    Rank,
    Role,
    UnitCategory,
    UnitId,
    UnitName,
)
from worklog.roster.contact_cells import channel_cell, check_reachable, mobile_cell
from worklog.text import strip_blanks

ROLE_ALIASES: dict[str, Role] = {
    **{role: role for role in ROLES},
    "干部": "cadre",
    "一把手": "unit_head",
    "单位主要负责人": "unit_head",
    "区领导": "district_leader",
    "组织部检查员": "org_inspector",
    "组织部": "org_inspector",
    "纪委检查员": "discipline_inspector",
    "纪委监委": "discipline_inspector",
    "人社评价员": "hr_evaluator",
    "人社局": "hr_evaluator",
    "管理员": "admin",
}
_ROLE_SEPARATORS = re.compile(r"[;,，、；\s]+")
_DATE_PATTERN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_EXCEL_EPOCH = date(1899, 12, 30)


def cell_value(value: Any) -> Any:
    """A cell as every format yields it: text stripped of ordinary blanks (None when nothing is
    left), whole numbers as text (Excel stores 工号 12345 as a number), dates as ``YYYY-MM-DD``."""
    if value is None:
        return None
    if isinstance(value, str):
        # Only ordinary blanks are trimmed: a control or invisible character at either end stays
        # in the cell, so that the row is refused naming it (worklog.text), not cleaned unseen.
        text = strip_blanks(value)
        return text or None
    if isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, list):
        return [cell_value(v) for v in value]
    return value


def _role_names(value: Any) -> list[str]:
    """The roles a cell names (one cell may hold several, in Chinese or English), an unknown one
    as written: the Role literal then refuses it, naming it."""
    tokens: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if item is not None:
            tokens.extend(t for t in _ROLE_SEPARATORS.split(str(item)) if t)
    return [ROLE_ALIASES.get(token) or ROLE_ALIASES.get(token.lower()) or token for token in tokens]


def _known_roles(value: Any) -> list[str]:
    return [name for name in _role_names(value) if name in ROLES]


def _with_cadre(roles: list[Role]) -> list[Role]:
    """Always includes "cadre"; in the canonical ROLES order, without duplicates."""
    found = {"cadre", *roles}
    return [role for role in ROLES if role in found]


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    parsed: date | None = None
    match = _DATE_PATTERN.fullmatch(text)
    try:
        if match:
            parsed = date(int(match[1]), int(match[2]), int(match[3]))
        elif re.fullmatch(r"\d{8}", text):
            parsed = date(int(text[:4]), int(text[4:6]), int(text[6:]))
        elif re.fullmatch(r"\d{5}", text) and 20000 <= int(text) <= 80000:
            parsed = _EXCEL_EPOCH + timedelta(days=int(text))  # an Excel serial day number
    except ValueError:
        parsed = None
    if parsed is None:
        raise PydanticCustomError("bad_date", "date must be YYYY-MM-DD (or a usual spelling of it)")
    return parsed


# ONE_LINE runs first (it comes last): the rule of worklog.text on the cell as read, before any
# stripping could hide a control character at its end.
RowCadreId = Annotated[CadreId, ONE_LINE, BeforeValidator(cell_value)]
RowUnitId = Annotated[UnitId, ONE_LINE, BeforeValidator(cell_value)]
RowDay = Annotated[date | None, BeforeValidator(_day)]
# The contact cells: the rule of worklog.text first (on the cell as read), then the spreadsheet's
# spellings (contact_cells), then the roster's own type.
RowMobile = Annotated[Mobile, BeforeValidator(mobile_cell), ONE_LINE]
RowChannel = Annotated[Channel | None, BeforeValidator(channel_cell), ONE_LINE]


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not strip_blanks(value))


def _cadre_only() -> list[Role]:
    """A row that names no role is a cadre's (a new list for each row)."""
    return ["cadre"]


class RowKeys(Model):
    """What the checks across rows read of a row (duplicate ids and heads, one name per unit,
    units that exist): of a rejected row too, with the fields it got right and the roles it
    named that exist."""

    # A file may carry columns the roster does not know (备注, 序号, ...): they are ignored.
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)

    cadre_id: RowCadreId | None = None
    unit_id: RowUnitId | None = None
    unit_name: Annotated[UnitName, ONE_LINE] | None = None
    unit_category: Annotated[UnitCategory, ONE_LINE] | None = None
    roles: Annotated[list[Role], AfterValidator(_with_cadre), BeforeValidator(_known_roles)] = Field(
        default_factory=_cadre_only
    )

    @model_validator(mode="before")
    @classmethod
    def _blank_cells_are_missing(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        return {
            column: strip_blanks(value) if isinstance(value, str) else value
            for column, value in data.items()
            if not _is_blank(value)
        }

    @property
    def claims_head(self) -> bool:
        return "unit_head" in self.roles

    @property
    def defines_unit(self) -> bool:
        return bool(self.unit_name or self.unit_category or self.claims_head)


class RosterRow(RowKeys):
    """A row the roster accepts: a cadre, and what it says of the cadre's unit."""

    cadre_id: RowCadreId
    name: Annotated[PersonName, ONE_LINE]
    unit_id: RowUnitId
    title: Annotated[PostTitle, ONE_LINE] = ""
    rank: Annotated[Rank, ONE_LINE] = ""
    roles: Annotated[list[Role], AfterValidator(_with_cadre), BeforeValidator(_role_names)] = Field(
        default_factory=_cadre_only
    )
    joined_on: RowDay = None
    left_on: RowDay = None
    mobile: RowMobile | None = None
    email: Annotated[Email, ONE_LINE] | None = None
    wecom_user_id: Annotated[MessengerId, ONE_LINE] | None = None
    dingtalk_user_id: Annotated[MessengerId, ONE_LINE] | None = None
    preferred_channel: RowChannel = None

    @field_validator("left_on")
    @classmethod
    def _not_before_joining(cls, left_on: date | None, info: ValidationInfo) -> date | None:
        joined_on = info.data.get("joined_on")
        if left_on and joined_on and left_on < joined_on:
            raise PydanticCustomError("left_before_joined", "left_on is before joined_on")
        return left_on

    @model_validator(mode="after")
    def _preferred_channel_reachable(self) -> "RosterRow":
        check_reachable(self)
        return self

    def cadre(self) -> Cadre:
        # Every field was validated by the very types Cadre declares: nothing to check again.
        return Cadre.model_construct(**{name: getattr(self, name) for name in Cadre.model_fields})
