"""The escalation ladder: when reminder talks and accountability cases open, and how a case moves."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worklog.calendar import WorkingCalendar
from worklog.compliance.ladder import (
    InvalidTransition,
    LadderSettings,
    add_evidence,
    case_id,
    close,
    countable,
    escalate,
    misses_in_window,
    needs_accountability,
    needs_reminder_talk,
    open_case,
    owner_role_for,
    record_talk,
    reviewer_needs_talk,
    talk_date_of,
    talk_due,
    window_start,
)
from worklog.errors import ValidationFailed
from worklog.models.cases import Case, CaseKind, CaseState, Subject
from worklog.periods import Quarter

CAL = WorkingCalendar()
AT = "2026-11-20T09:00:00+08:00"


def working_days_back(on: date, n: int) -> list[date]:
    """The last n working days ending on ``on``, newest first (a test oracle)."""
    days: list[date] = []
    d = on
    while len(days) < n:
        if CAL.is_working(d):
            days.append(d)
        d -= timedelta(days=1)
    return days


# --- reminder talks for misses -----------------------------------------------------------------


def test_given_3_misses_in_10_working_days_then_a_reminder_talk_is_due() -> None:
    on = date(2026, 11, 20)
    misses = [date(2026, 11, 10), date(2026, 11, 16), date(2026, 11, 20)]
    reason = needs_reminder_talk(misses, [], on, CAL)
    assert reason is not None
    assert "3次" in reason and "2026-11-10" in reason


def test_given_2_misses_in_10_working_days_then_no_talk() -> None:
    assert needs_reminder_talk([date(2026, 11, 16), date(2026, 11, 20)], [], date(2026, 11, 20), CAL) is None


def test_given_3_misses_spread_over_11_working_days_then_no_talk() -> None:
    on = date(2026, 11, 20)
    eleventh = working_days_back(on, 11)[-1]
    assert eleventh == date(2026, 11, 6)
    assert needs_reminder_talk([eleventh, date(2026, 11, 13), on], [], on, CAL) is None


def test_holidays_do_not_use_up_the_window() -> None:
    # Given Mid-Autumn and National Day 2026 inside the last 10 working days before Oct 14
    on = date(2026, 10, 14)
    assert window_start(on, 10, CAL) == date(2026, 9, 24)  # 20 calendar days back
    # When the misses straddle the holidays Then they all fall in the window
    misses = [date(2026, 9, 24), date(2026, 9, 30), date(2026, 10, 8)]
    assert misses_in_window(misses, on, 10, CAL) == misses
    assert needs_reminder_talk(misses, [], on, CAL) is not None
    # And one working day earlier is outside it
    assert needs_reminder_talk([date(2026, 9, 23), *misses[1:]], [], on, CAL) is None


def test_misses_after_the_checked_day_are_not_in_its_window() -> None:
    assert misses_in_window([date(2026, 11, 23)], date(2026, 11, 20), 10, CAL) == []


@given(
    st.sets(st.dates(min_value=date(2026, 9, 1), max_value=date(2026, 12, 31)), max_size=15),
    st.dates(min_value=date(2026, 10, 1), max_value=date(2026, 12, 31)),
    st.integers(min_value=1, max_value=25),
)
def test_the_window_holds_exactly_the_last_n_working_days(misses: set[date], on: date, n: int) -> None:
    window = working_days_back(on, n)
    expected = sorted(d for d in misses if d <= on and d >= window[-1])
    assert misses_in_window(misses, on, n, CAL) == expected


def test_a_window_must_hold_at_least_one_working_day() -> None:
    with pytest.raises(ValueError):
        misses_in_window([], date(2026, 11, 20), 0, CAL)


def test_thresholds_come_from_the_settings() -> None:
    strict = LadderSettings(misses_for_talk=2)
    assert needs_reminder_talk([date(2026, 11, 16), date(2026, 11, 20)], [], date(2026, 11, 20), CAL, strict)


# --- reminder talks for perfunctory verdicts ---------------------------------------------------


def test_given_2_perfunctory_verdicts_in_a_quarter_then_a_reminder_talk_is_due() -> None:
    reason = needs_reminder_talk([], [date(2026, 10, 12), date(2026, 12, 7)], date(2026, 12, 8), CAL)
    assert reason is not None and "2026年第4季度" in reason


def test_given_2_perfunctory_verdicts_in_different_quarters_then_no_talk() -> None:
    assert needs_reminder_talk([], [date(2026, 9, 28), date(2026, 10, 12)], date(2026, 10, 12), CAL) is None


def test_two_perfunctory_verdicts_on_one_day_are_two_verdicts() -> None:
    assert needs_reminder_talk([], [date(2026, 11, 16)] * 2, date(2026, 11, 20), CAL) is not None


def test_the_caller_may_name_the_quarter() -> None:
    last_quarter = Quarter(2026, 3)
    verdicts = [date(2026, 9, 7), date(2026, 9, 28)]
    assert needs_reminder_talk([], verdicts, date(2026, 10, 8), CAL) is None
    assert needs_reminder_talk([], verdicts, date(2026, 10, 8), CAL, quarter_of_on=last_quarter) is not None


def test_misses_and_verdicts_together_give_both_reasons() -> None:
    misses = [date(2026, 11, 16), date(2026, 11, 17), date(2026, 11, 18)]
    reason = needs_reminder_talk(misses, [date(2026, 10, 12)] * 2, date(2026, 11, 20), CAL)
    assert reason is not None and reason.count("；") == 1


def test_quarters_have_their_calendar_bounds() -> None:
    assert Quarter.of(date(2026, 2, 28)) == Quarter(2026, 1)
    assert (Quarter(2026, 1).first_day, Quarter(2026, 1).last_day) == (date(2026, 1, 1), date(2026, 3, 31))
    assert (Quarter(2026, 4).first_day, Quarter(2026, 4).last_day) == (date(2026, 10, 1), date(2026, 12, 31))
    assert Quarter(2026, 2).label == "2026-Q2"
    assert date(2026, 6, 30) in Quarter(2026, 2) and date(2026, 7, 1) not in Quarter(2026, 2)


# --- accountability ----------------------------------------------------------------------------

TALK = date(2026, 11, 2)


def test_given_a_talk_then_3_misses_within_20_working_days_call_for_accountability() -> None:
    misses = [date(2026, 11, 10), date(2026, 11, 18), date(2026, 11, 26)]
    reason = needs_accountability(misses, TALK, date(2026, 11, 26), CAL, falsification=False)
    assert reason is not None and "2026-11-02" in reason


def test_given_a_talk_then_2_misses_do_not() -> None:
    misses = [date(2026, 11, 10), date(2026, 11, 18)]
    assert needs_accountability(misses, TALK, date(2026, 11, 26), CAL, falsification=False) is None


def test_misses_on_or_before_the_talk_day_do_not_count() -> None:
    misses = [date(2026, 10, 29), TALK, date(2026, 11, 18), date(2026, 11, 26)]
    assert needs_accountability(misses, TALK, date(2026, 11, 26), CAL, falsification=False) is None


def test_misses_after_the_20_working_days_following_the_talk_do_not_count() -> None:
    last = CAL.add_working_days(TALK, 20)
    assert last == date(2026, 11, 30)
    misses = [date(2026, 11, 10), last, last + timedelta(days=1)]
    assert needs_accountability(misses, TALK, date(2026, 12, 4), CAL, falsification=False) is None
    assert needs_accountability([*misses[:2], date(2026, 11, 27)], TALK, last, CAL, falsification=False)


def test_without_a_talk_misses_never_call_for_accountability() -> None:
    misses = [date(2026, 11, 16), date(2026, 11, 17), date(2026, 11, 18)]
    assert needs_accountability(misses, None, date(2026, 11, 20), CAL, falsification=False) is None


def test_suspected_falsification_calls_for_accountability_immediately() -> None:
    assert needs_accountability([], None, date(2026, 11, 20), CAL, falsification=True) is not None
    assert needs_accountability([], TALK, date(2026, 11, 3), CAL, falsification=True) is not None


# --- reviewers ---------------------------------------------------------------------------------


def test_given_a_reviewer_with_2_overdue_weeks_in_a_quarter_then_a_talk_is_due() -> None:
    reason = reviewer_needs_talk(
        [date(2026, 10, 12), date(2026, 11, 9)], date(2026, 11, 23), LadderSettings()
    )
    assert reason is not None and "2周" in reason


def test_one_week_overdue_many_times_is_one_week() -> None:
    assert reviewer_needs_talk([date(2026, 11, 9)] * 5, date(2026, 11, 23), LadderSettings()) is None


def test_overdue_weeks_in_different_quarters_do_not_add_up() -> None:
    assert reviewer_needs_talk([date(2026, 9, 21), date(2026, 10, 12)], date(2026, 10, 19)) is None


# --- provisional days and due dates ------------------------------------------------------------


def test_countable_drops_provisional_days() -> None:
    flagged = [(date(2027, 1, 4), True), (date(2026, 12, 31), False), (date(2026, 12, 30), False)]
    assert countable(flagged) == [date(2026, 12, 30), date(2026, 12, 31)]


def test_misses_in_a_provisional_year_never_open_a_talk_once_filtered() -> None:
    days = [date(2027, 3, 1), date(2027, 3, 2), date(2027, 3, 3)]
    flagged = [(d, CAL.day(d).provisional) for d in days]
    assert needs_reminder_talk(countable(flagged), [], date(2027, 3, 3), CAL) is None


def test_a_talk_is_due_5_working_days_after_opening() -> None:
    assert talk_due(date(2026, 11, 20), CAL) == date(2026, 11, 27)
    assert talk_due(date(2026, 9, 28), CAL, LadderSettings()) == date(2026, 10, 10)  # across National Day


# --- cases -------------------------------------------------------------------------------------


def talk_case() -> Case:
    return open_case(
        CaseKind.REMINDER_TALK,
        Subject.LOGGING,
        "c0001",
        opened_on=date(2026, 11, 20),
        at=AT,
        reason="近10个工作日内3次未按时填写",
        evidence=["MISSING#c0001#ENTRY#2026-11-16", "MISSING#c0001#ENTRY#2026-11-17"],
        due=date(2026, 11, 27),
        owner_unit_id="u01",
    )


def accountability_case() -> Case:
    return open_case(
        CaseKind.ACCOUNTABILITY,
        Subject.LOGGING,
        "c0001",
        opened_on=date(2026, 11, 20),
        at=AT,
        reason="涉嫌造假",
    )


def test_case_ids_are_deterministic() -> None:
    assert case_id(CaseKind.REMINDER_TALK, Subject.LOGGING, "c0001", date(2026, 11, 20)) == (
        "RT-LOG-c0001-2026-11-20"
    )
    assert case_id(CaseKind.ACCOUNTABILITY, Subject.REVIEWING, "h01", date(2026, 11, 20)) == (
        "AC-REV-h01-2026-11-20"
    )
    assert talk_case() == talk_case()


def test_an_opened_case_has_its_owner_and_one_history_event() -> None:
    case = talk_case()
    assert case.case_id == "RT-LOG-c0001-2026-11-20"
    assert case.state is CaseState.OPEN
    assert case.owner_role == "unit_head"
    assert [e.action for e in case.history] == ["opened"]
    assert accountability_case().owner_role == "discipline_inspector"


def test_owners_follow_who_reviews_whom() -> None:
    assert owner_role_for(CaseKind.REMINDER_TALK, Subject.LOGGING) == "unit_head"
    assert owner_role_for(CaseKind.REMINDER_TALK, Subject.LOGGING, of_unit_head=True) == "district_leader"
    assert owner_role_for(CaseKind.REMINDER_TALK, Subject.REVIEWING) == "district_leader"
    assert owner_role_for(CaseKind.ACCOUNTABILITY, Subject.REVIEWING) == "discipline_inspector"


def test_recording_a_talk_moves_open_to_talk_recorded_and_keeps_what_was_said() -> None:
    case = talk_case()
    after = record_talk(
        case, at=AT, by="h01", talk_date=date(2026, 11, 20), said="要求按时填写", response="接受"
    )
    assert after.state is CaseState.TALK_RECORDED
    assert after.history[-1].details == {
        "talk_date": "2026-11-20",
        "said": "要求按时填写",
        "response": "接受",
    }
    assert talk_date_of(after) == date(2026, 11, 20)
    assert talk_date_of(case) is None
    assert case.state is CaseState.OPEN  # the original is untouched


def test_a_talk_cannot_be_recorded_on_an_accountability_case() -> None:
    with pytest.raises(InvalidTransition):
        record_talk(
            accountability_case(), at=AT, by="h01", talk_date=date(2026, 11, 20), said="谈话", response=""
        )


def test_a_talk_cannot_be_recorded_twice() -> None:
    once = record_talk(talk_case(), at=AT, by="h01", talk_date=date(2026, 11, 20), said="谈话", response="")
    with pytest.raises(InvalidTransition) as raised:
        record_talk(once, at=AT, by="h01", talk_date=date(2026, 11, 20), said="谈话", response="")
    assert raised.value.status == 409 and "已谈话" in raised.value.message


@pytest.mark.parametrize(
    ("talk_date", "said"),
    [(date(2026, 11, 19), "谈话"), (date(2026, 11, 21), "谈话"), (date(2026, 11, 20), "  ")],
    ids=["before_opening", "in_the_future", "nothing_said"],
)
def test_a_talk_needs_a_plausible_date_and_content(talk_date: date, said: str) -> None:
    with pytest.raises(ValidationFailed):
        record_talk(talk_case(), at=AT, by="h01", talk_date=talk_date, said=said, response="")


def test_escalation_moves_open_or_talk_recorded_to_escalated() -> None:
    talked = record_talk(talk_case(), at=AT, by="h01", talk_date=date(2026, 11, 20), said="谈话", response="")
    for case in (talk_case(), talked):
        assert escalate(case, at=AT, by="system", reason="谈话后仍多次缺报").state is CaseState.ESCALATED


def test_an_accountability_case_cannot_be_escalated() -> None:
    with pytest.raises(InvalidTransition):
        escalate(accountability_case(), at=AT, by="system", reason="再升级")


def test_closing_needs_a_reason() -> None:
    with pytest.raises(ValidationFailed) as raised:
        close(talk_case(), at=AT, by="h01", reason="   ")
    assert raised.value.code == "reason_required"
    assert close(talk_case(), at=AT, by="h01", reason=" 已整改 ").history[-1].note == "已整改"


def test_a_closed_case_stays_closed() -> None:
    closed = close(talk_case(), at=AT, by="h01", reason="已整改")
    with pytest.raises(InvalidTransition):
        close(closed, at=AT, by="h01", reason="再次办结")
    with pytest.raises(InvalidTransition):
        escalate(closed, at=AT, by="h01", reason="升级")
    with pytest.raises(InvalidTransition):
        add_evidence(closed, at=AT, by="system", evidence=["x"])


def test_an_escalated_case_can_still_be_closed() -> None:
    escalated = escalate(talk_case(), at=AT, by="system", reason="升级")
    assert close(escalated, at=AT, by="d01", reason="已移交问责").state is CaseState.CLOSED


def test_adding_evidence_twice_records_it_once() -> None:
    case = talk_case()
    once = add_evidence(case, at=AT, by="system", evidence=["MISSING#c0001#ENTRY#2026-11-18"])
    twice = add_evidence(once, at=AT, by="system", evidence=["MISSING#c0001#ENTRY#2026-11-18"])
    assert twice is once
    assert once.evidence[-1] == "MISSING#c0001#ENTRY#2026-11-18"
    assert [e.action for e in once.history] == ["opened", "evidence_added"]


def test_an_event_needs_an_iso_timestamp() -> None:
    with pytest.raises(ValueError):
        close(talk_case(), at="yesterday", by="h01", reason="已整改")


ACTIONS = st.sampled_from(["talk", "escalate", "close", "evidence"])


@given(st.booleans(), st.lists(ACTIONS, max_size=8))
def test_every_legal_move_appends_one_event_and_keeps_the_history_before_it(
    reminder: bool, actions: list[str]
) -> None:
    case = talk_case() if reminder else accountability_case()
    for n, action in enumerate(actions):
        before = case
        snapshot = before.model_dump()
        try:
            if action == "talk":
                after = record_talk(
                    before, at=AT, by="h01", talk_date=date(2026, 11, 20), said="谈话", response=""
                )
            elif action == "escalate":
                after = escalate(before, at=AT, by="system", reason="升级")
            elif action == "close":
                after = close(before, at=AT, by="h01", reason="办结")
            else:
                after = add_evidence(before, at=AT, by="system", evidence=[f"K{n}"])
        except InvalidTransition:
            assert before.model_dump() == snapshot
            continue
        assert len(after.history) == len(before.history) + 1
        assert after.history[: len(before.history)] == before.history
        assert before.model_dump() == snapshot
        assert before.state is not CaseState.CLOSED
        case = after
    assert case.history[0].action == "opened"


LEGAL_MOVES = {
    CaseState.OPEN: {"talk", "escalate", "close", "evidence"},
    CaseState.TALK_RECORDED: {"escalate", "close", "evidence"},
    CaseState.ESCALATED: {"close", "evidence"},
    CaseState.CLOSED: set[str](),
}


@given(st.lists(ACTIONS, max_size=8))
def test_a_reminder_talk_allows_exactly_the_ladders_moves(actions: list[str]) -> None:
    case = talk_case()
    for n, action in enumerate(actions):
        state = case.state
        try:
            if action == "talk":
                case = record_talk(
                    case, at=AT, by="h01", talk_date=date(2026, 11, 20), said="谈话", response=""
                )
            elif action == "escalate":
                case = escalate(case, at=AT, by="system", reason="升级")
            elif action == "close":
                case = close(case, at=AT, by="h01", reason="办结")
            else:
                case = add_evidence(case, at=AT, by="system", evidence=[f"K{n}"])
        except InvalidTransition:
            assert action not in LEGAL_MOVES[state]
        else:
            assert action in LEGAL_MOVES[state]
