"""entries: a cadre's own log — daily entries, monthly plans, half-year summaries, leave, GET /me,
GET /me/calendar, and the in-app inbox of reminders (/me/notifications) with its channel preferences."""

from __future__ import annotations

from worklog import coldstart  # first: the collector rests while the modules below load

# isort: split

from typing import Annotated, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from worklog import http, idempotency
from worklog.auth import tokens
from worklog.holidays import calendar_notice
from worklog.journal.repository import container_repository
from worklog.journal.service import JournalService
from worklog.models.common import Day
from worklog.models.entries import (
    EntryIn,
    EntryList,
    EntryOut,
    HalfLabel,
    LeaveIn,
    LeaveList,
    LeaveOut,
    MeOut,
    MonthCalendarOut,
    MonthLabel,
    PlanIn,
    PlanOut,
    RevisionList,
    SavedEntry,
    SavedPlan,
    SavedSummary,
    SummaryIn,
    SummaryOut,
)
from worklog.models.notifications import (
    MarkReadIn,
    MarkReadOut,
    NotificationList,
    Preferences,
    PreferencesOut,
)
from worklog.notify.inbox import InboxService
from worklog.observability import FUNCTION_URL_CORRELATION, logger, metrics, tracer
from worklog.periods import day_period, half_period, month_period
from worklog.resolver import Path, Query, Response
from worklog.roster.repository import RosterRepository
from worklog.schedules import current_calendar
from worklog.settings import get_settings

app = http.create_app()
ERRORS = (400, 401, 403, 404, 409, 413, 422, 503)
# Routes that take a body also refuse media types other than JSON.
WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 415, 422, 503)
SAVED = "首次保存（201）"
# Declared so that the spec documents the header the saves read (worklog.idempotency checks it).
IdempotencyKey = idempotency.KeyHeader


# Every write of this function is a journal save, whose transaction checks the author's roster
# profile itself (worklog.journal.service): no roster read is added to the save's request budget.
JOURNAL_SAVES = ("/entries/", "/plans/", "/summaries/")


def service() -> JournalService:
    return JournalService(
        container_repository(), current_calendar(), get_settings().rules, reload=http.fresh_principal
    )


def _guarded(path: str) -> bool:
    return path == "/leaves" or path.startswith(JOURNAL_SAVES)


def _status(created: bool) -> int:
    return 201 if created else 200


@app.put(
    "/entries/<date>",
    summary="Save the daily entry of a date (a new revision)",
    responses=http.responses(SavedEntry, WRITE_ERRORS, created=SAVED, ok="新的修订已保存"),
    tags=["entries"],
)
def put_entry(
    date: Annotated[Day, Path()], body: EntryIn, idempotency_key: IdempotencyKey = None
) -> Response[SavedEntry]:
    who = http.principal(app)

    def run() -> tuple[int, SavedEntry]:
        saved = service().save_entry(who, date, body)
        metrics.add_metric(name="EntrySaved", unit="Count", value=1)
        return _status(saved.created), SavedEntry(date=date, **_chain_fields(saved.record))

    return idempotency.respond(app, who.cadre_id, run, SavedEntry)


@app.get(
    "/entries/<date>",
    summary="The current entry of a date",
    responses=http.responses(EntryOut, ERRORS),
    tags=["entries"],
)
def get_entry(date: Annotated[Day, Path()]) -> EntryOut:
    return service().get_entry(http.principal(app).cadre_id, date)


@app.get(
    "/entries/<date>/revisions",
    summary="Every revision of a date's entry, oldest first",
    responses=http.responses(RevisionList, ERRORS),
    tags=["entries"],
)
def get_entry_revisions(date: Annotated[Day, Path()]) -> RevisionList:
    return RevisionList(revisions=service().revisions(http.principal(app).cadre_id, day_period(date)))


@app.get(
    "/entries",
    summary="Own entries in a date range (at most 92 days)",
    responses=http.responses(EntryList, ERRORS),
    tags=["entries"],
)
def list_entries(
    first: Annotated[Day, Query(alias="from")], last: Annotated[Day, Query(alias="to")]
) -> EntryList:
    return EntryList(entries=service().list_entries(http.principal(app).cadre_id, first, last))


@app.put(
    "/plans/<month>",
    summary="Save the monthly plan (每月一谋划)",
    responses=http.responses(SavedPlan, WRITE_ERRORS, created=SAVED, ok="新的修订已保存"),
    tags=["plans"],
)
def put_plan(
    month: Annotated[MonthLabel, Path()], body: PlanIn, idempotency_key: IdempotencyKey = None
) -> Response[SavedPlan]:
    who = http.principal(app)

    def run() -> tuple[int, SavedPlan]:
        saved = service().save_plan(who, month, body)
        metrics.add_metric(name="PlanSaved", unit="Count", value=1)
        ids = [i["id"] for i in saved.record["body"]["items"]]
        return _status(saved.created), SavedPlan(month=month, item_ids=ids, **_chain_fields(saved.record))

    return idempotency.respond(app, who.cadre_id, run, SavedPlan)


@app.get(
    "/plans/<month>",
    summary="The current monthly plan",
    responses=http.responses(PlanOut, ERRORS),
    tags=["plans"],
)
def get_plan(month: Annotated[MonthLabel, Path()]) -> PlanOut:
    return service().get_plan(http.principal(app).cadre_id, month)


@app.get(
    "/plans/<month>/revisions",
    summary="Every revision of a monthly plan",
    responses=http.responses(RevisionList, ERRORS),
    tags=["plans"],
)
def get_plan_revisions(month: Annotated[MonthLabel, Path()]) -> RevisionList:
    return RevisionList(revisions=service().revisions(http.principal(app).cadre_id, month_period(month)))


@app.put(
    "/summaries/<half>",
    summary="Save the half-year summary (半年一总结)",
    responses=http.responses(SavedSummary, WRITE_ERRORS, created=SAVED, ok="新的修订已保存"),
    tags=["summaries"],
)
def put_summary(
    half: Annotated[HalfLabel, Path()], body: SummaryIn, idempotency_key: IdempotencyKey = None
) -> Response[SavedSummary]:
    who = http.principal(app)

    def run() -> tuple[int, SavedSummary]:
        saved = service().save_summary(who, half, body)
        metrics.add_metric(name="SummarySaved", unit="Count", value=1)
        return _status(saved.created), SavedSummary(half=half, **_chain_fields(saved.record))

    return idempotency.respond(app, who.cadre_id, run, SavedSummary)


@app.get(
    "/summaries/<half>",
    summary="The current half-year summary",
    responses=http.responses(SummaryOut, ERRORS),
    tags=["summaries"],
)
def get_summary(half: Annotated[HalfLabel, Path()]) -> SummaryOut:
    return service().get_summary(http.principal(app).cadre_id, half)


@app.get(
    "/summaries/<half>/revisions",
    summary="Every revision of a half-year summary",
    responses=http.responses(RevisionList, ERRORS),
    tags=["summaries"],
)
def get_summary_revisions(half: Annotated[HalfLabel, Path()]) -> RevisionList:
    return RevisionList(revisions=service().revisions(http.principal(app).cadre_id, half_period(half)))


@app.post(
    "/leaves",
    summary="Record leave (exempts those days from being owed)",
    responses=http.responses(LeaveOut, WRITE_ERRORS, created="已登记", ok="已登记（重试时返回首次结果）"),
    tags=["leave"],
)
def post_leave(body: LeaveIn, idempotency_key: IdempotencyKey = None) -> Response[LeaveOut]:
    who = http.principal(app)

    def run() -> tuple[int, LeaveOut]:
        return 201, service().record_leave(who, body)

    return idempotency.respond(app, who.cadre_id, run, LeaveOut)


@app.get(
    "/leaves",
    summary="Own leave overlapping a date range",
    responses=http.responses(LeaveList, ERRORS),
    tags=["leave"],
)
def list_leaves(
    first: Annotated[Day, Query(alias="from")], last: Annotated[Day, Query(alias="to")]
) -> LeaveList:
    return LeaveList(leaves=service().list_leaves(http.principal(app).cadre_id, first, last))


@app.get("/me", summary="Who I am and what I owe now", responses=http.responses(MeOut, ERRORS), tags=["me"])
def get_me() -> MeOut:
    who = http.principal(app)
    journal = service()
    on, working, on_leave, owes = journal.owed(who)
    unit = RosterRepository().get_unit(who.unit_id)
    return MeOut(
        cadre_id=who.cadre_id,
        name=who.name,
        unit_id=who.unit_id,
        unit_name=unit.name if unit else None,
        title=who.title,
        roles=sorted(who.roles),
        today=on,
        working_day=working,
        on_leave=on_leave,
        owes=owes,
        contact=who.cadre.contact(),
        calendar=calendar_notice(journal.calendar, on),
    )


@app.get(
    "/me/calendar",
    summary="My month as a calendar: each day's working status, my leave, and whether I owe its entry "
    "(the entries themselves: GET /entries)",
    responses=http.responses(MonthCalendarOut, ERRORS),
    tags=["me"],
)
def get_my_calendar(
    month: Annotated[MonthLabel, Query(description="YYYY-MM, a month from 2000-01 to 2099-12")],
) -> MonthCalendarOut:
    return service().month_calendar(http.principal(app), month)


@app.get(
    "/me/export/<month>",
    summary="My month of logs as XLSX, one row per day and item (status, plan item, late mark, saves)",
    responses=http.xlsx_responses("工作日志（XLSX）", ERRORS),
    tags=["me"],
)
def get_my_export(
    month: Annotated[MonthLabel, Path()],
):  # no return annotation: Powertools would validate the workbook's bytes as a model
    from worklog.compliance.export import ExportService  # openpyxl only when a sheet is asked for

    sheet = ExportService(journal=service()).own_month(http.principal(app), month)
    return Response(200, http.XLSX, sheet.body, headers={"Content-Disposition": sheet.disposition})


@app.get(
    "/me/notifications",
    summary="My inbox of reminders, newest first, with the unread count (the app's badge: limit=1)",
    responses=http.responses(NotificationList, ERRORS),
    tags=["me"],
)
def get_my_notifications(
    limit: Annotated[int, Query(ge=1, le=50, description="at most this many")] = 20,
    cursor: Annotated[
        str | None,
        Query(max_length=400, pattern=r"^[A-Za-z0-9_-]+$", description="next of the previous page"),
    ] = None,
) -> NotificationList:
    return InboxService().list(http.principal(app), limit, cursor)


@app.post(
    "/me/notifications/read",
    summary="Mark inbox items read (ids, or all); ids that are not mine change nothing. Idempotent",
    responses=http.responses(MarkReadOut, WRITE_ERRORS),
    tags=["me"],
)
def post_my_notifications_read(body: MarkReadIn) -> MarkReadOut:
    return InboxService().mark_read(http.principal(app), body)


@app.get(
    "/me/notification-preferences",
    summary="My reminder channels: which the roster can reach, which are muted, which one is used",
    responses=http.responses(PreferencesOut, ERRORS),
    tags=["me"],
)
def get_my_notification_preferences() -> PreferencesOut:
    return InboxService().preferences(http.principal(app))


@app.put(
    "/me/notification-preferences",
    summary="Mute or unmute reminder channels (the in-app inbox cannot be muted)",
    responses=http.responses(PreferencesOut, WRITE_ERRORS),
    tags=["me"],
)
def put_my_notification_preferences(body: Preferences) -> PreferencesOut:
    return InboxService().set_preferences(http.principal(app), body)


def _chain_fields(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record[k] for k in ("revision", "hash", "previous_hash", "late", "saved_at")}


@logger.inject_lambda_context(correlation_id_path=FUNCTION_URL_CORRELATION, clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return http.handle(app, event, context, subject_of=tokens.subject, guarded=_guarded)


coldstart.done()
