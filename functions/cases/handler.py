"""cases: reminder-talk and accountability cases — list, record a talk, escalate, close."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from worklog import http
from worklog.bus import EventBus
from worklog.compliance import cases
from worklog.compliance.ladder import CaseState
from worklog.compliance.repository import ComplianceRepository
from worklog.models.cases import CaseId, CaseList, CaseOut, EscalationOut, ReasonIn, TalkIn
from worklog.models.roster import Role
from worklog.observability import FUNCTION_URL_CORRELATION, logger, metrics, tracer

app = http.create_app()
ERRORS = (400, 401, 403, 404, 409, 413, 422, 503)
READ_ERRORS = (400, 401, 403, 404, 413, 422, 503)
LIST_ERRORS = (400, 401, 403, 413, 422, 503)


@app.get(
    "/cases",
    summary="Cases I hold (as unit head, district leader or inspector) and cases about me, newest first",
    responses=http.responses(CaseList, LIST_ERRORS),
    tags=["cases"],
)
def list_cases(
    state: Annotated[CaseState | None, Query(description="only cases in this state")] = None,
    role: Annotated[
        Role | None,
        Query(description="only cases I hold in this role; `cadre` for the cases about me"),
    ] = None,
) -> CaseList:
    found = cases.list_cases(ComplianceRepository(), http.principal(app), state=state, role=role)
    return CaseList(cases=[CaseOut.of(c) for c in found])


@app.get(
    "/cases/<case_id>",
    summary="A case with its whole history (its holders and the cadre it is about)",
    responses=http.responses(CaseOut, READ_ERRORS),
    tags=["cases"],
)
def get_case(case_id: Annotated[CaseId, Path()]) -> CaseOut:
    return CaseOut.of(cases.get_case(ComplianceRepository(), http.principal(app), case_id))


@app.post(
    "/cases/<case_id>/talks",
    summary="Record the reminder talk (提醒谈话) of a case I hold",
    responses=http.responses(CaseOut, ERRORS, ok="已记录谈话"),
    tags=["cases"],
)
def post_talk(case_id: Annotated[CaseId, Path()], body: TalkIn) -> CaseOut:
    case = cases.record_talk(ComplianceRepository(), http.principal(app), case_id, body)
    metrics.add_metric(name="ReminderTalkRecorded", unit="Count", value=1)
    logger.info("reminder talk recorded", case_id=case.case_id)
    return CaseOut.of(case)


@app.post(
    "/cases/<case_id>/escalation",
    summary="Escalate a reminder-talk case: opens an accountability case (问责) and publishes "
    "AccountabilityCaseOpened",
    responses=http.responses(EscalationOut, ERRORS, ok="已升级并立问责案件"),
    tags=["cases"],
)
def post_escalation(case_id: Annotated[CaseId, Path()], body: ReasonIn) -> EscalationOut:
    done = cases.escalate_case(ComplianceRepository(), EventBus(), http.principal(app), case_id, body.reason)
    metrics.add_metric(name="AccountabilityCaseOpened", unit="Count", value=1)
    if not done.published:
        metrics.add_metric(name="CaseEventNotPublished", unit="Count", value=1)
    logger.info("case escalated", case_id=done.case.case_id, opened=done.opened.case_id)
    return EscalationOut(case=CaseOut.of(done.case), opened=CaseOut.of(done.opened))


@app.post(
    "/cases/<case_id>/closure",
    summary="Close a case I hold, with a reason (办结)",
    responses=http.responses(CaseOut, ERRORS, ok="已办结"),
    tags=["cases"],
)
def post_closure(case_id: Annotated[CaseId, Path()], body: ReasonIn) -> CaseOut:
    case = cases.close_case(ComplianceRepository(), http.principal(app), case_id, body.reason)
    metrics.add_metric(name="CaseClosed", unit="Count", value=1)
    logger.info("case closed", case_id=case.case_id)
    return CaseOut.of(case)


@logger.inject_lambda_context(correlation_id_path=FUNCTION_URL_CORRELATION, clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return http.handle(app, event, context)
