"""The demo's history plan (infra.demo.plan): the window, the journal with its habits and storylines,
and what reviewers, case holders, inspectors and evaluators decide. Pure and deterministic."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from infra.demo import decisions, plan
from infra.demo.district import DemoDistrict, generate_district
from infra.demo.plan import CachedCalendar, Journal, Window
from worklog.calendar import WorkingCalendar
from worklog.clock import SHANGHAI
from worklog.compliance.ladder import needs_accountability, needs_reminder_talk
from worklog.models.grades import Grade
from worklog.periods import Quarter

TODAY = date(2026, 11, 30)
CALENDAR = CachedCalendar(WorkingCalendar())


@pytest.fixture(scope="module")
def district() -> DemoDistrict:
    return generate_district(plan.SEED, today=TODAY)


@pytest.fixture(scope="module")
def window() -> Window:
    return plan.history_window(TODAY, CALENDAR)


@pytest.fixture(scope="module")
def journal(district: DemoDistrict, window: Window) -> Journal:
    return plan.demo_journal(district, window, CALENDAR)


def part(district: DemoDistrict, units: int = 10) -> DemoDistrict:
    keep = {u.unit_id for u in district.units[:units]}
    return DemoDistrict(
        [u for u in district.units if u.unit_id in keep], [c for c in district.cadres if c.unit_id in keep]
    )


# --- the window ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "today", [date(2026, 11, 30), date(2026, 10, 5), date(2026, 10, 9), date(2026, 12, 31), date(2026, 2, 16)]
)
def test_the_window_holds_three_closed_months_and_the_quarter_it_audits(today: date) -> None:
    w = plan.history_window(today, CALENDAR)

    three_months_back = date(today.year - (today.month <= 3), (today.month - 4) % 12 + 1, 1)
    assert w.first <= three_months_back and w.first.day == 1
    assert w.first <= w.quarter.first_day and w.quarter.last_day < today
    assert w.commit_day == plan.first_working_day(w.quarter, CALENDAR)
    assert w.draw_day < today and Quarter.of(w.draw_day) != w.quarter
    assert CALENDAR.is_working(w.draw_day) and not any(
        CALENDAR.is_working(d)
        for d in (Quarter.of(w.draw_day).first_day + timedelta(days=i) for i in range(31))
        if d < w.draw_day
    )


def test_a_quarter_whose_draw_is_due_today_is_left_to_the_scheduler() -> None:
    w = plan.history_window(date(2026, 10, 8), CALENDAR)  # the first working day of 2026-Q4

    assert w.quarter == Quarter(2026, 2) and w.draw_day == date(2026, 7, 1)


def test_the_summaries_are_of_the_last_half_year() -> None:
    assert plan.history_window(date(2026, 11, 30), CALENDAR).summary_half == "2026-H1"
    assert plan.history_window(date(2026, 11, 30), CALENDAR).summary_month == (2026, 7)
    assert plan.history_window(date(2026, 3, 2), CALENDAR).summary_half == "2025-H2"
    assert plan.history_window(date(2026, 3, 2), CALENDAR).summary_month == (2026, 1)


# --- the journal -----------------------------------------------------------------------------------
def test_the_same_seed_and_day_give_the_same_journal_and_another_seed_another(district: DemoDistrict) -> None:
    w = plan.history_window(TODAY, CALENDAR)
    small = part(district)

    first, again = plan.demo_journal(small, w, CALENDAR), plan.demo_journal(small, w, CALENDAR)
    other = plan.demo_journal(small, w, CALENDAR, seed=7)

    assert first.records == again.records and first.storylines == again.storylines
    assert [r.body for r in other.records[:50]] != [r.body for r in first.records[:50]]


def test_entries_cover_every_working_day_of_the_window_and_end_before_today(
    journal: Journal, window: Window
) -> None:
    days = {date.fromisoformat(r.period) for r in journal.records if r.kind == "entry"}
    working = set(plan.working_days(window.first, TODAY - timedelta(days=1), CALENDAR))

    assert working <= days
    assert all(r.saved_at < datetime(2026, 11, 30, tzinfo=SHANGHAI) for r in journal.records)
    for month in ("2026-08", "2026-09", "2026-10"):
        assert sum(1 for d in days if d.isoformat().startswith(month)) >= 18


def test_every_habit_shows(journal: Journal, district: DemoDistrict) -> None:
    kinds = Counter(r.kind for r in journal.records)
    revised = [r for r in journal.records if r.reason]
    late = sum(len(days) for days in journal.late_days.values())
    missed = sum(len(days) for days in journal.unlogged.values())

    assert kinds["leave"] >= 10
    assert len(revised) > 500 and {r.reason for r in revised} >= {"补充工作进度", "补充遗漏事项"}
    assert 100 < late < 0.01 * kinds["entry"]  # some, never a habit of half the district
    assert 50 < missed < 0.01 * kinds["entry"]
    plans = {(r.cadre_id, r.period) for r in journal.records if r.kind == "plan"}
    for month in ("2026-07", "2026-08", "2026-09", "2026-10", "2026-11"):
        assert sum(1 for _, m in plans if m == month) >= 0.9 * len(district.cadres)


def test_the_last_half_years_summaries_are_written_in_july(journal: Journal, district: DemoDistrict) -> None:
    summaries = [r for r in journal.records if r.kind == "summary"]

    assert {r.period for r in summaries} == {"2026-H1"}
    assert all(r.saved_at.month == 7 for r in summaries)
    assert len(summaries) >= 0.9 * len(district.cadres)


# --- storylines ------------------------------------------------------------------------------------
def test_every_storyline_is_cast_with_a_different_cadre(journal: Journal) -> None:
    cast = journal.storylines.cadres()

    assert set(cast) == {
        "talk_then_accountability",
        "talk_closed",
        "talk_open",
        "perfunctory",
        "falsification",
        "late_reviewer",
        "unreviewed",
    }
    assert len(set(cast.values())) == len(cast)


def test_the_storyline_misses_call_for_a_talk_and_then_for_accountability(journal: Journal) -> None:
    story = journal.storylines
    cadre = story.talk_then_accountability
    assert cadre is not None
    first, after = story.missed[cadre][:3], story.missed[cadre][3:]
    talk_day = story.talk_days[cadre]

    assert needs_reminder_talk(first, [], first[-1], CALENDAR) is not None
    assert needs_reminder_talk(first[:2], [], first[1], CALENDAR) is None
    assert first[-1] < talk_day < after[0]
    assert needs_accountability(after, talk_day, after[-1], CALENDAR, falsification=False) is not None
    assert all(d in journal.unlogged[cadre] for d in story.missed[cadre])


def test_the_closed_talk_is_closed_after_twenty_working_days_on_time(journal: Journal) -> None:
    story = journal.storylines
    cadre = story.talk_closed
    assert cadre is not None and story.close_day is not None

    assert CALENDAR.add_working_days(story.talk_days[cadre], 20) <= story.close_day
    assert not [d for d in journal.unlogged[cadre] if d > story.talk_days[cadre]]


def test_the_open_talks_misses_are_in_the_last_fortnight(journal: Journal) -> None:
    cadre = journal.storylines.talk_open
    assert cadre is not None

    assert all(TODAY - timedelta(days=16) < d < TODAY for d in journal.storylines.missed[cadre])


# --- decisions -------------------------------------------------------------------------------------
def test_verdicts_are_adequate_but_for_the_storylines(journal: Journal, district: DemoDistrict) -> None:
    story = journal.storylines
    weeks = [date(2026, 7, 6) + timedelta(weeks=i) for i in range(20)]
    verdicts = Counter(
        decisions.verdict_for(plan.SEED, c.cadre_id, w, journal, []).verdict
        for c in district.cadres[:200]
        for w in weeks
    )

    assert verdicts["adequate"] > 0.99 * sum(verdicts.values())
    assert story.perfunctory is not None and story.falsification is not None
    for week in story.perfunctory_weeks:
        assert decisions.verdict_for(plan.SEED, story.perfunctory, week, journal, []).verdict == "perfunctory"
    assert story.falsification_week is not None
    falsified = decisions.verdict_for(plan.SEED, story.falsification, story.falsification_week, journal, [])
    assert falsified.verdict == "suspected_falsification"


def test_the_perfunctory_weeks_are_cut_to_one_line_and_reviewed_in_one_quarter(journal: Journal) -> None:
    story = journal.storylines
    days = {(story.perfunctory_weeks[0] + timedelta(days=i)).isoformat() for i in range(7)} | {
        (story.perfunctory_weeks[1] + timedelta(days=i)).isoformat() for i in range(7)
    }
    entries = [
        r
        for r in journal.records
        if r.cadre_id == story.perfunctory and r.kind == "entry" and r.period in days
    ]

    assert entries and all(
        r.body == {"items": [{"content": "处理日常工作", "status": "done"}]} for r in entries
    )
    reviewed = [w + timedelta(days=d) for w in story.perfunctory_weeks for d in range(7, 12)]
    assert len({Quarter.of(d) for d in reviewed}) == 1


def test_reviews_are_done_in_the_week_after_assignment_but_for_the_late_and_the_unreviewed(
    journal: Journal, district: DemoDistrict
) -> None:
    story = journal.storylines
    heads = [u.head_id for u in district.units if u.head_id]
    week = date(2026, 9, 7)
    sessions = [
        decisions.review_session(plan.SEED, h, week, story) for h in heads if h != story.late_reviewer
    ]
    on_time = [s for s in sessions if s is not None and s.date() <= week + timedelta(days=13)]

    assert len(on_time) >= len(sessions) - 2
    assert all(s.date() >= week + timedelta(days=7) for s in on_time)
    assert story.late_reviewer is not None and story.unreviewed is not None
    for late_week in story.late_weeks:
        late = decisions.review_session(plan.SEED, story.late_reviewer, late_week, story)
        assert late is not None and late.date() > late_week + timedelta(days=13)
    assert decisions.review_session(plan.SEED, story.unreviewed, story.unreviewed_week or week, story) is None
    assert Quarter.of(story.late_weeks[0]) == Quarter.of(story.late_weeks[1])


def test_talks_are_held_within_days_except_the_open_one(journal: Journal) -> None:
    story = journal.storylines
    opened = date(2026, 9, 14)

    def talk(cadre: str, subject: str = "logging") -> decisions.TalkPlan | None:
        return decisions.talk_for(plan.SEED, f"RT-X-{cadre}", cadre, subject, opened, story, CALENDAR, TODAY)

    assert talk(story.talk_open or "") is None
    held = talk("c9999", "reviewing")
    assert held is not None and held.day == CALENDAR.add_working_days(opened, 3)
    assert held.moment.date() == held.day
    story_talk = decisions.talk_for(
        plan.SEED,
        "RT",
        story.talk_then_accountability or "",
        "logging",
        story.missed[story.talk_then_accountability or ""][2],
        story,
        CALENDAR,
        TODAY,
    )
    assert story_talk is not None and story_talk.day == story.talk_days[story.talk_then_accountability or ""]
    natural = [talk(f"c{n:04d}") for n in range(100, 300)]
    assert 0.6 < sum(t is not None for t in natural) / len(natural) < 0.9


def test_findings_are_mostly_verified_with_a_few_discrepancies() -> None:
    results = Counter(
        decisions.finding_for(plan.SEED, "2026-Q3", "c0100", f"c{n:04d}", date(2026, 8, 3), n).result
        for n in range(400)
    )

    assert set(results) == {"verified", "discrepancy"}
    assert results["discrepancy"] < 0.15 * 400


def test_grades_follow_the_log_and_the_verdicts() -> None:
    assert decisions.grade_for(60, 60, 0) is Grade.EXCELLENT
    assert decisions.grade_for(60, 56, 0) is Grade.GOOD
    assert decisions.grade_for(60, 50, 0) is Grade.FAIR
    assert decisions.grade_for(60, 60, 1) is Grade.FAIR
    assert decisions.grade_for(60, 40, 0) is Grade.POOR


def test_audit_seeds_are_repeatable_and_per_round() -> None:
    assert plan.round_seed(plan.SEED, "2026-Q3") == plan.round_seed(plan.SEED, "2026-Q3")
    assert plan.round_seed(plan.SEED, "2026-Q3") != plan.round_seed(plan.SEED, "2026-Q4")
    assert len(bytes.fromhex(plan.round_seed(plan.SEED, "2026-Q3"))) == 32


def test_hr_grades_the_quarter_after_its_draw_and_before_today(window: Window) -> None:
    moment = decisions.evaluation_moment(window, CALENDAR)

    assert window.draw_day <= moment.date() < TODAY and CALENDAR.is_working(moment.date())
