"""Signals for reviewers: near-duplicate days and colleagues, near-empty days, bulk back-filling."""

from __future__ import annotations

import itertools
import random
import string
import time
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worklog.clock import SHANGHAI
from worklog.compliance.signals import (
    MESSAGES,
    STOCK_PHRASES,
    LoggedDay,
    SignalSettings,
    bulk_backfill,
    day_shingles,
    jaccard,
    near_duplicate_colleagues,
    near_duplicate_days,
    near_empty,
    shingles,
    signals_for_week,
)
from worklog.models.reviews import Signal, SignalKind

# The week under review: Monday 16 to Sunday 22 November 2026.
MON, TUE, WED, THU, FRI = (date(2026, 11, d) for d in range(16, 21))

EDUCATION_MEETING = "上午召开全区教育系统安全工作会议，部署冬季校园消防排查"
OLD_ESTATES = "下午赴春熙路街道督导老旧小区改造项目，协调解决电梯加装问题3个"
SAFETY_SWEEP = "带队检查辖区餐饮企业燃气使用情况，排查隐患8处，现场督促整改"
SAFETY_SWEEP_AGAIN = "带队检查辖区餐饮企业燃气使用情况，排查隐患12处，现场督促整改"
PETITIONS = "接待群众来访5批次，对物业纠纷问题当场答复，其余转相关部门限期办理"
BUDGET = "审核2027年部门预算草案，与财政局对接专项资金绩效目标"
FLOOD_REVIEW = "参加区防汛抗旱指挥部年度总结会，汇报本单位汛期值守和物资储备情况"


def evening(day: date, minute: int = 0) -> datetime:
    """A first save on the evening of the day itself (on time)."""
    return datetime(day.year, day.month, day.day, 20, 0, tzinfo=SHANGHAI) + timedelta(minutes=minute)


def logged(
    cadre_id: str, day: date, *texts: str, saved: datetime | None = None, late: bool = False
) -> LoggedDay:
    return LoggedDay(
        cadre_id=cadre_id,
        day=day,
        texts=texts,
        first_saved_at=saved if saved is not None else evening(day),
        late=late,
    )


# --- shingles and Jaccard -----------------------------------------------------------------------


def test_identical_texts_have_jaccard_one() -> None:
    a = shingles(OLD_ESTATES)
    assert jaccard(a, shingles(OLD_ESTATES)) == 1.0


def test_texts_with_no_shingle_in_common_have_jaccard_zero() -> None:
    assert jaccard(shingles(EDUCATION_MEETING), shingles("接待群众来访5批次")) == 0.0


def test_two_empty_shingle_sets_have_jaccard_zero() -> None:
    assert jaccard(frozenset(), frozenset()) == 0.0


def test_a_text_shorter_than_the_shingle_size_is_its_own_shingle() -> None:
    assert shingles("无。") == frozenset({"无"})
    assert shingles("  ，。") == frozenset()


def test_full_width_forms_and_case_do_not_change_shingles() -> None:
    assert shingles("ＡＢＣ检查１２处") == shingles("abc检查12处")


def test_a_day_is_shingled_over_all_its_items_joined() -> None:
    day = logged("c1", MON, "召开会议", "部署排查")
    assert day_shingles(day, 3) == shingles("召开会议部署排查")


_SHINGLE_SETS = st.frozensets(st.text(alphabet="安全检查会议部署", min_size=1, max_size=3), max_size=12)


@given(_SHINGLE_SETS, _SHINGLE_SETS)
def test_jaccard_is_symmetric_and_between_zero_and_one(a: frozenset[str], b: frozenset[str]) -> None:
    assert jaccard(a, b) == jaccard(b, a)
    assert 0.0 <= jaccard(a, b) <= 1.0


@given(_SHINGLE_SETS.filter(bool))
def test_a_non_empty_set_is_fully_similar_to_itself(a: frozenset[str]) -> None:
    assert jaccard(a, a) == 1.0


_WORDS = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
        st.sampled_from(string.ascii_letters + string.digits),
    ),
    max_size=40,
)
_SEPARATORS = " \t\n\u3000，。、；：！？“”‘’（）《》【】…—·,.;:!?'\"()[]{}-_/+*%#@&~"


@given(st.data(), st.integers(min_value=1, max_value=5))
def test_inserting_spaces_or_punctuation_does_not_change_shingles(data: st.DataObject, size: int) -> None:
    text = data.draw(_WORDS)
    insertions = data.draw(
        st.lists(
            st.tuples(st.integers(0, len(text)), st.text(alphabet=_SEPARATORS, min_size=1, max_size=3)),
            max_size=8,
        )
    )
    noisy = text
    for position, separator in sorted(insertions, reverse=True):
        noisy = noisy[:position] + separator + noisy[position:]
    assert shingles(noisy, size) == shingles(text, size)


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

FRIDAY_NIGHT = datetime(2026, 11, 20, 22, 5, tzinfo=SHANGHAI)


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
