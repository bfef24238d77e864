"""The morning a notice waits for, and the daytime hours of urgent sends."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from worklog.calendar import WorkingCalendar
from worklog.clock import SHANGHAI
from worklog.notify.slots import in_daytime, morning_of
from worklog.settings import NotifySettings

CAL = WorkingCalendar()
SETTINGS = NotifySettings()


def at(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def never(_: date) -> bool:
    return False


@pytest.mark.parametrize(
    ("moment", "morning"),
    [
        (at(2026, 11, 24, 7, 0), date(2026, 11, 24)),  # Tuesday before 08:30: this morning
        (at(2026, 11, 24, 8, 30), date(2026, 11, 24)),  # exactly at the digest time: still this one
        (at(2026, 11, 24, 8, 31), date(2026, 11, 25)),  # after it: the next working morning
        (at(2026, 11, 27, 22, 0), date(2026, 11, 30)),  # Friday night: Monday
        (at(2026, 9, 30, 23, 0), date(2026, 10, 8)),  # before the National Day holiday: after it
    ],
)
def test_a_notice_waits_for_the_next_working_mornings_digest_time(moment: datetime, morning: date) -> None:
    assert morning_of(moment, CAL, SETTINGS, never) == morning


def test_a_morning_whose_run_has_started_passes_to_the_next_working_morning() -> None:
    started = {date(2026, 11, 27)}
    assert morning_of(at(2026, 11, 27, 8, 0), CAL, SETTINGS, started.__contains__) == date(2026, 11, 30)


def test_the_digest_time_comes_from_the_settings() -> None:
    nine = NotifySettings(digest_time="09:00")  # type: ignore[arg-type]
    assert morning_of(at(2026, 11, 24, 8, 45), CAL, nine, never) == date(2026, 11, 24)


def test_daytime_is_from_eight_until_nine_in_the_evening_on_any_day() -> None:
    assert in_daytime(at(2026, 11, 29, 8, 0), SETTINGS)  # a Sunday
    assert in_daytime(at(2026, 11, 29, 20, 59), SETTINGS)
    assert not in_daytime(at(2026, 11, 29, 21, 0), SETTINGS)
    assert not in_daytime(at(2026, 11, 29, 7, 59), SETTINGS)
