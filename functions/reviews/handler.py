"""reviews: reviewers' weekly assignments and verdicts; authorized reading of another cadre's log; the
units' figures of closed months (单位概况) and a unit's month exported as XLSX (导出)."""

from __future__ import annotations

from worklog import coldstart  # first: the collector rests while the modules below load

# isort: split

from typing import Annotated, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from worklog import http, idempotency
from worklog.auth import tokens
from worklog.compliance.figures import FiguresService
from worklog.compliance.reviews import ReviewService
from worklog.models.common import Day
from worklog.models.entries import MonthLabel
from worklog.models.reviews import CadreEntries, ReadList, ReviewDetail, ReviewList, VerdictIn, VerdictOut
from worklog.models.roster import CadreId, UnitId
from worklog.models.units import DistrictFiguresOut, UnitFiguresOut, UnitName, UnitNames
from worklog.observability import FUNCTION_URL_CORRELATION, logger, metrics, tracer
from worklog.resolver import Path, Query, Response
from worklog.roster.repository import RosterRepository

app = http.create_app()
ERRORS = (400, 401, 403, 404, 413, 422, 503)


def service() -> ReviewService:
    return ReviewService()


@app.get(
    "/reviews",
    summary="My review assignments: of one week, or every unfinished one and the last four weeks",
    responses=http.responses(ReviewList, ERRORS),
    tags=["reviews"],
)
def list_reviews(
    week: Annotated[Day | None, Query(description="any day of the week (its Monday is used)")] = None,
) -> ReviewList:
    return ReviewList(reviews=service().my_reviews(http.principal(app), week))


@app.get(
    "/reviews/<week_start>/<cadre_id>",
    summary="One assignment with the reviewee's week: entries, plan items, signals (recorded as a read)",
    responses=http.responses(ReviewDetail, ERRORS),
    tags=["reviews"],
)
def get_review(week_start: Annotated[Day, Path()], cadre_id: Annotated[CadreId, Path()]) -> ReviewDetail:
    return service().review_detail(http.principal(app), week_start, cadre_id)


@app.put(
    "/reviews/<week_start>/<cadre_id>",
    summary="Record the verdict, once (a late one on an overdue review is accepted and marked late)",
    responses=http.responses(VerdictOut, (400, 401, 403, 404, 409, 413, 415, 422, 503)),
    tags=["reviews"],
)
def put_verdict(
    week_start: Annotated[Day, Path()],
    cadre_id: Annotated[CadreId, Path()],
    body: VerdictIn,
    idempotency_key: idempotency.KeyHeader = None,
) -> Response[VerdictOut]:
    who = http.principal(app)

    def run() -> tuple[int, VerdictOut]:
        out = service().record_verdict(who, week_start, cadre_id, body)
        metrics.add_metric(name="ReviewVerdictRecorded", unit="Count", value=1)
        logger.info("verdict", week_start=week_start.isoformat(), reviewee=cadre_id, verdict=out.verdict)
        return 200, out

    return idempotency.respond(app, who.cadre_id, run, VerdictOut)


@app.get(
    "/cadres/<cadre_id>/entries",
    summary="A cadre's entries (at most 92 days): one's own; the assigned reviewer (their weeks only), the "
    "unit head (current members), a district leader (unit heads), the Org Dept (a candidate under an open "
    "vetting notice). Every such read is recorded; inspectors read through /audits, HR and admins not at all",
    responses=http.responses(CadreEntries, ERRORS),
    tags=["reviews"],
)
def get_cadre_entries(
    cadre_id: Annotated[CadreId, Path()],
    first: Annotated[Day, Query(alias="from")],
    last: Annotated[Day, Query(alias="to")],
) -> CadreEntries:
    return service().cadre_entries(http.principal(app), cadre_id, first, last)


@app.get(
    "/me/reads",
    summary="Who read my log (reader, when, purpose, range), newest first; default the last 92 days",
    responses=http.responses(ReadList, ERRORS),
    tags=["reviews"],
)
def get_my_reads(
    first: Annotated[Day | None, Query(alias="from")] = None,
    last: Annotated[Day | None, Query(alias="to")] = None,
) -> ReadList:
    return ReadList(reads=service().reads_of_mine(http.principal(app), first, last))


# --- units: figures and the export ------------------------------------------------------------
@app.get(
    "/units/roster",
    summary="Every unit's id and name in roster order (any signed-in cadre: the names are public), for "
    "choosing a unit to see or export",
    responses=http.responses(UnitNames, ERRORS),
    tags=["units"],
)
def list_units() -> UnitNames:
    http.principal(app)
    units = RosterRepository().list_units()
    return UnitNames(units=[UnitName(unit_id=u.unit_id, name=u.name, category=u.category) for u in units])


@app.get(
    "/units/figures",
    summary="Every unit's figures for one closed month, in roster order (the Org Dept and district leaders): "
    "entries on time, late, missing; weeks reviewed; perfunctory verdicts. Per unit only, never per cadre",
    responses=http.responses(DistrictFiguresOut, ERRORS),
    tags=["units"],
)
def get_district_figures(
    month: Annotated[
        MonthLabel | None, Query(description="YYYY-MM, a closed month; default the latest closed month")
    ] = None,
) -> DistrictFiguresOut:
    return FiguresService().district(http.principal(app), month)


@app.get(
    "/units/<unit_id>/figures",
    summary="One unit's figures for a range of closed months (its head; the Org Dept and district leaders: "
    "any unit), at most 12 months; default the latest six. Per unit only, never per cadre",
    responses=http.responses(UnitFiguresOut, ERRORS),
    tags=["units"],
)
def get_unit_figures(
    unit_id: Annotated[UnitId, Path()],
    first: Annotated[MonthLabel | None, Query(alias="from", description="YYYY-MM, the first month")] = None,
    last: Annotated[
        MonthLabel | None, Query(alias="to", description="YYYY-MM, the last month (a closed one)")
    ] = None,
) -> UnitFiguresOut:
    return FiguresService().unit(http.principal(app), unit_id, first, last)


@app.get(
    "/units/<unit_id>/export/<month>",
    summary="A unit's month of logs as XLSX, one row per cadre, day and item (status, plan item, late mark, "
    "saves): the rows of the members the reader may read under the access table, each recorded as a read",
    responses=http.xlsx_responses("工作日志（XLSX）", ERRORS),
    tags=["units"],
)
def get_unit_export(
    unit_id: Annotated[UnitId, Path()], month: Annotated[MonthLabel, Path()]
):  # no return annotation: Powertools would validate the workbook's bytes as a model
    from worklog.compliance.export import ExportService  # openpyxl only when a sheet is asked for

    sheet = ExportService().unit_month(http.principal(app), unit_id, month)
    metrics.add_metric(name="UnitLogExported", unit="Count", value=1)
    return Response(200, http.XLSX, sheet.body, headers={"Content-Disposition": sheet.disposition})


@logger.inject_lambda_context(correlation_id_path=FUNCTION_URL_CORRELATION, clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return http.handle(app, event, context, subject_of=tokens.subject)


coldstart.done()
