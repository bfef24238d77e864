"""The template's schedules on the runtime's clock: a job per schedule of each function, fired by
``infra.local.scheduler`` (EventBridge Scheduler's part on AWS)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from infra.local.functions import LocalFunction, schedule_input
from infra.local.scheduler import ScheduledJob, Scheduler

log = logging.getLogger("infra.local")


def start_scheduler(
    functions: Iterable[LocalFunction],
    clock: Any,
    fire: Callable[[ScheduledJob, dict[str, Any]], Any],
    *,
    tick_seconds: float,
    hold: bool = False,
) -> Scheduler:
    """Plan the functions' schedules and start firing them; with ``hold``, plan them from the start
    of today and leave starting to the caller (``Scheduler.start``, once the demo's history is in):
    the first tick then fires what came due since midnight, once each."""
    jobs = [
        ScheduledJob.build(
            function=function.name,
            name=schedule.event_name,
            expression=schedule.expression,
            timezone=schedule.timezone,
            input=schedule_input(schedule.input),
            enabled=bool(schedule.enabled),
        )
        for function in functions
        for schedule in function.schedules
    ]
    scheduler = Scheduler(jobs, clock, fire, tick_seconds=tick_seconds)
    if hold:
        now = clock.now()
        scheduler.plan(since=now.replace(hour=0, minute=0, second=0, microsecond=0))
    else:
        scheduler.start()
    for job in scheduler.describe():
        log.info(
            "schedule %s/%s %s (%s)%s next %s",
            job["function"],
            job["schedule"],
            job["expression"],
            job["timezone"],
            "" if job["enabled"] else " [disabled]",
            job["next_fire"],
        )
    return scheduler
