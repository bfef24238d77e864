"""review-assignment through its handler, under moto, resources from template.yaml.

Given the test district plus district leaders and one more bureau, every Monday run assigns last
week's logs, marks the week before's unfinished reviews overdue and holds reviewers to the ladder.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from infra.inprocess import InProcessStack
from infra.template import ROOT
from tests.conftest import Published, compliance_items, set_clock
from tests.integration.log_privacy_support import readable, watching_logs
from worklog.compliance.repository import ComplianceRepository
from worklog.compliance.review_repository import ReviewRepository
from worklog.models.roster import Cadre, Unit
from worklog.roster.repository import RosterRepository

LEADERS = Unit(unit_id="lead", name="区领导", category="区领导", head_id="d0001")
HEALTH = Unit(unit_id="wjw", name="区卫健局", category="政府工作部门", head_id="h0001")
EXTRA = [
    (
        Cadre(
            cadre_id="d0001", name="陈书记", unit_id="lead", roles=["cadre", "district_leader", "unit_head"]
        ),
        LEADERS,
    ),
    (Cadre(cadre_id="d0002", name="林区长", unit_id="lead", roles=["cadre", "district_leader"]), None),
    (Cadre(cadre_id="d0003", name="黄副区长", unit_id="lead", roles=["cadre", "district_leader"]), None),
    (Cadre(cadre_id="h0001", name="吴局长", unit_id="wjw", roles=["cadre", "unit_head"]), HEALTH),
    (Cadre(cadre_id="w0001", name="郑科长", unit_id="wjw"), None),
    (Cadre(cadre_id="w0002", name="冯主任", unit_id="wjw", joined_on=date(2026, 11, 20)), None),
    (Cadre(cadre_id="w0003", name="何新", unit_id="wjw", joined_on=date(2026, 11, 30)), None),
]
# Active some day of 2026-11-16..22: everyone but c0004 (left in October) and w0003 (joins later).
ACTIVE = {"c0001", "c0002", "c0003", "c0010", "d0001", "d0002", "d0003", "h0001", "w0001", "w0002"}
UNIT_HEADS = {"c0002", "c0010", "d0001", "h0001"}
LEADER_IDS = {"d0001", "d0002", "d0003"}


@pytest.fixture
def district(stack: InProcessStack) -> InProcessStack:
    roster = RosterRepository()
    for cadre, unit in EXTRA:
        roster.put_row(cadre, unit)
    return stack


def run(stack: InProcessStack, day: str) -> dict[str, Any]:
    result: dict[str, Any] = stack.invoke("review-assignment", {"date": day})
    return result


def of_type(published: Published, detail_type: str) -> list[dict[str, Any]]:
    return [detail for t, detail in published if t == detail_type]


def verdict(stack: InProcessStack, reviewer: str, week: str, cadre_id: str) -> int:
    body = {"verdict": "adequate", "comment": "记录具体，进度清楚"}
    return stack.call("reviews", "PUT", f"/reviews/{week}/{cadre_id}", body, as_=reviewer).status


# --- assignment ---------------------------------------------------------------------------------
def test_every_active_cadre_is_assigned_once_and_nobody_to_themselves(
    district: InProcessStack, events: Published
) -> None:
    summary = run(district, "2026-11-23")

    stored = ReviewRepository().week(date(2026, 11, 16))
    assert sorted(r.cadre_id for r in stored) == sorted(ACTIVE)
    assert all(r.reviewer_id != r.cadre_id for r in stored)
    assert {(r.week_start, r.week_end, r.due, r.status) for r in stored} == {
        (date(2026, 11, 16), date(2026, 11, 22), date(2026, 11, 29), "open")
    }
    assert summary["week_start"] == "2026-11-16" and summary["due"] == "2026-11-29"
    assert summary["assignments"] == summary["new_assignments"] == len(ACTIVE)
    assert summary["problems"] == []


def test_cadres_go_to_their_unit_head_and_unit_heads_to_district_leaders(
    district: InProcessStack, events: Published
) -> None:
    run(district, "2026-11-23")

    reviewer = {r.cadre_id: r.reviewer_id for r in ReviewRepository().week(date(2026, 11, 16))}
    assert reviewer["c0001"] == "c0002" and reviewer["c0003"] == "c0010"
    assert reviewer["w0001"] == reviewer["w0002"] == "h0001"
    assert reviewer["d0002"] == reviewer["d0003"] == "d0001"  # the secretary heads the leaders' unit
    assert all(reviewer[head] in LEADER_IDS for head in UNIT_HEADS)
    leaders_share = [reviewer[head] for head in UNIT_HEADS]
    assert max(map(leaders_share.count, LEADER_IDS)) - min(map(leaders_share.count, LEADER_IDS)) <= 1


def test_each_reviewer_is_told_once_with_their_count(district: InProcessStack, events: Published) -> None:
    run(district, "2026-11-23")

    assigned = of_type(events, "ReviewAssigned")
    stored = ReviewRepository().week(date(2026, 11, 16))
    assert sorted(e["reviewer_id"] for e in assigned) == sorted({r.reviewer_id for r in stored})
    for event in assigned:
        assert event["count"] == sum(r.reviewer_id == event["reviewer_id"] for r in stored)
        assert (event["week_start"], event["due"]) == ("2026-11-16", "2026-11-29")


def test_a_rerun_writes_nothing_new_and_tells_nobody_again(
    district: InProcessStack, events: Published
) -> None:
    run(district, "2026-11-23")
    before, told = compliance_items(district), len(events)

    again = run(district, "2026-11-23")

    assert compliance_items(district) == before
    assert again["new_assignments"] == 0 and again["assignments"] == len(ACTIVE)
    assert len(events) == told


def test_any_day_of_the_week_runs_for_its_monday(district: InProcessStack, events: Published) -> None:
    assert run(district, "2026-11-25")["week_start"] == "2026-11-16"


def test_without_a_date_the_run_is_for_the_current_week(district: InProcessStack, events: Published) -> None:
    set_clock(2026, 11, 23, 8)
    summary = district.invoke("review-assignment", {})
    assert (summary["run_date"], summary["week_start"]) == ("2026-11-23", "2026-11-16")


def test_a_unit_head_without_district_leaders_is_reported_not_dropped(
    stack: InProcessStack, events: Published
) -> None:
    summary = run(stack, "2026-11-23")  # the bare test district has no district leaders

    assert len(summary["problems"]) == 2
    assert any("c0002" in p for p in summary["problems"]) and any("c0010" in p for p in summary["problems"])
    assert summary["assignments"] == 2  # c0001 → c0002, c0003 → c0010


def test_a_cadre_without_a_reviewer_is_logged_by_id_and_unit_never_by_name(
    stack: InProcessStack, events: Published
) -> None:
    # Given a district without district leaders: its unit heads have no possible reviewer
    heads = {c.cadre_id: c for c in RosterRepository().list_cadres() if c.cadre_id in {"c0002", "c0010"}}
    # When the run reports them
    with watching_logs() as watch:
        run(stack, "2026-11-23")
    # Then each warning names the cadre by id and unit, and no log line carries a name
    warnings = [json.loads(line) for line in watch.powertools.lines if '"no reviewer"' in line]
    assert sorted((w["cadre_id"], w["unit_id"], w["reason"]) for w in warnings) == sorted(
        (c.cadre_id, c.unit_id, "no_leader") for c in heads.values()
    )
    assert all(w["level"] == "WARNING" and w["week_start"] == "2026-11-16" for w in warnings)
    names = {c.name for c in heads.values()}
    assert names and not [line for line in watch.lines() if any(name in readable(line) for name in names)]


def test_the_scheduled_fixture_runs(district: InProcessStack, events: Published) -> None:
    fixture = ROOT / "events" / "review-assignment" / "weekly.json"
    summary = district.invoke("review-assignment", json.loads(fixture.read_text("utf-8")))
    assert summary["week_start"] == "2026-11-09"


# --- overdue ------------------------------------------------------------------------------------
def test_next_monday_marks_unfinished_reviews_overdue(district: InProcessStack, events: Published) -> None:
    run(district, "2026-11-23")
    set_clock(2026, 11, 25)
    assert verdict(district, "c0002", "2026-11-16", "c0001") == 200

    summary = run(district, "2026-11-30")

    week = {r.cadre_id: r for r in ReviewRepository().week(date(2026, 11, 16))}
    assert week["c0001"].status == "done" and week["c0001"].overdue_marked_at is None
    assert {c for c, r in week.items() if r.status == "overdue"} == ACTIVE - {"c0001"}
    assert summary["overdue_week_start"] == "2026-11-16" and summary["marked_overdue"] == len(ACTIVE) - 1
    overdue = of_type(events, "ReviewOverdue")
    assert sum(e["count"] for e in overdue) == len(ACTIVE) - 1
    assert "c0002" not in {e["reviewer_id"] for e in overdue}  # c0002 finished their only review


def test_marking_overdue_twice_marks_nothing_new(district: InProcessStack, events: Published) -> None:
    run(district, "2026-11-23")
    run(district, "2026-11-30")
    before, told = compliance_items(district), len(events)

    again = run(district, "2026-11-30")

    assert again["marked_overdue"] == 0 and compliance_items(district) == before and len(events) == told


def test_reviews_are_not_overdue_before_their_due_date(district: InProcessStack, events: Published) -> None:
    run(district, "2026-11-23")
    assert run(district, "2026-11-23")["marked_overdue"] == 0
    assert {r.status for r in ReviewRepository().week(date(2026, 11, 16))} == {"open"}


def test_an_overdue_review_still_takes_a_late_verdict(district: InProcessStack, events: Published) -> None:
    run(district, "2026-11-23")
    run(district, "2026-11-30")
    set_clock(2026, 12, 1)

    resp = district.call(
        "reviews",
        "PUT",
        "/reviews/2026-11-16/c0001",
        {"verdict": "adequate", "comment": "补审：记录具体"},
        as_="c0002",
    )

    out = json.loads(resp.body)
    assert resp.status == 200
    assert (out["status"], out["late"]) == ("done", True) and out["overdue_marked_at"]


# --- the reviewers' ladder ------------------------------------------------------------------------
def test_two_overdue_weeks_in_a_quarter_open_a_reminder_talk_for_the_reviewer(
    district: InProcessStack, events: Published
) -> None:
    run(district, "2026-11-16")  # week of 11-09
    run(district, "2026-11-23")  # week of 11-16; 11-09 overdue (1st week)
    set_clock(2026, 11, 27)
    assert verdict(district, "h0001", "2026-11-16", "w0001") == 200  # h0001 finishes one of two

    summary = run(district, "2026-11-30")  # 11-16 overdue (2nd week)

    case = ComplianceRepository().get_case("RT-REV-c0002-2026-11-30")
    assert case is not None
    assert (case.kind, case.subject, case.owner_role, case.owner_unit_id) == (
        "reminder_talk",
        "reviewing",
        "district_leader",
        None,
    )
    assert case.evidence == ["review:2026-11-09#c0001", "review:2026-11-16#c0001"]
    assert "RT-REV-c0002-2026-11-30" in summary["reminder_talks_opened"]
    # h0001 left w0002 unreviewed in the second week: that week still counts as overdue.
    assert "RT-REV-h0001-2026-11-30" in summary["reminder_talks_opened"]
    opened = of_type(events, "ReminderTalkOpened")
    assert {e["case_id"] for e in opened} == set(summary["reminder_talks_opened"])
    assert all(e["subject"] == "reviewing" and e["owner_role"] == "district_leader" for e in opened)


def test_one_overdue_week_opens_no_talk(district: InProcessStack, events: Published) -> None:
    run(district, "2026-11-16")
    summary = run(district, "2026-11-23")

    assert summary["marked_overdue"] > 0 and summary["reminder_talks_opened"] == []
    assert of_type(events, "ReminderTalkOpened") == []


def test_the_weeks_behind_a_talk_never_open_another(district: InProcessStack, events: Published) -> None:
    for monday in ("2026-11-16", "2026-11-23", "2026-11-30"):
        run(district, monday)
    talks = len(of_type(events, "ReminderTalkOpened"))
    assert talks > 0

    assert run(district, "2026-11-30")["reminder_talks_opened"] == []  # the same Monday again
    assert run(district, "2026-12-07")["reminder_talks_opened"] == []  # a third week alone is one
    assert len(of_type(events, "ReminderTalkOpened")) == talks


def test_overdue_weeks_of_different_quarters_do_not_add_up(
    district: InProcessStack, events: Published
) -> None:
    # A week belongs to the quarter of its Monday: 09-21 and 09-28 are Q3, 10-05 is Q4.
    run(district, "2026-09-29")  # assigns the week of 09-21
    run(district, "2026-10-05")  # assigns 09-28; 09-21 overdue
    first = run(district, "2026-10-12")  # assigns 10-05; 09-28 overdue → two Q3 weeks
    assert first["reminder_talks_opened"]
    second = run(district, "2026-10-19")  # 10-05 overdue: the only Q4 week
    assert second["marked_overdue"] > 0 and second["reminder_talks_opened"] == []


# --- interrupted runs ---------------------------------------------------------------------------
def test_a_run_interrupted_before_the_ladder_completes_on_rerun(
    district: InProcessStack, events: Published, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(district, "2026-11-16")
    run(district, "2026-11-23")

    def outage(self: ComplianceRepository, case: Any) -> bool:
        raise RuntimeError("compliance table unavailable")

    with monkeypatch.context() as broken:
        broken.setattr(ComplianceRepository, "open_case", outage)
        with pytest.raises(RuntimeError):
            run(district, "2026-11-30")  # assigned and marked overdue, then failed
    rerun = run(district, "2026-11-30")

    assert rerun["new_assignments"] == 0 and rerun["marked_overdue"] == 0
    assert "RT-REV-c0002-2026-11-30" in rerun["reminder_talks_opened"]


def test_stored_assignments_are_kept_when_a_batch_meets_them(district: InProcessStack) -> None:
    repo = ReviewRepository()
    run(district, "2026-11-23")
    stored = sorted(repo.week(date(2026, 11, 16)), key=lambda r: r.cadre_id)
    assert stored[0].cadre_id == "c0001"
    assert (
        district.call(
            "reviews",
            "PUT",
            "/reviews/2026-11-16/c0001",
            {"verdict": "adequate", "comment": "好"},
            as_="c0002",
        ).status
        == 200
    )
    fresh = stored[0].model_copy(update={"assignment_id": "2026-11-16#x0001", "cadre_id": "x0001"})

    written = repo.put_new([stored[0], fresh])  # one of two already stored: the transaction is refused

    assert [r.cadre_id for r in written] == ["x0001"]
    kept = repo.get("c0002", date(2026, 11, 16), "c0001")
    assert kept is not None and kept.status == "done"
