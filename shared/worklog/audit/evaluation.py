"""Quarterly evaluation (季度考评) of cadres' work logs and the printable per-unit evaluation sheet.

Each quarter the Organization Department and HR grade every cadre (``Grade``; the words printed
for grades, verdicts and findings come from ``worklog.labels``) with a comment.
``evaluation_workbook`` lays one unit's grades out as an A4-landscape xlsx sheet: a title, the
generation time, one row per cadre (entries owed, on time, late, missing, the on-time rate,
review verdicts, audit findings and the cases opened about them as counts) and a signature line.
The same rows, as JSON, are what the app's grading screen shows beside each grade. Every piece of
text is written as a plain string: text that looks like a formula ("=", "+", "-", "@") is never
evaluated.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from pydantic import BaseModel, Field

from worklog.labels import CASE_KIND_LABELS, FINDING_LABELS, GRADE_LABELS, LATE_LABEL, VERDICT_LABELS, listing
from worklog.models.common import YEARS


class Grade(StrEnum):
    """Stable codes stored in the database; ``worklog.labels.GRADE_LABELS`` holds what is printed."""

    EXCELLENT = "excellent"
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"


VERDICT_CODES = tuple(VERDICT_LABELS)
FINDING_CODES = tuple(FINDING_LABELS)
CASE_KIND_CODES = tuple(CASE_KIND_LABELS)


class SheetRow(BaseModel):
    """One cadre's line on the sheet: the quarter's figures and the grade given (if any yet)."""

    cadre_id: str
    name: str
    title: str = ""
    owed_days: int = Field(ge=0)  # working days the cadre owed an entry in the quarter
    on_time: int = Field(ge=0)  # entries saved on time
    late: int = Field(ge=0)  # entries saved late (补记)
    missing: int = Field(ge=0)  # days still missing
    verdicts: dict[str, int] = Field(default_factory=dict)  # review verdict code -> count
    findings: dict[str, int] = Field(default_factory=dict)  # audit finding code -> count
    cases: dict[str, int] = Field(default_factory=dict)  # case kind code -> cases opened in the quarter
    grade: Grade | None = None
    comment: str = ""
    graded_by: str | None = None  # who gave the grade (cadre id), and when: the app shows it, the sheet not
    graded_at: str | None = None


def in_roster_order(rows: list[SheetRow]) -> list[SheetRow]:
    """The roster's order (by cadre id), on the sheet and on the screen alike: never by any figure,
    so that neither reads as a ranking (the 2023 rules against formalism)."""
    return sorted(rows, key=lambda r: r.cadre_id)


QUARTER_RE = re.compile(rf"^({YEARS})-Q([1-4])$")
_QUARTER_NUMERALS = ("一", "二", "三", "四")


def quarter_label(quarter: str) -> str:
    """ "2026-Q3" -> "2026年第三季度"; ValueError for anything but YYYY-Qn with n in 1..4."""
    m = QUARTER_RE.match(quarter)
    if not m:
        raise ValueError(f"quarter must look like 2026-Q3, got {quarter!r}")
    return f"{m[1]}年第{_QUARTER_NUMERALS[int(m[2]) - 1]}季度"


def on_time_rate(row: SheetRow) -> str:
    """Entries on time per day owed, one decimal rounded half up ("92.3%"); "—" when nothing was owed."""
    if row.owed_days == 0:
        return "—"
    per_mille = (2000 * row.on_time + row.owed_days) // (2 * row.owed_days)  # round half up, in integers
    return f"{per_mille // 10}.{per_mille % 10}%"


HEADERS = (
    "序号",
    "姓名",
    "职务",
    "应记天数",
    "按时",
    LATE_LABEL,
    "缺记",
    "按时率",
    f"评阅结论（{listing(VERDICT_LABELS)}）",
    f"抽查结果（{listing(FINDING_LABELS)}）",
    f"案件（{listing(CASE_KIND_LABELS)}）",
    "考评等次",
    "评语",
)
COLUMN_WIDTHS = (6, 10, 16, 9, 7, 7, 7, 9, 16, 16, 12, 9, 44)
HEADER_ROW = 3
SIGNATURE = "审核人：＿＿＿＿＿＿　　　　日期：＿＿＿＿＿＿"

_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
_THIN = Side(style="thin")
_GRID = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)


def _counts(counts: Mapping[str, int], codes: tuple[str, ...]) -> str:
    return "/".join(str(counts.get(code, 0)) for code in codes)


def _put(ws: Any, row: int, column: int, value: str | int) -> Any:
    """Write a number as a number and text as plain text: never a formula, no XML-illegal characters."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = text
        if text.startswith(_FORMULA_LEADS):
            cell.data_type = "s"  # openpyxl took "=..." for a formula
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    else:
        cell.value = value
    return cell


def _banner(ws: Any, row: int, text: str, *, font: Font, align: Alignment, height: float) -> None:
    _put(ws, row, 1, text)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(HEADERS))
    ws.cell(row=row, column=1).font = font
    ws.cell(row=row, column=1).alignment = align
    ws.row_dimensions[row].height = height


def evaluation_workbook(
    *, district: str, unit_name: str, quarter: str, rows: list[SheetRow], generated_at: str
) -> bytes:
    """The unit's quarterly evaluation sheet as xlsx bytes, print-ready (A4 landscape, one page wide)."""
    label = quarter_label(quarter)
    wb = Workbook()
    ws = wb.active
    ws.title = label
    last_col = get_column_letter(len(HEADERS))

    title = f"{district}{unit_name} {label} 干部工作日志考评表"
    _banner(ws, 1, title, font=Font(bold=True, size=16), align=Alignment(horizontal="center"), height=30)
    _banner(
        ws, 2, f"生成时间：{generated_at}", font=Font(size=10), align=Alignment(horizontal="right"), height=18
    )

    for column, header in enumerate(HEADERS, start=1):
        cell = _put(ws, HEADER_ROW, column, header)
        cell.font, cell.alignment, cell.border = Font(bold=True), _CENTER, _GRID
    ws.row_dimensions[HEADER_ROW].height = 36

    for number, row in enumerate(in_roster_order(rows), start=1):
        at = HEADER_ROW + number
        values: tuple[str | int, ...] = (
            number,
            row.name,
            row.title,
            row.owed_days,
            row.on_time,
            row.late,
            row.missing,
            on_time_rate(row),
            _counts(row.verdicts, VERDICT_CODES),
            _counts(row.findings, FINDING_CODES),
            _counts(row.cases, CASE_KIND_CODES),
            GRADE_LABELS[row.grade] if row.grade else "",
            row.comment,
        )
        for column, value in enumerate(values, start=1):
            cell = _put(ws, at, column, value)
            cell.border = _GRID
            cell.alignment = _LEFT if column in (3, len(HEADERS)) else _CENTER

    signature_row = HEADER_ROW + len(rows) + 2
    _banner(ws, signature_row, SIGNATURE, font=Font(size=11), align=Alignment(horizontal="right"), height=24)

    for column, width in enumerate(COLUMN_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:{last_col}{signature_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    wb.properties.title = title

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
