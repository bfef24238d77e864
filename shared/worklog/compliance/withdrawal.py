"""After an official schedule is loaded: provisional misses on days it makes days off are withdrawn.

A year nobody has a schedule for is provisional (Mon–Fri assumed): the nightly check records what
is missing on its working days and reminds, but never escalates (docs/rules.md). Loading the
year's official schedule later re-judges nothing already recorded except this one thing: a
provisional record still ``missing`` whose due date the schedule makes a day off (a holiday, or a
weekday moved to one) was never owed, so it is withdrawn — its status becomes ``withdrawn`` and
the cadre, who was reminded of it, is told with an event. Its miss leaves the cadre's standing at
the next nightly check, which keeps the standings and drops any provisional miss on a day the
calendar now calls a day off (the ladder never counted a provisional miss meanwhile).

Everything else stands as recorded: a provisional miss on a day that stays a working day stays
provisional (reminded, never escalated after the fact), a late-submitted one keeps its facts.
Withdrawing is conditional on the record being provisional and still missing, so loading the
same schedule twice, or re-running after an interruption, withdraws and tells nothing twice.
"""

from __future__ import annotations

from dataclasses import field
from datetime import date, timedelta
from typing import Any

from worklog.bus import EventBus
from worklog.calendar import DayKind, WorkingCalendar
from worklog.clock import Clock, iso_now, system_clock, today
from worklog.compliance.missing import MissingRecord, MissingRecords
from worklog.records import datarecord

MISSING_WITHDRAWN = "EntryMissingWithdrawn"


@datarecord
class WithdrawalSummary:
    year: int
    days_off: list[date] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "days_off": [d.isoformat() for d in self.days_off],
            "withdrawn": self.withdrawn,
        }


def days_off_passed(year: int, calendar: WorkingCalendar, until: date) -> list[date]:
    """Weekdays of ``year`` up to ``until`` that ``calendar`` makes days off: the only days a
    provisional (Mon–Fri) miss can have been recorded on and turn out not to be owed."""
    out = []
    d = date(year, 1, 1)
    while d.year == year and d <= until:
        if calendar.day(d).kind is DayKind.HOLIDAY:
            out.append(d)
        d += timedelta(days=1)
    return out


def _notice(record: MissingRecord, year: int) -> dict[str, Any]:
    return {**record.event_fields(), "year": year}


class ProvisionalWithdrawal:
    """Run once after each load of a year's schedule (the admin route and the CLI call it)."""

    def __init__(
        self,
        *,
        compliance: MissingRecords | None = None,
        bus: EventBus | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.compliance = compliance or MissingRecords()
        self.bus = bus or EventBus()
        self.clock = clock

    def run(self, year: int, calendar: WorkingCalendar) -> WithdrawalSummary:
        summary = WithdrawalSummary(year, days_off_passed(year, calendar, today(self.clock)))
        found = [
            r
            for d in summary.days_off
            for r in self.compliance.missing_due_on(d)
            if r.provisional and r.status == "missing"
        ]
        if not found:
            return summary
        # The notices first, then the writes (as the nightly check's reminders): a run cut short in
        # between tells someone twice (same id, which the notifier keeps once) rather than never.
        self.bus.publish(MISSING_WITHDRAWN, [_notice(r, year) for r in found])
        now = iso_now(self.clock)
        summary.withdrawn = [r.record_id for r in found if self.compliance.withdraw(r, now)]
        return summary
