"""Signals for reviewers: near-duplicate days of one cadre and near-duplicate colleagues."""

from __future__ import annotations

import itertools
import random
import time
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tests.unit.signals_support import (
    BUDGET,
    EDUCATION_MEETING,
    FLOOD_REVIEW,
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
from worklog.compliance.signals import (
    LoggedDay,
    SignalSettings,
    day_shingles,
    jaccard,
    near_duplicate_colleagues,
    near_duplicate_days,
    near_empty,
)
from worklog.models.reviews import SignalKind

# --- near-duplicate days of one cadre -----------------------------------------------------------


def test_a_copied_day_with_one_number_changed_is_flagged_against_the_earlier_day() -> None:
    days = [
        logged("c1", TUE, EDUCATION_MEETING, SAFETY_SWEEP),
        logged("c1", WED, EDUCATION_MEETING, SAFETY_SWEEP_AGAIN),
    ]

    signals = near_duplicate_days(days)

    assert len(signals) == 1
    signal = signals[0]
    assert signal.kind is SignalKind.NEAR_DUPLICATE_DAYS
    assert (signal.cadre_id, signal.days, signal.other_day) == ("c1", [WED], TUE)
    assert signal.score is not None and 0.8 <= signal.score < 1.0
    assert signal.message == f"11月18日与11月17日的日志内容高度相似（相似度 {signal.score:.2f}）"


def test_genuinely_different_days_are_not_flagged() -> None:
    days = [
        logged("c1", MON, EDUCATION_MEETING, BUDGET),
        logged("c1", TUE, OLD_ESTATES, PETITIONS),
        logged("c1", WED, SAFETY_SWEEP, FLOOD_REVIEW),
    ]
    assert near_duplicate_days(days) == []


def test_each_pair_of_days_is_reported_once_most_similar_first() -> None:
    days = [
        logged("c1", WED, EDUCATION_MEETING, SAFETY_SWEEP_AGAIN),
        logged("c1", MON, EDUCATION_MEETING, SAFETY_SWEEP),
        logged("c1", TUE, EDUCATION_MEETING, SAFETY_SWEEP),
    ]

    signals = near_duplicate_days(days)

    assert [(s.days, s.other_day) for s in signals] == [([TUE], MON), ([WED], MON), ([WED], TUE)]
    assert signals[0].score == 1.0
    assert signals[1].score == signals[2].score
    assert signals[1].score is not None and signals[1].score < 1.0


def test_days_of_different_cadres_are_not_compared_as_one_cadres_days() -> None:
    days = [logged("c1", MON, OLD_ESTATES, PETITIONS), logged("c2", TUE, OLD_ESTATES, PETITIONS)]
    assert near_duplicate_days(days) == []


def test_near_empty_days_are_not_reported_as_duplicates_of_each_other() -> None:
    days = [logged("c1", MON, "无"), logged("c1", TUE, "无")]
    assert near_duplicate_days(days) == []
    assert [s.days for s in near_empty(days)] == [[MON], [TUE]]


def test_a_changed_copy_below_a_stricter_threshold_is_not_flagged() -> None:
    days = [logged("c1", TUE, SAFETY_SWEEP), logged("c1", WED, SAFETY_SWEEP_AGAIN)]
    assert near_duplicate_days(days, SignalSettings(duplicate_threshold=0.99)) == []


# --- near-duplicate colleagues ------------------------------------------------------------------


def test_two_colleagues_with_the_same_text_are_flagged_once() -> None:
    days = [logged("c2", MON, OLD_ESTATES, PETITIONS), logged("c1", MON, OLD_ESTATES, PETITIONS)]

    signals = near_duplicate_colleagues(days)

    assert len(signals) == 1
    signal = signals[0]
    assert signal.kind is SignalKind.NEAR_DUPLICATE_COLLEAGUES
    assert (signal.cadre_id, signal.days, signal.other_cadre_id, signal.other_day) == ("c1", [MON], "c2", MON)
    assert signal.score == 1.0
    assert signal.message == "11月16日的日志与同单位 c2 同日的日志内容高度相似（相似度 1.00）"


def test_colleagues_are_compared_across_different_days() -> None:
    days = [
        logged("c1", MON, EDUCATION_MEETING, SAFETY_SWEEP),
        logged("c2", THU, EDUCATION_MEETING, SAFETY_SWEEP),
    ]

    (signal,) = near_duplicate_colleagues(days)

    assert (signal.cadre_id, signal.days, signal.other_cadre_id, signal.other_day) == ("c1", [MON], "c2", THU)
    assert "11月19日" in signal.message


def test_a_cadre_is_never_compared_with_themself_in_the_colleague_check() -> None:
    days = [logged("c1", MON, OLD_ESTATES, PETITIONS), logged("c1", TUE, OLD_ESTATES, PETITIONS)]
    assert near_duplicate_colleagues(days) == []


def test_colleagues_with_different_work_are_not_flagged() -> None:
    days = [logged("c1", MON, EDUCATION_MEETING, BUDGET), logged("c2", MON, OLD_ESTATES, PETITIONS)]
    assert near_duplicate_colleagues(days) == []


_FRAGMENTS = (
    EDUCATION_MEETING,
    OLD_ESTATES,
    SAFETY_SWEEP,
    SAFETY_SWEEP_AGAIN,
    PETITIONS,
    BUDGET,
    FLOOD_REVIEW,
    "上午召开全区教育系统安全工作会议，部署春季校园食品安全检查",
    "下午赴春熙路街道督导老旧小区改造项目，协调解决电梯加装问题5个",
)


@st.composite
def _unit_logs(draw: st.DrawFn) -> list[LoggedDay]:
    """A small unit whose days reuse a few realistic lines, so similarities near the threshold occur."""
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(["c1", "c2", "c3", "c4"]), st.sampled_from([MON, TUE, WED])),
            min_size=2,
            max_size=10,
            unique=True,
        )
    )
    items = st.lists(st.sampled_from(_FRAGMENTS), min_size=1, max_size=3)
    return [logged(cadre_id, day, *draw(items)) for cadre_id, day in keys]


@given(_unit_logs(), st.sampled_from([0.5, 0.7, 0.8, 0.9, 1.0]), st.randoms(use_true_random=False))
def test_the_indexed_colleague_search_finds_exactly_the_pairs_a_full_comparison_finds(
    days: list[LoggedDay], threshold: float, rnd: random.Random
) -> None:
    settings = SignalSettings(duplicate_threshold=threshold)
    assert near_empty(days, settings) == []  # every fragment is long enough to be compared
    expected = set()
    for a, b in itertools.combinations(days, 2):
        score = jaccard(day_shingles(a, 3), day_shingles(b, 3))
        if a.cadre_id != b.cadre_id and score >= threshold:
            expected.add(frozenset({(a.cadre_id, a.day), (b.cadre_id, b.day)}))

    shuffled = list(days)
    rnd.shuffle(shuffled)
    signals = near_duplicate_colleagues(shuffled, settings)

    found = [frozenset({(s.cadre_id, s.days[0]), (s.other_cadre_id, s.other_day)}) for s in signals]
    assert len(found) == len(set(found))
    assert set(found) == expected
    assert signals == near_duplicate_colleagues(days, settings)


_PLACES = (
    "春熙路街道",
    "合江亭街道",
    "牛市口街道",
    "东光街道",
    "莲新街道",
    "书院街街道",
    "督院街街道",
    "盐市口街道",
)
_TOPICS = (
    "老旧小区改造",
    "背街小巷整治",
    "燃气安全检查",
    "校园周边环境治理",
    "防汛物资储备",
    "重点项目推进",
    "营商环境优化",
    "信访积案化解",
    "垃圾分类工作",
    "社区养老服务",
    "消防通道清理",
    "农贸市场提升",
)
_ACTIONS = ("督导", "调研", "检查", "协调推进", "实地查看", "专题研究", "走访了解", "部署落实")
_OUTCOMES = (
    "协调解决问题{n}个",
    "排查隐患{n}处",
    "现场督促整改{n}项",
    "收集意见建议{n}条",
    "形成工作台账{n}份",
    "约谈相关负责人{n}人",
)
_TIMES = ("上午", "下午", "全天", "晚上")


def _realistic_item(rnd: random.Random) -> str:
    return (
        f"{rnd.choice(_TIMES)}赴{rnd.choice(_PLACES)}{rnd.choice(_ACTIONS)}{rnd.choice(_TOPICS)}工作，"
        f"{rnd.choice(_OUTCOMES).format(n=rnd.randint(1, 30))}"
    )


def test_a_unit_of_sixty_cadres_over_a_week_is_compared_quickly() -> None:
    # Given 60 cadres x 7 days of varied, realistic lines, plus one text copied by five colleagues
    rnd = random.Random(20261116)
    week = [date(2026, 11, 16) + timedelta(days=offset) for offset in range(7)]
    days = [
        logged(f"c{n:02d}", day, *(_realistic_item(rnd) for _ in range(rnd.randint(2, 4))))
        for n in range(60)
        for day in week
    ]
    shared_text = (_realistic_item(rnd), _realistic_item(rnd), _realistic_item(rnd))
    days = [
        logged(d.cadre_id, d.day, *shared_text) if d.day == WED and d.cadre_id < "c05" else d for d in days
    ]

    # When the colleague check runs over all 420 logs
    started = time.perf_counter()
    signals = near_duplicate_colleagues(days)
    elapsed = time.perf_counter() - started

    # Then it finishes well within the bound and finds the ten pairs among the five copies
    assert elapsed < 2.0, f"near_duplicate_colleagues took {elapsed:.2f}s for 420 logs"
    copied = {
        frozenset({s.cadre_id, s.other_cadre_id})
        for s in signals
        if s.days == [WED] and s.other_day == WED and s.score == 1.0
    }
    assert len(copied) == 10
