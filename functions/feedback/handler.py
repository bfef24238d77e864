"""feedback: the public's feedback on an open vetting notice (公示) — no token.

`POST /feedback/{notice_id}` takes JSON (`{"content", "contact"?}` → 201 JSON receipt) or a plain
HTML form post (`application/x-www-form-urlencoded`, from the notice page, which works without
JavaScript → a small HTML confirmation page); any other body type is 415. Validated, size-limited
(16 KiB), rate-limited per sender (IPv4 address, IPv6 /64) and per notice (429), `409 not_open`
outside the notice period. The address is used only to key the rate limit (an HMAC under a secret
of the day); nothing stored with the feedback identifies the sender.
"""

from __future__ import annotations

from worklog import coldstart  # first: the collector rests while the modules below load

# isort: split

import json
from typing import Annotated, Any
from urllib.parse import parse_qs

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from worklog import http
from worklog.errors import InvalidJson, ValidationFailed
from worklog.messages import MSG
from worklog.models.notices import FeedbackIn, FeedbackReceipt, NoticeId
from worklog.observability import FUNCTION_URL_CORRELATION, logger, metrics, tracer
from worklog.resolver import Path, Response, content_types
from worklog.settings import get_settings
from worklog.vetting.senders import viewer_address
from worklog.vetting.service import NoticeService

app = http.create_app()  # public: no token is ever verified here (subject_of=None below)
FORM = http.FORM
# What the notice page's form posts, and what scripts send; anything else is 415.
ACCEPTS = frozenset({http.JSON, FORM})
MAX_BYTES = 16 * 1024
HTML = "text/html; charset=utf-8"
# The route reads its body itself (JSON or a form), so Powertools cannot document it: infra.openapi
# adds it to the spec from here, for both content types.
REQUEST_BODIES = {("post", "/feedback/{notice_id}"): (FeedbackIn, (content_types.APPLICATION_JSON, FORM))}


def body_limit(path: str) -> int:
    """The largest body the route takes, in bytes (413 beyond; infra.openapi documents it)."""
    return MAX_BYTES


def _page(ok: bool, title: str, message: str, notice_id: str | None = None) -> str:
    # The site's renderer (Jinja2) and the site's page models load with the first form post, not
    # with every cold start: a JSON post never needs them.
    from worklog.publish.pages import FeedbackResult
    from worklog.publish.render import render_feedback_result

    return render_feedback_result(FeedbackResult(ok=ok, title=title, message=message, notice_id=notice_id))


def _is_form(event: dict[str, Any]) -> bool:
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    return headers.get("content-type", "").split(";")[0].strip().lower() == FORM


# No return annotation: the answer is JSON or an HTML page, so there is no response model to validate.
@app.post(
    "/feedback/<notice_id>",
    summary="Public feedback on an open vetting notice (no token). JSON {content, contact?} → 201 JSON; "
    "an HTML form post (application/x-www-form-urlencoded) → an HTML confirmation page",
    responses=http.responses(FeedbackReceipt, (400, 404, 409, 413, 415, 422, 429), created="已收到反映"),
    tags=["public"],
)
def post_feedback(notice_id: Annotated[NoticeId, Path()]):
    event = app.current_event
    raw = http.raw_body(event.raw_event)
    form = _is_form(event.raw_event)
    if form:
        fields = {
            k: v[0]
            for k, v in parse_qs(raw.decode("utf-8", "replace")).items()
            if k in ("content", "contact")
        }
    else:
        try:
            fields = json.loads(raw or b"{}")
        except (ValueError, RecursionError) as err:  # neither a form nor JSON we can read
            raise InvalidJson(MSG["feedback_not_readable"]) from err
    if not isinstance(fields, dict):
        raise ValidationFailed(
            MSG["feedback_not_object"], details=[{"loc": ["body"], "msg": "object", "type": "model_type"}]
        )
    try:
        body = FeedbackIn.model_validate(fields)
    except ValidationError as err:
        details = [
            {"loc": ["body", *map(str, e["loc"])], "msg": e["msg"], "type": e["type"]} for e in err.errors()
        ]
        raise ValidationFailed(MSG["feedback_invalid"], details=details) from err
    sender = viewer_address(
        event.request_context.http.source_ip, event.raw_event.get("headers") or {}, get_settings().edge_secret
    )
    feedback = NoticeService().receive(notice_id, body, sender)
    metrics.add_metric(name="FeedbackReceived", unit="Count", value=1)
    logger.info("feedback received", notice_id=notice_id, feedback_id=feedback.feedback_id)
    receipt = FeedbackReceipt(
        notice_id=notice_id,
        feedback_id=feedback.feedback_id,
        received_at=feedback.received_at,
        message=MSG["feedback_received"],
    )
    if form:
        page = _page(True, MSG["feedback_received_title"], receipt.message, notice_id)
        return Response(201, HTML, page)
    return Response(201, content_types.APPLICATION_JSON, receipt.model_dump_json())


def _as_html(result: dict[str, Any]) -> dict[str, Any]:
    """A form post's error as a page a browser shows (the same status and message)."""
    try:
        error = json.loads(result.get("body") or "{}")
    except ValueError:
        error = {}
    page = _page(False, MSG["feedback_failed_title"], str(error.get("message") or MSG["feedback_failed"]))
    return {**result, "headers": {**(result.get("headers") or {}), "Content-Type": HTML}, "body": page}


@logger.inject_lambda_context(correlation_id_path=FUNCTION_URL_CORRELATION, clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = http.handle(app, event, context, subject_of=None, limit=body_limit, accepts=ACCEPTS)
    if _is_form(event) and int(result.get("statusCode", 200)) >= 400:
        return _as_html(result)
    return result


coldstart.done()
