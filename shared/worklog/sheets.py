"""Writing the XLSX sheets people download (the log export, the quarterly evaluation sheet).

A cell takes a number as a number and text as plain text: never a formula (a log line starting with
``=`` stays text in Excel, also when the cell is edited) and without the characters XML refuses.
Both sheets share the grid and the alignments of their table and the merged banner rows above it.
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
_THIN = Side(style="thin")
GRID = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)


def put(ws: Any, row: int, column: int, value: str | int) -> Any:
    """Write one cell safely (see the module's docstring) and return it."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = text
        if text.startswith(FORMULA_LEADS):
            cell.data_type = "s"  # openpyxl took "=..." for a formula
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    else:
        cell.value = value
    return cell


def banner(
    ws: Any, row: int, text: str, *, width: int, font: Font, align: Alignment, height: float | None = None
) -> None:
    """A line of text across the table's ``width`` columns (a title, who made the sheet, a signature)."""
    put(ws, row, 1, text)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    ws.cell(row=row, column=1).font = font
    ws.cell(row=row, column=1).alignment = align
    if height is not None:
        ws.row_dimensions[row].height = height
