"""review-assignment through its handler: Mondays that never ran are caught up, and the daily runs
(the schedule fires every day, decision 23) assign nothing new on the other days of a week.

The district and its helpers are test_review_assignment's.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from infra.inprocess import InProcessStack
from tests.conftest import Published, compliance_items
from tests.integration.test_review_assignment import ACTIVE, district, of_type, run
from worklog.compliance.repository import ComplianceRepository
from worklog.compliance.review_repository import ReviewRepository
from worklog.compliance.weekly import WeeklyAssignment
from worklog.settings import Rules

__all__ = ["district"]  # the fixture, imported for pytest

# --- catching up on Mondays that never ran --------------------------------------------------------
ACTIVE_EARLY = ACTIVE - {"w0002"}  # the weeks of 11-02 and 11-09: w0002 joins on 11-20


def week_of_reviews(monday: str) -> dict[str, Any]:
    return {r.cadre_id: r for r in ReviewRepository().week(date.fromisoformat(monday))}


def assigned_weeks(events: Published) -> list[tuple[str, str]]:
    return sorted({(e["week_start"], e["due"]) for e in of_type(events, "ReviewAssigned")})


def test_a_skipped_monday_is_caught_up_the_next_monday(district: InProcessStack, events: Published) -> None:
    # Given the run of 11-16 (week of 11-09) and no run on 11-23
    run(district, "2026-11-16")

    # When the run of 11-30 comes
    summary = run(district, "2026-11-30")

    # Then it assigns the week of 11-23 and catches up the week of 11-16 that nobody assigned
    assert summary["caught_up_weeks"] == ["2026-11-16"] and summary["week_start"] == "2026-11-23"
    assert set(week_of_reviews("2026-11-16")) == set(week_of_reviews("2026-11-23")) == ACTIVE
    assert summary["new_assignments"] == 2 * len(ACTIVE)
    # And the late week is due the Sunday after this run, not on 11-29 which has passed
    assert {(r.due, r.status) for r in week_of_reviews("2026-11-16").values()} == {
        (date(2026, 12, 6), "open")
    }
    assert assigned_weeks(events) == [
        ("2026-11-09", "2026-11-22"),
        ("2026-11-16", "2026-12-06"),
        ("2026-11-23", "2026-12-06"),
    ]
    # And what fell due during the gap (the week of 11-09, due 11-22) is overdue now
    assert summary["overdue_weeks"] == ["2026-11-09"] and summary["marked_overdue"] == len(ACTIVE_EARLY)
    assert {r.status for r in week_of_reviews("2026-11-09").values()} == {"overdue"}


def test_two_skipped_mondays_are_both_caught_up(district: InProcessStack, events: Published) -> None:
    run(district, "2026-11-09")  # the week of 11-02; no run on 11-16 nor on 11-23

    summary = run(district, "2026-11-30")

    assert summary["caught_up_weeks"] == ["2026-11-09", "2026-11-16"]
    assert set(week_of_reviews("2026-11-09")) == ACTIVE_EARLY and set(week_of_reviews("2026-11-16")) == ACTIVE
    for monday in ("2026-11-09", "2026-11-16", "2026-11-23"):
        assert {r.due for r in week_of_reviews(monday).values()} == {date(2026, 12, 6)}
    assert summary["overdue_weeks"] == ["2026-11-02"]
    assert {r.status for r in week_of_reviews("2026-11-02").values()} == {"overdue"}
    assert {r.status for r in week_of_reviews("2026-11-09").values()} == {"open"}


def test_weeks_assigned_late_fall_overdue_at_their_own_due_date_and_feed_the_ladder_once(
    district: InProcessStack, events: Published
) -> None:
    run(district, "2026-11-16")
    run(district, "2026-11-30")  # caught up 11-16 (due 12-06); 11-09 overdue: one week, no talk
    assert of_type(events, "ReminderTalkOpened") == []

    summary = run(district, "2026-12-07")

    # The weeks of 11-16 (assigned late) and 11-23 fell due on 12-06 and are overdue now
    assert summary["overdue_weeks"] == ["2026-11-16", "2026-11-23"]
    assert {r.status for r in week_of_reviews("2026-11-16").values()} == {"overdue"}
    # c0002 left c0001 unreviewed three weeks running: one talk, citing the first two weeks
    case = ComplianceRepository().get_case("RT-REV-c0002-2026-12-07")
    assert case is not None and case.evidence == ["review:2026-11-09#c0001", "review:2026-11-16#c0001"]
    opened = [e["case_id"] for e in of_type(events, "ReminderTalkOpened")]
    assert sorted(opened) == sorted(summary["reminder_talks_opened"]) and len(set(opened)) == len(opened)


def test_a_rerun_after_a_catch_up_writes_and_tells_nothing_new(
    district: InProcessStack, events: Published
) -> None:
    run(district, "2026-11-16")
    run(district, "2026-11-30")
    before, told = compliance_items(district), len(events)

    again = run(district, "2026-11-30")

    assert compliance_items(district) == before and len(events) == told
    assert again["caught_up_weeks"] == [] and again["overdue_weeks"] == []
    assert again["new_assignments"] == again["marked_overdue"] == 0


def test_a_run_interrupted_between_weeks_is_finished_by_the_rerun(
    district: InProcessStack, events: Published, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(district, "2026-11-16")
    put_new = ReviewRepository.put_new
    calls: list[int] = []

    def fails_on_the_second_week(self: ReviewRepository, reviews: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("compliance table unavailable")
        return put_new(self, reviews)

    with monkeypatch.context() as broken:
        broken.setattr(ReviewRepository, "put_new", fails_on_the_second_week)
        with pytest.raises(RuntimeError):
            run(district, "2026-11-30")  # caught up 11-16, then failed on 11-23
    rerun = run(district, "2026-11-30")

    assert rerun["caught_up_weeks"] == [] and rerun["new_assignments"] == len(ACTIVE)
    assert rerun["overdue_weeks"] == ["2026-11-09"]
    assert set(week_of_reviews("2026-11-23")) == ACTIVE
    told = [(e["week_start"], e["reviewer_id"]) for e in of_type(events, "ReviewAssigned")]
    assert len(told) == len(set(told))  # every reviewer told once per week


def test_a_run_stopped_before_marking_a_week_tells_its_reviewers_again_and_keeps_the_due_date(
    district: InProcessStack, events: Published, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(district, "2026-11-16")

    def outage(self: ReviewRepository, *args: Any, **kwargs: Any) -> bool:
        raise RuntimeError("compliance table unavailable")

    with monkeypatch.context() as broken:
        broken.setattr(ReviewRepository, "mark_week", outage)
        with pytest.raises(RuntimeError):
            run(district, "2026-11-30")  # 11-16 assigned and announced, its mark not written
    first_told = [
        e["reviewer_id"] for e in of_type(events, "ReviewAssigned") if e["week_start"] == "2026-11-16"
    ]

    rerun = run(district, "2026-12-07")  # the next Monday finishes it

    assert (
        rerun["caught_up_weeks"] == ["2026-11-16", "2026-11-23"]
        and set(week_of_reviews("2026-11-16")) == ACTIVE
    )
    # The week keeps the due date its assignments were given; 11-23, first assigned now, gets a later one
    assert {r.due for r in week_of_reviews("2026-11-16").values()} == {date(2026, 12, 6)}
    assert {r.due for r in week_of_reviews("2026-11-23").values()} == {date(2026, 12, 13)}
    told = [e["reviewer_id"] for e in of_type(events, "ReviewAssigned") if e["week_start"] == "2026-11-16"]
    assert sorted(told) == sorted(first_told * 2)  # at least once: told again, since unmarked
    before = len(events)
    assert run(district, "2026-12-07")["caught_up_weeks"] == [] and len(events) == before


def test_the_catch_up_looks_back_only_as_far_as_configured(
    district: InProcessStack, events: Published
) -> None:
    run(district, "2026-11-02")  # the week of 10-26; then four Mondays never run

    summary = WeeklyAssignment(rules=Rules(review_catch_up_weeks=2)).run(date(2026, 11, 30))

    assert [d.isoformat() for d in summary.caught_up_weeks] == ["2026-11-09", "2026-11-16"]
    assert week_of_reviews("2026-11-02") == {}


def test_the_first_run_ever_catches_nothing_up(district: InProcessStack, events: Published) -> None:
    summary = run(district, "2026-11-30")
    assert summary["caught_up_weeks"] == [] and week_of_reviews("2026-11-16") == {}


# --- daily runs (the schedule fires every day; decision 23) -------------------------------------
def test_the_other_days_of_a_week_assign_nothing_new_and_tell_nobody_again(
    district: InProcessStack, events: Published
) -> None:
    run(district, "2026-11-23")
    before, told = compliance_items(district), len(of_type(events, "ReviewAssigned"))

    later = [run(district, f"2026-11-{day}") for day in range(24, 30)]  # Tuesday to Sunday

    assert compliance_items(district) == before
    assert len(of_type(events, "ReviewAssigned")) == told
    assert {(s["week_start"], s["new_assignments"], s["marked_overdue"]) for s in later} == {
        ("2026-11-16", 0, 0)
    }


def test_a_monday_that_did_not_run_is_made_good_by_tuesday_with_the_usual_due_date(
    district: InProcessStack, events: Published
) -> None:
    run(district, "2026-11-16")  # the week before ran; Monday 11-23 did not

    summary = run(district, "2026-11-24")

    assert (summary["week_start"], summary["due"], summary["new_assignments"]) == (
        "2026-11-16",
        "2026-11-29",
        len(ACTIVE),
    )
    assert [e["week_start"] for e in of_type(events, "ReviewAssigned")].count("2026-11-16") > 0
