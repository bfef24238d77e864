"""archiver: appends every revision saved since the last night to the archive in the ledger bucket.

Nightly at 03:30 Shanghai time, after the publisher (02:00) has signed the day's checkpoint, so the
night's object holds every revision that checkpoint covers. ``{"night": "YYYY-MM-DD"}`` names the
night's object (default: today in Shanghai). A re-run of a night writes nothing new.
"""

from __future__ import annotations

from worklog import coldstart  # first: the collector rests while the modules below load

# isort: split

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict

from worklog.archive.archiver import Archiver
from worklog.models.common import Day
from worklog.observability import heartbeat, logger, metrics, tracer


class RunRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    night: Day | None = None


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = RunRequest.model_validate(event or {})
    summary = Archiver().run(request.night).as_dict()
    metrics.add_metric(name="RevisionsArchived", unit="Count", value=summary["revisions"])
    logger.info("archive night", **summary)
    heartbeat("archiver")
    return summary


coldstart.done()
