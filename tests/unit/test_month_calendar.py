"""A month as ``GET /me/calendar`` shows it: each day's kind, and the obligation facts of its entry
as ``ObligationPolicy.entry_day`` judges them on a given today."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from tests.unit.test_owed_agreement import principal, scenario, standing_of
from worklog.calendar import DayKind, DaySource, WorkingCalendar
from worklog.clock import SHANGHAI, FixedClock
from worklog.compliance.owed import obligations_due_on
from worklog.errors import PeriodLocked, ValidationFailed
from worklog.journal.service import JournalService
from worklog.models.calendar import OfficialSchedule
from worklog.models.roster import Cadre
from worklog.periods import EntryDay, ObligationPolicy, OnLeaveDay, day_period, month_label
from worklog.settings import Rules

CAL = WorkingCalendar()
RULES = Rules()
POLICY = ObligationPolicy(RULES, CAL)
TODAY = date(2026, 11, 20)  # a Friday
IN_POST = Cadre(cadre_id="c0001", name="李明", unit_id="jyj")


def nobody_on_leave(d: date) -> bool:
    return False


def day(
    d: date, *, today: date = TODAY, cadre: Cadre = IN_POST, on_leave: OnLeaveDay = nobody_on_leave
) -> EntryDay:
    return POLICY.entry_day(cadre, d, on_leave, today)


# --- the kind of a day ---------------------------------------------------------------------------


def test_an_ordinary_weekday_is_a_workday_and_a_saturday_a_weekend() -> None:
    assert CAL.day(date(2026, 11, 20)).kind is DayKind.WORKDAY
    assert CAL.day(date(2026, 11, 21)).kind is DayKind.WEEKEND
    assert CAL.day(date(2026, 11, 22)).kind is DayKind.WEEKEND


def test_a_weekday_off_is_a_holiday_and_a_weekend_inside_the_holiday_stays_a_weekend() -> None:
    # 国庆节 2026: Thu 1 Oct – Wed 7 Oct off; Sat 3 and Sun 4 are weekend days either way
    assert CAL.day(date(2026, 10, 1)).kind is DayKind.HOLIDAY
    assert CAL.day(date(2026, 10, 7)).kind is DayKind.HOLIDAY
    assert CAL.day(date(2026, 10, 3)).kind is DayKind.WEEKEND


def test_a_working_saturday_is_an_adjusted_workday() -> None:
    # 2026-02-14, a Saturday, is worked in exchange for the Spring Festival (调休上班)
    assert CAL.day(date(2026, 2, 14)).kind is DayKind.ADJUSTED_WORKDAY


def test_a_loaded_schedule_decides_the_kind_of_its_year() -> None:
    # Given 2027 loaded with Fri 1 Jan off and Sat 6 Feb worked
    loaded = OfficialSchedule(
        year=2027,
        holidays=[date(2027, 1, 1)],
        workdays=[date(2027, 2, 6)],
        loaded_at="2026-12-01T09:00:00+08:00",
        loaded_by="c0003",
    )
    cal = WorkingCalendar({2027: loaded})
    assert cal.day(date(2027, 1, 1)).kind is DayKind.HOLIDAY
    assert cal.day(date(2027, 2, 6)).kind is DayKind.ADJUSTED_WORKDAY
    assert cal.day(date(2027, 1, 4)).kind is DayKind.WORKDAY
    assert not cal.day(date(2027, 1, 4)).provisional


# --- what the cadre owes, day by day -------------------------------------------------------------


def test_today_a_working_day_is_owed_due_today_and_open_for_the_correction_window() -> None:
    today = day(TODAY)
    assert today.owed and today.due == TODAY
    assert today.last_day == TODAY + timedelta(days=RULES.correction_window_days)
    assert not today.locked


def test_a_weekend_day_is_not_owed_and_has_no_due_date() -> None:
    saturday = day(date(2026, 11, 14))
    assert not saturday.owed and saturday.due is None and saturday.last_day is None
    assert saturday.info.kind is DayKind.WEEKEND


def test_a_holiday_weekday_is_not_owed() -> None:
    national_day = day(date(2026, 10, 1), today=date(2026, 10, 9))
    assert not national_day.info.working and not national_day.owed


def test_an_adjusted_workday_is_owed_like_any_working_day() -> None:
    makeup = day(date(2026, 2, 14), today=date(2026, 2, 14))
    assert makeup.info.working and makeup.owed and makeup.due == date(2026, 2, 14)


def test_a_future_working_day_is_not_owed_yet_and_not_locked() -> None:
    monday = day(date(2026, 11, 23))
    assert monday.info.working and not monday.owed and monday.due is None and not monday.locked


def test_a_day_of_registered_leave_is_not_owed_and_says_so() -> None:
    def on_leave(d: date) -> bool:
        return d == date(2026, 11, 19)

    thursday = day(date(2026, 11, 19), on_leave=on_leave)
    assert thursday.on_leave and not thursday.owed and thursday.due is None
    assert day(date(2026, 11, 18), on_leave=on_leave).owed


def test_a_day_locks_after_its_last_day_and_stays_owed() -> None:
    # The correction window is 7 days: on Fri 20 Nov, Fri 13 Nov is the oldest day still open
    oldest_open, locked = day(date(2026, 11, 13)), day(date(2026, 11, 12))
    assert oldest_open.owed and oldest_open.last_day == TODAY and not oldest_open.locked
    assert locked.owed and locked.last_day == date(2026, 11, 19) and locked.locked


def test_a_locked_day_off_is_locked_too() -> None:
    # An entry may be written for a weekend day (never late); it locks like any other
    assert day(date(2026, 11, 8)).locked and not day(date(2026, 11, 15)).locked


def test_a_provisional_year_assumes_monday_to_friday_and_marks_every_day() -> None:
    # 2027 has no loaded schedule and is not in the library's data
    wednesday, saturday = date(2027, 3, 10), date(2027, 3, 13)
    assert CAL.day(wednesday).source is DaySource.PROVISIONAL
    owed = day(wednesday, today=wednesday)
    assert owed.owed and owed.info.provisional and owed.info.kind is DayKind.WORKDAY
    assert day(saturday, today=saturday).info.provisional and not day(saturday, today=saturday).owed


def test_a_cadre_who_joins_mid_month_owes_from_the_joining_day_only() -> None:
    newcomer = IN_POST.model_copy(update={"joined_on": date(2026, 11, 18)})
    before = day(date(2026, 11, 17), cadre=newcomer)
    assert not before.in_post and not before.owed and before.info.working
    joined = day(date(2026, 11, 18), cadre=newcomer)
    assert joined.in_post and joined.owed


def test_a_cadre_with_a_last_day_owes_nothing_after_it() -> None:
    leaving = IN_POST.model_copy(update={"left_on": date(2026, 11, 18)})
    assert day(date(2026, 11, 18), cadre=leaving).owed
    last_thursday = day(date(2026, 11, 19), cadre=leaving)
    assert not last_thursday.in_post and not last_thursday.owed


# --- one rule: the calendar agrees with the nightly check and with GET /me ----------------------

MONTH_OFFSET = st.sampled_from([-2, -1, 0, 1])


def month_of(today: date, offset: int) -> str:
    index = today.year * 12 + today.month - 1 + offset
    return month_label(date(index // 12, index % 12 + 1, 1))


def refused_as_locked(d: date, today: date) -> bool:
    """Whether a save of D's entry on ``today`` is refused as locked (409 period_locked)."""
    try:
        POLICY.lockdown.check_writable(day_period(d), today)
    except PeriodLocked:
        return True
    except ValidationFailed:
        return False  # a future day: not yet open, not locked
    return False


@settings(max_examples=120, deadline=None)
@given(
    today=st.dates(min_value=date(2025, 3, 1), max_value=date(2027, 12, 31)),
    offset=MONTH_OFFSET,
    joined=st.one_of(st.none(), st.integers(-60, 20)),
    left=st.one_of(st.none(), st.integers(-5, 40)),
    spans=st.lists(st.tuples(st.integers(-40, 30), st.integers(1, 30)), max_size=3),
    saved_mask=st.integers(0, 2**12 - 1),
)
# Spring Festival 2026 (holidays and a 调休 Saturday), asked mid-February
@example(today=date(2026, 2, 25), offset=0, joined=None, left=None, spans=[(-9, 3)], saved_mask=0)
# A provisional year, and a cadre who joined mid-month
@example(today=date(2027, 3, 20), offset=0, joined=-12, left=None, spans=[], saved_mask=5)
def test_the_calendar_owes_exactly_what_the_check_records_and_me_lists(
    today: date,
    offset: int,
    joined: int | None,
    left: int | None,
    spans: list[tuple[int, int]],
    saved_mask: int,
) -> None:
    """Invariant. For any cadre, any leave they registered, any of the open periods saved, any
    today T and a month M around T, every day D of M in ``GET /me/calendar``:

    1. is owed iff D ≤ T and the nightly check of D (leave from the cadre's standing) finds its
       entry owed; then ``due`` and ``last_day`` are the check's due date and the lockdown's last day;
    2. if owed, not saved and not locked, is listed by ``GET /me`` with the same due and last day;
    3. is locked iff T is after the last day ``LockdownPolicy`` lets its entry be saved.
    """
    # Given a cadre, their leave and what they saved
    cadre, repo, _ = scenario(today, joined, left, spans, saved_mask)
    # A cadre past their last day is refused (401) before any route runs
    assume(cadre.left_on is None or today <= cadre.left_on)
    clock = FixedClock(datetime(today.year, today.month, today.day, 18, tzinfo=SHANGHAI))
    svc = JournalService(repo, CAL, RULES, clock)
    standing = standing_of(repo, cadre.cadre_id)
    # When they ask for the month's calendar and for GET /me
    shown = svc.month_calendar(principal(cadre), month_of(today, offset))
    _, _, _, owes = svc.owed(principal(cadre))
    listed = {o.period: o for o in owes if o.kind == "entry"}
    # Then each day agrees with the check, the lockdown and GET /me
    assert shown.today == today
    for d in shown.days:
        checked = obligations_due_on(d.date, [cadre], POLICY, lambda _, x: standing.on_leave(x))
        by_check = d.date <= today and any(o.period == d.date.isoformat() for o in checked)
        assert d.owed == by_check, d
        last_day = POLICY.lockdown.window(day_period(d.date)).locks_after
        assert (d.due, d.last_day) == ((d.date, last_day) if d.owed else (None, None)), d
        assert d.locked == refused_as_locked(d.date, today), d
        assert d.on_leave == standing.on_leave(d.date), d
        saved = repo.get_view(cadre.cadre_id, f"ENTRY#{d.date.isoformat()}") is not None
        if d.owed and not saved and not d.locked:
            assert d.date.isoformat() in listed, d
            me = listed[d.date.isoformat()]
            assert (me.due, me.last_day) == (d.due, d.last_day), d
        else:
            assert d.date.isoformat() not in listed, d
