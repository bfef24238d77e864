"""One answer to "which months are closed": the unit figures (``GET /units/{unit_id}/figures``, its
``closed_through``) and the public site's unit pages (the publisher's months of figures) agree, on
every day, including the days a month's correction window ends on a weekend or a holiday."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

from worklog.calendar import WorkingCalendar
from worklog.compliance.figures import add_months, closed_through
from worklog.periods import LockdownPolicy
from worklog.publish.publisher import MONTHS_OF_FIGURES, Publisher
from worklog.settings import get_settings

CAL = WorkingCalendar()
LOCKDOWN = LockdownPolicy(get_settings().rules, CAL)
# Two years of days: every month end's window, ending on working days, weekends and holidays.
DAYS = [date(2025, 12, 1) + timedelta(days=n) for n in range(731)]


def test_the_site_charts_the_twelve_months_up_to_the_apis_latest_closed_month() -> None:
    """Given any day, when the publisher picks the months whose figures the site shows, then they are
    twelve consecutive months, each locked on that day, ending with the month the API calls
    ``closed_through``, and the month after it is not locked yet."""
    for day in DAYS:
        months = Publisher._closed_months(SimpleNamespace(calendar=CAL), day)  # type: ignore[arg-type]
        latest = closed_through(day, LOCKDOWN)
        assert len(months) == MONTHS_OF_FIGURES and months[-1] == latest, day
        assert months == [add_months(latest, n) for n in range(1 - MONTHS_OF_FIGURES, 1)], day
        assert all(LOCKDOWN.month_locked(m, day) for m in months), day
        assert not LOCKDOWN.month_locked(add_months(latest, 1), day), day
