"""Reading an uploaded roster file (JSON, CSV or XLSX) into raw rows, one dict per row.

Column names are normalised (English or Chinese headers both work) and cells too, so that every
format yields the same rows. Only an unreadable file fails as a whole: ``UnreadableRoster`` names
what is wrong, and the importer (worklog.roster.importer) says it to the admin in Chinese.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any, Literal

from worklog.roster.roster_row import RosterRow, cell_value

RosterFormat = Literal["json", "csv", "xlsx"]

# Column holding each raw row's position in the file (1-based; the header of CSV/XLSX is row 1).
ROW_KEY = "_row"

# --- column vocabulary -----------------------------------------------------------------------------
# Keys are normalised headers (see _column_name); values are the canonical column names.
COLUMN_ALIASES: dict[str, str] = {
    **{name: name for name in RosterRow.model_fields},
    "cadreid": "cadre_id",
    "工号": "cadre_id",
    "人员编号": "cadre_id",
    "干部编号": "cadre_id",
    # The ID-card number: a matching key, kept only as a keyed hash (worklog.roster.id_cards).
    "身份证号": "id_card",
    "身份证号码": "id_card",
    "身份证": "id_card",
    "公民身份号码": "id_card",
    "居民身份证号码": "id_card",
    "身份证件号码": "id_card",
    "idcard": "id_card",
    "idcardnumber": "id_card",
    "姓名": "name",
    "unitid": "unit_id",
    "单位编码": "unit_id",
    "unit": "unit_name",
    "unitname": "unit_name",
    "单位": "unit_name",
    "单位名称": "unit_name",
    # What a 花名册 calls the unit: its name, resolved to a stored unit (worklog.roster.row_refs).
    "工作单位": "unit_name",
    "所在单位": "unit_name",
    "category": "unit_category",
    "unitcategory": "unit_category",
    "单位类别": "unit_category",
    "职务": "title",
    "现任职务": "title",
    "职级": "rank",
    "role": "roles",
    "角色": "roles",
    "joined": "joined_on",
    "任职日期": "joined_on",
    "left": "left_on",
    "离任日期": "left_on",
    # How to reach the cadre (optional): what district spreadsheets call these columns.
    "手机": "mobile",
    "手机号": "mobile",
    "手机号码": "mobile",
    "移动电话": "mobile",
    "phone": "mobile",
    "电子邮箱": "email",
    "邮箱": "email",
    "电子邮件": "email",
    "邮件": "email",
    "企业微信": "wecom_user_id",
    "企业微信id": "wecom_user_id",
    "企业微信账号": "wecom_user_id",
    "企业微信userid": "wecom_user_id",
    "wecom": "wecom_user_id",
    "wecomid": "wecom_user_id",
    "wecomuserid": "wecom_user_id",
    "钉钉": "dingtalk_user_id",
    "钉钉id": "dingtalk_user_id",
    "钉钉账号": "dingtalk_user_id",
    "钉钉userid": "dingtalk_user_id",
    "dingtalk": "dingtalk_user_id",
    "dingtalkid": "dingtalk_user_id",
    "dingtalkuserid": "dingtalk_user_id",
    "首选渠道": "preferred_channel",
    "提醒方式": "preferred_channel",
    "通知方式": "preferred_channel",
    "channel": "preferred_channel",
    "preferredchannel": "preferred_channel",
}
# Each group names the columns of which a header needs one: who (a staff number or the ID-card
# number), the name, and the unit (its code or its name).
REQUIRED_COLUMNS: tuple[tuple[str, ...], ...] = (("cadre_id", "id_card"), ("name",), ("unit_id", "unit_name"))
ID_CARD = "id_card"
_HEADER_SEARCH_ROWS = 10


class UnreadableRoster(Exception):
    """A file that cannot be read as a roster: ``reason`` is the importer's message key, ``values``
    fill it in."""

    def __init__(self, reason: str, **values: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.values = values


def read_rows(content: bytes, fmt: RosterFormat) -> list[dict[str, Any]]:
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
    raise UnreadableRoster("unknown_format", fmt=fmt)


def _parse_json(content: bytes) -> list[dict[str, Any]]:
    if not content.strip():
        raise UnreadableRoster("empty")
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise UnreadableRoster("unreadable", fmt="JSON") from exc
    if isinstance(data, dict) and isinstance(data.get("rows"), list):
        data = data["rows"]
    if not isinstance(data, list):
        raise UnreadableRoster("json_shape")
    rows: list[dict[str, Any]] = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise UnreadableRoster("json_row", row=number)
        row: dict[str, Any] = {ROW_KEY: number}
        for header, value in item.items():
            column = _column_name(header)
            cell = _cell(column, value)
            if column is not None and cell is not None:
                row.setdefault(column, cell)
        rows.append(row)
    return rows


def _csv_records(content: bytes) -> Iterator[list[Any]]:
    text = _decode_text(content)
    if "\x00" in text:  # a binary file uploaded as CSV
        raise UnreadableRoster("unreadable", fmt="CSV")
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count) if first_line else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:
        raise UnreadableRoster("unreadable", fmt="CSV") from exc


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
    raise UnreadableRoster("unreadable", fmt="CSV")


def _xlsx_records(content: bytes) -> list[list[Any]]:
    # openpyxl only when a workbook is read: the admin function's cold start should not pay for it.
    import openpyxl
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (zip, xml, key errors) on a bad file
        raise UnreadableRoster("unreadable", fmt="XLSX") from exc
    try:
        if not workbook.worksheets:
            raise UnreadableRoster("unreadable", fmt="XLSX")
        sheet = workbook.worksheets[0]
        # The size a sheet declares is not to be trusted (some exporters write "A1" or a stale
        # range): read every row the file holds, numbered as a spreadsheet shows them.
        if isinstance(sheet, ReadOnlyWorksheet):
            sheet.reset_dimensions()
        try:
            records = [list(r) for r in sheet.iter_rows(values_only=True)]
        except Exception as exc:
            raise UnreadableRoster("unreadable", fmt="XLSX") from exc
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
            if all(cell_value(v) is None for v in record):
                continue
            columns = [_column_name(v) for v in record]
            first_seen = first_seen or columns
            if all(any(c in columns for c in group) for group in REQUIRED_COLUMNS):
                header = columns
            elif number >= _HEADER_SEARCH_ROWS:
                break
            continue
        row: dict[str, Any] = {ROW_KEY: number}
        for column, value in zip(header, record, strict=False):
            # Two headers may map to one column (单位 and 单位名称): the first non-empty one wins.
            cell = _cell(column, value)
            if column is not None and cell is not None:
                row.setdefault(column, cell)
        if len(row) > 1:
            rows.append(row)
    if header is None:
        if first_seen is None:
            raise UnreadableRoster("empty")
        missing = [group for group in REQUIRED_COLUMNS if not any(c in first_seen for c in group)]
        raise UnreadableRoster("missing_columns", columns=missing)
    return rows


def _cell(column: str | None, value: Any) -> Any:
    """A cell as every format yields it; a number in the ID-card column stays a number, so that it
    is refused as one (its last digits are lost) and not read as the digits left."""
    if column == ID_CARD and isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return cell_value(value)


def _column_name(header: Any) -> str | None:
    if header is None:
        return None
    text = str(header).replace("\ufeff", "").strip().strip("*＊").strip()
    if not text:
        return None
    key = re.sub(r"[\s\-]+", "_", text.lower())
    return COLUMN_ALIASES.get(key, COLUMN_ALIASES.get(key.replace("_", ""), key))
