"""The log export (导出, like DingTalk's 日志报表): a month of work logs as an XLSX sheet, one row per
cadre, day and item — with the item's status, the plan item it cites, the late mark and how many
times the entry was saved.

The export is a door that returns log text, so it reads exactly as ``GET /cadres/{cadre_id}/entries``
does (docs/access.md): for a unit, each current member is decided by the access table
(``worklog.access.readable`` at ``Door.UNIT_EXPORT``) and only the rows of those the reader may read
are written; every one of them is recorded as a read with the rule's purpose before the file is
returned (one's own rows are not recorded). A reader who may read nobody else in the unit gets a 403.
``GET /me/export/{month}`` is the caller's own month.

Every piece of text is written as a plain string: text that looks like a formula is never evaluated.
"""

from __future__ import annotations

import io
from datetime import date
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from worklog import messages, sheets
from worklog.access import Access, Door, ReadFacts, days_between, readable
from worklog.auth.principals import Principal
from worklog.clock import Clock, iso_now, system_clock, today
from worklog.compliance.reads import log_read
from worklog.compliance.review_repository import ReviewRepository
from worklog.errors import Forbidden, NotFound, invalid
from worklog.journal.repository import container_repository
from worklog.journal.service import JournalService
from worklog.labels import ITEM_STATUS_LABELS, LATE_LABEL, WEEKDAY_LABELS, label
from worklog.models.entries import EntryOut
from worklog.models.roster import Cadre
from worklog.periods import month_period
from worklog.records import datarecord
from worklog.roster.repository import RosterRepository
from worklog.schedules import current_calendar
from worklog.settings import get_settings
from worklog.vetting.repository import NoticeRepository

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WEEKDAYS = WEEKDAY_LABELS
HEADERS = (
    "序号",
    "姓名",
    "职务",
    "日期",
    "星期",
    "事项",
    "工作内容",
    "完成情况",
    "关联月度计划",
    LATE_LABEL,
    "保存次数",
)
COLUMN_WIDTHS = (6, 10, 14, 12, 8, 6, 60, 10, 36, 6, 9)
HEADER_ROW = 3
LATE_MARK = LATE_LABEL

TEXT = messages.EXPORT


@datarecord(frozen=True)
class ExportRow:
    name: str
    title: str
    day: date
    item: int  # 1-based, in the entry's order
    content: str
    status: str
    plan: str  # the cited plan item's text, its id when the plan no longer has it, or ""
    late: bool
    saves: int  # revisions of the entry (1: never corrected)


def rows_of(cadre: Cadre, entries: list[EntryOut], plans: dict[str, dict[str, str]]) -> list[ExportRow]:
    """One row per day and item of a cadre's entries. ``plans``: month -> plan item id -> text."""
    rows = []
    for entry in sorted(entries, key=lambda e: e.date):
        plan = plans.get(entry.date.strftime("%Y-%m"), {})
        for n, item in enumerate(entry.items, start=1):
            cited = item.plan_item_id or ""
            rows.append(
                ExportRow(
                    name=cadre.name,
                    title=cadre.title or "",
                    day=entry.date,
                    item=n,
                    content=item.content,
                    status=label(ITEM_STATUS_LABELS, item.status),
                    plan=plan.get(cited, cited),
                    late=entry.late,
                    saves=entry.revision,
                )
            )
    return rows


def export_workbook(title: str, subtitle: str, sheet_name: str, rows: list[ExportRow]) -> bytes:
    """The rows as an xlsx sheet: a title, who generated it when, a header row, then the rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name
    sheets.banner(
        ws, 1, title, width=len(HEADERS), font=Font(bold=True, size=14), align=Alignment(horizontal="center")
    )
    sheets.banner(
        ws, 2, subtitle, width=len(HEADERS), font=Font(size=10), align=Alignment(horizontal="right")
    )
    for column, header in enumerate(HEADERS, start=1):
        cell = sheets.put(ws, HEADER_ROW, column, header)
        cell.font, cell.alignment, cell.border = Font(bold=True), sheets.CENTER, sheets.GRID
    for number, r in enumerate(rows, start=1):
        values: tuple[str | int, ...] = (
            number,
            r.name,
            r.title,
            r.day.isoformat(),
            WEEKDAYS[r.day.weekday()],
            r.item,
            r.content,
            r.status,
            r.plan,
            LATE_MARK if r.late else "",
            r.saves,
        )
        for column, value in enumerate(values, start=1):
            cell = sheets.put(ws, HEADER_ROW + number, column, value)
            cell.border = sheets.GRID
            cell.alignment = sheets.LEFT if column in (3, 7, 9) else sheets.CENTER
    for column, width in enumerate(COLUMN_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(HEADERS))}{HEADER_ROW + max(len(rows), 1)}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    wb.properties.title = title
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def content_disposition(ascii_name: str, name: str) -> str:
    """An attachment with an ASCII fallback name and the real (Chinese) one per RFC 5987/6266."""
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


@datarecord(frozen=True)
class ExportFile:
    body: bytes
    disposition: str


def spoken_month(month: str) -> str:
    return TEXT["month"].format(year=int(month[:4]), month=int(month[5:]))


class ExportService:
    """The two exports: a unit's month (readers under the access table) and one's own month."""

    def __init__(
        self,
        *,
        roster: RosterRepository | None = None,
        journal: JournalService | None = None,
        reviews: ReviewRepository | None = None,
        notices: NoticeRepository | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.roster = roster if roster is not None else RosterRepository()
        if journal is None:
            journal = JournalService(container_repository(), current_calendar(), get_settings().rules)
        self.journal = journal
        self.reviews = reviews if reviews is not None else ReviewRepository()
        self.notices = notices if notices is not None else NoticeRepository()
        self.clock = clock

    def _span(self, month: str) -> tuple[date, date]:
        period = month_period(month)
        on = today(self.clock)
        if period.first_day > on:
            message = TEXT["future_month"].format(month=spoken_month(month))
            raise invalid(message, ["path", "month"], "future_period")
        return period.first_day, min(period.last_day, on)

    def _rows(self, cadre: Cadre, first: date, last: date) -> list[ExportRow]:
        entries = self.journal.list_entries(cadre.cadre_id, first, last)
        cited = {e.date.strftime("%Y-%m") for e in entries if any(i.plan_item_id for i in e.items)}
        views = self.journal.repo.get_views(cadre.cadre_id, [month_period(m).key for m in sorted(cited)])
        plans = {
            view["period"]: {i["id"]: i["content"] for i in view.get("body", {}).get("items", [])}
            for view in views.values()
        }
        return rows_of(cadre, entries, plans)

    def unit_month(self, who: Principal, unit_id: str, month: str) -> ExportFile:
        """GET /units/{unit_id}/export/{month}: the unit's current members the reader may read."""
        first, last = self._span(month)
        unit = self.roster.get_unit(unit_id)
        if unit is None:
            raise NotFound(TEXT["unknown_unit"], code="unknown_unit")
        on = today(self.clock)
        members = sorted(self.roster.list_unit_members(unit_id), key=lambda c: c.cadre_id)
        vetted: set[str] = set()
        if who.has("org_inspector"):
            vetted = {n.candidate_id for n in self.notices.open_on(on)}
        days = days_between(first, last)
        allowed: list[tuple[Cadre, Access]] = []
        for cadre in members:
            facts = ReadFacts(
                reader=who,
                subject_id=cadre.cadre_id,
                days=days,
                on=on,
                subject=cadre,
                subject_unit=unit,
                vetting=cadre.cadre_id in vetted,
            )
            purpose = readable(Door.UNIT_EXPORT, facts)
            if purpose is not None:
                allowed.append((cadre, purpose))
        # One's own rows come along (the head is a member too), but never alone: a cadre exports
        # their own month at /me/export, and a unit export that grants nobody else is refused.
        if all(purpose == "own" for _, purpose in allowed):
            raise Forbidden(TEXT["export_forbidden"], code="read_forbidden")
        rows = [row for cadre, _ in allowed for row in self._rows(cadre, first, last)]
        # Recorded before the file is returned: a read that cannot be recorded is not served.
        at = iso_now(self.clock)
        for cadre, purpose in allowed:
            log_read(self.reviews, who, cadre.cadre_id, purpose, first, last, at)
        label_month = spoken_month(month)
        body = export_workbook(
            TEXT["unit_title"].format(
                district=get_settings().district_name, unit=unit.name, month=label_month
            ),
            TEXT["generated"].format(at=at[:16].replace("T", " "), who=who.name),
            label_month,
            rows,
        )
        name = TEXT["unit_file"].format(unit=unit.name, month=month)
        return ExportFile(body, content_disposition(f"worklog-{unit_id}-{month}.xlsx", name))

    def own_month(self, who: Principal, month: str) -> ExportFile:
        """GET /me/export/{month}: the caller's own month (not recorded: one's own read)."""
        first, last = self._span(month)
        rows = self._rows(who.cadre, first, last)
        label_month = spoken_month(month)
        at = iso_now(self.clock)
        body = export_workbook(
            TEXT["own_title"].format(name=who.name, month=label_month),
            TEXT["generated"].format(at=at[:16].replace("T", " "), who=who.name),
            label_month,
            rows,
        )
        name = TEXT["own_file"].format(name=who.name, month=month)
        return ExportFile(body, content_disposition(f"worklog-{who.cadre_id}-{month}.xlsx", name))
