"""EventBridge Scheduler, locally: the template's schedules fired on the runtime's clock.

Expressions are read as AWS reads them (``infra.local.schedule_expressions``). A ``rate`` schedule,
like one without a StartDate on AWS, first fires when it is created (the runtime's start).

The ``Scheduler`` polls a ``Clock`` (the runtime passes ``worklog.clock.system_clock``), so moving
the clock past a fire time fires that schedule once, however many occurrences were jumped over.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from infra.local.schedule_expressions import (
    CronExpression,
    Expression,
    RateExpression,
    parse_expression,
    zone,
)

log = logging.getLogger("infra.local.scheduler")


class Clock(Protocol):
    def now(self) -> datetime: ...


# --- the scheduler -------------------------------------------------------------------------------


@dataclass
class ScheduledJob:
    """One schedule of one function, with its state in the local scheduler."""

    function: str
    name: str
    expression: Expression
    tz: ZoneInfo
    input: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True
    anchor: datetime | None = None  # rate schedules: when the schedule was created
    next_fire: datetime | None = None
    fired: int = 0
    last_fired_at: datetime | None = None
    last_error: str | None = None

    @classmethod
    def build(
        cls,
        function: str,
        name: str,
        expression: str,
        timezone: str | None = None,
        input: dict[str, Any] | None = None,
        enabled: bool = True,
    ) -> ScheduledJob:
        return cls(function, name, parse_expression(expression), zone(timezone), dict(input or {}), enabled)

    def plan(self, now: datetime) -> None:
        """Set the first fire time after ``now`` (used at start and when the clock goes back)."""
        expr = self.expression
        now = now.astimezone(UTC)  # fire times are kept in UTC so comparisons are between instants
        if isinstance(expr, CronExpression):
            self.next_fire = _utc(expr.next_after(now, self.tz))
        elif isinstance(expr, RateExpression):
            if self.anchor is None:
                self.anchor = now  # no StartDate: the first invocation is at creation
                self.next_fire = now
            else:
                self.next_fire = expr.next_after(now, self.anchor)
        else:
            moment = expr.moment(self.tz).astimezone(UTC)
            self.next_fire = moment if self.fired == 0 and moment > now else None

    def advance(self, now: datetime) -> None:
        """After a firing at ``now``: the next occurrence strictly after it (missed ones collapse)."""
        expr = self.expression
        if isinstance(expr, CronExpression):
            self.next_fire = _utc(expr.next_after(now, self.tz))
        elif isinstance(expr, RateExpression):
            assert self.anchor is not None
            self.next_fire = expr.next_after(now, self.anchor)
        else:
            self.next_fire = None

    def describe(self) -> dict[str, Any]:
        return {
            "function": self.function,
            "schedule": self.name,
            "expression": self.expression.text,
            "timezone": self.tz.key,
            "enabled": self.enabled,
            "next_fire": _local_iso(self.next_fire, self.tz),
            "fired": self.fired,
            "last_fired_at": _local_iso(self.last_fired_at, self.tz),
            "last_error": self.last_error,
        }


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment is not None else None


def _local_iso(moment: datetime | None, tz: ZoneInfo) -> str | None:
    return moment.astimezone(tz).isoformat(timespec="seconds") if moment is not None else None


Invoke = Callable[[ScheduledJob, dict[str, Any]], Any]

# A clock moved back by more than this re-plans every schedule from the new "now".
_BACKWARDS_TOLERANCE = timedelta(seconds=1)


class Scheduler:
    """Fires due jobs by calling ``invoke(job, event)``; one firing per due job per tick."""

    def __init__(self, jobs: Sequence[ScheduledJob], clock: Clock, invoke: Invoke, tick_seconds: float = 1.0):
        self.jobs = list(jobs)
        self.clock = clock
        self.invoke = invoke
        self.tick_seconds = tick_seconds
        self._last_now: datetime | None = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def plan(self, since: datetime | None = None) -> None:
        """Plan each job's next firing after ``since`` (default: now). Planned from a moment in
        the past, the first tick fires, once each, the jobs that came due since then."""
        now = since or self.clock.now()
        with self._lock:
            for job in self.jobs:
                job.plan(now)
            self._last_now = now

    def tick(self) -> list[ScheduledJob]:
        """Fire every enabled job whose time has come; returns the jobs fired."""
        with self._lock:
            now = self.clock.now()
            if self._last_now is None:
                for job in self.jobs:
                    job.plan(now)
            elif now < self._last_now - _BACKWARDS_TOLERANCE:
                log.info("clock moved back to %s: re-planning schedules", now.isoformat())
                for job in self.jobs:
                    job.plan(now)
            self._last_now = now
            now_utc = now.astimezone(UTC)
            due = [j for j in self.jobs if j.enabled and j.next_fire is not None and j.next_fire <= now_utc]
            planned = [(job, self._advance(job, now)) for job in due]
        # Run outside the lock: a long run must not block /_local/schedules or a clock change.
        for job, scheduled_for in planned:
            self._fire(job, now, scheduled_for)
        return due

    @staticmethod
    def _advance(job: ScheduledJob, now: datetime) -> datetime | None:
        scheduled_for = job.next_fire
        job.fired += 1
        job.last_fired_at = now
        job.advance(now)
        return scheduled_for

    def _fire(self, job: ScheduledJob, now: datetime, scheduled_for: datetime | None) -> None:
        log.info(
            "schedule %s/%s (%s %s) fired at %s for %s",
            job.function,
            job.name,
            job.expression.text,
            job.tz.key,
            now.astimezone(job.tz).isoformat(timespec="seconds"),
            scheduled_for.astimezone(job.tz).isoformat(timespec="seconds") if scheduled_for else "-",
        )
        try:
            self.invoke(job, dict(job.input))
            job.last_error = None
        except Exception as err:  # a failed run must not stop the scheduler
            job.last_error = f"{type(err).__name__}: {err}"
            log.exception("schedule %s/%s failed", job.function, job.name)

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [job.describe() for job in self.jobs]

    # --- thread ----------------------------------------------------------------------------------
    def start(self) -> None:
        """Start ticking (planning from now, unless ``plan`` was called already)."""
        if self._thread is not None:
            return
        if self._last_now is None:
            self.plan()
        self._thread = threading.Thread(target=self._run, name="local-scheduler", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Check now rather than at the next tick (after the clock was moved)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self.tick_seconds)
            self._wake.clear()
            if self._stopping.is_set():
                break
            try:
                self.tick()
            except Exception:
                log.exception("scheduler tick failed")
