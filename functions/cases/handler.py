"""cases: reminder-talk and accountability cases (list, record a talk, escalate, close); random
audits (spot-checks, inspectors' assignments, sampled logs, findings); quarterly evaluations and the
per-unit evaluation sheet (XLSX)."""

from __future__ import annotations

from worklog import coldstart  # first: the collector rests while the modules below load

# isort: split

from typing import Annotated, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from worklog import http, idempotency
from worklog.audit.dossier import Dossier, people_named
from worklog.audit.grading import EvaluationService
from worklog.audit.repository import AuditRepository
from worklog.audit.service import AuditService
from worklog.auth import tokens
from worklog.auth.principals import Principal
from worklog.compliance.cases import CaseService
from worklog.compliance.repository import ComplianceRepository
from worklog.compliance.review_repository import ReviewRepository
from worklog.errors import NotFound
from worklog.labels import CASE_STATE_LABELS, GRADE_LABELS, ROUND_STATE_LABELS, listing
from worklog.messages import MSG
from worklog.models.audits import (
    AssignmentList,
    AuditRequestIn,
    AuditRoundList,
    AuditRoundOut,
    AuditSampleOut,
    CadreRef,
    EvaluationIn,
    EvaluationOut,
    FindingIn,
    FindingOut,
    Quarter,
    RoundId,
    SampledEntries,
    UnitEvaluationOut,
)
from worklog.models.cases import (
    Case,
    CaseDossier,
    CaseId,
    CaseList,
    CaseOut,
    CaseState,
    EscalationOut,
    ReasonIn,
    TalkIn,
)
from worklog.models.common import Day
from worklog.models.roster import Role
from worklog.observability import FUNCTION_URL_CORRELATION, logger, metrics, tracer
from worklog.resolver import Path, Query, Response, content_types
from worklog.roster.repository import RosterRepository

app = http.create_app()


ERRORS = (400, 401, 403, 404, 409, 413, 415, 422, 503)  # the routes that take a body
READ_ERRORS = (400, 401, 403, 404, 413, 422, 503)
SAMPLE_ERRORS = (400, 401, 403, 404, 409, 413, 422, 503)  # 409: the round is not drawn yet
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
    who = http.principal(app)
    service = CaseService()
    found = service.list_cases(who, state=state, role=role)
    return CaseList(cases=service.present(who, found))


def _one(service: CaseService, who: Principal, case: Case) -> CaseOut:
    """A case as the caller sees it (its cadre's name, the moves they may make now)."""
    [out] = service.present(who, [case])
    return out


@app.get(
    "/cases/<case_id>",
    summary="A case with its whole history (its holders and the cadre it is about)",
    responses=http.responses(CaseOut, READ_ERRORS),
    tags=["cases"],
)
def get_case(case_id: Annotated[CaseId, Path()]) -> CaseOut:
    who, service = http.principal(app), CaseService()
    return _one(service, who, service.get_case(who, case_id))


@app.get(
    "/cases/<case_id>/dossier",
    summary="A case with every piece of its evidence looked up and described: missing records, "
    "review verdicts, audit findings, earlier talks (one page to act on)",
    responses=http.responses(CaseDossier, READ_ERRORS),
    tags=["cases"],
)
def get_dossier(case_id: Annotated[CaseId, Path()]) -> CaseDossier:
    compliance, roster, who = ComplianceRepository(), RosterRepository(), http.principal(app)
    service = CaseService(cases=compliance, roster=roster)
    case = service.get_case(who, case_id)
    evidence = Dossier(compliance, ReviewRepository(), AuditRepository()).evidence(case)
    people = roster.get_cadres(people_named(case, evidence))
    [out] = service.present(who, [case])
    return CaseDossier(case=out, evidence=evidence, names={c: p.name for c, p in sorted(people.items())})


@app.post(
    "/cases/<case_id>/talks",
    summary="Record the reminder talk (提醒谈话) of a case I hold",
    responses=http.responses(CaseOut, ERRORS, ok="已记录谈话"),
    tags=["cases"],
)
def post_talk(
    case_id: Annotated[CaseId, Path()], body: TalkIn, idempotency_key: idempotency.KeyHeader = None
) -> Response[CaseOut]:
    who, service = http.principal(app), CaseService()

    def run() -> tuple[int, CaseOut]:
        case = service.record_talk(who, case_id, body)
        metrics.add_metric(name="ReminderTalkRecorded", unit="Count", value=1)
        logger.info("reminder talk recorded", case_id=case.case_id)
        return 200, _one(service, who, case)

    return idempotency.respond(app, who.cadre_id, run, CaseOut)


@app.post(
    "/cases/<case_id>/escalation",
    summary="Escalate a reminder-talk case: opens an accountability case (问责) and publishes "
    "AccountabilityCaseOpened",
    responses=http.responses(EscalationOut, ERRORS, ok="已升级并立问责案件"),
    tags=["cases"],
)
def post_escalation(
    case_id: Annotated[CaseId, Path()], body: ReasonIn, idempotency_key: idempotency.KeyHeader = None
) -> Response[EscalationOut]:
    who, service = http.principal(app), CaseService()

    def run() -> tuple[int, EscalationOut]:
        done = service.escalate_case(who, case_id, body.reason)
        metrics.add_metric(name="AccountabilityCaseOpened", unit="Count", value=1)
        if not done.published:
            metrics.add_metric(name="CaseEventNotPublished", unit="Count", value=1)
        logger.info("case escalated", case_id=done.case.case_id, opened=done.opened.case_id)
        escalated, opened = service.present(who, [done.case, done.opened])
        return 200, EscalationOut(case=escalated, opened=opened)

    return idempotency.respond(app, who.cadre_id, run, EscalationOut)


@app.post(
    "/cases/<case_id>/closure",
    summary="Close a case I hold, with a reason (办结)",
    responses=http.responses(CaseOut, ERRORS, ok=CASE_STATE_LABELS["closed"]),
    tags=["cases"],
)
def post_closure(
    case_id: Annotated[CaseId, Path()], body: ReasonIn, idempotency_key: idempotency.KeyHeader = None
) -> Response[CaseOut]:
    who, service = http.principal(app), CaseService()

    def run() -> tuple[int, CaseOut]:
        case = service.close_case(who, case_id, body.reason)
        metrics.add_metric(name="CaseClosed", unit="Count", value=1)
        logger.info("case closed", case_id=case.case_id)
        return 200, _one(service, who, case)

    return idempotency.respond(app, who.cadre_id, run, CaseOut)


# --- random audits (双随机) -------------------------------------------------------------------
DRAW_ERRORS = (400, 401, 403, 404, 409, 413, 415, 422, 429, 503)


@app.post(
    "/audits",
    summary="Draw a round now: an Org Dept spot-check (size, optionally one unit; at most "
    "spot_checks_per_day per requester and Shanghai day, default 2, then 429 spot_check_limit), or a "
    "quarter's round on demand (once per quarter: 409 already_drawn). The seed's hash, the requester and "
    "the reason are published before the draw, the seed after it",
    responses=http.responses(AuditRoundOut, DRAW_ERRORS, created=ROUND_STATE_LABELS["drawn"]),
    tags=["audits"],
)
def post_audit(body: AuditRequestIn) -> Response[AuditRoundOut]:
    r = AuditService().request(http.principal(app), body)
    metrics.add_metric(name="AuditDrawn", unit="Count", value=1)
    logger.info("audit drawn", round_id=r.round_id, sampled=r.sampled)
    return Response(201, content_types.APPLICATION_JSON, AuditRoundOut.of(r))


@app.get(
    "/audits",
    summary="Every audit round, newest first (seeds only once drawn)",
    responses=http.responses(AuditRoundList, LIST_ERRORS),
    tags=["audits"],
)
def list_audits() -> AuditRoundList:
    http.principal(app)
    return AuditRoundList(rounds=[AuditRoundOut.of(r) for r in AuditRepository().rounds()])


@app.get(
    "/audits/<round_id>",
    summary="One audit round",
    responses=http.responses(AuditRoundOut, READ_ERRORS),
    tags=["audits"],
)
def get_audit(round_id: Annotated[RoundId, Path()]) -> AuditRoundOut:
    http.principal(app)
    r = AuditRepository().get_round(round_id)
    if r is None:
        raise NotFound(MSG["round_not_found"], code="not_found")
    return AuditRoundOut.of(r)


@app.get(
    "/audits/<round_id>/sample",
    summary="A drawn round's sample for the Org Dept and the Discipline Commission: every sampled cadre "
    "with their days and inspectors, each inspector's finding per day (or pending), and progress counts. "
    "409 not_drawn before the draw",
    responses=http.responses(AuditSampleOut, SAMPLE_ERRORS),
    tags=["audits"],
)
def get_audit_sample(round_id: Annotated[RoundId, Path()]) -> AuditSampleOut:
    return AuditService().round_sample(http.principal(app), round_id)


@app.get(
    "/me/audits",
    summary="My audit assignments as an inspector: the sampled cadres and days, with my findings",
    responses=http.responses(AssignmentList, LIST_ERRORS),
    tags=["audits"],
)
def my_audits() -> AssignmentList:
    return AuditService().my_assignments(http.principal(app))


@app.get(
    "/audits/<round_id>/cadres/<cadre_id>/entries",
    summary="The sampled days of a cadre's log, with the monthly plans of their months, for an inspector "
    "assigned to them (recorded as a read)",
    responses=http.responses(SampledEntries, READ_ERRORS),
    tags=["audits"],
)
def get_sampled_entries(
    round_id: Annotated[RoundId, Path()], cadre_id: Annotated[CadreRef, Path()]
) -> SampledEntries:
    return AuditService().sampled_entries(http.principal(app), round_id, cadre_id)


@app.put(
    "/audits/<round_id>/findings/<cadre_id>/<day>",
    summary="Record my finding on a sampled entry (verified | discrepancy | falsified); falsified opens "
    "an accountability case",
    responses=http.responses(FindingOut, ERRORS, created="已记录"),
    tags=["audits"],
)
def put_finding(
    round_id: Annotated[RoundId, Path()],
    cadre_id: Annotated[CadreRef, Path()],
    day: Annotated[Day, Path()],
    body: FindingIn,
    idempotency_key: idempotency.KeyHeader = None,
) -> Response[FindingOut]:
    who = http.principal(app)

    def run() -> tuple[int, FindingOut]:
        finding = AuditService().record_finding(who, round_id, cadre_id, day, body)
        metrics.add_metric(name="AuditFinding", unit="Count", value=1)
        logger.info("finding recorded", round_id=round_id, cadre_id=cadre_id, result=finding.result)
        return 201, FindingOut.of(finding)

    return idempotency.respond(app, who.cadre_id, run, FindingOut)


# --- quarterly evaluations ---------------------------------------------------------------------
@app.put(
    "/evaluations/<quarter>/<cadre_id>",
    summary=f"Grade a cadre for a quarter ({listing(GRADE_LABELS)} as stable codes), Org Dept or HR",
    responses=http.responses(EvaluationOut, ERRORS),
    tags=["evaluations"],
)
def put_evaluation(
    quarter: Annotated[Quarter, Path()],
    cadre_id: Annotated[CadreRef, Path()],
    body: EvaluationIn,
    idempotency_key: idempotency.KeyHeader = None,
) -> Response[EvaluationOut]:
    who = http.principal(app)

    def run() -> tuple[int, EvaluationOut]:
        return 200, EvaluationOut.of(EvaluationService().evaluate(who, quarter, cadre_id, body))

    return idempotency.respond(app, who.cadre_id, run, EvaluationOut)


@app.get(
    "/evaluations/<quarter>/units/<unit_id>",
    summary="A unit's quarter for its evaluators: each cadre's figures (days owed, on time, late, missing; "
    "verdicts, findings and cases opened, as counts) and the grade given so far, in roster order; no log "
    "text. The same figures as the XLSX sheet",
    responses=http.responses(UnitEvaluationOut, READ_ERRORS),
    tags=["evaluations"],
)
def get_unit_evaluations(
    quarter: Annotated[Quarter, Path()], unit_id: Annotated[CadreRef, Path()]
) -> UnitEvaluationOut:
    return EvaluationService().unit_evaluations(http.principal(app), quarter, unit_id)


@app.get(
    "/evaluations/<quarter>/units/<unit_id>/sheet",
    summary="A unit's evaluation sheet for a quarter as XLSX, ready to print",
    responses=http.xlsx_responses("考评表（XLSX）", READ_ERRORS),
    tags=["evaluations"],
)
def get_evaluation_sheet(
    quarter: Annotated[Quarter, Path()], unit_id: Annotated[CadreRef, Path()]
):  # no return annotation: Powertools would validate the workbook's bytes as a model
    # openpyxl loads with the first sheet asked for, not in every cold start of this function.
    from worklog.audit.evaluation import unit_sheet

    sheet = unit_sheet(EvaluationService(), http.principal(app), quarter, unit_id)
    return Response(
        200,
        http.XLSX,
        sheet,
        headers={"Content-Disposition": f'attachment; filename="evaluation-{unit_id}-{quarter}.xlsx"'},
    )


@logger.inject_lambda_context(correlation_id_path=FUNCTION_URL_CORRELATION, clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return http.handle(app, event, context, subject_of=tokens.subject)


coldstart.done()
