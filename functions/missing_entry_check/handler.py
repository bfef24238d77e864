"""missing-entry-check: nightly, what is owed and missing; reminders; the escalation ladder.

Scheduled at 01:30 Shanghai time for the day before (or for ``{"date": "YYYY-MM-DD"}``). From 1
December while next year's holidays are not loaded, it also warns the admins (``CalendarNotLoaded``
on the bus, once a day at most). One run
reads at most SWEEP_SLICE_PAGES pages of the roster; if there is more, it sends
``{"date": ..., "from": "<cadre id>"}`` to the sweep queue and the next run goes on from there.
SQS messages (those, and ``{"date": ...}`` re-runs of whole dates) are handled with partial-batch
responses.
"""

from __future__ import annotations

from worklog import coldstart  # first: the collector rests while the modules below load

# isort: split

from datetime import timedelta
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from worklog.clock import system_clock, today
from worklog.compliance.sweep import MissingEntryCheck
from worklog.holidays import warn_next_year
from worklog.models.common import Day
from worklog.observability import heartbeat, logger, metrics, tracer
from worklog.queue import SweepQueue, each_message
from worklog.schedules import ScheduleRepository
from worklog.settings import get_settings


class CheckRequest(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    date: Day | None = None
    start: str | None = Field(None, alias="from", min_length=1, max_length=40)


def check(request: CheckRequest) -> dict[str, Any]:
    day = request.date or today(system_clock) - timedelta(days=1)
    settings = get_settings()
    sweep = MissingEntryCheck(
        slice_pages=settings.sweep_slice_pages or None, page_items=settings.sweep_page_items or None
    )
    summary = sweep.run(day, request.start)
    warned = False
    if request.start is None:  # a night's first slice (or a date's re-run), not every slice
        warned = warn_next_year(sweep.calendar, ScheduleRepository(), sweep.bus)
    if summary.next_from is not None:
        SweepQueue().send({"date": day.isoformat(), "from": summary.next_from})
    else:
        heartbeat("missing-entry-check")  # the night's last slice: the whole roster is checked
    metrics.add_metric(name="EntryMissing", unit="Count", value=summary.new_missing)
    logger.info("missing-entry check", **summary.as_dict(), calendar_warning=warned)
    return {**summary.as_dict(), "calendar_warning": warned}


def _message(body: Any) -> None:
    check(CheckRequest.model_validate(body))


def _failed(message_id: str) -> None:
    logger.exception("message failed", message_id=message_id)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "Records" in event:
        return each_message(event, _message, failed=_failed)
    return check(CheckRequest.model_validate(event))


coldstart.done()
