"""Roster import: read an uploaded roster (JSON, CSV or XLSX), check it row by row, write it.

Three steps, each usable on its own:

* ``parse_roster`` turns the file into raw rows whose column names are normalised (English or
  Chinese headers both work). Only an unreadable file fails as a whole.
* ``plan_import`` checks every row and decides what to write. A bad row is rejected whole, with
  every problem it has listed, and the other rows go on: an admin fixes the rejected rows and
  uploads them again instead of hunting one error per upload.
* ``import_roster`` writes the plan, one transaction per row (cadre plus, when the row defines it,
  its unit, a head it replaces, and the role changes it makes), so a half-written row cannot exist.

Every change of what a cadre may do — roles, unit, last day in post — leaves a role change record
(who, when, before, after, which import) in the same transaction as the row, append-only. Nobody
changes their own: a row that would change the importing admin's own roles, unit or last day, or
take their unit's head from them, is rejected (another admin imports it).

Pure: no boto3 here; the repository is passed in.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal, Protocol

import openpyxl
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from pydantic import ValidationError

from worklog import messages
from worklog.clock import Clock, iso_now, system_clock
from worklog.errors import ValidationFailed
from worklog.models.roster import (
    ROLES,
    Cadre,
    ImportReport,
    RejectedRow,
    Role,
    RoleChange,
    RoleState,
    Unit,
)
from worklog.text import find_forbidden, strip_blanks

MESSAGES = messages.ROSTER_IMPORT

FIELD_LABELS: dict[str, str] = {
    "cadre_id": "工号",
    "name": "姓名",
    "unit_id": "单位编码",
    "unit_name": "单位名称",
    "unit_category": "单位类别",
    "title": "职务",
    "rank": "职级",
    "roles": "角色",
    "joined_on": "任职日期",
    "left_on": "离任日期",
}

# --- column and role vocabularies ------------------------------------------------------------------
# Keys are normalised headers (see _column_name); values are the canonical column names.
COLUMN_ALIASES: dict[str, str] = {
    **{name: name for name in FIELD_LABELS},
    "cadreid": "cadre_id",
    "工号": "cadre_id",
    "人员编号": "cadre_id",
    "姓名": "name",
    "unitid": "unit_id",
    "单位编码": "unit_id",
    "unit": "unit_name",
    "unitname": "unit_name",
    "单位": "unit_name",
    "单位名称": "unit_name",
    "category": "unit_category",
    "unitcategory": "unit_category",
    "单位类别": "unit_category",
    "职务": "title",
    "职级": "rank",
    "role": "roles",
    "角色": "roles",
    "joined": "joined_on",
    "任职日期": "joined_on",
    "left": "left_on",
    "离任日期": "left_on",
}
REQUIRED_COLUMNS: tuple[str, ...] = ("cadre_id", "name", "unit_id")

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

# Column holding each raw row's position in the file (1-based; the header of CSV/XLSX is row 1).
ROW_KEY = "_row"

_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
_DATE_PATTERN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_EXCEL_EPOCH = date(1899, 12, 30)
_HEADER_SEARCH_ROWS = 10
_MAX_LENGTHS: dict[str, int] = {"name": 30, "unit_name": 60, "unit_category": 30, "title": 60, "rank": 30}

RosterFormat = Literal["json", "csv", "xlsx"]


class RosterStore(Protocol):
    """What the importer needs from the roster repository (RosterRepository satisfies it)."""

    def list_units(self) -> Iterable[Unit]: ...

    def get_cadres(self, cadre_ids: Iterable[str]) -> Mapping[str, Cadre]: ...

    def put_row(
        self,
        cadre: Cadre,
        unit: Unit | None = None,
        others: Iterable[Cadre] = (),
        *,
        seen: Mapping[str, Cadre | None] | None = None,
        changes: Sequence[RoleChange] = (),
    ) -> bool: ...

    def put_unit(self, unit: Unit) -> None: ...


@dataclass(frozen=True)
class RoleDelta:
    """A change of what a cadre may do that a planned row makes (stamped into a RoleChange when
    the import runs)."""

    cadre_id: str
    row: int | None
    cause: Literal["row", "head_replaced"]
    before: RoleState | None
    after: RoleState

    def stamped(self, *, at: str, by: str, import_id: str) -> RoleChange:
        return RoleChange(
            cadre_id=self.cadre_id,
            at=at,
            by=by,
            import_id=import_id,
            row=self.row,
            cause=self.cause,
            before=self.before,
            after=self.after,
        )


@dataclass(frozen=True)
class PlannedRow:
    """One valid row: its cadre and (when the row defines it) unit, the profile it replaces (None:
    new to the roster), and any replaced head it demotes, as (stored, written)."""

    row: int
    cadre: Cadre
    unit: Unit | None
    before: Cadre | None = None
    demoted: tuple[tuple[Cadre, Cadre], ...] = ()

    @property
    def deltas(self) -> list[RoleDelta]:
        found = []
        after = RoleState.of(self.cadre)
        if self.before is None or RoleState.of(self.before) != after:
            before = RoleState.of(self.before) if self.before else None
            found.append(RoleDelta(self.cadre.cadre_id, self.row, "row", before, after))
        for stored, written in self.demoted:
            found.append(
                RoleDelta(stored.cadre_id, None, "head_replaced", RoleState.of(stored), RoleState.of(written))
            )
        return found

    @property
    def seen(self) -> dict[str, Cadre | None]:
        """The profiles this row's transaction expects to find unchanged."""
        return {self.cadre.cadre_id: self.before, **{stored.cadre_id: stored for stored, _ in self.demoted}}


@dataclass(frozen=True)
class ImportPlan:
    """What an import would write: each valid row (cadre, unit, role changes), and the rejected
    rows."""

    planned: list[PlannedRow]
    rejected: list[RejectedRow]
    # Units whose stored head is replaced by a row of this file while the old head has no row in
    # it: unit id → the old head, who loses the unit_head role in the same transaction.
    replaced_heads: dict[str, str] = field(default_factory=dict)
    # Units whose stored head's row takes them elsewhere or drops the role: written without a head.
    headless: list[Unit] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[Cadre, Unit | None]]:
        return [(p.cadre, p.unit) for p in self.planned]

    @property
    def role_changes(self) -> list[RoleDelta]:
        return [delta for p in self.planned for delta in p.deltas]

    @property
    def units(self) -> list[Unit]:
        """The distinct units the plan upserts, in first-seen order."""
        seen: dict[str, Unit] = {}
        for _, unit in self.rows:
            if unit is not None:
                seen.setdefault(unit.unit_id, unit)
        return list(seen.values())


# === parse ===========================================================================================
def parse_roster(content: bytes, fmt: RosterFormat) -> list[dict[str, Any]]:
    """Raw rows with canonical column names, blank rows dropped, each with its file row in ROW_KEY.

    Empty cells are left out. Values are normalised so that every format yields the same rows:
    text stripped, numbers as text (Excel stores 工号 12345 as a number), dates as ``YYYY-MM-DD``.
    """
    kind = str(fmt).lower()
    if kind == "json":
        return _parse_json(content)
    if kind == "csv":
        return _rows_from_table(_csv_records(content))
    if kind == "xlsx":
        return _rows_from_table(_xlsx_records(content))
    raise ValidationFailed(MESSAGES["unknown_format"].format(fmt=fmt))


def _parse_json(content: bytes) -> list[dict[str, Any]]:
    if not content.strip():
        raise ValidationFailed(MESSAGES["empty"])
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationFailed(MESSAGES["unreadable"].format(fmt="JSON")) from exc
    if isinstance(data, dict) and isinstance(data.get("rows"), list):
        data = data["rows"]
    if not isinstance(data, list):
        raise ValidationFailed(MESSAGES["json_shape"])
    rows: list[dict[str, Any]] = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise ValidationFailed(MESSAGES["json_row"].format(row=number))
        row: dict[str, Any] = {ROW_KEY: number}
        for header, value in item.items():
            column = _column_name(header)
            cell = _cell_value(value)
            if column is not None and cell is not None:
                row.setdefault(column, cell)
        rows.append(row)
    return rows


def _csv_records(content: bytes) -> Iterator[list[Any]]:
    text = _decode_text(content)
    if "\x00" in text:  # a binary file uploaded as CSV
        raise ValidationFailed(MESSAGES["unreadable"].format(fmt="CSV"))
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count) if first_line else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:
        raise ValidationFailed(MESSAGES["unreadable"].format(fmt="CSV")) from exc


def _decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (what Chinese office PCs export)."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed(MESSAGES["unreadable"].format(fmt="CSV"))


def _xlsx_records(content: bytes) -> list[list[Any]]:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (zip, xml, key errors) on a bad file
        raise ValidationFailed(MESSAGES["unreadable"].format(fmt="XLSX")) from exc
    try:
        if not workbook.worksheets:
            raise ValidationFailed(MESSAGES["unreadable"].format(fmt="XLSX"))
        sheet = workbook.worksheets[0]
        # The size a sheet declares is not to be trusted (some exporters write "A1" or a stale
        # range): read every row the file holds, numbered as a spreadsheet shows them.
        if isinstance(sheet, ReadOnlyWorksheet):
            sheet.reset_dimensions()
        try:
            records = [list(r) for r in sheet.iter_rows(values_only=True)]
        except Exception as exc:
            raise ValidationFailed(MESSAGES["unreadable"].format(fmt="XLSX")) from exc
    finally:
        workbook.close()
    return records


def _rows_from_table(records: Iterable[list[Any]]) -> list[dict[str, Any]]:
    """The header is the first row naming the required columns; rows above it (a title such as
    "锦江区区管干部名册", blank lines) are skipped, as offices often put a title above the table."""
    header: list[str | None] | None = None
    first_seen: list[str | None] | None = None
    rows: list[dict[str, Any]] = []
    for number, record in enumerate(records, start=1):
        if header is None:
            if all(_cell_value(v) is None for v in record):
                continue
            columns = [_column_name(v) for v in record]
            first_seen = first_seen or columns
            if all(c in columns for c in REQUIRED_COLUMNS):
                header = columns
            elif number >= _HEADER_SEARCH_ROWS:
                break
            continue
        row: dict[str, Any] = {ROW_KEY: number}
        for column, value in zip(header, record, strict=False):
            # Two headers may map to one column (单位 and 单位名称): the first non-empty one wins.
            cell = _cell_value(value)
            if column is not None and cell is not None:
                row.setdefault(column, cell)
        if len(row) > 1:
            rows.append(row)
    if header is None:
        if first_seen is None:
            raise ValidationFailed(MESSAGES["empty"])
        missing = [c for c in REQUIRED_COLUMNS if c not in first_seen]
        raise ValidationFailed(
            MESSAGES["missing_columns"].format(columns="、".join(FIELD_LABELS[c] for c in missing)),
            details=[
                {"field": c, "message": MESSAGES["required"].format(label=FIELD_LABELS[c])} for c in missing
            ],
        )
    return rows


def _column_name(header: Any) -> str | None:
    if header is None:
        return None
    text = str(header).replace("\ufeff", "").strip().strip("*＊").strip()
    if not text:
        return None
    key = re.sub(r"[\s\-]+", "_", text.lower())
    return COLUMN_ALIASES.get(key, COLUMN_ALIASES.get(key.replace("_", ""), key))


def _cell_value(value: Any) -> Any:
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
        return [_cell_value(v) for v in value]
    return value


# === plan ============================================================================================
@dataclass
class _RowCheck:
    """One row while it is being checked; ``errors`` collects every problem before the verdict."""

    row: int
    raw_id: str | None
    errors: list[str] = field(default_factory=list)
    cadre_id: str | None = None
    unit_id: str | None = None
    unit_name: str | None = None
    unit_category: str | None = None
    roles: list[Role] = field(default_factory=list)
    cadre: Cadre | None = None

    @property
    def claims_head(self) -> bool:
        return "unit_head" in self.roles

    @property
    def defines_unit(self) -> bool:
        return bool(self.unit_name or self.unit_category or self.claims_head)


def plan_import(
    rows: list[dict[str, Any]],
    existing_units: Mapping[str, Unit],
    existing_cadres: Mapping[str, Cadre] | None = None,
    *,
    author: str | None = None,
) -> ImportPlan:
    """Check every row; return the rows to write and the rejected ones.

    Rules across rows (file order decides who was first): a cadre id or a unit's head claimed twice
    rejects the later rows, as do conflicting names or categories for one unit. A unit must exist
    already or be named (单位名称) by an accepted row of the file.

    ``existing_cadres`` holds the stored profiles of the file's cadres and of the heads of the
    units it names: what each row changes is computed against them. ``author`` (the importing
    admin's cadre id) may not change their own roles, unit or last day, nor lose their unit's head.
    """
    cadres = existing_cadres or {}
    checks = [_check_fields(row, row.get(ROW_KEY, number)) for number, row in enumerate(rows, start=1)]
    _check_across_rows(checks)
    if author is not None:
        _check_own_changes(checks, author, existing_units, cadres)

    # A row that names its unit never refers to an unknown one, even when it is rejected itself.
    named = {c.unit_id for c in checks if not c.errors and c.unit_name}
    for check in checks:
        unit_id = check.unit_id
        if unit_id and not check.unit_name and unit_id not in existing_units and unit_id not in named:
            check.errors.append(MESSAGES["unknown_unit"].format(unit_id=unit_id))

    accepted = [c for c in checks if not c.errors]
    units = _final_units(accepted, existing_units)
    in_file = {c.cadre_id for c in accepted}
    # A stored head whose own row moves them or drops the role leaves the unit without a head
    # (unless another row of the file claims it).
    headless = [
        before.model_copy(update={"head_id": None})
        for unit_id, before in existing_units.items()
        if before.head_id in in_file
        and unit_id not in units
        and not any(c.cadre_id == before.head_id and c.claims_head and c.unit_id == unit_id for c in accepted)
    ]
    replaced = {
        unit_id: before.head_id
        for unit_id, before in existing_units.items()
        if before.head_id
        and unit_id in units
        and units[unit_id].head_id not in (None, before.head_id)
        and before.head_id not in in_file
    }
    planned: list[PlannedRow] = []
    demoting: set[str] = set()
    for check in accepted:
        cadre = check.cadre
        if cadre is None:  # cannot happen: a row without errors always has its cadre
            continue
        unit = units.get(cadre.unit_id) if check.defines_unit else None
        demoted: list[tuple[Cadre, Cadre]] = []
        # The first row writing a unit whose head it replaces takes the role from the old head.
        old_head = cadres.get(replaced.get(unit.unit_id, "")) if unit is not None else None
        if old_head is not None and "unit_head" in old_head.roles and old_head.cadre_id not in demoting:
            demoting.add(old_head.cadre_id)
            roles = [r for r in old_head.roles if r != "unit_head"]
            demoted.append((old_head, old_head.model_copy(update={"roles": roles})))
        planned.append(PlannedRow(check.row, cadre, unit, cadres.get(cadre.cadre_id), tuple(demoted)))
    rejected = [RejectedRow(row=c.row, cadre_id=c.raw_id, errors=c.errors) for c in checks if c.errors]
    return ImportPlan(planned=planned, rejected=rejected, replaced_heads=replaced, headless=headless)


def _check_own_changes(
    checks: list[_RowCheck], author: str, existing_units: Mapping[str, Unit], cadres: Mapping[str, Cadre]
) -> None:
    """Nobody changes what they themselves may do: the author's own row may not change their
    roles, unit or last day, and no row may take the author's unit's head from them."""
    for check in checks:
        if check.errors or check.cadre is None:
            continue
        if check.cadre_id == author:
            before = cadres.get(author)
            if before is None or RoleState.of(before) != RoleState.of(check.cadre):
                check.errors.append(MESSAGES["own_change"])
        elif check.claims_head and check.unit_id is not None:
            unit = existing_units.get(check.unit_id)
            if unit is not None and unit.head_id == author:
                check.errors.append(MESSAGES["own_head_taken"].format(unit_id=check.unit_id))


def _check_fields(raw: Mapping[str, Any], number: int) -> _RowCheck:
    raw_id = raw.get("cadre_id")
    check = _RowCheck(row=number, raw_id=None if raw_id is None else str(raw_id))
    errors = check.errors

    check.cadre_id = _identifier(raw.get("cadre_id"), "cadre_id", errors)
    name = _text(raw.get("name"), "name", errors, required=True)
    check.unit_id = _identifier(raw.get("unit_id"), "unit_id", errors)
    check.unit_name = _text(raw.get("unit_name"), "unit_name", errors)
    check.unit_category = _text(raw.get("unit_category"), "unit_category", errors)
    title = _text(raw.get("title"), "title", errors) or ""
    rank = _text(raw.get("rank"), "rank", errors) or ""
    check.roles = _roles(raw.get("roles"), errors)
    joined_on = _date(raw.get("joined_on"), "joined_on", errors)
    left_on = _date(raw.get("left_on"), "left_on", errors)
    if joined_on and left_on and left_on < joined_on:
        errors.append(MESSAGES["left_before_joined"])

    if not errors:
        try:
            check.cadre = Cadre(
                cadre_id=check.cadre_id or "",
                name=name or "",
                unit_id=check.unit_id or "",
                title=title,
                rank=rank,
                roles=check.roles,
                joined_on=joined_on,
                left_on=left_on,
            )
        except ValidationError as exc:  # a model rule the checks above do not mirror
            for problem in exc.errors():
                column = str(problem["loc"][0]) if problem["loc"] else ""
                errors.append(MESSAGES["invalid_value"].format(label=FIELD_LABELS.get(column, column)))
    return check


def _check_across_rows(checks: list[_RowCheck]) -> None:
    first_id: dict[str, int] = {}
    first_head: dict[str, int] = {}
    unit_names: dict[str, tuple[str, int]] = {}
    unit_categories: dict[str, tuple[str, int]] = {}
    for check in checks:
        if check.cadre_id is not None:
            if check.cadre_id in first_id:
                check.errors.append(
                    MESSAGES["duplicate_cadre"].format(
                        cadre_id=check.cadre_id, first=first_id[check.cadre_id]
                    )
                )
            else:
                first_id[check.cadre_id] = check.row
        unit_id = check.unit_id
        if unit_id is None:
            continue
        if check.claims_head:
            if unit_id in first_head:
                check.errors.append(
                    MESSAGES["duplicate_head"].format(unit_id=unit_id, first=first_head[unit_id])
                )
            else:
                first_head[unit_id] = check.row
        for value, seen, key in (
            (check.unit_name, unit_names, "unit_name_conflict"),
            (check.unit_category, unit_categories, "unit_category_conflict"),
        ):
            if not value:
                continue
            if unit_id not in seen:
                seen[unit_id] = (value, check.row)
            elif seen[unit_id][0] != value:
                check.errors.append(MESSAGES[key].format(unit_id=unit_id, first=seen[unit_id][1]))


def _final_units(accepted: list[_RowCheck], existing: Mapping[str, Unit]) -> dict[str, Unit]:
    """Each touched unit's state after the import: one object shared by all rows that write it,
    so writing the rows in any order leaves the same unit (a later row never drops the head)."""
    names: dict[str, str] = {}
    categories: dict[str, str] = {}
    heads: dict[str, str] = {}
    touched: list[str] = []
    for check in accepted:
        if not check.defines_unit or check.unit_id is None:
            continue
        unit_id = check.unit_id
        if unit_id not in touched:
            touched.append(unit_id)
        if check.unit_name:
            names.setdefault(unit_id, check.unit_name)
        if check.unit_category:
            categories.setdefault(unit_id, check.unit_category)
        if check.claims_head and check.cadre_id:
            heads.setdefault(unit_id, check.cadre_id)
    units: dict[str, Unit] = {}
    for unit_id in touched:
        before = existing.get(unit_id)
        units[unit_id] = Unit(
            unit_id=unit_id,
            name=names.get(unit_id) or (before.name if before else unit_id),
            category=categories.get(unit_id, before.category if before else ""),
            head_id=heads.get(unit_id, before.head_id if before else None),
        )
    return units


def _text(value: Any, column: str, errors: list[str], *, required: bool = False) -> str | None:
    label = FIELD_LABELS[column]
    if value is None or value == "":
        if required:
            errors.append(MESSAGES["required"].format(label=label))
        return None
    if isinstance(value, bool | list | dict):
        errors.append(MESSAGES["not_text"].format(label=label))
        return None
    text = strip_blanks(str(value))
    if not text:
        if required:
            errors.append(MESSAGES["required"].format(label=label))
        return None
    found = find_forbidden(text, multiline=False)
    if found is not None:
        errors.append(
            MESSAGES["forbidden_char"].format(label=label, code=found.code_point, position=found.position)
        )
        return None
    limit = _MAX_LENGTHS.get(column)
    if limit is not None and len(text) > limit:
        errors.append(MESSAGES["too_long"].format(label=label, max=limit))
        return None
    return text


def _identifier(value: Any, column: str, errors: list[str]) -> str | None:
    text = _text(_cell_value(value), column, errors, required=True)
    if text is None:
        return None
    if not _ID_PATTERN.fullmatch(text):
        errors.append(MESSAGES["bad_id"].format(label=FIELD_LABELS[column]))
        return None
    return text


def _roles(value: Any, errors: list[str]) -> list[Role]:
    """Always includes "cadre"; returned in the canonical ROLES order, without duplicates."""
    tokens: list[str] = []
    values = value if isinstance(value, list) else [value]
    for item in values:
        if item is None:
            continue
        tokens.extend(t for t in _ROLE_SEPARATORS.split(str(item)) if t)
    found: set[Role] = {"cadre"}
    for token in tokens:
        role = ROLE_ALIASES.get(token) or ROLE_ALIASES.get(token.lower())
        if role is None:
            errors.append(MESSAGES["unknown_role"].format(role=token))
        else:
            found.add(role)
    return [r for r in ROLES if r in found]


def _date(value: Any, column: str, errors: list[str]) -> date | None:
    if value is None or value == "":
        return None
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
        errors.append(MESSAGES["bad_date"].format(label=FIELD_LABELS[column]))
    return parsed


# === import ==========================================================================================
def import_roster(
    content: bytes,
    fmt: RosterFormat,
    repo: RosterStore,
    *,
    author: str,
    dry_run: bool = False,
    clock: Clock = system_clock,
) -> ImportReport:
    """Parse, plan against the units and profiles already stored, and (unless ``dry_run``) write
    row by row, each row with the role changes it makes. ``author`` is who imports: the admin's
    cadre id, or ``cli:<os user>``.

    ``imported`` counts the rows that are (or, in a dry run, would be) written; ``units`` the
    distinct units created or updated. A row whose stored profile changed between the plan and its
    write (another import at the same time) is not written and is reported rejected.
    """
    rows = parse_roster(content, fmt)
    units = {unit.unit_id: unit for unit in repo.list_units()}
    plan = plan_import(rows, units, repo.get_cadres(_cadres_to_read(rows, units)), author=author)
    at = iso_now(clock)
    import_id = new_import_id(clock)
    rejected = list(plan.rejected)
    recorded: list[RoleChange] = []
    failed: set[str] = set()
    for step in plan.planned:
        changes = [d.stamped(at=at, by=author, import_id=import_id) for d in step.deltas]
        if not dry_run:
            others = [written for _, written in step.demoted]
            if not repo.put_row(step.cadre, step.unit, others, seen=step.seen, changes=changes):
                failed.add(step.cadre.cadre_id)
                rejected.append(
                    RejectedRow(
                        row=step.row, cadre_id=step.cadre.cadre_id, errors=[MESSAGES["changed_meanwhile"]]
                    )
                )
                continue
        recorded.extend(changes)
    if not dry_run:
        for unit in plan.headless:
            # Headless because its head's own row moved them or dropped the role: not if that row failed.
            if units[unit.unit_id].head_id not in failed:
                repo.put_unit(unit)
    return ImportReport(
        dry_run=dry_run,
        received=len(rows),
        imported=len(plan.planned) - len(failed),
        units=len(plan.units),
        rejected=sorted(rejected, key=lambda r: r.row),
        import_id=import_id,
        role_changes=recorded,
    )


def new_import_id(clock: Clock = system_clock) -> str:
    """Sortable by time and unique: the import's second in Shanghai time and random hex."""
    stamp = iso_now(clock)[:19].replace("-", "").replace(":", "")
    return f"{stamp}-{secrets.token_hex(4)}"


def _cadres_to_read(rows: list[dict[str, Any]], units: Mapping[str, Unit]) -> set[str]:
    """The stored profiles a plan needs: each row's cadre, and the heads of the units rows name
    (a row claiming a unit's head may take the role from them)."""
    wanted: set[str] = set()
    for row in rows:
        for column in ("cadre_id", "unit_id"):
            value = _cell_value(row.get(column))
            if not isinstance(value, str) or not _ID_PATTERN.fullmatch(value):
                continue
            if column == "cadre_id":
                wanted.add(value)
            elif value in units and units[value].head_id:
                wanted.add(str(units[value].head_id))
    return wanted
