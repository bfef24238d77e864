"""Signals for reviewers: shingles and the Jaccard similarity they are compared by."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from tests.unit.signals_support import (
    EDUCATION_MEETING,
    MON,
    OLD_ESTATES,
    logged,
)
from worklog.compliance.signals import (
    day_shingles,
    jaccard,
    shingles,
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
