"""Periods a cadre writes for — a day, a month, a half-year — and when each opens, is due, locks.

``LockdownPolicy`` owns the one rule about time windows: what may be written today. A day's entry
is due by the end of the day and accepted late up to ``correction_window_days`` after it; a plan
is due by the n-th working day of its month and may be amended until the window after the month
ends; a half-year summary is due by the n-th working day of July/January and locks the window
after that. Nothing may be written for the future.

``ObligationPolicy`` owns the other rule: whether a cadre *owes* a period. ``GET /me``, the calendar
(``GET /me/calendar``) and the nightly missing-entry check all ask it, each with its own source of
leave, so what a cadre is told they owe and what the check records as missing cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from enum import StrEnum

from worklog.calendar import DayInfo, WorkingCalendar
from worklog.errors import PeriodLocked, ValidationFailed, invalid
from worklog.messages import MSG
from worklog.models.common import YEARS
from worklog.models.roster import Cadre
from worklog.records import datarecord
from worklog.settings import Rules


class Kind(StrEnum):
    ENTRY = "entry"
    PLAN = "plan"
    SUMMARY = "summary"
    LEAVE = "leave"


MONTH_RE = re.compile(rf"^({YEARS})-(0[1-9]|1[0-2])$")
HALF_RE = re.compile(rf"^({YEARS})-H([12])$")


@datarecord(frozen=True)
class Period:
    kind: Kind
    label: str  # "2026-11-20" | "2026-11" | "2026-H1"
    first_day: date
    last_day: date

    @property
    def key(self) -> str:
        return f"{self.kind.upper()}#{self.label}"

    @property
    def spoken(self) -> str:
        """The period as people read it: 2026年11月10日的工作日志, 2026年上半年的半年总结."""
        first = self.first_day
        if self.kind is Kind.ENTRY:
            return f"{spoken_date(first)}的工作日志"
        if self.kind is Kind.PLAN:
            return f"{first.year}年{first.month}月的月度计划"
        if self.kind is Kind.SUMMARY:
            return f"{first.year}年{'上' if first.month <= 6 else '下'}半年的半年总结"
        return f"{spoken_date(first)}起的请假"


def spoken_date(d: date) -> str:
    """2026年11月17日: dates in messages people read, never ISO."""
    return f"{d.year}年{d.month}月{d.day}日"


def day_period(d: date) -> Period:
    return Period(Kind.ENTRY, d.isoformat(), d, d)


def month_period(label: str) -> Period:
    m = MONTH_RE.match(label)
    if not m:
        raise ValidationFailed(MSG["bad_month"], code="validation_error")
    year, month = int(m[1]), int(m[2])
    first = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return Period(Kind.PLAN, label, first, nxt - timedelta(days=1))


def half_period(label: str) -> Period:
    m = HALF_RE.match(label)
    if not m:
        raise ValidationFailed(MSG["bad_half"], code="validation_error")
    year, half = int(m[1]), int(m[2])
    if half == 1:
        return Period(Kind.SUMMARY, label, date(year, 1, 1), date(year, 6, 30))
    return Period(Kind.SUMMARY, label, date(year, 7, 1), date(year, 12, 31))


def month_label(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def half_label(d: date) -> str:
    return f"{d.year:04d}-H{1 if d.month <= 6 else 2}"


def check_range(
    first: date,
    last: date,
    limit: int | None,
    *,
    width: int | None = None,
    reversed_text: str | None = None,
    too_wide_text: str | None = None,
) -> None:
    """The one check of a query's ``from``..``to`` (both included): in order (422 ``range_reversed``
    at ``from``) and at most ``limit`` wide (422 ``range_too_wide`` at ``to``). The width is counted
    in days unless the caller counts it in its own unit (months, say) and passes ``width`` and the
    texts that speak of that unit; ``limit`` None checks the order only."""
    if last < first:
        raise invalid(reversed_text or MSG["range_reversed"], ["query", "from"], "range_reversed")
    if limit is None:
        return
    if ((last - first).days + 1 if width is None else width) > limit:
        text = too_wide_text or MSG["range_too_wide"].format(days=limit)
        raise invalid(text, ["query", "to"], "range_too_wide")


def _add_months(d: date, months: int) -> date:
    index = d.year * 12 + (d.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


@datarecord(frozen=True)
class Window:
    opens: date  # first day it may be written
    due: date  # written after this day → late
    locks_after: date  # last day it may be written or amended


class LockdownPolicy:
    """What may be written on a given day, and whether a first save is late."""

    def __init__(self, rules: Rules, calendar: WorkingCalendar) -> None:
        self.rules = rules
        self.calendar = calendar

    def window(self, period: Period) -> Window:
        grace = timedelta(days=self.rules.correction_window_days)
        if period.kind is Kind.ENTRY:
            return Window(period.first_day, period.first_day, period.first_day + grace)
        if period.kind is Kind.PLAN:
            opens = _add_months(period.first_day, -self.rules.plan_months_ahead)
            due = self.calendar.nth_working_day(
                period.first_day.year, period.first_day.month, self.rules.plan_due_working_day
            )
            return Window(opens, due, max(period.last_day, due) + grace)
        if period.kind is Kind.SUMMARY:
            due_month = _add_months(period.last_day, 1)
            due = self.calendar.nth_working_day(
                due_month.year, due_month.month, self.rules.summary_due_working_day
            )
            opens = date(period.last_day.year, period.last_day.month, 1)
            return Window(opens, due, due + grace)
        raise ValueError(f"no window for {period.kind}")

    def check_writable(self, period: Period, today: date) -> Window:
        window = self.window(period)
        if today < window.opens:
            raise ValidationFailed(
                MSG[f"future_{period.kind}"],
                details=[
                    {"loc": ["path", str(period.kind)], "msg": "future period", "type": "future_period"}
                ],
            )
        if today > window.locks_after:
            raise PeriodLocked(
                MSG["period_locked"].format(label=period.spoken, last=spoken_date(window.locks_after))
            )
        return window

    def oldest_open_day(self, on: date) -> date:
        """The oldest day whose entry may still be saved or amended on ``on`` (the correction window
        counts calendar days): leave may be registered back to it too, and nothing older can change."""
        return on - timedelta(days=self.rules.correction_window_days)

    def month_locked(self, month: str, on: date) -> bool:
        """Every day of ``month`` is locked on ``on`` (its last day's correction window has passed):
        nothing saved for the month can change any more, so its figures are final."""
        return on > self.window(day_period(month_period(month).last_day)).locks_after

    def locked_months(self, on: date, count: int) -> list[str]:
        """The ``count`` latest months wholly locked on ``on``, oldest first: the months the unit
        figures (``GET /units/...``) and the public site's unit pages may show."""
        months: list[str] = []
        month = month_label(on)
        while len(months) < count:
            month = month_label(month_period(month).first_day - timedelta(days=1))
            if self.month_locked(month, on):
                months.append(month)
        return months[::-1]

    def is_late(self, period: Period, first_saved_on: date) -> bool:
        """Saved after its due date. A day that is not a working day is never owed, so never late."""
        if period.kind is Kind.ENTRY and not self.calendar.is_working(period.first_day):
            return False
        return first_saved_on > self.window(period).due


OnLeaveDay = Callable[[date], bool]


@datarecord(frozen=True)
class Owing:
    """When a period is owed: its obligation window (the days it can be written in and still be on
    time, which is also what leave must cover to excuse it) and whether its due date is a working
    day and provisional."""

    period: Period
    first_day: date  # the window starts: the day itself, or the 1st of the month it falls due in
    due: date
    locks_after: date
    working: bool
    provisional: bool


@datarecord(frozen=True)
class EntryDay:
    """One day's entry as the two rules see it on a given day: what a calendar shows beside the
    entry itself (whether one was saved, and late, is the journal's to say)."""

    info: DayInfo  # working or not, its kind, whether the calendar is provisional
    in_post: bool
    on_leave: bool
    owed: bool  # owed by now: its window has begun and ``ObligationPolicy.owes`` says so
    due: date | None  # for an owed day only
    last_day: date | None  # for an owed day only: the last day it can still be saved
    locked: bool  # past its last day: can no longer be saved, owed or not


class ObligationPolicy:
    """Whether a cadre owes a period: the one rule behind ``GET /me``, its calendar and the nightly
    check.

    - a **daily entry** for D is owed on working days by a cadre in post on D and not on leave on D;
    - a **monthly plan** and a **half-year summary** are owed by a cadre in post on the due date,
      unless they were on leave on *every working day* of the obligation window they were in post
      for: from the 1st of the month it falls due in (or the joining day, if later) to the due date.
      One day of leave on the due date does not excuse it (it could be written on any day before);
      non-working days are ignored, so leave taken as Mon–Fri blocks around a weekend is unbroken.

    Callers pass leave as a predicate over days: the nightly check reads it from the cadre's
    standing, ``GET /me`` from the journal's leave views. Plans can be *written* a month early
    (``LockdownPolicy``) but are owed, and listed, only from their own month.
    """

    def __init__(self, rules: Rules, calendar: WorkingCalendar) -> None:
        self.rules = rules
        self.calendar = calendar
        self.lockdown = LockdownPolicy(rules, calendar)
        self._owing: dict[str, Owing] = {}

    def owing(self, period: Period) -> Owing:
        # Cached per period: the nightly check asks once per cadre for the same few periods.
        known = self._owing.get(period.key)
        if known is None:
            window = self.lockdown.window(period)
            info = self.calendar.day(window.due)
            first = window.due if period.kind is Kind.ENTRY else window.due.replace(day=1)
            known = Owing(period, first, window.due, window.locks_after, info.working, info.provisional)
            self._owing[period.key] = known
        return known

    def owes(self, cadre: Cadre, period: Period, on_leave: OnLeaveDay) -> bool:
        owing = self.owing(period)
        if period.kind is Kind.ENTRY:
            return owing.working and cadre.active_on(owing.due) and not on_leave(owing.due)
        if not cadre.active_on(owing.due):
            return False  # joined after the due date, or already gone
        if not on_leave(owing.due):
            return True  # the common case: no need to look at the rest of the window
        start = max(owing.first_day, cadre.joined_on or owing.first_day)
        return not all(on_leave(d) for d in self.calendar.working_days(start, owing.due))

    def entry_day(self, cadre: Cadre, day: date, on_leave: OnLeaveDay, today: date) -> EntryDay:
        """A day's entry as ``GET /me/calendar`` shows it on ``today``. Owed is ``owes`` itself,
        counted once the day's obligation window has begun (as ``open_on`` counts it for ``GET
        /me``), so a future working day is not owed yet; a day that was owed stays owed after it
        locks (it was missed or saved, which the journal says)."""
        period = day_period(day)
        owing = self.owing(period)
        owed = owing.first_day <= today and self.owes(cadre, period, on_leave)
        return EntryDay(
            info=self.calendar.day(day),
            in_post=cadre.active_on(day),
            on_leave=on_leave(day),
            owed=owed,
            due=owing.due if owed else None,
            last_day=owing.locks_after if owed else None,
            locked=today > owing.locks_after,
        )

    def due_on(self, day: date) -> list[Period]:
        """The periods that fall due on ``day`` (entry, plan, summary): what the nightly check of
        ``day`` asks about, so each obligation is checked exactly once."""
        candidates = [day_period(day), month_period(month_label(day))]
        if day.month in (1, 7):
            candidates.append(half_period(half_label(day.replace(day=1) - timedelta(days=1))))
        return [p for p in candidates if self.owing(p).due == day and self.owing(p).working]

    def open_on(self, day: date) -> list[Period]:
        """The periods whose obligation window has begun by ``day`` and that can still be written
        on it: entries of the correction window (oldest first), then plans, then summaries. What
        ``GET /me`` considers; those due before ``day`` are the ones the check has already asked
        about."""
        oldest = self.lockdown.oldest_open_day(day)
        entries = [day_period(oldest + timedelta(days=n)) for n in range((day - oldest).days + 1)]
        last_month = day.replace(day=1) - timedelta(days=1)
        plans = [month_period(month_label(last_month)), month_period(month_label(day))]
        last_half_end = date(day.year, 6, 30) if day.month > 6 else date(day.year - 1, 12, 31)
        summaries = [half_period(half_label(last_half_end))]
        return [
            p
            for p in entries + plans + summaries
            if self.owing(p).first_day <= day <= self.owing(p).locks_after
        ]


@datarecord(frozen=True)
class Quarter:
    year: int
    number: int  # 1..4

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        if self.number == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.number + 1, 1) - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def text(self) -> str:
        return f"{self.year}年第{self.number}季度"

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first_day <= day <= self.last_day
