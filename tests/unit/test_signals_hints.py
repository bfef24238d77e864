"""Signals for reviewers: near-empty days, bulk back-filling, one cadre's week and the hint itself."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from tests.unit.signals_support import (
    BUDGET,
    EDUCATION_MEETING,
    FLOOD_REVIEW,
    FRI,
    FRIDAY_NIGHT,
    MON,
    OLD_ESTATES,
    PETITIONS,
    SAFETY_SWEEP,
    SAFETY_SWEEP_AGAIN,
    THU,
    TUE,
    WED,
    logged,
)
from worklog.clock import SHANGHAI
from worklog.compliance.signals import (
    MESSAGES,
    STOCK_PHRASES,
    LoggedDay,
    bulk_backfill,
    near_empty,
    signals_for_week,
)
from worklog.models.reviews import Signal, SignalKind

# --- near-empty ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["无", "同上", "同上。", " 无 "])
def test_a_day_of_only_a_stock_phrase_is_near_empty(text: str) -> None:
    (signal,) = near_empty([logged("c1", MON, text)])
    assert signal.kind is SignalKind.NEAR_EMPTY
    assert signal.days == [MON] and signal.score is None
    assert "常用语" in signal.message


def test_a_day_of_several_stock_phrases_is_near_empty_even_when_long_enough() -> None:
    day = logged("c1", MON, "处理日常事务", "参加会议", "正常工作", "同上")
    (signal,) = near_empty([day])
    assert (
        signal.message
        == "11月16日的日志仅有常用语（“处理日常事务”、“参加会议”、“正常工作”、“同上”），可关注具体工作内容"
    )


def test_a_day_with_too_few_meaningful_characters_is_near_empty() -> None:
    (signal,) = near_empty([logged("c1", MON, "开了个会。", "看文件")])
    assert signal.message == "11月16日的日志内容较少（有效字数 7，参考下限 15）"


def test_a_day_without_items_is_near_empty() -> None:
    assert [s.days for s in near_empty([logged("c1", MON)])] == [[MON]]


def test_a_normal_thirty_character_line_is_not_near_empty() -> None:
    assert len(OLD_ESTATES) >= 30
    assert near_empty([logged("c1", MON, OLD_ESTATES)]) == []


def test_a_stock_phrase_beside_real_work_is_not_near_empty() -> None:
    assert near_empty([logged("c1", MON, "参加会议", EDUCATION_MEETING)]) == []


def test_the_stock_phrases_are_themselves_near_empty() -> None:
    days = [logged("c1", date(2026, 11, 1) + timedelta(days=i), p) for i, p in enumerate(STOCK_PHRASES)]
    assert len(near_empty(days)) == len(STOCK_PHRASES)


# --- bulk back-filling --------------------------------------------------------------------------


def test_four_days_saved_within_minutes_on_friday_night_with_three_late_are_one_signal() -> None:
    days = [
        logged("c1", MON, OLD_ESTATES),
        logged("c1", TUE, SAFETY_SWEEP, saved=FRIDAY_NIGHT, late=True),
        logged("c1", WED, PETITIONS, saved=FRIDAY_NIGHT + timedelta(minutes=3), late=True),
        logged("c1", THU, BUDGET, saved=FRIDAY_NIGHT + timedelta(minutes=6), late=True),
        logged("c1", FRI, FLOOD_REVIEW, saved=FRIDAY_NIGHT + timedelta(minutes=9)),
    ]

    signals = bulk_backfill(days)

    assert len(signals) == 1
    signal = signals[0]
    assert signal.kind is SignalKind.BULK_BACKFILL
    assert signal.cadre_id == "c1" and signal.days == [TUE, WED, THU, FRI]
    assert signal.message == (
        "11月17日、11月18日、11月19日、11月20日共 4 天的日志于 11月20日 22:05至22:14 集中首次保存，"
        "其中 3 天为补记"
    )


def test_the_same_days_each_saved_on_their_own_evening_are_not_flagged() -> None:
    days = [logged("c1", day, OLD_ESTATES) for day in (TUE, WED, THU, FRI)]
    assert bulk_backfill(days) == []


def test_two_days_saved_together_are_not_a_bulk_backfill() -> None:
    days = [
        logged("c1", THU, BUDGET, saved=FRIDAY_NIGHT, late=True),
        logged("c1", FRI, FLOOD_REVIEW, saved=FRIDAY_NIGHT + timedelta(minutes=2)),
    ]
    assert bulk_backfill(days) == []


def test_a_burst_with_no_late_day_is_not_flagged() -> None:
    # Holiday entries are never late: saving three of them at once is no back-fill.
    moment = datetime(2026, 10, 3, 21, 0, tzinfo=SHANGHAI)
    days = [
        logged("c1", date(2026, 10, d), OLD_ESTATES, saved=moment + timedelta(minutes=d)) for d in (1, 2, 3)
    ]
    assert bulk_backfill(days) == []


def test_saves_spread_over_more_than_the_window_are_not_one_burst() -> None:
    days = [
        logged("c1", day, OLD_ESTATES, saved=FRIDAY_NIGHT + timedelta(minutes=20 * i), late=True)
        for i, day in enumerate((MON, TUE, WED))
    ]
    assert bulk_backfill(days) == []


def test_each_cadres_saves_are_looked_at_separately() -> None:
    days = [
        logged(cadre_id, day, OLD_ESTATES, saved=FRIDAY_NIGHT + timedelta(minutes=i), late=True)
        for i, (cadre_id, day) in enumerate([("c1", MON), ("c2", TUE), ("c3", WED)])
    ]
    assert bulk_backfill(days) == []


def test_a_naive_save_time_is_refused() -> None:
    with pytest.raises(ValueError):
        LoggedDay(
            cadre_id="c1", day=MON, texts=("无",), first_saved_at=datetime(2026, 11, 16, 20), late=False
        )


# --- one cadre's week ---------------------------------------------------------------------------


def test_a_week_lists_every_kind_of_hint_for_the_cadre_sorted_by_kind_then_day() -> None:
    own = [
        logged("me", MON, "同上"),
        logged("me", TUE, EDUCATION_MEETING, SAFETY_SWEEP, saved=FRIDAY_NIGHT, late=True),
        logged(
            "me",
            WED,
            EDUCATION_MEETING,
            SAFETY_SWEEP_AGAIN,
            saved=FRIDAY_NIGHT + timedelta(minutes=4),
            late=True,
        ),
        logged("me", THU, OLD_ESTATES, PETITIONS, saved=FRIDAY_NIGHT + timedelta(minutes=8), late=True),
    ]
    colleagues = [
        logged("zhang", THU, OLD_ESTATES, PETITIONS),
        logged("li", MON, BUDGET, FLOOD_REVIEW),
        logged("wang", MON, BUDGET, FLOOD_REVIEW),  # similar to li, not to me: not my hint
        *own,  # the unit's logs may include mine; I am not my own colleague
    ]

    signals = signals_for_week(own, colleagues)

    assert [(s.kind, s.days, s.other_cadre_id, s.other_day) for s in signals] == [
        (SignalKind.NEAR_DUPLICATE_DAYS, [WED], None, TUE),
        (SignalKind.NEAR_DUPLICATE_COLLEAGUES, [THU], "zhang", THU),
        (SignalKind.NEAR_EMPTY, [MON], None, None),
        (SignalKind.BULK_BACKFILL, [TUE, WED, THU], None, None),
    ]
    assert all(s.cadre_id == "me" for s in signals)


def test_a_colleague_hint_faces_the_cadre_under_review() -> None:
    own = [logged("zz", MON, OLD_ESTATES, PETITIONS)]
    colleagues = [logged("aa", TUE, OLD_ESTATES, PETITIONS)]

    (signal,) = signals_for_week(own, colleagues)

    assert (signal.cadre_id, signal.days, signal.other_cadre_id, signal.other_day) == ("zz", [MON], "aa", TUE)


def test_an_empty_week_has_no_hints() -> None:
    assert signals_for_week([], [logged("c2", MON, OLD_ESTATES)]) == []


def test_a_week_is_for_one_cadre_only() -> None:
    with pytest.raises(ValueError):
        signals_for_week([logged("c1", MON, OLD_ESTATES), logged("c2", MON, BUDGET)], [])


# --- the hint itself ----------------------------------------------------------------------------


def test_a_score_is_kept_to_two_decimals() -> None:
    signal = Signal(kind=SignalKind.NEAR_DUPLICATE_DAYS, cadre_id="c1", days=[TUE], score=0.91666, message="")
    assert signal.score == 0.92


@pytest.mark.parametrize("word", ["抄袭", "造假", "虚假", "敷衍", "违规", "弄虚作假", "应付"])
def test_messages_are_neutral_hints_not_accusations(word: str) -> None:
    assert all(word not in message for message in MESSAGES.values())
