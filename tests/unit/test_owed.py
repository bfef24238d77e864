"""What a cadre owes for a checked date: entries, monthly plans and half-year summaries."""

from collections.abc import Iterable
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from worklog.calendar import WorkingCalendar
from worklog.compliance.owed import Obligation, OnLeave, OwedKind, obligations_due_on
from worklog.models.roster import Cadre
from worklog.periods import ObligationPolicy
from worklog.settings import Rules

CAL = WorkingCalendar()
POLICY = ObligationPolicy(Rules(), CAL)


def cadre(
    cadre_id: str = "c0001",
    unit_id: str = "u01",
    *,
    joined_on: date | None = None,
    left_on: date | None = None,
) -> Cadre:
    return Cadre(cadre_id=cadre_id, name="张三", unit_id=unit_id, joined_on=joined_on, left_on=left_on)


def no_leave(cadre_id: str, d: date) -> bool:
    return False


def leave(cadre_id: str, first: date, last: date) -> OnLeave:
    def on_leave(who: str, d: date) -> bool:
        return who == cadre_id and first <= d <= last

    return on_leave


def owed_on(day: date, cadres: Iterable[Cadre] = (), on_leave: OnLeave = no_leave) -> list[Obligation]:
    return obligations_due_on(day, list(cadres) or [cadre()], POLICY, on_leave)


def kinds(obligations: list[Obligation]) -> list[OwedKind]:
    return [o.kind for o in obligations]


# --- daily entries -----------------------------------------------------------------------------


def test_an_ordinary_working_day_owes_one_entry_per_active_cadre() -> None:
    # Given two cadres, When Friday 2026-11-20 is checked
    owed = owed_on(date(2026, 11, 20), [cadre("c0002", "u02"), cadre("c0001")])
    # Then each owes that day's entry, ordered by cadre id
    assert owed == [
        Obligation("c0001", "u01", OwedKind.ENTRY, "2026-11-20", date(2026, 11, 20), False),
        Obligation("c0002", "u02", OwedKind.ENTRY, "2026-11-20", date(2026, 11, 20), False),
    ]
    assert owed[0].period_key == "ENTRY#2026-11-20"


def test_makeup_saturday_2026_02_14_owes_entries() -> None:
    assert kinds(owed_on(date(2026, 2, 14))) == [OwedKind.ENTRY]


def test_spring_festival_2026_02_17_owes_nothing() -> None:
    assert owed_on(date(2026, 2, 17)) == []


def test_an_ordinary_weekend_owes_nothing() -> None:
    assert owed_on(date(2026, 11, 21)) == []
    assert owed_on(date(2026, 11, 22)) == []


def test_leave_spanning_a_weekend_exempts_friday_and_monday_only() -> None:
    # Given leave Fri 2026-11-20 .. Mon 2026-11-23
    on_leave = leave("c0001", date(2026, 11, 20), date(2026, 11, 23))
    # Then Thursday and Tuesday are owed, the leave days are not
    assert kinds(owed_on(date(2026, 11, 19), on_leave=on_leave)) == [OwedKind.ENTRY]
    assert owed_on(date(2026, 11, 20), on_leave=on_leave) == []
    assert owed_on(date(2026, 11, 23), on_leave=on_leave) == []
    assert kinds(owed_on(date(2026, 11, 24), on_leave=on_leave)) == [OwedKind.ENTRY]


def test_leave_of_one_cadre_does_not_exempt_another() -> None:
    on_leave = leave("c0001", date(2026, 11, 20), date(2026, 11, 20))
    owed = owed_on(date(2026, 11, 20), [cadre("c0001"), cadre("c0002")], on_leave)
    assert [o.cadre_id for o in owed] == ["c0002"]


def test_a_provisional_year_marks_obligations_provisional() -> None:
    # 2027 has no official schedule yet: Mon–Fri fallback
    owed = owed_on(date(2027, 3, 10))
    assert kinds(owed) == [OwedKind.ENTRY]
    assert owed[0].provisional


def test_a_cadre_who_joins_mid_month_owes_entries_from_the_joining_day() -> None:
    newcomer = cadre(joined_on=date(2026, 11, 18))
    assert owed_on(date(2026, 11, 17), [newcomer]) == []
    assert kinds(owed_on(date(2026, 11, 18), [newcomer])) == [OwedKind.ENTRY]


def test_a_cadre_who_left_on_the_13th_owes_the_13th_and_nothing_after() -> None:
    leaver = cadre(left_on=date(2026, 11, 13))
    assert kinds(owed_on(date(2026, 11, 13), [leaver])) == [OwedKind.ENTRY]
    for offset in range(1, 30):
        assert owed_on(date(2026, 11, 13) + timedelta(days=offset), [leaver]) == []


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)))
def test_an_entry_is_owed_exactly_on_working_days(day: date) -> None:
    entries = [o for o in owed_on(day) if o.kind is OwedKind.ENTRY]
    assert len(entries) == (1 if CAL.is_working(day) else 0)
    assert all(o.provisional == CAL.day(day).provisional for o in entries)


# --- monthly plans -----------------------------------------------------------------------------


def test_the_october_2026_plan_is_due_on_the_3rd_working_day_after_national_day() -> None:
    # Oct 8 (Thu), Oct 9 (Fri), Oct 10 (make-up Saturday)
    assert [o for o in owed_on(date(2026, 10, 9)) if o.kind is OwedKind.PLAN] == []
    plans = [o for o in owed_on(date(2026, 10, 10)) if o.kind is OwedKind.PLAN]
    assert plans == [Obligation("c0001", "u01", OwedKind.PLAN, "2026-10", date(2026, 10, 10), False)]


def test_a_plan_is_reported_on_its_due_date_only() -> None:
    november = [date(2026, 11, 1) + timedelta(days=i) for i in range(30)]
    due_days = [d for d in november if OwedKind.PLAN in kinds(owed_on(d))]
    assert due_days == [date(2026, 11, 4)]


def test_a_cadre_who_joins_after_the_plan_due_date_owes_no_plan_that_month() -> None:
    newcomer = cadre(joined_on=date(2026, 11, 18))
    assert owed_on(date(2026, 11, 4), [newcomer]) == []


def test_a_cadre_who_joins_before_the_plan_due_date_owes_the_plan() -> None:
    newcomer = cadre(joined_on=date(2026, 11, 3))
    assert kinds(owed_on(date(2026, 11, 4), [newcomer])) == [OwedKind.ENTRY, OwedKind.PLAN]


def test_leave_on_the_plan_due_date_alone_does_not_exempt_the_plan() -> None:
    on_leave = leave("c0001", date(2026, 11, 4), date(2026, 11, 10))
    assert kinds(owed_on(date(2026, 11, 4), on_leave=on_leave)) == [OwedKind.PLAN]


def test_leave_covering_the_whole_plan_window_exempts_the_plan() -> None:
    on_leave = leave("c0001", date(2026, 10, 28), date(2026, 11, 10))
    assert owed_on(date(2026, 11, 4), on_leave=on_leave) == []


def test_leave_from_the_joining_day_to_the_due_date_exempts_the_plan() -> None:
    newcomer = cadre(joined_on=date(2026, 11, 3))
    on_leave = leave("c0001", date(2026, 11, 3), date(2026, 11, 4))
    assert owed_on(date(2026, 11, 4), [newcomer], on_leave) == []


# --- half-year summaries -----------------------------------------------------------------------


def test_the_h1_2026_summary_is_due_on_2026_07_14() -> None:
    assert OwedKind.SUMMARY not in kinds(owed_on(date(2026, 7, 13)))
    summaries = [o for o in owed_on(date(2026, 7, 14)) if o.kind is OwedKind.SUMMARY]
    assert summaries == [Obligation("c0001", "u01", OwedKind.SUMMARY, "2026-H1", date(2026, 7, 14), False)]


def test_the_h2_2026_summary_is_due_on_2027_01_14_and_is_provisional() -> None:
    summaries = [o for o in owed_on(date(2027, 1, 14)) if o.kind is OwedKind.SUMMARY]
    assert summaries == [Obligation("c0001", "u01", OwedKind.SUMMARY, "2026-H2", date(2027, 1, 14), True)]
    assert summaries[0].period_key == "SUMMARY#2026-H2"


def test_each_half_year_summary_is_reported_exactly_once_a_year() -> None:
    year = [date(2026, 1, 1) + timedelta(days=i) for i in range(365)]
    summaries = [o for d in year for o in owed_on(d) if o.kind is OwedKind.SUMMARY]
    assert [(o.period, o.due) for o in summaries] == [
        ("2025-H2", date(2026, 1, 15)),
        ("2026-H1", date(2026, 7, 14)),
    ]


def test_due_working_days_are_configurable() -> None:
    policy = ObligationPolicy(Rules(plan_due_working_day=1, summary_due_working_day=1), CAL)
    owed = obligations_due_on(date(2026, 11, 2), [cadre()], policy, no_leave)
    assert kinds(owed) == [OwedKind.ENTRY, OwedKind.PLAN]
