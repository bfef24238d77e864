"""Per-unit figures of closed months (单位概况): entries on time, late and missing; weeks reviewed and
perfunctory verdicts. Counted per unit only — never per cadre, never ranked (no individual figure
leaves this module).

A month is **closed** once every day of it is locked (``LockdownPolicy``: the last day plus the
correction window has passed): its entries can no longer change, so its figures are final.

The figures come from what the system already keeps, read by day and by week (docs/access-patterns.md
#62b), the same records the public site's unit pages count:

- on time / late: the day's submissions (journal ``by_day``, whose projection carries ``unit_id`` and
  ``late``), working days only — an entry on a rest day is welcome, not owed;
- missing: the nightly check's missing records of the day (compliance ``gsi1``, one unit's prefix when
  one unit is asked for), those still ``missing`` (a late save marks them ``late_submitted``);
- weeks: the weekly run's assignments of each week starting in the month (compliance ``gsi1``), by the
  reviewee's unit; reviewed = with a verdict; perfunctory = the verdict ``perfunctory``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import field
from datetime import date, timedelta

from worklog import messages
from worklog.access import DISTRICT_ROLES, heads_unit
from worklog.auth.principals import Principal
from worklog.calendar import WorkingCalendar
from worklog.clock import Clock, system_clock, today
from worklog.compliance.repository import ComplianceRepository
from worklog.compliance.review_repository import ReviewRepository
from worklog.errors import Forbidden, NotFound, invalid
from worklog.journal.repository import JournalRepository, container_repository
from worklog.models.units import DistrictFiguresOut, MonthFigures, UnitFiguresOut, UnitMonthRow
from worklog.periods import LockdownPolicy, check_range, month_period
from worklog.records import datarecord
from worklog.roster.repository import RosterRepository
from worklog.schedules import current_calendar
from worklog.settings import Rules, get_settings

MAX_MONTHS = 12  # one call covers at most a year of one unit

TEXT = messages.FIGURES


@datarecord
class EntryCounts:
    on_time: int = 0
    late: int = 0
    missing: int = 0


@datarecord
class WeekCounts:
    assigned: int = 0
    reviewed: int = 0
    perfunctory: int = 0


@datarecord
class UnitMonth:
    entries: EntryCounts = field(default_factory=EntryCounts)
    weeks: WeekCounts = field(default_factory=WeekCounts)

    def out(self, month: str) -> MonthFigures:
        e, w = self.entries, self.weeks
        return MonthFigures(
            month=month,
            owed=e.on_time + e.late + e.missing,
            on_time=e.on_time,
            late=e.late,
            missing=e.missing,
            weeks_assigned=w.assigned,
            weeks_reviewed=w.reviewed,
            perfunctory=w.perfunctory,
        )


def spoken_month(month: str) -> str:
    return TEXT["month_spoken"].format(year=int(month[:4]), month=int(month[5:]))


def add_months(month: str, n: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:]) - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_between(first: str, last: str) -> list[str]:
    out, m = [], first
    while m <= last:
        out.append(m)
        m = add_months(m, 1)
    return out


def closed_through(on: date, lockdown: LockdownPolicy) -> str:
    """The latest closed month on ``on`` (last month once its last day has locked, else the one before)."""
    return lockdown.locked_months(on, 1)[0]


def entry_counts(
    journal: JournalRepository,
    compliance: ComplianceRepository,
    calendar: WorkingCalendar,
    month: str,
    unit_id: str | None = None,
) -> dict[str, EntryCounts]:
    """Per unit (or the one unit): entries on time, late, missing on the month's working days.
    A Query of the day's submissions and one of its missing records per working day."""
    counts: defaultdict[str, EntryCounts] = defaultdict(EntryCounts)
    period = month_period(month)
    d = period.first_day
    while d <= period.last_day:
        if calendar.is_working(d):
            for item in journal.submissions_on(d):
                unit = str(item.get("unit_id"))
                if unit_id is None or unit == unit_id:
                    if item.get("late"):
                        counts[unit].late += 1
                    else:
                        counts[unit].on_time += 1
            for record in compliance.missing_due_on(d, unit_id):
                if record.kind == "entry" and record.status == "missing":
                    counts[record.unit_id].missing += 1
        d += timedelta(days=1)
    return counts


def week_counts(reviews: ReviewRepository, month: str, unit_id: str | None = None) -> dict[str, WeekCounts]:
    """Per unit (or the one unit): the weekly reviews of the weeks starting in the month, by the
    reviewee's unit. A Query per week."""
    counts: defaultdict[str, WeekCounts] = defaultdict(WeekCounts)
    period = month_period(month)
    monday = period.first_day + timedelta(days=(7 - period.first_day.weekday()) % 7)
    while monday <= period.last_day:
        for review in reviews.week(monday):
            if unit_id is not None and review.unit_id != unit_id:
                continue
            c = counts[review.unit_id]
            c.assigned += 1
            c.reviewed += review.verdict is not None
            c.perfunctory += review.verdict == "perfunctory"
        monday += timedelta(days=7)
    return counts


class FiguresService:
    """The 单位概况 use cases: one unit over a range of closed months, or every unit for one.
    Repositories, calendar, rules and clock are injected; the defaults are the production ones."""

    def __init__(
        self,
        *,
        roster: RosterRepository | None = None,
        journal: JournalRepository | None = None,
        compliance: ComplianceRepository | None = None,
        reviews: ReviewRepository | None = None,
        calendar: WorkingCalendar | None = None,
        rules: Rules | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.roster = roster or RosterRepository()
        self.journal = journal or container_repository()
        self.compliance = compliance or ComplianceRepository()
        self.reviews = reviews or ReviewRepository()
        self.calendar = calendar or current_calendar()
        self.clock = clock
        self.lockdown = LockdownPolicy(rules or get_settings().rules, self.calendar)

    def _month(self, month: str, unit_id: str | None) -> dict[str, UnitMonth]:
        out: defaultdict[str, UnitMonth] = defaultdict(UnitMonth)
        for unit, e in entry_counts(self.journal, self.compliance, self.calendar, month, unit_id).items():
            out[unit].entries = e
        for unit, w in week_counts(self.reviews, month, unit_id).items():
            out[unit].weeks = w
        return out

    def _check_closed(self, month: str, on: date, latest: str, loc: str) -> None:
        if not self.lockdown.month_locked(month, on):
            message = TEXT["not_closed"].format(
                month=spoken_month(month),
                days=self.lockdown.rules.correction_window_days,
                latest=spoken_month(latest),
            )
            raise invalid(message, ["query", loc], "month_not_closed")

    def district(self, who: Principal, month: str | None) -> DistrictFiguresOut:
        """GET /units/figures: every unit in roster order for one closed month (default: the latest)."""
        if not who.has(*DISTRICT_ROLES):
            raise Forbidden(TEXT["district_only"], code="forbidden")
        on = today(self.clock)
        latest = closed_through(on, self.lockdown)
        month = month or latest
        self._check_closed(month, on, latest, "month")
        figures = self._month(month, None)
        rows = [
            UnitMonthRow(
                unit_id=u.unit_id, unit_name=u.name, figures=figures.get(u.unit_id, UnitMonth()).out(month)
            )
            for u in self.roster.list_units()
        ]
        return DistrictFiguresOut(month=month, closed_through=latest, units=rows)

    def unit(self, who: Principal, unit_id: str, first: str | None, last: str | None) -> UnitFiguresOut:
        """GET /units/{unit_id}/figures: one unit's closed months [first, last] (default: the latest
        six), for its head, the Org Dept and the district leaders."""
        if not who.has(*DISTRICT_ROLES, "unit_head"):
            raise Forbidden(TEXT["figures_forbidden"], code="forbidden")
        unit = self.roster.get_unit(unit_id)
        if unit is None:
            raise NotFound(TEXT["unknown_unit"], code="unknown_unit")
        if not who.has(*DISTRICT_ROLES) and not heads_unit(who, unit):
            raise Forbidden(TEXT["own_unit_only"], code="forbidden")
        on = today(self.clock)
        latest = closed_through(on, self.lockdown)
        last = last or latest
        first = first or min(add_months(last, -5), last)
        months = months_between(first, last)
        check_range(
            month_period(first).first_day,
            month_period(last).first_day,
            MAX_MONTHS,
            width=len(months),
            reversed_text=TEXT["range_reversed"],
            too_wide_text=TEXT["range_too_wide"].format(months=MAX_MONTHS),
        )
        self._check_closed(last, on, latest, "to")
        out = [self._month(m, unit_id).get(unit_id, UnitMonth()).out(m) for m in months]
        return UnitFiguresOut(unit_id=unit.unit_id, unit_name=unit.name, closed_through=latest, months=out)
