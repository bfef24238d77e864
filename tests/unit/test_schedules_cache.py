"""A warm container reads the loaded schedules once per few minutes, and again at once after a load."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date

import pytest

from worklog import schedules
from worklog.models.calendar import OfficialSchedule


class CountingRoster:
    """A roster repository that counts its reads of the loaded schedules."""

    def __init__(self, schedules_by_year: dict[int, OfficialSchedule] | None = None) -> None:
        self.reads = 0
        self.schedules = schedules_by_year or {}

    def list_schedules(self) -> dict[int, OfficialSchedule]:
        self.reads += 1
        return dict(self.schedules)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    schedules.invalidate()
    yield now
    schedules.invalidate()


@pytest.mark.parametrize(("elapsed", "reads"), [(299, 1), (300, 2)])
def test_the_calendar_is_read_again_only_after_five_minutes(
    clock: list[float], elapsed: int, reads: int
) -> None:
    roster = CountingRoster()

    schedules.current_calendar(roster)  # type: ignore[arg-type]
    clock[0] += elapsed
    schedules.current_calendar(roster)  # type: ignore[arg-type]

    assert roster.reads == reads


def test_a_load_is_seen_at_once_after_invalidate(clock: list[float]) -> None:
    roster = CountingRoster()
    before = schedules.current_calendar(roster)  # type: ignore[arg-type]
    roster.schedules = {
        2031: OfficialSchedule(
            year=2031,
            holidays=[date(2031, 3, 3)],
            workdays=[],
            loaded_at="2030-12-01T09:00:00+08:00",
            loaded_by="a0001",
        )
    }

    schedules.invalidate()
    after = schedules.current_calendar(roster)  # type: ignore[arg-type]

    assert before.is_working(date(2031, 3, 3)) and not after.is_working(date(2031, 3, 3))
