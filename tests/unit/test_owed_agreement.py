"""One answer to "what do I owe": ``GET /me`` (``JournalService.owed``) and the nightly
missing-entry check (``obligations_due_on`` over the days it has checked) agree."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.fakes import FakeJournal
from worklog.auth.principals import Principal
from worklog.calendar import WorkingCalendar
from worklog.clock import SHANGHAI, FixedClock
from worklog.compliance.owed import Obligation, obligations_due_on
from worklog.journal.service import JournalService
from worklog.models.entries import EntryIn, LeaveIn, PlanIn, SummaryIn
from worklog.models.roster import Cadre
from worklog.periods import (
    Kind,
    LockdownPolicy,
    ObligationPolicy,
    Period,
    day_period,
    half_period,
    month_period,
)
from worklog.roster.standing import Standing, learned_from
from worklog.settings import Rules

CAL = WorkingCalendar()
RULES = Rules()
POLICY = ObligationPolicy(RULES, CAL)
LOCKDOWN = LockdownPolicy(RULES, CAL)
# Further back than any period still writable today can have fallen due (a plan due early in
# last month stays open until a week after that month's end).
LOOK_BACK_DAYS = 70

Item = tuple[str, str, date, bool, date]  # kind, period, due, provisional, last day it can be saved


def at(d: date, hour: int = 18) -> FixedClock:
    return FixedClock(datetime(d.year, d.month, d.day, hour, tzinfo=SHANGHAI))


def principal(cadre: Cadre) -> Principal:
    return Principal(cadre.cadre_id, cadre.name, cadre.unit_id, "", frozenset({"cadre"}), cadre)


def period_of(o: Obligation) -> Period:
    if o.kind == "entry":
        return day_period(date.fromisoformat(o.period))
    return month_period(o.period) if o.kind == "plan" else half_period(o.period)


def standing_of(repo: FakeJournal, cadre_id: str) -> Standing:
    """The standing the check reads, built from what each saved revision teaches it."""
    learned: dict[str, str] = {}
    for record in repo.chain(cadre_id):
        learned.update(learned_from(record))
    return Standing.from_item(cadre_id, learned)


def save(svc: JournalService, who: Principal, period: Period) -> None:
    if period.kind is Kind.ENTRY:
        entry = EntryIn.model_validate({"items": [{"content": "走访企业", "status": "done"}]})
        svc.save_entry(who, period.first_day, entry)
    elif period.kind is Kind.PLAN:
        svc.save_plan(who, period.label, PlanIn.model_validate({"items": [{"content": "调研"}]}))
    else:
        summary = {"achievements": "完成", "problems": "无", "next_steps": "继续"}
        svc.save_summary(who, period.label, SummaryIn.model_validate(summary))


def disjoint(spans: list[tuple[int, int]], today: date) -> list[tuple[date, date]]:
    """Leave spans (offset from today, length) made disjoint: an overlapping one is dropped."""
    kept: list[tuple[date, date]] = []
    for offset, length in sorted(spans):
        first = today + timedelta(days=offset)
        last = first + timedelta(days=length - 1)
        if not kept or first > kept[-1][1]:
            kept.append((first, last))
    return kept


def scenario(
    today: date,
    joined: int | None,
    left: int | None,
    spans: list[tuple[int, int]],
    saved_mask: int,
) -> tuple[Cadre, FakeJournal, JournalService]:
    joined_on = today + timedelta(days=joined) if joined is not None else None
    left_on = today + timedelta(days=left) if left is not None else None
    if joined_on and left_on and left_on < joined_on:
        joined_on, left_on = left_on, joined_on
    cadre = Cadre(cadre_id="c0001", name="李明", unit_id="jyj", joined_on=joined_on, left_on=left_on)
    who = principal(cadre)
    repo = FakeJournal()
    for first, last in disjoint(spans, today):
        # Each leave is registered on its first day (the earliest the journal allows is a week back).
        leave = LeaveIn.model_validate({"from": first.isoformat(), "to": last.isoformat(), "kind": "annual"})
        JournalService(repo, CAL, RULES, at(first, 8)).record_leave(who, leave)
    svc = JournalService(repo, CAL, RULES, at(today))
    for i, period in enumerate(POLICY.open_on(today)):
        if saved_mask >> i & 1:
            save(svc, who, period)
    return cadre, repo, svc


def listed_by_me(svc: JournalService, cadre: Cadre) -> tuple[set[Item], set[Item]]:
    _, _, _, owes = svc.owed(principal(cadre))
    items = {(o.kind, o.period, o.due, o.provisional, o.last_day): o.overdue for o in owes}
    return {i for i, overdue in items.items() if overdue}, {i for i, overdue in items.items() if not overdue}


def recorded_by_check(repo: FakeJournal, cadre: Cadre, today: date) -> set[Item]:
    """What the nightly check records missing, for every day it has checked (up to yesterday),
    of what can still be saved today and has not been."""
    standing = standing_of(repo, cadre.cadre_id)
    recorded: set[Item] = set()
    for back in range(1, LOOK_BACK_DAYS + 1):
        day = today - timedelta(days=back)
        for o in obligations_due_on(day, [cadre], POLICY, lambda _, d: standing.on_leave(d)):
            period = period_of(o)
            last_day = LOCKDOWN.window(period).locks_after
            if last_day >= today and repo.get_view(cadre.cadre_id, period.key) is None:
                recorded.add((o.kind.value, o.period, o.due, o.provisional, last_day))
    return recorded


def would_be_recorded(repo: FakeJournal, cadre: Cadre, item: Item) -> bool:
    """Whether the check of the item's due date, given the leave known now, would record it."""
    standing = standing_of(repo, cadre.cadre_id)
    kind, period, due, _, _ = item
    owed = obligations_due_on(due, [cadre], POLICY, lambda _, d: standing.on_leave(d))
    return any((o.kind.value, o.period) == (kind, period) for o in owed)


# Any day of 2025–2027, or one near the plans' and summaries' due dates (the 1st–25th of a month).
TODAY = st.one_of(
    st.dates(min_value=date(2025, 2, 1), max_value=date(2027, 12, 31)),
    st.builds(date, st.integers(2025, 2027), st.sampled_from([1, 7]), st.integers(1, 25)),
    st.builds(date, st.integers(2025, 2027), st.integers(1, 12), st.integers(1, 10)),
)
OFFSET = st.one_of(st.none(), st.integers(-80, 30))
SPANS = st.lists(st.tuples(st.integers(-75, 30), st.integers(1, 45)), max_size=3)


@settings(max_examples=150, deadline=None)
@given(today=TODAY, joined=OFFSET, left=OFFSET, spans=SPANS, saved_mask=st.integers(0, 2**12 - 1))
# The issue's case: on leave for the whole of November 2026's plan window (1st–4th), asked on the 12th.
@example(today=date(2026, 11, 12), joined=None, left=None, spans=[(-15, 14)], saved_mask=0)
# Last month's plan, missed on its due date, still open on the 3rd of the next month.
@example(today=date(2026, 12, 3), joined=None, left=None, spans=[], saved_mask=0)
# Joined after the plan's due date.
@example(today=date(2026, 11, 20), joined=-2, left=None, spans=[], saved_mask=0)
def test_me_lists_as_overdue_exactly_what_the_check_records_missing(
    today: date, joined: int | None, left: int | None, spans: list[tuple[int, int]], saved_mask: int
) -> None:
    """Invariant. For any cadre (joining and leaving dates or none), any leave the cadre has
    registered, any subset of the open periods saved, and any today T:

    1. the set of (kind, period, due, provisional, last day) that ``GET /me`` lists with
       ``overdue`` true equals the union, over every date D < T (the dates the nightly check has
       already checked), of the obligations ``obligations_due_on(D)`` finds — with leave read from
       the cadre's standing as the journal's revisions build it — that are still not saved and can
       still be saved on T (their period's last day ≥ T);
    2. every item ``GET /me`` lists with ``overdue`` false is due on T or later, and the check of
       its due date, given the leave known on T, would find it owed (so nothing is listed that the
       check would never record).
    """
    # Given a cadre, their leave and what they saved
    cadre, repo, svc = scenario(today, joined, left, spans, saved_mask)
    # When they ask GET /me on T
    overdue, not_yet_due = listed_by_me(svc, cadre)
    # Then the overdue items are exactly what the check has recorded missing and still open
    assert overdue == recorded_by_check(repo, cadre, today)
    # And nothing listed as not yet due is something the check would never record
    for item in not_yet_due:
        assert item[2] >= today
        assert would_be_recorded(repo, cadre, item), item
