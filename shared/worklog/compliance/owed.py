"""What a cadre owes for one logical date: the rule behind the nightly missing-entry check.

The check runs for a date that has ended (normally yesterday) and asks, for that date only, which
obligations fell due on it. Each obligation is therefore reported exactly once:

- a **daily entry** is due on the day itself, on working days, from every cadre active that day and
  not on leave;
- a **monthly plan** is due on the n-th working day of the month and is reported on that date only;
- a **half-year summary** is due on the n-th working day of July (H1 of the same year) or of January
  (H2 of the year before) and is reported on that date only.

Leave and plans/summaries: a plan or summary can be written on any day between the 1st of the month
and its due date, so one day of leave on the due date does not excuse it. It is exempt only when the
cadre was on leave on *every working day* of that window that they were in post for (from the 1st,
or from the day they joined if later, to the due date). Non-working days inside the window are
ignored, so a leave registered as Mon–Fri blocks around a weekend counts as unbroken.

``provisional`` copies the calendar's flag for the due date: a provisional obligation is reminded
but never escalated (docs/rules.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from worklog.calendar import WorkingCalendar
from worklog.models.roster import Cadre

OnLeave = Callable[[str, date], bool]


class OwedKind(StrEnum):
    ENTRY = "entry"
    PLAN = "plan"
    SUMMARY = "summary"


@dataclass(frozen=True)
class Obligation:
    cadre_id: str
    unit_id: str
    kind: OwedKind
    period: str  # "2026-11-20" | "2026-11" | "2026-H1"
    due: date
    provisional: bool

    @property
    def period_key(self) -> str:
        """The period's key as the journal writes it (``ENTRY#2026-11-20``, ``PLAN#2026-11`` …)."""
        return f"{self.kind.upper()}#{self.period}"

    @property
    def partition(self) -> str:
        """The journal's by_day partition that holds what was saved for it."""
        return f"DAY#{self.period}" if self.kind is OwedKind.ENTRY else self.period_key


@dataclass(frozen=True)
class _Deadline:
    """A plan or summary that falls due on the checked date, and the window it could be written in."""

    kind: OwedKind
    period: str
    window_start: date
    due: date


def obligations_due_on(
    day: date,
    cadres: Iterable[Cadre],
    calendar: WorkingCalendar,
    on_leave: OnLeave,
    *,
    plan_due_working_day: int = 3,
    summary_due_working_day: int = 10,
) -> list[Obligation]:
    """Everything that fell due on ``day``, per cadre, ordered by cadre id then entry/plan/summary.

    ``on_leave(cadre_id, d)`` answers whether the cadre was on approved leave on ``d``.
    """
    info = calendar.day(day)
    deadlines = _deadlines_on(day, calendar, plan_due_working_day, summary_due_working_day)
    owed: list[Obligation] = []
    for cadre in sorted(cadres, key=lambda c: c.cadre_id):
        if info.working and cadre.active_on(day) and not on_leave(cadre.cadre_id, day):
            owed.append(
                Obligation(
                    cadre.cadre_id, cadre.unit_id, OwedKind.ENTRY, day.isoformat(), day, info.provisional
                )
            )
        for deadline in deadlines:
            if _owes(cadre, deadline, calendar, on_leave):
                owed.append(
                    Obligation(
                        cadre.cadre_id,
                        cadre.unit_id,
                        deadline.kind,
                        deadline.period,
                        deadline.due,
                        info.provisional,
                    )
                )
    return owed


def _deadlines_on(day: date, calendar: WorkingCalendar, plan_nth: int, summary_nth: int) -> list[_Deadline]:
    first = day.replace(day=1)
    deadlines: list[_Deadline] = []
    if calendar.nth_working_day(day.year, day.month, plan_nth) == day:
        deadlines.append(_Deadline(OwedKind.PLAN, f"{day.year:04d}-{day.month:02d}", first, day))
    if day.month in (1, 7) and calendar.nth_working_day(day.year, day.month, summary_nth) == day:
        period = f"{day.year:04d}-H1" if day.month == 7 else f"{day.year - 1:04d}-H2"
        deadlines.append(_Deadline(OwedKind.SUMMARY, period, first, day))
    return deadlines


def _owes(cadre: Cadre, deadline: _Deadline, calendar: WorkingCalendar, on_leave: OnLeave) -> bool:
    if not cadre.active_on(deadline.due):
        return False  # joined after the due date, or already gone
    if not on_leave(cadre.cadre_id, deadline.due):
        return True  # the common case: no need to look at the rest of the window
    start = max(deadline.window_start, cadre.joined_on or deadline.window_start)
    return not all(on_leave(cadre.cadre_id, d) for d in calendar.working_days(start, deadline.due))
