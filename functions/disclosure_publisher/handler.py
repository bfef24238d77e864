"""disclosure-publisher: renders the public site into the site bucket, only what changed.

Nightly at 02:00 Shanghai time, and on NoticeOpened / AuditCommitted / AuditDrawn events from the
bus. ``{"full": true}`` rebuilds every page (the CLI's `publish-site --full` does the same). A run
plans one batch per shard of the manifest; with more than one, the batches go out through the
publish queue and come back here as SQS messages, one at a time; the batch that finds them all
done writes the shared pages and the checkpoint (docs/decisions.md).
"""

from __future__ import annotations

from worklog import coldstart  # first: the collector rests while the modules below load

# isort: split

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from worklog.observability import heartbeat, logger, metrics, tracer
from worklog.publish.publisher import Publisher, PublishSummary
from worklog.publish.runs import PublishQueue
from worklog.queue import each_message
from worklog.settings import get_settings


def _queue() -> PublishQueue | None:
    return PublishQueue() if get_settings().publish_queue_url else None


def _report(summary: PublishSummary) -> dict[str, Any]:
    result = summary.as_dict()
    metrics.add_metric(name="SiteObjectsWritten", unit="Count", value=result["objects_written"])
    logger.info("site published", **{k: v for k, v in result.items() if k != "written"})
    return result


def _finished(summary: PublishSummary) -> PublishSummary:
    # Only a scheduled run counts (publishes on events would hide a nightly run that never came),
    # and only when its last step is done: a run of several batches finishes in the invocation
    # that takes the last of them from the queue.
    if summary.nightly_finished:
        heartbeat("disclosure-publisher")
    return summary


def _message(body: Any) -> None:
    _report(_finished(Publisher().take_batch(body, _queue())))


def _failed(message_id: str) -> None:
    logger.exception("message failed", message_id=message_id)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    event = event or {}
    if "Records" in event:
        return each_message(event, _message, failed=_failed)
    from_bus = "detail-type" in event
    full = bool(event.get("full")) if not from_bus else False
    return _report(_finished(Publisher().start(full=full, queue=_queue(), nightly=not from_bus)))


coldstart.done()
