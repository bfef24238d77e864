"""disclosure-publisher: renders the public site into the site bucket, only what changed.

Nightly at 02:00 Shanghai time, and on NoticeOpened / AuditCommitted / AuditDrawn events from the
bus. ``{"full": true}`` rebuilds every page (the CLI's `publish-site --full` does the same).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from worklog.observability import heartbeat, logger, metrics, tracer
from worklog.publish.publisher import Publisher


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    from_bus = "detail-type" in (event or {})
    full = bool((event or {}).get("full")) if not from_bus else False
    summary = Publisher().run(full=full).as_dict()
    if not from_bus:
        # Only the scheduled run counts: publishes on events would hide a nightly run that never came.
        heartbeat("disclosure-publisher")
    metrics.add_metric(name="SiteObjectsWritten", unit="Count", value=summary["objects_written"])
    logger.info("site published", **{k: v for k, v in summary.items() if k != "written"})
    return summary
