"""audit-sampling: quarterly random audits (双随机).

Scheduled at 09:00 Shanghai time on the first ten days of each quarter's first month; only the
first working day of the quarter does anything: it draws the quarter that ended (publishing the
snapshot, the sample and the seed) and commits the seed of the quarter that starts. ``{"date":
"YYYY-MM-DD"}`` runs it as of that date. Re-running is idempotent: a drawn quarter is not drawn again.
"""

from __future__ import annotations

from worklog import coldstart  # first: the collector rests while the modules below load

# isort: split

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict

from worklog.audit.quarterly import QuarterlyRun
from worklog.models.common import Day
from worklog.observability import logger, metrics, tracer


class RunRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    date: Day | None = None


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = RunRequest.model_validate(event or {})
    run = QuarterlyRun().run(request.date)
    metrics.add_metric(name="AuditDrawn", unit="Count", value=1 if run.drawn else 0)
    logger.info("audit sampling", **run.as_dict())
    return run.as_dict()


coldstart.done()
