"""notifier: reminders that reach people (docs/notifications.md).

Three doors, one function:
- an event from the bus (``source`` worklog, one of the rule's detail types) → the intake: notices
  into the outbox, urgent ones sent at once in daytime;
- the morning schedule's input ``{"run": "morning"}`` (``"date"`` may name another morning, as
  ``POST /_local/run/notifier`` does) → the morning run: one digest per person;
- SQS records from the retry queue → the sends still failing, with partial-batch answers.
"""

from __future__ import annotations

from worklog import coldstart  # first: the collector rests while the modules below load

# isort: split

from dataclasses import asdict, is_dataclass
from typing import Any, Literal

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict

from worklog.clock import system_clock, today
from worklog.models.common import Day
from worklog.notify.intake import Intake
from worklog.notify.morning import MorningRun
from worklog.notify.repository import OutboxRepository
from worklog.notify.sender import Sender
from worklog.observability import heartbeat, logger, metrics, tracer


class MorningRunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    run: Literal["morning"]
    date: Day | None = None


def _plain(summary: Any) -> Any:
    """A use case's summary as JSON-ready data (pydantic model, dataclass or plain dict)."""
    if isinstance(summary, BaseModel):
        return summary.model_dump(mode="json")
    if hasattr(summary, "as_dict"):
        return summary.as_dict()
    if is_dataclass(summary) and not isinstance(summary, type):
        return asdict(summary)
    return summary


def _is_sqs(event: dict[str, Any]) -> bool:
    records = event.get("Records")
    return isinstance(records, list) and all(r.get("eventSource") == "aws:sqs" for r in records)


def _is_bus_event(event: dict[str, Any]) -> bool:
    return event.get("source") == "worklog" and isinstance(event.get("detail-type"), str)


def intake(event: dict[str, Any]) -> Any:
    summary = Intake().take(event["detail-type"], event.get("detail") or {}, event_id=event.get("id"))
    logger.info("notify intake", detail_type=event["detail-type"], event_id=event.get("id"))
    return _plain(summary)


def morning(event: dict[str, Any]) -> Any:
    request = MorningRunIn.model_validate(event)
    day = request.date or today(system_clock)
    summary = MorningRun().run(day)
    logger.info("morning run", morning=day.isoformat())
    heartbeat("notifier-morning")  # a rest day's run, which sends nothing, finished all the same
    return _plain(summary)


def retries(event: dict[str, Any]) -> dict[str, Any]:
    answer = Sender().retry_batch(event, OutboxRepository().record_delivery)
    failures = len(answer.get("batchItemFailures", []))
    metrics.add_metric(name="NotifyRetryFailures", unit="Count", value=failures)
    return answer


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> Any:
    if _is_sqs(event):
        return retries(event)
    if _is_bus_event(event):
        return intake(event)
    if event.get("run") == "morning":
        return morning(event)
    logger.error("notifier: an event it does not know", keys=sorted(event))
    raise ValueError("the notifier takes bus events, the morning schedule's input or retry-queue records")


coldstart.done()
