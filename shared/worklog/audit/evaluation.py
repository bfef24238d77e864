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
from collections.abc import Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from worklog import sheets
from worklog.audit.grading import EvaluationService
from worklog.auth.principals import Principal
from worklog.clock import iso_now
from worklog.labels import CASE_KIND_LABELS, FINDING_LABELS, GRADE_LABELS, LATE_LABEL, VERDICT_LABELS, listing
from worklog.models.grades import SheetRow, in_roster_order, on_time_rate, quarter_label
from worklog.settings import get_settings

VERDICT_CODES = tuple(VERDICT_LABELS)
FINDING_CODES = tuple(FINDING_LABELS)
CASE_KIND_CODES = tuple(CASE_KIND_LABELS)


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


def _counts(counts: Mapping[str, int], codes: tuple[str, ...]) -> str:
    return "/".join(str(counts.get(code, 0)) for code in codes)


def evaluation_workbook(
    *, district: str, unit_name: str, quarter: str, rows: list[SheetRow], generated_at: str
) -> bytes:
    """The unit's quarterly evaluation sheet as xlsx bytes, print-ready (A4 landscape, one page wide)."""
    label = quarter_label(quarter)
    wb = Workbook()
    ws = wb.active
    ws.title = label

    title = f"{district}{unit_name} {label} 干部工作日志考评表"
    sheets.banner(
        ws,
        1,
        title,
        width=len(HEADERS),
        font=Font(bold=True, size=16),
        align=Alignment(horizontal="center"),
        height=30,
    )
    sheets.banner(
        ws,
        2,
        f"生成时间：{generated_at}",
        width=len(HEADERS),
        font=Font(size=10),
        align=Alignment(horizontal="right"),
        height=18,
    )

    for column, header in enumerate(HEADERS, start=1):
        cell = sheets.put(ws, HEADER_ROW, column, header)
        cell.font, cell.alignment, cell.border = Font(bold=True), sheets.CENTER, sheets.GRID
    ws.row_dimensions[HEADER_ROW].height = 36

    for number, row in enumerate(in_roster_order(rows), start=1):
        at = HEADER_ROW + number
        for column, value in enumerate(_row_values(number, row), start=1):
            cell = sheets.put(ws, at, column, value)
            cell.border = sheets.GRID
            cell.alignment = sheets.LEFT if column in (3, len(HEADERS)) else sheets.CENTER

    signature_row = HEADER_ROW + len(rows) + 2
    sheets.banner(
        ws,
        signature_row,
        SIGNATURE,
        width=len(HEADERS),
        font=Font(size=11),
        align=Alignment(horizontal="right"),
        height=24,
    )

    _print_setup(ws, signature_row)
    wb.properties.title = title

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _row_values(number: int, row: SheetRow) -> tuple[str | int, ...]:
    """One cadre's cells, in the order of HEADERS."""
    return (
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


def _print_setup(ws: Any, signature_row: int) -> None:
    """Column widths, the frozen header, and A4 landscape one page wide with page numbers."""
    for column, width in enumerate(COLUMN_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:{get_column_letter(len(HEADERS))}{signature_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def unit_sheet(service: EvaluationService, who: Principal, quarter: str, unit_id: str) -> bytes:
    """The sheet of ``unit_id`` for ``quarter``, as ``who`` may see it (the figures' own checks).

    Here, with openpyxl, and not a method of the service: the cases function loads this module only
    when a sheet is asked for, so its cold start carries no openpyxl."""
    figures = service.unit_figures(who, quarter, unit_id, act="导出考评表")
    return evaluation_workbook(
        district=get_settings().district_name,
        unit_name=figures.unit.name,
        quarter=quarter,
        rows=figures.rows,
        generated_at=iso_now(service.clock)[:16].replace("T", " "),
    )
