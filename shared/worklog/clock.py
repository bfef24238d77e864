"""Server time in Asia/Shanghai. A client never sets a timestamp; code asks a Clock.

Use cases take a ``Clock`` argument (default: ``system_clock``). The local runtime and tests move
time with ``system_clock.set(...)`` instead of patching: the handlers stay free of local-only paths.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Real time, unless an override is set (by the local runtime's /_local/clock or a test).

    The override is an offset from real time so that time keeps moving after it is set.
    """

    def __init__(self) -> None:
        self._offset: timedelta | None = None
        self._lock = threading.Lock()

    def now(self) -> datetime:
        real = datetime.now(SHANGHAI)
        with self._lock:
            offset = self._offset
        return real + offset if offset is not None else real

    def set(self, moment: datetime | None) -> None:
        with self._lock:
            if moment is None:
                self._offset = None
            else:
                if moment.tzinfo is None:
                    raise ValueError("the clock needs an aware timestamp")
                self._offset = moment.astimezone(SHANGHAI) - datetime.now(SHANGHAI)

    @property
    def overridden(self) -> bool:
        return self._offset is not None


class FixedClock:
    """A clock that stands still (unit tests)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment.astimezone(SHANGHAI)

    def now(self) -> datetime:
        return self.moment


system_clock = SystemClock()


def today(clock: Clock) -> date:
    return clock.now().astimezone(SHANGHAI).date()


def iso_now(clock: Clock) -> str:
    """Server timestamp as ISO 8601 with +08:00, to the millisecond."""
    return clock.now().astimezone(SHANGHAI).isoformat(timespec="milliseconds")
