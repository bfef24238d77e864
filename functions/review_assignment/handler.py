"""review-assignment: daily (only a week's first run assigns it): last week's logs to reviewers; overdue."""

from __future__ import annotations

from worklog import coldstart  # first: the collector rests while the modules below load

# isort: split

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from worklog.compliance.weekly import WeeklyAssignment
from worklog.models.reviews import WeeklyRunIn
from worklog.observability import heartbeat, logger, metrics, tracer


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    run = WeeklyRunIn.model_validate(event or {})
    summary = WeeklyAssignment().run(run.date)
    metrics.add_metric(name="ReviewAssigned", unit="Count", value=summary.new_assignments)
    metrics.add_metric(name="ReviewOverdue", unit="Count", value=summary.marked_overdue)
    metrics.add_metric(name="ReminderTalkOpened", unit="Count", value=len(summary.reminder_talks_opened))
    logger.info(
        "weekly review assignment",
        week_start=summary.week_start.isoformat(),
        new_assignments=summary.new_assignments,
        marked_overdue=summary.marked_overdue,
        reminder_talks=summary.reminder_talks_opened,
        problems=len(summary.problems),
    )
    for cadre in summary.unreviewed:
        # Ids only: the problem texts name the cadre, and logs carry no personal data.
        logger.warning("no reviewer", **cadre.model_dump(mode="json"))
    heartbeat("review-assignment")
    return summary.model_dump(mode="json")


coldstart.done()
