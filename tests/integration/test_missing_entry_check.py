"""The nightly missing-entry check, end to end under moto: records, reminders, late marks, ladder."""

from __future__ import annotations

import json
import os
from datetime import date
from typing import Any

import boto3
import pytest

from infra.inprocess import InProcessStack
from tests.conftest import Published, compliance_items, set_clock
from worklog.compliance.ladder import record_talk
from worklog.compliance.repository import ComplianceRepository
from worklog.models.cases import Case, CaseKind, CaseState
from worklog.roster.repository import RosterRepository
from worklog.settings import get_settings

ENTRY = {"items": [{"content": "召开专题会议，研究部署冬季安全生产工作", "status": "done"}]}


def check(stack: InProcessStack, day: str) -> dict[str, Any]:
    result: dict[str, Any] = stack.invoke("missing-entry-check", {"date": day})
    return result


def test_only_those_who_owe_are_recorded_and_reminded(stack: InProcessStack, events: Published) -> None:
    stack.call("entries", "PUT", "/entries/2026-11-19", ENTRY, as_="c0001")
    summary = check(stack, "2026-11-19")
    # c0004 left on 2026-10-31: owes nothing; c0001 saved.
    assert summary["owed"] == 4 and summary["new_missing"] == 3 and not summary["provisional"]
    reminded = sorted(d["cadre_id"] for kind, d in events if kind == "EntryMissing")
    assert reminded == ["c0002", "c0003", "c0010"]
    assert {r.cadre_id for r in ComplianceRepository().missing_due_on(date(2026, 11, 19))} == set(reminded)


def test_running_the_check_twice_writes_and_reminds_nothing_new(
    stack: InProcessStack, events: Published
) -> None:
    check(stack, "2026-11-19")
    before, sent = compliance_items(stack), len(events)
    again = check(stack, "2026-11-19")
    assert again["new_missing"] == 0 and again["missing"] == 4
    assert compliance_items(stack) == before and len(events) == sent


def test_non_working_days_owe_nothing(stack: InProcessStack, events: Published) -> None:
    assert check(stack, "2026-11-21")["owed"] == 0  # a Saturday
    assert check(stack, "2026-10-02")["owed"] == 0  # National Day


def test_leave_exempts_the_day(stack: InProcessStack, events: Published) -> None:
    set_clock(2026, 11, 16, 9)
    assert (
        stack.call(
            "entries",
            "POST",
            "/leaves",
            {"from": "2026-11-16", "to": "2026-11-17", "kind": "sick"},
            as_="c0003",
        ).status
        == 201
    )
    summary = check(stack, "2026-11-16")
    assert "c0003" not in {d["cadre_id"] for _, d in events} and summary["owed"] == 3


def test_a_late_entry_marks_its_missing_record_late_submitted(
    stack: InProcessStack, events: Published
) -> None:
    check(stack, "2026-11-18")
    stack.call("entries", "PUT", "/entries/2026-11-18", ENTRY, as_="c0002")  # late, on the 20th
    summary = check(stack, "2026-11-19")
    assert summary["late_submitted"] == 1
    records = {r.cadre_id: r for r in ComplianceRepository().missing_due_on(date(2026, 11, 18))}
    assert records["c0002"].status == "late_submitted" and records["c0002"].submitted_at
    assert records["c0003"].status == "missing"


def test_three_misses_in_ten_working_days_open_one_reminder_talk(
    stack: InProcessStack, events: Published
) -> None:
    for day in ("2026-11-16", "2026-11-17", "2026-11-18"):
        stack.call("entries", "PUT", f"/entries/{day}", ENTRY, as_="c0001")
        stack.call("entries", "PUT", f"/entries/{day}", ENTRY, as_="c0010")
    opened = []
    for day in ("2026-11-16", "2026-11-17", "2026-11-18"):
        opened += check(stack, day)["talks_opened"]
    assert sorted(opened) == ["RT-LOG-c0002-2026-11-18", "RT-LOG-c0003-2026-11-18"]
    assert check(stack, "2026-11-18")["talks_opened"] == []  # a re-run opens nothing
    cases = {c.cadre_id: c for c in ComplianceRepository().cases_owned_by("unit_head", "zzb")}
    assert cases["c0003"].state is CaseState.OPEN and len(cases["c0003"].evidence) == 3
    # c0002 heads jyj: their reminder talk is held by the district leaders.
    assert [c.cadre_id for c in ComplianceRepository().cases_owned_by("district_leader")] == ["c0002"]
    assert {d["case_id"] for kind, d in events if kind == "ReminderTalkOpened"} == set(opened)


def talk_recorded(stack: InProcessStack, repo: ComplianceRepository) -> Case:
    """c0003 misses three days in a row (a reminder talk opens), and the talk is held on the 19th."""
    for day in ("2026-11-16", "2026-11-17", "2026-11-18"):
        check(stack, day)
    talk = next(c for c in repo.cases_of("c0003") if c.kind is CaseKind.REMINDER_TALK)
    talked = record_talk(
        talk,
        at="2026-11-19T10:00:00.000+08:00",
        by="c0010",
        talk_date=date(2026, 11, 19),
        said="提醒按时记录",
        response="接受",
    )
    repo.save_case(talked, previous_version=len(talk.history))
    return talk


def test_three_misses_after_a_recorded_talk_open_an_accountability_case(
    stack: InProcessStack, events: Published
) -> None:
    repo = ComplianceRepository()
    talk = talk_recorded(stack, repo)
    dossier = json.loads(stack.call("cases", "GET", f"/cases/{talk.case_id}/dossier", as_="c0010").body)
    assert [e["kind"] for e in dossier["evidence"]] == ["miss", "miss", "miss"]
    assert [e["date"] for e in dossier["evidence"]] == ["2026-11-16", "2026-11-17", "2026-11-18"]
    assert all("未按时填写" in e["summary"] for e in dossier["evidence"])
    set_clock(2026, 11, 26)
    results = [check(stack, day) for day in ("2026-11-20", "2026-11-23", "2026-11-24")]
    assert results[-1]["accountability_opened"] == ["AC-LOG-c0003-2026-11-24"]
    accountability = repo.get_case("AC-LOG-c0003-2026-11-24")
    assert accountability is not None and accountability.owner_role == "discipline_inspector"
    assert repo.get_case(talk.case_id).state is CaseState.ESCALATED  # type: ignore[union-attr]
    assert any(kind == "AccountabilityCaseOpened" for kind, _ in events)


def test_provisional_dates_remind_but_never_escalate(stack: InProcessStack, events: Published) -> None:
    results = [check(stack, day) for day in ("2027-01-04", "2027-01-05", "2027-01-06")]
    assert all(r["provisional"] for r in results)
    # 4 cadres × 3 days, plus the January plan, due on 2027-01-05 (Mon–Fri: Jan 1, 4, 5).
    assert sum(r["new_missing"] for r in results) == 16
    assert not any(r["talks_opened"] for r in results)


def test_the_monthly_plan_is_checked_on_its_due_date(stack: InProcessStack, events: Published) -> None:
    stack.call("entries", "PUT", "/plans/2026-12", {"items": [{"content": "完成年度总结"}]}, as_="c0001")
    for who in ("c0001", "c0002", "c0003", "c0010"):
        set_clock(2026, 12, 3, 18)
        stack.call("entries", "PUT", "/entries/2026-12-03", ENTRY, as_=who)
    summary = check(stack, "2026-12-03")  # the 3rd working day of December 2026
    plans = sorted(d["cadre_id"] for kind, d in events if kind == "EntryMissing" and d["kind"] == "plan")
    assert plans == ["c0002", "c0003", "c0010"] and summary["new_missing"] == 3


def test_a_bad_date_is_refused(stack: InProcessStack) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        check(stack, "2026-02-30")


# --- standing, slices, interruptions ------------------------------------------------------------
def test_leave_and_late_saves_reach_the_standing_in_the_same_transaction(stack: InProcessStack) -> None:
    set_clock(2026, 11, 16, 9)
    stack.call(
        "entries", "POST", "/leaves", {"from": "2026-11-16", "to": "2026-11-17", "kind": "sick"}, as_="c0003"
    )
    set_clock(2026, 11, 20, 9)
    stack.call("entries", "PUT", "/entries/2026-11-18", ENTRY, as_="c0002")  # late
    stack.call("entries", "PUT", "/entries/2026-11-20", ENTRY, as_="c0001")  # on time
    part = RosterRepository().roster_slice()
    assert [c.cadre_id for c in part.cadres] == ["c0001", "c0002", "c0003", "c0004", "c0010"]
    assert part.standings["c0003"].leave == {date(2026, 11, 16): date(2026, 11, 17)}
    assert list(part.standings["c0002"].late) == ["ENTRY#2026-11-18"]
    assert "c0001" not in part.standings and part.next_from is None


@pytest.mark.parametrize("page_items", [1, 2, 3])
def test_slices_cover_the_roster_once_whatever_the_page_boundaries(
    stack: InProcessStack, page_items: int
) -> None:
    set_clock(2026, 11, 16, 9)
    for who in ("c0001", "c0002", "c0010"):  # standings interleaved with profiles
        leave = {"from": "2026-11-16", "to": "2026-11-16", "kind": "annual"}
        assert stack.call("entries", "POST", "/leaves", leave, as_=who).status == 201
    repo, seen, standings, start = RosterRepository(), [], set(), None
    while True:
        part = repo.roster_slice(start, max_pages=1, page_items=page_items)
        seen += [c.cadre_id for c in part.cadres]
        standings |= set(part.standings)
        if part.next_from is None:
            break
        start = part.next_from
    assert seen == ["c0001", "c0002", "c0003", "c0004", "c0010"]
    assert standings == {"c0001", "c0002", "c0010"}


def _drain_sweep_queue(stack: InProcessStack) -> list[dict[str, Any]]:
    """Hand every message on the sweep queue to the function, as the SQS event source would."""
    sqs, url = boto3.client("sqs"), os.environ["SWEEP_QUEUE_URL"]
    results = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=5).get("Messages", []):
        event = {
            "Records": [
                {
                    "messageId": m["MessageId"],
                    "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"],
                    "attributes": {},
                    "messageAttributes": {},
                    "md5OfBody": m["MD5OfBody"],
                    "eventSource": "aws:sqs",
                    "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:sweep",
                    "awsRegion": "us-east-1",
                }
                for m in messages
            ]
        }
        result = stack.invoke("missing-entry-check", event)
        assert result == {"batchItemFailures": []}
        for m in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        results.extend(json.loads(m["Body"]) for m in messages)
    return results


def test_a_big_roster_is_checked_in_slices_handed_on_through_the_queue(
    stack: InProcessStack, events: Published, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWEEP_SLICE_PAGES", "1")
    monkeypatch.setenv("SWEEP_PAGE_ITEMS", "2")
    get_settings.cache_clear()
    stack.call("entries", "PUT", "/entries/2026-11-19", ENTRY, as_="c0002")

    first = check(stack, "2026-11-19")
    handed_on = _drain_sweep_queue(stack)

    assert first["next_from"] is not None and len(handed_on) >= 2
    assert all(m["date"] == "2026-11-19" for m in handed_on)
    reminded = sorted(d["cadre_id"] for kind, d in events if kind == "EntryMissing")
    assert reminded == ["c0001", "c0003", "c0010"]  # each once; c0002 saved, c0004 has left
    stored = ComplianceRepository().missing_due_on(date(2026, 11, 19))
    assert sorted(r.cadre_id for r in stored) == reminded


def test_a_check_interrupted_after_its_writes_climbs_the_ladder_on_rerun(
    stack: InProcessStack, events: Published, monkeypatch: pytest.MonkeyPatch
) -> None:
    check(stack, "2026-11-16")
    check(stack, "2026-11-17")

    def outage(self: ComplianceRepository, case: Any) -> bool:
        raise RuntimeError("compliance table unavailable")

    with monkeypatch.context() as broken:
        broken.setattr(ComplianceRepository, "open_case", outage)
        with pytest.raises(RuntimeError):
            check(stack, "2026-11-18")  # records written and reminded, then failed
    rerun = check(stack, "2026-11-18")

    assert rerun["new_missing"] == 0 and "RT-LOG-c0003-2026-11-18" in rerun["talks_opened"]
    reminders = [d["reminder_id"] for kind, d in events if kind == "EntryMissing"]
    assert len(reminders) == len(set(reminders)) == 12


def test_a_check_interrupted_before_its_writes_completes_them_on_rerun(
    stack: InProcessStack, events: Published, monkeypatch: pytest.MonkeyPatch
) -> None:
    def outage(self: ComplianceRepository, groups: Any) -> set[str]:
        raise RuntimeError("throttled")

    with monkeypatch.context() as broken:
        broken.setattr(ComplianceRepository, "write_sweep", outage)
        with pytest.raises(RuntimeError):
            check(stack, "2026-11-19")
    assert compliance_items(stack) == []
    rerun = check(stack, "2026-11-19")
    assert rerun["new_missing"] == 4
    # The reminders went out before the failure and again on the re-run, with the same ids.
    reminders = [d["reminder_id"] for kind, d in events if kind == "EntryMissing"]
    assert len(reminders) == 8 and len(set(reminders)) == 4
    assert check(stack, "2026-11-19")["new_missing"] == 0


def test_a_check_stopped_between_opening_and_escalating_opens_no_second_case(
    stack: InProcessStack, events: Published, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = ComplianceRepository()
    talk = talk_recorded(stack, repo)
    set_clock(2026, 11, 27)
    check(stack, "2026-11-20")
    check(stack, "2026-11-23")

    def outage(self: ComplianceRepository, case: Any, *, previous_version: int) -> None:
        raise RuntimeError("timed out")

    with monkeypatch.context() as broken:
        broken.setattr(ComplianceRepository, "save_case", outage)
        with pytest.raises(RuntimeError):
            check(stack, "2026-11-24")  # the accountability case is stored, the talk not escalated
    assert check(stack, "2026-11-24")["accountability_opened"] == ["AC-LOG-c0003-2026-11-24"]
    assert check(stack, "2026-11-25")["accountability_opened"] == []
    accountability = [c for c in repo.cases_of("c0003") if c.kind is CaseKind.ACCOUNTABILITY]
    assert [c.case_id for c in accountability] == ["AC-LOG-c0003-2026-11-24"]
    assert repo.get_case(talk.case_id).state is CaseState.ESCALATED  # type: ignore[union-attr]


def test_a_plan_saved_late_weeks_after_its_due_date_is_still_marked(
    stack: InProcessStack, events: Published
) -> None:
    set_clock(2026, 12, 4, 1)
    check(stack, "2026-12-03")  # the 3rd working day of December: the plan was due
    plan_reminder = next(d for kind, d in events if d["kind"] == "plan" and d["cadre_id"] == "c0002")
    assert plan_reminder["can_still_save_until"] == "2027-01-07"  # the month's end + 7 days
    set_clock(2027, 1, 5, 1)
    check(stack, "2027-01-04")  # a month later: the entry misses of early December have aged out
    set_clock(2027, 1, 5, 9)
    saved = stack.call(
        "entries", "PUT", "/plans/2026-12", {"items": [{"content": "完成年度总结"}]}, as_="c0002"
    )
    assert saved.status == 201 and json.loads(saved.body)["late"]
    set_clock(2027, 1, 6, 1)
    assert check(stack, "2027-01-05")["late_submitted"] >= 1
    [record] = [r for r in ComplianceRepository().missing_of("c0002", "plan") if r.period == "2026-12"]
    assert record.status == "late_submitted"
