"""admin: roster import and browsing, the yearly official working-day schedule, and vetting notices
(公示) with the public's feedback on them."""

from __future__ import annotations

from worklog import coldstart  # first: the collector rests while the modules below load

# isort: split

import base64
import binascii
from typing import Annotated, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from worklog import http, idempotency
from worklog.auth import tokens
from worklog.clock import system_clock, today
from worklog.compliance.withdrawal import ProvisionalWithdrawal
from worklog.errors import NotFound, ValidationFailed, invalid
from worklog.holidays import calendar_status, describe_year, load_schedule, schedule_history
from worklog.messages import MSG
from worklog.models.calendar import (
    CalendarHistory,
    CalendarLoadOut,
    CalendarStatusOut,
    CalendarYearOut,
    ScheduleIn,
)
from worklog.models.common import Day, Year
from worklog.models.notices import (
    AnswerIn,
    FeedbackId,
    FeedbackList,
    FeedbackOut,
    NoticeId,
    NoticeIn,
    NoticeList,
    NoticeOut,
)
from worklog.models.roster import (
    Cadre,
    CadreId,
    CadreList,
    ImportReport,
    Role,
    RoleChangeList,
    RosterImportIn,
    UnitId,
    UnitList,
)
from worklog.observability import FUNCTION_URL_CORRELATION, logger, metrics, tracer
from worklog.periods import check_range
from worklog.resolver import Path, Query, Response, content_types
from worklog.roster.importer import import_roster
from worklog.roster.repository import BadCursor, RosterRepository
from worklog.schedules import ScheduleRepository, current_calendar
from worklog.settings import get_settings
from worklog.vetting.service import NoticeService

app = http.create_app()
ERRORS = (400, 401, 403, 404, 413, 422, 503)
# Routes that take a body also refuse media types other than JSON.
WRITE_ERRORS = (400, 401, 403, 404, 413, 415, 422, 503)
IMPORT_PATH = "/admin/roster/imports"


def _admin() -> str:
    who = http.principal(app)
    who.require("admin")
    return who.cadre_id


def _roster_reader() -> bool:
    """Browsing the roster (no log text): admins, and the Org Dept, who choose a vetting notice's
    candidate from it. True when the reader is an admin: only admins see how to reach a cadre
    (mobile, e-mail, messenger ids; docs/decisions.md)."""
    who = http.principal(app)
    who.require("admin", "org_inspector")
    return who.has("admin")


@app.post(
    IMPORT_PATH,
    summary="Import roster rows (JSON, CSV or XLSX); bad rows are rejected whole",
    description=(
        "A header needs 姓名, the unit (单位编码, or its name: 工作单位, 单位名称, 所在单位) and who the "
        "row is (工号, 干部编号, 人员编号, or 身份证号码). A unit name must name exactly one unit. An "
        "ID-card number is kept only as a keyed hash; a row without a staff number is matched by it to "
        "the cadre an earlier import registered, or gets a cadre id generated from it. 503 when a file "
        "holds ID-card numbers and the hash key is not configured."
    ),
    responses=http.responses(ImportReport, WRITE_ERRORS),
    tags=["admin"],
)
def post_import(body: RosterImportIn) -> ImportReport:
    author = _admin()
    if body.encoding == "base64" or body.format == "xlsx":
        try:
            content = base64.b64decode(body.content, validate=True)
        except (binascii.Error, ValueError) as err:
            raise ValidationFailed(
                MSG["bad_base64"],
                details=[{"loc": ["body", "content"], "msg": "not base64", "type": "base64"}],
            ) from err
    else:
        content = body.content.encode("utf-8")
    report = import_roster(content, body.format, RosterRepository(), author=author, dry_run=body.dry_run)
    logger.info(
        "roster import",
        author=author,
        import_id=report.import_id,
        imported=report.imported,
        rejected=len(report.rejected),
        role_changes=len(report.role_changes),
    )
    metrics.add_metric(name="RosterRowsImported", unit="Count", value=report.imported)
    return report


@app.get(
    "/admin/roster/role-changes",
    summary="Changes of roles, unit or last day in post made by roster imports, newest first",
    responses=http.responses(RoleChangeList, ERRORS),
    tags=["admin"],
)
def get_role_changes(
    cadre_id: Annotated[CadreId | None, Query(description="only this cadre's changes")] = None,
    first: Annotated[Day | None, Query(alias="from", description="made on or after this day")] = None,
    last: Annotated[Day | None, Query(alias="to", description="made on or before this day")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="at most this many")] = 100,
    cursor: Annotated[
        str | None,
        Query(max_length=200, pattern=r"^[A-Za-z0-9_-]+$", description="next_cursor of the previous page"),
    ] = None,
) -> RoleChangeList:
    _admin()
    if first and last:
        check_range(first, last, None)
    try:
        changes, next_cursor = RosterRepository().role_changes(
            cadre_id, first, last, limit=limit, cursor=cursor
        )
    except BadCursor as err:
        raise invalid(MSG["bad_cursor"], ["query", "cursor"], "cursor") from err
    return RoleChangeList(changes=changes, next_cursor=next_cursor)


# Who may list the units (names and ids only): the admin, and the evaluators, who pick a unit to
# grade (GET /evaluations/{quarter}/units/{unit_id}). Members stay the admin's.
UNIT_LISTERS: tuple[Role, ...] = ("admin", "org_inspector", "hr_evaluator")


@app.get(
    "/admin/roster/units",
    summary="All units (the admin; the Org Dept and HR evaluators, to choose a unit to grade)",
    responses=http.responses(UnitList, ERRORS),
    tags=["admin"],
)
def get_units() -> UnitList:
    http.principal(app).require(*UNIT_LISTERS)
    return UnitList(units=list(RosterRepository().list_units()))


@app.get(
    "/admin/roster/units/<unit_id>/cadres",
    summary="Members of a unit (their contact details: admins only)",
    responses=http.responses(CadreList, ERRORS),
    tags=["admin"],
)
def get_unit_cadres(unit_id: Annotated[UnitId, Path()]) -> CadreList:
    admin = _roster_reader()
    repo = RosterRepository()
    if repo.get_unit(unit_id) is None:
        raise NotFound(MSG["unknown_unit"], code="unknown_unit")
    members = repo.list_unit_members(unit_id)
    return CadreList(cadres=[c if admin else c.without_contacts() for c in members])


@app.get(
    "/admin/roster/cadres/<cadre_id>",
    summary="One cadre's roster record (the contact details: admins only)",
    responses=http.responses(Cadre, ERRORS),
    tags=["admin"],
)
def get_cadre(cadre_id: Annotated[CadreId, Path()]) -> Cadre:
    admin = _roster_reader()
    cadre = RosterRepository().get_cadre(cadre_id)
    if cadre is None:
        raise NotFound(MSG["unknown_cadre"], code="unknown_cadre")
    return cadre if admin else cadre.without_contacts()


CALENDAR_ERRORS = (400, 401, 403, 404, 409, 413, 415, 422, 503)


# Before /admin/calendar/<year>, so that "status" is never read as a year.
@app.get(
    "/admin/calendar/status",
    summary="Whether this year's (and from 1 December next year's) holidays are loaded, and whether the "
    "warning that next year's are not stands (the nightly check puts it on the bus once a day at most)",
    responses=http.responses(CalendarStatusOut, ERRORS),
    tags=["admin"],
)
def get_calendar_status() -> CalendarStatusOut:
    _admin()
    on = today(system_clock)
    return calendar_status(current_calendar(), on, ScheduleRepository().last_warned_on(on.year + 1))


@app.put(
    "/admin/calendar/<year>",
    summary="Load a year's official holiday schedule. A year in use (loaded before, or some of its days "
    "have come) is replaced only with confirm=true, else 409 confirmation_required listing the working "
    "days that would change; every load is recorded (GET /admin/calendar/{year}/history). With "
    "dry_run=true nothing is stored or recorded: 200 with what the year would become and the days whose "
    "working status would change",
    responses=http.responses(
        CalendarLoadOut, CALENDAR_ERRORS, created="首次载入该年度", ok="已替换该年度安排（或预览）"
    ),
    tags=["admin"],
)
def put_calendar(
    year: Annotated[Year, Path(description="four digits, 2000–2099")],
    body: ScheduleIn,
    confirm: Annotated[
        bool, Query(description="confirm replacing a year in use (its working days have been counted)")
    ] = False,
    dry_run: Annotated[
        bool,
        Query(description="preview only: check the schedule and answer what the load would change"),
    ] = False,
) -> Response[CalendarLoadOut]:
    author = _admin()
    repo = ScheduleRepository()
    created, described = load_schedule(year, body, author, repo, confirm=confirm, dry_run=dry_run)
    if dry_run:
        return Response(200, content_types.APPLICATION_JSON, described)
    withdrawn = ProvisionalWithdrawal().run(year, current_calendar())
    logger.info("calendar loaded", year=year, author=author, first_load=created, confirmed=confirm)
    logger.info("provisional misses withdrawn", **withdrawn.as_dict())
    described = described.model_copy(update={"withdrawn_misses": withdrawn.withdrawn})
    return Response(201 if created else 200, content_types.APPLICATION_JSON, described)


@app.get(
    "/admin/calendar/<year>",
    summary="A year's working days as the system sees them",
    responses=http.responses(CalendarYearOut, ERRORS),
    tags=["admin"],
)
def get_calendar(year: Annotated[Year, Path(description="four digits, 2000–2099")]) -> CalendarYearOut:
    _admin()
    schedules = ScheduleRepository().list_schedules()
    return describe_year(year, current_calendar(), schedules.get(year))


@app.get(
    "/admin/calendar/<year>/history",
    summary="Every load of a year's schedule, oldest first: who, when, before, after, the days that changed",
    responses=http.responses(CalendarHistory, ERRORS),
    tags=["admin"],
)
def get_calendar_history(
    year: Annotated[Year, Path(description="four digits, 2000–2099")],
) -> CalendarHistory:
    _admin()
    return schedule_history(year, ScheduleRepository())


def body_limit(path: str) -> int:
    """The largest body a route takes, in bytes (413 beyond; infra.openapi documents it)."""
    rules = get_settings().rules
    return rules.max_import_body_bytes if path == IMPORT_PATH else rules.max_body_bytes


# --- vetting notices (公示) -------------------------------------------------------------------
NOTICE_ERRORS = (400, 401, 403, 404, 409, 413, 415, 422, 503)


@app.post(
    "/admin/notices",
    summary="Open a vetting notice (公示) for a candidate: at least 5 working days; publishes NoticeOpened. "
    "With dry_run: the notice it would open (200), nothing stored or published",
    responses=http.responses(
        NoticeOut, NOTICE_ERRORS, created="已发布公示", ok="试算结果（dry_run：未保存、未发布）"
    ),
    tags=["notices"],
)
def post_notice(body: NoticeIn) -> Response[NoticeOut]:
    desk = NoticeService()
    notice = desk.open(http.principal(app), body)
    if body.dry_run:
        return Response(200, content_types.APPLICATION_JSON, desk.out(notice))
    logger.info("notice opened", notice_id=notice.notice_id, end=notice.end.isoformat())
    return Response(201, content_types.APPLICATION_JSON, desk.out(notice))


@app.get(
    "/admin/notices",
    summary="Every vetting notice, newest first",
    responses=http.responses(NoticeList, ERRORS),
    tags=["notices"],
)
def list_notices() -> NoticeList:
    who = http.principal(app)
    who.require("admin", "org_inspector")
    desk = NoticeService()
    return NoticeList(notices=[desk.out(n) for n in desk.notices.all()])


@app.get(
    "/admin/notices/<notice_id>/feedback",
    summary="The public's feedback on a notice, oldest first (Org Dept)",
    responses=http.responses(FeedbackList, ERRORS),
    tags=["notices"],
)
def get_feedback(notice_id: Annotated[NoticeId, Path()]) -> FeedbackList:
    found = NoticeService().feedback(http.principal(app), notice_id)
    return FeedbackList(notice_id=notice_id, feedback=[FeedbackOut(**f.model_dump()) for f in found])


@app.put(
    "/admin/notices/<notice_id>/feedback/<feedback_id>/answer",
    summary="Answer (or revise the answer to) one piece of feedback",
    responses=http.responses(FeedbackOut, NOTICE_ERRORS),
    tags=["notices"],
)
def put_answer(
    notice_id: Annotated[NoticeId, Path()],
    feedback_id: Annotated[FeedbackId, Path()],
    body: AnswerIn,
    idempotency_key: idempotency.KeyHeader = None,
) -> Response[FeedbackOut]:
    who = http.principal(app)

    def run() -> tuple[int, FeedbackOut]:
        answered = NoticeService().answer(who, notice_id, feedback_id, body)
        return 200, FeedbackOut(**answered.model_dump())

    return idempotency.respond(app, who.cadre_id, run, FeedbackOut)


@logger.inject_lambda_context(correlation_id_path=FUNCTION_URL_CORRELATION, clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return http.handle(app, event, context, subject_of=tokens.subject, limit=body_limit)


coldstart.done()
