"""reviews: reviewers' weekly assignments and verdicts; authorized reading of another cadre's log."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from worklog import http
from worklog.observability import FUNCTION_URL_CORRELATION, logger, metrics, tracer

app = http.create_app()


@logger.inject_lambda_context(correlation_id_path=FUNCTION_URL_CORRELATION)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return http.handle(app, event, context)
