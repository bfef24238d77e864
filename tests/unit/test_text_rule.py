"""The one rule for text a client sends (worklog.text, applied by ONE_LINE / MULTI_LINE): control,
bidirectional and invisible format characters are refused naming the code point; ordinary text is
kept as it was sent."""

from __future__ import annotations

import types
import typing
import unicodedata
from typing import Annotated, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, StringConstraints, ValidationError

from worklog.models import audits, calendar, cases, entries, notices, reviews
from worklog.models.common import MULTI_LINE, ONE_LINE

ZWJ = "\u200d"

# Every character the issue names, and samples of the classes it names.
NAMED = [
    "\x00",  # NUL
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",  # C1
    "\x9b",
    "\u061c",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2060",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\ufeff",
    "\u00ad",  # soft hyphen (Cf)
    "\u2028",
    "\u2029",
    "\ud800",  # a lone surrogate, as JSON "\ud800" decodes
    "\udfff",
    "\ufdd0",  # noncharacters
    "\ufffe",
    "\U0010ffff",
    "\U000e0001",  # language tag (Cf)
]


class Line(BaseModel):
    text: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000), ONE_LINE]


class Prose(BaseModel):
    text: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000), MULTI_LINE]


def _emoji(char: str) -> bool:
    return char == "\ufe0f" or 0x1F3FB <= ord(char) <= 0x1F3FF or unicodedata.category(char) == "So"


def allowed_in(text: str, *, multiline: bool) -> bool:
    """The rule, stated independently of worklog.text: what may be in an accepted text."""
    for i, char in enumerate(text):
        cp = ord(char)
        if multiline and char in "\n\t":
            continue
        if char == "\r":
            return False  # never stored: multi-line text keeps LF only
        if (
            char == ZWJ
            and 0 < i < len(text) - 1
            and _emoji(text[i - 1])
            and unicodedata.category(text[i + 1]) == "So"
        ):
            continue
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            return False
        if 0xFDD0 <= cp <= 0xFDEF or cp & 0xFFFE == 0xFFFE:
            return False
    return True


any_text = st.text(
    st.one_of(st.characters(exclude_categories=()), st.sampled_from([*NAMED, "\r", "\n", "\t", " "])),
    max_size=40,
)

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
PUNCT = st.sampled_from(list("，。、；：？！“”‘’（）《》【】—…·％＋－×÷　"))
EMOJI = st.sampled_from(["👍", "✅", "📌", "❤️", "🎉", "👨‍💻", "🏳️‍🌈", "👩🏻‍🏫", "1️⃣"])
WORD = st.one_of(CJK, ASCII, PUNCT, EMOJI)


def ordinary(*, multiline: bool) -> st.SearchStrategy[str]:
    """Chinese and English text with punctuation and emoji (and line breaks and tabs if multi-line),
    without blanks at the ends (those are trimmed)."""
    breaks = st.sampled_from(["\n", "\n\n", "\t"]) if multiline else st.nothing()
    return (
        st.lists(st.one_of(WORD, breaks), min_size=1, max_size=60)
        .map("".join)
        .filter(lambda t: t == t.strip())
    )


@settings(max_examples=400)
@given(any_text)
def test_no_accepted_text_contains_a_forbidden_character(text: str) -> None:
    for model, multiline in ((Line, False), (Prose, True)):
        try:
            accepted = model(text=text).text
        except ValidationError:
            continue
        assert allowed_in(accepted, multiline=multiline), (model.__name__, accepted)


@settings(max_examples=300)
@given(ordinary(multiline=True))
def test_ordinary_multi_line_text_is_accepted_unchanged(text: str) -> None:
    assert Prose(text=text).text == text


@settings(max_examples=300)
@given(ordinary(multiline=False))
def test_ordinary_single_line_text_is_accepted_unchanged(text: str) -> None:
    assert Line(text=text).text == text


@settings(max_examples=300)
@given(ordinary(multiline=False), st.sampled_from(NAMED), st.integers(min_value=0))
def test_a_forbidden_character_anywhere_is_refused_naming_field_and_code_point(
    text: str, bad: str, where: int
) -> None:
    at = where % (len(text) + 1)
    sent = text[:at] + bad + text[at:]
    if bad == ZWJ and allowed_in(sent, multiline=True):
        return  # it landed between two emoji: the joiner of a pictographic sequence
    for model in (Line, Prose):
        with pytest.raises(ValidationError) as caught:
            model(text=sent)
        [error] = caught.value.errors()
        assert error["loc"] == ("text",) and error["type"] == "forbidden_character"
        # (inserted next to an emoji's joiner, it may orphan the joiner, which then comes first)
        named = {f"U+{ord(bad):04X}"} | ({"U+200D"} if ZWJ in text else set())
        assert any(code in error["msg"] for code in named), error["msg"]


@pytest.mark.parametrize("bad", NAMED)
def test_every_character_the_issue_names_is_refused(bad: str) -> None:
    for model in (Line, Prose):
        with pytest.raises(ValidationError, match=f"U\\+{ord(bad):04X}"):
            model(text=f"正常文字{bad}正常文字")


@pytest.mark.parametrize("bad", ["\x00", "\u202e", "\u200b", "\x0b", "\u2028"])
def test_a_forbidden_character_at_the_end_is_refused_not_trimmed_away(bad: str) -> None:
    with pytest.raises(ValidationError):
        Prose(text="内容" + bad)
    with pytest.raises(ValidationError):
        Line(text=bad + "内容")


def test_multi_line_text_stores_crlf_and_lone_cr_as_lf() -> None:
    assert Prose(text="第一行\r\n第二行\r第三行\n第四行").text == "第一行\n第二行\n第三行\n第四行"


def test_a_single_line_refuses_line_breaks_and_tabs_inside_but_trims_them_at_the_ends() -> None:
    for inside in ("\n", "\r", "\t"):
        with pytest.raises(ValidationError):
            Line(text=f"副局长{inside}兼党组书记")
    assert Line(text="\t 副局长\r\n").text == "副局长"


def test_a_joiner_between_emoji_is_kept_but_not_between_letters() -> None:
    assert Prose(text="编程👨‍💻").text == "编程👨‍💻"
    with pytest.raises(ValidationError, match="U\\+200D"):
        Prose(text="张\u200d三")


# --- every text field of every request body carries the rule ------------------------------------
def _inputs() -> list[type[BaseModel]]:
    modules = (audits, calendar, cases, entries, notices, reviews)
    found = {
        obj
        for module in modules
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, BaseModel)
        and obj.__module__ == module.__name__
        and obj.model_config.get("extra") == "forbid"
        # Frozen models are values the system builds (a stored case, a reviewer's hint), not bodies.
        and not obj.model_config.get("frozen")
    }
    return sorted(found, key=lambda m: m.__name__)


def _str_parts(annotation: Any, metadata: list[Any]) -> list[list[Any]]:
    """The metadata of each plain str a field's annotation may hold (through Annotated and unions)."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        base, *more = typing.get_args(annotation)
        return _str_parts(base, [*metadata, *more])
    if origin in (typing.Union, types.UnionType):
        return [part for arg in typing.get_args(annotation) for part in _str_parts(arg, metadata)]
    return [metadata] if annotation is str else []


def _free_text_fields(model: type[BaseModel]) -> list[tuple[str, list[Any]]]:
    """(field, metadata) of every str a request body may carry that is not held to a pattern."""
    out = []
    for name, info in model.model_fields.items():
        for metadata in _str_parts(info.annotation, list(info.metadata)):
            if not any(getattr(m, "pattern", None) for m in metadata):
                out.append((f"{model.__name__}.{name}", metadata))
    return out


def test_every_free_text_field_of_a_request_body_refuses_forbidden_characters() -> None:
    fields = [f for model in _inputs() for f in _free_text_fields(model)]
    names = {name for name, _ in fields}
    # The doors the issue lists (a sanity check that the walk sees them).
    assert {
        "EntryItem.content",
        "EntryIn.mistakes",
        "EntryIn.reflections",
        "EntryIn.reason",
        "PlanItemIn.content",
        "PlanItemIn.target",
        "SummaryIn.achievements",
        "LeaveIn.note",
        "VerdictIn.comment",
        "FindingIn.note",
        "FindingIn.evidence_ref",
        "EvaluationIn.comment",
        "TalkIn.said",
        "TalkIn.response",
        "ReasonIn.reason",
        "AuditRequestIn.reason",
        "NoticeIn.current_post",
        "NoticeIn.proposed_post",
        "AnswerIn.answer",
        "FeedbackIn.content",
        "FeedbackIn.contact",
        "ScheduleIn.source",
    } <= names
    unguarded = [name for name, metadata in fields if ONE_LINE not in metadata and MULTI_LINE not in metadata]
    assert unguarded == []
