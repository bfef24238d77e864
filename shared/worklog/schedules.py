"""The working calendar as the system sees it: library data plus the schedules admins loaded.

Loaded schedules live in the roster table; a warm container reuses what it read for a few minutes
(schedules change about once a year), so the hot path of a save makes no request for them.
"""

from __future__ import annotations

import threading
import time

from cachetools import TTLCache, cached

from worklog.calendar import WorkingCalendar
from worklog.roster.repository import RosterRepository

_TTL_SECONDS = 300.0
_lock = threading.Lock()
# The timer looks time.monotonic up at each call, so that a test can move the clock.
_cache: TTLCache[str, WorkingCalendar] = TTLCache(maxsize=1, ttl=_TTL_SECONDS, timer=lambda: time.monotonic())


# One calendar per container, whichever repository read it.
@cached(_cache, key=lambda repo=None: "calendar", lock=_lock)
def current_calendar(repo: RosterRepository | None = None) -> WorkingCalendar:
    return WorkingCalendar((repo or RosterRepository()).list_schedules())


def invalidate() -> None:
    with _lock:
        _cache.clear()
