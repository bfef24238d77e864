"""Journal use cases on an in-memory repository: revisions, reasons, late and locked days, plans,
summaries, leave, concurrency and what a cadre owes."""

from datetime import date, datetime

import pytest

from tests.fakes import FakeJournal
from worklog.auth.principals import Principal
from worklog.calendar import WorkingCalendar
from worklog.chain import verify_chain
from worklog.clock import SHANGHAI, FixedClock
from worklog.errors import Conflict, NotFound, PeriodLocked, Unauthenticated, ValidationFailed
from worklog.journal.records import Head
from worklog.journal.service import JournalService
from worklog.models.entries import EntryIn, LeaveIn, PlanIn, SummaryIn
from worklog.models.roster import Cadre
from worklog.periods import day_period
from worklog.settings import Rules

CADRE = Cadre(cadre_id="c0001", name="李明", unit_id="jyj", title="副局长", roles=["cadre"])
WHO = Principal("c0001", "李明", "jyj", "副局长", frozenset({"cadre"}), CADRE)


def at(y: int, m: int, d: int, hh: int = 18) -> FixedClock:
    return FixedClock(datetime(y, m, d, hh, 0, tzinfo=SHANGHAI))


def service(repo: FakeJournal, clock: FixedClock) -> JournalService:
    return JournalService(repo, WorkingCalendar(), Rules(), clock)


def entry(text: str = "召开教育系统安全生产会议", reason: str | None = None, **item: object) -> EntryIn:
    return EntryIn.model_validate({"items": [{"content": text, "status": "done", **item}], "reason": reason})


def test_first_save_creates_revision_one_linked_to_nothing() -> None:
    repo = FakeJournal()
    saved = service(repo, at(2026, 11, 20)).save_entry(WHO, date(2026, 11, 20), entry())
    assert saved.created and saved.record["revision"] == 1 and saved.record["previous_hash"] is None
    assert not saved.record["late"]


def test_a_second_save_without_a_reason_is_rejected_and_changes_nothing() -> None:
    repo = FakeJournal()
    svc = service(repo, at(2026, 11, 20))
    svc.save_entry(WHO, date(2026, 11, 20), entry())
    before = dict(repo.items)
    with pytest.raises(ValidationFailed) as err:
        svc.save_entry(WHO, date(2026, 11, 20), entry("改写"))
    assert err.value.details and err.value.details[0]["type"] == "reason_required"
    assert repo.items == before


def test_a_revision_with_a_reason_appends_and_keeps_the_first_one() -> None:
    repo = FakeJournal()
    svc = service(repo, at(2026, 11, 20))
    first = svc.save_entry(WHO, date(2026, 11, 20), entry())
    second = svc.save_entry(WHO, date(2026, 11, 20), entry("补充了进度", reason="补充工作进度"))
    assert not second.created and second.record["revision"] == 2
    assert second.record["previous_hash"] == first.record["hash"]
    revisions = svc.revisions("c0001", day_period(date(2026, 11, 20)))
    assert [r.revision for r in revisions] == [1, 2]
    assert revisions[1].reason == "补充工作进度"
    current = svc.get_entry("c0001", date(2026, 11, 20))
    assert current.items[0].content == "补充了进度" and current.amended


def test_a_late_first_save_is_late_and_its_revisions_stay_late() -> None:
    repo = FakeJournal()
    svc = service(repo, at(2026, 11, 20))
    assert svc.save_entry(WHO, date(2026, 11, 17), entry()).record["late"]
    assert svc.save_entry(WHO, date(2026, 11, 17), entry("x", reason="更正")).record["late"]


def test_a_revision_of_an_on_time_entry_is_not_late() -> None:
    repo = FakeJournal()
    service(repo, at(2026, 11, 17)).save_entry(WHO, date(2026, 11, 17), entry())
    later = service(repo, at(2026, 11, 19)).save_entry(WHO, date(2026, 11, 17), entry("x", reason="更正"))
    assert not later.record["late"]


def test_saving_a_locked_day_is_refused_and_writes_nothing() -> None:
    repo = FakeJournal()
    with pytest.raises(PeriodLocked):
        service(repo, at(2026, 11, 20)).save_entry(WHO, date(2026, 11, 12), entry())
    assert repo.items == {}


def test_saving_a_future_day_is_invalid() -> None:
    with pytest.raises(ValidationFailed):
        service(FakeJournal(), at(2026, 11, 20)).save_entry(WHO, date(2026, 11, 21), entry())


def test_every_kind_of_save_extends_one_chain_that_verifies() -> None:
    repo = FakeJournal()
    svc = service(repo, at(2026, 11, 20))
    svc.save_plan(WHO, "2026-11", PlanIn.model_validate({"items": [{"content": "推进学校建设"}]}))
    svc.save_entry(WHO, date(2026, 11, 20), entry(plan_item_id="p1"))
    svc.record_leave(
        WHO, LeaveIn.model_validate({"from": "2026-11-23", "to": "2026-11-24", "kind": "training"})
    )
    chain = list(repo.chain("c0001"))
    assert [r["kind"] for r in chain] == ["plan", "entry", "leave"]
    assert verify_chain(chain).ok


def test_entry_items_may_only_reference_items_of_that_months_plan() -> None:
    repo = FakeJournal()
    svc = service(repo, at(2026, 11, 20))
    svc.save_plan(WHO, "2026-11", PlanIn.model_validate({"items": [{"content": "a"}, {"content": "b"}]}))
    svc.save_entry(WHO, date(2026, 11, 20), entry(plan_item_id="p2"))
    with pytest.raises(ValidationFailed) as err:
        svc.save_entry(WHO, date(2026, 11, 19), entry(plan_item_id="p3"))
    assert err.value.details and err.value.details[0]["type"] == "unknown_plan_item"


def test_plan_items_keep_their_ids_and_new_ones_never_reuse_an_old_id() -> None:
    repo = FakeJournal()
    svc = service(repo, at(2026, 11, 2))
    first = svc.save_plan(
        WHO, "2026-11", PlanIn.model_validate({"items": [{"content": "a"}, {"content": "b"}]})
    )
    assert [i["id"] for i in first.record["body"]["items"]] == ["p1", "p2"]
    second = svc.save_plan(
        WHO,
        "2026-11",
        PlanIn.model_validate({"items": [{"id": "p1", "content": "a2"}, {"content": "c"}], "reason": "调整"}),
    )
    assert [i["id"] for i in second.record["body"]["items"]] == ["p1", "p3"]


def test_duplicate_plan_item_ids_are_invalid() -> None:
    with pytest.raises(ValidationFailed):
        service(FakeJournal(), at(2026, 11, 2)).save_plan(
            WHO,
            "2026-11",
            PlanIn.model_validate({"items": [{"id": "x", "content": "a"}, {"id": "x", "content": "b"}]}),
        )


def test_a_plan_saved_after_the_third_working_day_is_late() -> None:
    saved = service(FakeJournal(), at(2026, 11, 20)).save_plan(
        WHO, "2026-11", PlanIn.model_validate({"items": [{"content": "a"}]})
    )
    assert saved.record["late"]


def test_the_h1_summary_can_be_written_in_june_and_july() -> None:
    body = SummaryIn(achievements="完成", problems="不足", next_steps="计划")
    assert not service(FakeJournal(), at(2026, 7, 1)).save_summary(WHO, "2026-H1", body).record["late"]
    assert service(FakeJournal(), at(2026, 7, 16)).save_summary(WHO, "2026-H1", body).record["late"]
    with pytest.raises(PeriodLocked):
        service(FakeJournal(), at(2026, 7, 22)).save_summary(WHO, "2026-H1", body)


def test_overlapping_leave_is_refused() -> None:
    svc = service(FakeJournal(), at(2026, 11, 20))
    svc.record_leave(
        WHO, LeaveIn.model_validate({"from": "2026-11-23", "to": "2026-11-25", "kind": "annual"})
    )
    with pytest.raises(Conflict) as err:
        svc.record_leave(
            WHO, LeaveIn.model_validate({"from": "2026-11-25", "to": "2026-11-26", "kind": "sick"})
        )
    assert err.value.code == "leave_overlap"


@pytest.mark.parametrize(
    ("first", "last", "error"),
    [
        ("2026-11-25", "2026-11-23", ValidationFailed),
        ("2026-11-01", "2026-11-02", PeriodLocked),
        ("2027-12-01", "2027-12-02", ValidationFailed),
    ],
)
def test_bad_leave_is_refused(first: str, last: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        service(FakeJournal(), at(2026, 11, 20)).record_leave(
            WHO, LeaveIn.model_validate({"from": first, "to": last, "kind": "other"})
        )


def test_a_concurrent_save_is_recomputed_on_the_new_head_and_nothing_is_lost() -> None:
    repo = FakeJournal()
    svc = service(repo, at(2026, 11, 20))
    svc.save_entry(WHO, date(2026, 11, 19), entry())
    stale = repo.load_head("c0001")
    # Another container saves in between; this one still holds the old head in its cache.
    other = FakeJournal()
    other.items = repo.items
    service(other, at(2026, 11, 20)).save_entry(WHO, date(2026, 11, 18), entry())
    repo.cached["c0001"] = stale
    svc.save_entry(WHO, date(2026, 11, 17), entry())
    chain = list(repo.chain("c0001"))
    assert [r["seq"] for r in chain] == [1, 2, 3] and verify_chain(chain).ok


def test_a_first_save_that_loses_to_a_concurrent_first_save_of_the_same_day_is_a_conflict() -> None:
    repo = FakeJournal()
    svc = service(repo, at(2026, 11, 20))  # this request starts at 18:00:00
    repo.cached["c0001"] = Head("c0001")
    other = FakeJournal()
    other.items = repo.items
    later = FixedClock(datetime(2026, 11, 20, 18, 0, 1, tzinfo=SHANGHAI))
    JournalService(other, WorkingCalendar(), Rules(), later).save_entry(
        WHO, date(2026, 11, 20), entry("另一台设备")
    )
    with pytest.raises(Conflict) as err:
        svc.save_entry(WHO, date(2026, 11, 20), entry())
    assert err.value.code == "concurrent_update"
    assert len(list(repo.chain("c0001"))) == 1


def test_a_stale_cache_never_turns_a_missing_reason_into_a_conflict() -> None:
    repo = FakeJournal()
    service(repo, at(2026, 11, 20, 9)).save_entry(WHO, date(2026, 11, 20), entry())
    repo.cached["c0001"] = Head("c0001")  # this container last saw the cadre before the morning save
    with pytest.raises(ValidationFailed) as err:
        service(repo, at(2026, 11, 20, 18)).save_entry(WHO, date(2026, 11, 20), entry("改写"))
    assert err.value.details and err.value.details[0]["type"] == "reason_required"


def test_a_stale_cache_never_refuses_a_valid_plan_item_reference() -> None:
    repo = FakeJournal()
    repo.cached["c0001"] = Head("c0001")
    other = FakeJournal()
    other.items = repo.items
    service(other, at(2026, 11, 20)).save_plan(
        WHO, "2026-11", PlanIn.model_validate({"items": [{"content": "a"}]})
    )
    saved = service(repo, at(2026, 11, 20)).save_entry(WHO, date(2026, 11, 20), entry(plan_item_id="p1"))
    assert saved.created


# --- the author's roster profile is checked in the save's own transaction --------------------------
def test_every_save_checks_in_its_transaction_that_the_author_is_in_post_in_their_unit() -> None:
    repo = FakeJournal()
    svc = service(repo, at(2026, 11, 20))
    svc.save_entry(WHO, date(2026, 11, 20), entry())
    svc.record_leave(
        WHO, LeaveIn.model_validate({"from": "2026-11-23", "to": "2026-11-23", "kind": "annual"})
    )
    assert len(repo.guards) == 2
    for guard in repo.guards:
        assert guard["Key"] == {"pk": {"S": "CADRE#c0001"}, "sk": {"S": "PROFILE"}}
        assert guard["ExpressionAttributeValues"] == {":unit": {"S": "jyj"}, ":on": {"S": "2026-11-20"}}


def test_a_cadre_moved_meanwhile_has_the_save_recomputed_for_their_new_unit() -> None:
    # Given the roster moved c0001 to zzb after this container cached them in jyj
    repo = FakeJournal()
    repo.roster_allows = lambda guard: guard["ExpressionAttributeValues"][":unit"]["S"] == "zzb"
    moved = CADRE.model_copy(update={"unit_id": "zzb"})
    reloaded: list[tuple[str, date]] = []

    def reload(cadre_id: str, on: date) -> Principal:
        reloaded.append((cadre_id, on))
        return Principal("c0001", "李明", "zzb", "副局长", frozenset({"cadre"}), moved)

    svc = JournalService(repo, WorkingCalendar(), Rules(), at(2026, 11, 20), reload=reload)
    # When they save
    saved = svc.save_entry(WHO, date(2026, 11, 20), entry())
    # Then they were resolved again and the save is filed under their new unit
    assert reloaded == [("c0001", date(2026, 11, 20))]
    assert saved.created and repo.appends == 1
    assert repo.items[("CADRE#c0001", "ENTRY#2026-11-20")]["unit_id"] == "zzb"


def test_a_cadre_who_left_meanwhile_is_refused_and_nothing_is_written() -> None:
    repo = FakeJournal()
    repo.roster_allows = lambda guard: False

    def reload(cadre_id: str, on: date) -> Principal:
        raise Unauthenticated("该人员已不在岗，不能使用本系统", code="inactive_cadre")

    svc = JournalService(repo, WorkingCalendar(), Rules(), at(2026, 11, 20), reload=reload)
    with pytest.raises(Unauthenticated) as err:
        svc.save_entry(WHO, date(2026, 11, 20), entry())
    assert err.value.code == "inactive_cadre"
    assert repo.appends == 0 and repo.items == {}


def test_a_period_reopened_by_a_longer_window_can_still_be_revised() -> None:
    repo = FakeJournal()
    service(repo, at(2026, 11, 10)).save_entry(WHO, date(2026, 11, 10), entry())
    service(repo, at(2026, 11, 20)).save_entry(WHO, date(2026, 11, 20), entry())  # prunes 11-10 from the head
    longer = JournalService(repo, WorkingCalendar(), Rules(correction_window_days=14), at(2026, 11, 20))
    revised = longer.save_entry(WHO, date(2026, 11, 10), entry("补充", reason="补充说明"))
    assert revised.record["revision"] == 2 and not revised.created
    assert verify_chain(list(repo.chain("c0001"))).ok


def test_configured_limits_can_tighten_the_api_maxima() -> None:
    strict = JournalService(
        FakeJournal(), WorkingCalendar(), Rules(max_items=2, max_item_chars=10), at(2026, 11, 20)
    )
    too_many = EntryIn.model_validate({"items": [{"content": "会议", "status": "done"}] * 3})
    with pytest.raises(ValidationFailed):
        strict.save_entry(WHO, date(2026, 11, 20), too_many)
    with pytest.raises(ValidationFailed):
        strict.save_entry(WHO, date(2026, 11, 20), entry("这是一条超过十个字的工作记录内容"))


def test_text_is_stored_in_nfc() -> None:
    repo = FakeJournal()
    saved = service(repo, at(2026, 11, 20)).save_entry(WHO, date(2026, 11, 20), entry("Cafe\u0301会议"))
    assert saved.record["body"]["items"][0]["content"] == "Café会议"


def test_list_entries_refuses_more_than_92_days_and_reversed_ranges() -> None:
    svc = service(FakeJournal(), at(2026, 11, 20))
    with pytest.raises(ValidationFailed):
        svc.list_entries("c0001", date(2026, 1, 1), date(2026, 4, 30))
    with pytest.raises(ValidationFailed):
        svc.list_entries("c0001", date(2026, 11, 20), date(2026, 11, 1))
    assert svc.list_entries("c0001", date(2026, 8, 21), date(2026, 11, 20)) == []


def test_reading_a_missing_entry_is_not_found() -> None:
    with pytest.raises(NotFound):
        service(FakeJournal(), at(2026, 11, 20)).get_entry("c0001", date(2026, 11, 20))


def test_owed_lists_missing_working_days_of_the_window_and_the_months_plan() -> None:
    repo = FakeJournal()
    svc = service(repo, at(2026, 11, 20, 9))
    svc.save_entry(WHO, date(2026, 11, 19), entry())
    svc.record_leave(WHO, LeaveIn.model_validate({"from": "2026-11-16", "to": "2026-11-17", "kind": "sick"}))
    today, working, on_leave, owes = svc.owed(WHO)
    assert today == date(2026, 11, 20) and working and not on_leave
    entries = {o.period: o for o in owes if o.kind == "entry"}
    # 13 (Fri), 18 (Wed), 20 (today): 14/15 weekend, 16/17 leave, 19 saved
    assert sorted(entries) == ["2026-11-13", "2026-11-18", "2026-11-20"]
    assert entries["2026-11-18"].overdue and not entries["2026-11-20"].overdue
    plan = [o for o in owes if o.kind == "plan"]
    assert plan and plan[0].period == "2026-11" and plan[0].overdue
    assert not [o for o in owes if o.kind == "summary"]


def test_owed_includes_the_half_year_summary_in_its_window() -> None:
    _, _, _, owes = service(FakeJournal(), at(2026, 7, 2)).owed(WHO)
    summary = [o for o in owes if o.kind == "summary"]
    assert summary and summary[0].period == "2026-H1" and not summary[0].overdue


def test_a_cadre_who_joined_recently_owes_nothing_from_before() -> None:
    newcomer = Cadre(
        cadre_id="c0002", name="王芳", unit_id="jyj", roles=["cadre"], joined_on=date(2026, 11, 19)
    )
    who = Principal("c0002", "王芳", "jyj", "", frozenset({"cadre"}), newcomer)
    _, _, _, owes = service(FakeJournal(), at(2026, 11, 20)).owed(who)
    assert sorted(o.period for o in owes if o.kind == "entry") == ["2026-11-19", "2026-11-20"]


def leave_from(repo: FakeJournal, first: date, last: date, who: Principal = WHO) -> None:
    """Leave registered on its first day (the journal takes leave from a week back at most)."""
    body = LeaveIn.model_validate({"from": first.isoformat(), "to": last.isoformat(), "kind": "training"})
    service(repo, at(first.year, first.month, first.day, 8)).record_leave(who, body)


def owed_kinds(svc: JournalService, who: Principal = WHO) -> dict[tuple[str, str], bool]:
    return {(o.kind, o.period): o.overdue for o in svc.owed(who)[3]}


def test_owed_does_not_list_a_plan_whose_whole_window_was_spent_on_leave() -> None:
    # Given leave from 2026-10-28 to 2026-11-10, covering every working day of Nov 1–4 (plan due 4th)
    repo = FakeJournal()
    leave_from(repo, date(2026, 10, 28), date(2026, 11, 10))
    # When the cadre asks on the 12th, with the plan still writable
    owes = owed_kinds(service(repo, at(2026, 11, 12, 9)))
    # Then the plan is not owed (the nightly check never recorded it)
    assert ("plan", "2026-11") not in owes


def test_owed_still_lists_a_plan_when_leave_covered_only_its_due_date() -> None:
    repo = FakeJournal()
    leave_from(repo, date(2026, 11, 4), date(2026, 11, 10))
    assert owed_kinds(service(repo, at(2026, 11, 12, 9)))[("plan", "2026-11")] is True


def test_owed_does_not_list_a_summary_whose_whole_window_was_spent_on_leave() -> None:
    # Given leave over July 1–17, 2026 (the H1 summary is due on the 14th)
    repo = FakeJournal()
    leave_from(repo, date(2026, 7, 1), date(2026, 7, 17))
    owes = owed_kinds(service(repo, at(2026, 7, 20, 9)))
    assert ("summary", "2026-H1") not in owes and ("plan", "2026-07") not in owes


def test_owed_drops_a_plan_not_yet_due_once_leave_covers_the_rest_of_its_window() -> None:
    # Given leave already registered from Nov 2 (Mon) to Nov 6, asked on Sunday Nov 1
    repo = FakeJournal()
    leave_from(repo, date(2026, 11, 2), date(2026, 11, 6))
    # Then November's plan will never be recorded missing, so it is not listed as coming due
    owes = owed_kinds(service(repo, at(2026, 11, 1, 9)))
    assert ("plan", "2026-11") not in owes


def test_owed_lists_last_months_missed_plan_as_overdue_until_it_locks() -> None:
    # Given no November plan; on Dec 3 it can still be saved (until Dec 7) and the check recorded it
    owes = owed_kinds(service(FakeJournal(), at(2026, 12, 3, 9)))
    assert owes[("plan", "2026-11")] is True and owes[("plan", "2026-12")] is False
    assert ("plan", "2026-11") not in owed_kinds(service(FakeJournal(), at(2026, 12, 8, 9)))


def test_owed_lists_no_plan_to_a_cadre_who_joined_after_its_due_date_or_left_before_it() -> None:
    joined = CADRE.model_copy(update={"joined_on": date(2026, 11, 18)})
    left = CADRE.model_copy(update={"left_on": date(2026, 11, 3)})
    for cadre in (joined, left):
        who = Principal("c0001", "李明", "jyj", "副局长", frozenset({"cadre"}), cadre)
        assert ("plan", "2026-11") not in owed_kinds(service(FakeJournal(), at(2026, 11, 20, 9)), who)


def test_owed_lists_a_summary_from_the_first_of_the_month_it_falls_due_in() -> None:
    # The H1 summary may be written in June, but it is owed (and listed) from July 1, like a plan
    # that may be written a month early but is owed from its own month.
    assert ("summary", "2026-H1") not in owed_kinds(service(FakeJournal(), at(2026, 6, 30, 9)))
    assert owed_kinds(service(FakeJournal(), at(2026, 7, 1, 9)))[("summary", "2026-H1")] is False
    assert ("plan", "2026-12") not in owed_kinds(service(FakeJournal(), at(2026, 11, 20, 9)))
