"""When things go out: the morning a notice waits for, and the daytime hours an urgent one may go
out at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Protocol

from worklog.clock import SHANGHAI
from worklog.settings import NotifySettings

# A year without a working day does not exist; this only stops a broken calendar from looping.
LOOKAHEAD_DAYS = 400


class WorkingDays(Protocol):
    def is_working(self, d: date) -> bool: ...


def next_working(day: date, calendar: WorkingDays) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    for offset in range(LOOKAHEAD_DAYS):
        candidate = day + timedelta(days=offset)
        if calendar.is_working(candidate):
            return candidate
    raise ValueError(f"no working day within {LOOKAHEAD_DAYS} days of {day}")


def morning_of(
    moment: datetime, calendar: WorkingDays, settings: NotifySettings, started: Callable[[date], bool]
) -> date:
    """The working morning whose digest time is at or after ``moment``; if that morning's run has
    already started, the next working morning after it."""
    local = moment.astimezone(SHANGHAI)
    day = local.date()
    if local.time() > settings.digest_time:
        day += timedelta(days=1)
    morning = next_working(day, calendar)
    if started(morning):
        morning = next_working(morning + timedelta(days=1), calendar)
    return morning


def in_daytime(moment: datetime, settings: NotifySettings) -> bool:
    """Whether an urgent notice may go out at this moment (any day, working or not)."""
    local = moment.astimezone(SHANGHAI).time()
    return settings.daytime_start <= local < settings.daytime_end
