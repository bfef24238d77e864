"""The working calendar as the system sees it: library data plus the schedules admins loaded.

Loaded schedules live in the roster table; a warm container reuses what it read for a few minutes
(schedules change about once a year), so the hot path of a save makes no request for them.
"""

from __future__ import annotations

import threading
import time

from worklog.calendar import WorkingCalendar
from worklog.roster.repository import RosterRepository

_TTL_SECONDS = 300.0
_lock = threading.Lock()
_cached: tuple[float, WorkingCalendar] | None = None


def current_calendar(repo: RosterRepository | None = None) -> WorkingCalendar:
    global _cached
    with _lock:
        if _cached and time.monotonic() - _cached[0] < _TTL_SECONDS:
            return _cached[1]
    calendar = WorkingCalendar((repo or RosterRepository()).list_schedules())
    with _lock:
        _cached = (time.monotonic(), calendar)
    return calendar


def invalidate() -> None:
    global _cached
    with _lock:
        _cached = None
