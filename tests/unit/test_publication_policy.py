"""The public site's policy: personal-data masking, public views of bodies, the publication delay."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from worklog.models.publication import INTERNAL_PLACEHOLDER, PublicationPolicy
from worklog.publish.policy import is_public_yet, public_entry, public_plan, public_reason, public_summary
from worklog.text import mask_personal_data

DEFAULT = PublicationPolicy()
UNMASKED = PublicationPolicy(mask_personal_data=False)

# --- examples -----------------------------------------------------------------------------------------


def test_mixed_example() -> None:
    text = (
        "联系人张三，电话13812345678，身份证号110101199003071234，"
        "邮箱zhang.san@example.com，卡号6222 0212 3456 7890 123"
    )
    assert mask_personal_data(text) == (
        "联系人张三，电话138****5678，身份证号1****************4，"
        "邮箱z***@example.com，卡号**** **** **** ***0 123"
    )


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("电话13812345678。", "电话138****5678。"),
        ("电话138 1234 5678。", "电话138 **** 5678。"),
        ("电话138-1234-5678。", "电话138-****-5678。"),
        ("电话+86 13912345678。", "电话+86 139****5678。"),
        ("电话+8615012345678。", "电话+86150****5678。"),
        ("电话86-199-8765-4321。", "电话86-199-****-4321。"),
        ("电话+86 138 1234 5678。", "电话+86 138 **** 5678。"),
        ("tel:13812345678;", "tel:138****5678;"),
    ],
)
def test_mobile_numbers(text: str, masked: str) -> None:
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("身份证号110101199003071234。", "身份证号1****************4。"),
        ("身份证号11010119900307123X。", "身份证号1****************X。"),
        ("身份证号11010119900307123x。", "身份证号1****************x。"),
        ("身份证号110101 19900307 1234。", "身份证号1***** ******** ***4。"),
        ("老身份证号110101900307123。", "老身份证号1*************3。"),
    ],
)
def test_id_card_numbers(text: str, masked: str) -> None:
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("邮箱zhang.san@example.com。", "邮箱z***@example.com。"),
        ("请发至 li_si+work@mail.gov.cn，谢谢", "请发至 l***@mail.gov.cn，谢谢"),
        ("QQ邮箱13812345678@qq.com", "QQ邮箱1***@qq.com"),
        ("a@b.cn", "a***@b.cn"),
    ],
)
def test_emails(text: str, masked: str) -> None:
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("卡号6222021234567890。", "卡号************7890。"),
        ("卡号6222 0212 3456 7890。", "卡号**** **** **** 7890。"),
        ("卡号6222-0212-3456-7890-123。", "卡号****-****-****-***0-123。"),
        ("卡号62220212345678901。", "卡号*************8901。"),
        ("卡号6222021234567890123。", "卡号***************0123。"),
    ],
)
def test_bank_cards(text: str, masked: str) -> None:
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "2026年11月20日召开会议",
        "2026-11-20 08:30 到岗",
        "拨付资金12345678元，合计1,234,567.89元",
        "区委办发〔2026〕15号",
        "流水号12345678901234567890123",
        "编号 1381234567890",
        "办公室电话010-6512 3456",
        "完成率 99.5%，共 138 人",
        "请@张三 跟进",
        "邮件地址写作 zhang(at)example.com",
    ],
)
def test_unchanged(text: str) -> None:
    assert mask_personal_data(text) == text


def test_overlaps_are_masked_again_until_stable() -> None:
    assert mask_personal_data("138 1234 5678 1234 5678 9012") == "138 **** **** **** **** 9012"
    assert mask_personal_data("138 1234 5678zhang@x.com") == "138 **** 5***@x.com"


# --- properties -------------------------------------------------------------------------------------

DIGITS = "0123456789"
chinese = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
# Surrounding text: Chinese, ASCII letters, punctuation; no digits and no '@'.
plain = st.text(st.one_of(chinese, st.sampled_from("abcXYZ xyz,.;:!?-+_()（）《》、，。")), max_size=20)
separated = st.tuples(plain, chinese, chinese, plain)


def _digits(n: int) -> st.SearchStrategy[str]:
    return st.text(st.sampled_from(DIGITS), min_size=n, max_size=n)


@st.composite
def mobiles(draw: st.DrawFn) -> tuple[str, str]:
    """A written mobile number and its expected masked form."""
    number = "1" + draw(st.sampled_from("3456789")) + draw(_digits(9))
    sep = draw(st.sampled_from(["", " ", "-"]))
    prefix = draw(st.sampled_from(["", "+86", "+86 ", "86", "86-"]))
    written = prefix + sep.join([number[:3], number[3:7], number[7:]])
    return written, prefix + sep.join([number[:3], "****", number[7:]])


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(_digits(15))
    number = draw(_digits(17)) + draw(st.sampled_from(DIGITS + "Xx"))
    sep = draw(st.sampled_from(["", " ", "-"]))
    return sep.join([number[:6], number[6:14], number[14:]])


@st.composite
def cards(draw: st.DrawFn) -> str:
    sep = draw(st.sampled_from(["", " ", "-"]))
    # A plain 18-digit run is an ID card number (masked differently): cards of 18 digits are grouped here.
    length = draw(st.sampled_from([16, 17, 19] if sep == "" else [16, 17, 18, 19]))
    number = draw(_digits(length))
    return sep.join(number[i : i + 4] for i in range(0, len(number), 4))


label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
emails = st.builds(
    lambda local, labels, tld: f"{local}@{'.'.join(labels)}.{tld}",
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._%+-]{0,15}", fullmatch=True),
    st.lists(label, min_size=1, max_size=3),
    st.sampled_from(["com", "cn", "gov.cn", "org", "net"]),
)


def _embedded(parts: tuple[str, str, str, str], secret: str) -> str:
    left, before, after, right = parts
    return f"{left}{before}{secret}{after}{right}"


@given(separated, mobiles())
def test_property_mobile(parts: tuple[str, str, str, str], mobile: tuple[str, str]) -> None:
    written, masked = mobile
    out = mask_personal_data(_embedded(parts, written))
    assert written not in out
    assert out == _embedded(parts, masked)


@given(separated, id_numbers())
def test_property_id_number(parts: tuple[str, str, str, str], number: str) -> None:
    out = mask_personal_data(_embedded(parts, number))
    assert number not in out
    expected = number[0] + "".join(c if c in " -" else "*" for c in number[1:-1]) + number[-1]
    assert out == _embedded(parts, expected)


@given(separated, cards())
def test_property_bank_card(parts: tuple[str, str, str, str], card: str) -> None:
    out = mask_personal_data(_embedded(parts, card))
    assert card not in out
    assert len(out) == len(_embedded(parts, card))
    masked = out[len(parts[0]) + 1 : len(out) - len(parts[3]) - 1]
    assert sum(c.isdigit() for c in masked) == 4
    assert [c for c in masked if c.isdigit()] == [c for c in card if c.isdigit()][-4:]


@given(separated, emails)
def test_property_email(parts: tuple[str, str, str, str], email: str) -> None:
    out = mask_personal_data(_embedded(parts, email))
    assert email not in out
    local, _, domain = email.partition("@")
    assert out == _embedded(parts, f"{local[0]}***@{domain}")


@given(plain)
def test_property_text_without_digits_or_at_is_unchanged(text: str) -> None:
    assert mask_personal_data(text) == text


noisy = st.text(st.sampled_from("0123456789 -+@.*Xxab张，"), max_size=40)
fragments = st.lists(
    st.one_of(noisy, plain, mobiles().map(lambda m: m[0]), id_numbers(), cards(), emails), max_size=8
)


@settings(max_examples=300)
@given(fragments)
def test_property_idempotent(parts: list[str]) -> None:
    text = "".join(parts)
    once = mask_personal_data(text)
    assert mask_personal_data(once) == once
    if "@" not in text:
        assert len(once) == len(text)


# --- public views --------------------------------------------------------------------------------------

ENTRY = {
    "items": [
        {"content": "走访群众，电话13812345678", "status": "done", "plan_item_id": "p1"},
        {"content": "研究人事安排", "status": "in_progress", "internal": True},
        {"content": "整理台账", "status": "not_done", "internal": False},
    ],
    "mistakes": "未及时回复邮件 zhang@example.com",
    "reflections": "要加强沟通，身份证号110101199003071234已核验",
}


def test_public_entry_default() -> None:
    assert public_entry(ENTRY, DEFAULT) == {
        "items": [
            {
                "content": "走访群众，电话138****5678",
                "status": "done",
                "internal": False,
                "plan_item_id": "p1",
            },
            {"content": INTERNAL_PLACEHOLDER, "status": "in_progress", "internal": True},
            {"content": "整理台账", "status": "not_done", "internal": False},
        ]
    }


def test_public_entry_mistakes_and_reflections_when_enabled() -> None:
    policy = PublicationPolicy(publish_mistakes=True, publish_reflections=True)
    out = public_entry(ENTRY, policy)
    assert out["mistakes"] == "未及时回复邮件 z***@example.com"
    assert out["reflections"] == "要加强沟通，身份证号1****************4已核验"
    only_mistakes = public_entry(ENTRY, PublicationPolicy(publish_mistakes=True))
    assert set(only_mistakes) == {"items", "mistakes"}
    absent = public_entry({"items": [], "mistakes": None}, policy)
    assert absent == {"items": []}


def test_public_entry_without_items_or_status_or_masking() -> None:
    hidden = public_entry(ENTRY, PublicationPolicy(publish_items=False, publish_status=False))
    assert [item["content"] for item in hidden["items"]] == [None, None, None]
    assert [item["status"] for item in hidden["items"]] == [None, None, None]
    raw = public_entry(ENTRY, PublicationPolicy(mask_personal_data=False, publish_mistakes=True))
    assert raw["items"][0]["content"] == "走访群众，电话13812345678"
    assert raw["items"][1]["content"] == INTERNAL_PLACEHOLDER
    assert raw["mistakes"] == ENTRY["mistakes"]


def test_public_entry_has_no_unexpected_keys() -> None:
    body = {
        "items": [{"content": "x", "status": "done", "secret": "s", "internal": False}],
        "mistakes": "m",
        "author_note": "n",
    }
    policy = PublicationPolicy(publish_mistakes=True, publish_reflections=True)
    out = public_entry(body, policy)
    assert set(out) == {"items", "mistakes"}
    assert set(out["items"][0]) == {"content", "status", "internal"}


def test_custom_placeholder_is_not_masked() -> None:
    policy = PublicationPolicy(internal_placeholder="内部事项13812345678")
    out = public_entry({"items": [{"content": "x", "status": "done", "internal": True}]}, policy)
    assert out["items"][0]["content"] == "内部事项13812345678"


def test_public_plan() -> None:
    body = {
        "items": [
            {"id": "p1", "content": "联系13812345678落实", "target": "报 li@example.com"},
            {"id": "p2", "content": "完成2026年11月台账"},
        ]
    }
    assert public_plan(body, DEFAULT) == {
        "items": [
            {"id": "p1", "content": "联系138****5678落实", "target": "报 l***@example.com"},
            {"id": "p2", "content": "完成2026年11月台账"},
        ]
    }
    assert public_plan(body, UNMASKED) == body


def test_public_summary() -> None:
    body = {"achievements": "服务13812345678等群众", "problems": "无", "next_steps": "卡号6222021234567890"}
    assert public_summary(body, DEFAULT) == {
        "achievements": "服务138****5678等群众",
        "problems": "无",
        "next_steps": "卡号************7890",
    }
    assert public_summary({**body, "extra": "x"}, UNMASKED) == body


def test_public_reason() -> None:
    assert public_reason(None, DEFAULT) is None
    assert public_reason("更正电话13812345678", DEFAULT) == "更正电话138****5678"
    assert public_reason("更正电话13812345678", UNMASKED) == "更正电话13812345678"
    assert public_reason("笔误", PublicationPolicy(publish_reasons=False)) is None


# --- policy and delay ---------------------------------------------------------------------------------


def test_policy_defaults_and_validation() -> None:
    assert DEFAULT.publish_mistakes is False and DEFAULT.publish_reflections is False
    assert DEFAULT.internal_placeholder == INTERNAL_PLACEHOLDER and DEFAULT.delay_days == 1
    with pytest.raises(ValidationError):
        PublicationPolicy(delay_days=-1)
    with pytest.raises(ValidationError):
        PublicationPolicy(publish_secrets=True)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("saved_at", "run_day", "public"),
    [
        ("2026-11-20T23:59:59+08:00", date(2026, 11, 20), False),
        ("2026-11-20T23:59:59+08:00", date(2026, 11, 21), True),
        ("2026-11-21T00:00:00+08:00", date(2026, 11, 21), False),
        ("2026-11-21T00:00:00+08:00", date(2026, 11, 22), True),
        ("2026-11-20T16:30:00+00:00", date(2026, 11, 21), False),  # 2026-11-21 00:30 in Shanghai
        ("2026-11-20T16:30:00+00:00", date(2026, 11, 22), True),
        ("2026-11-20T15:59:59Z", date(2026, 11, 21), True),  # 2026-11-20 23:59:59 in Shanghai
        ("2026-11-20T08:00:00+08:00", date(2026, 12, 31), True),
    ],
)
def test_is_public_yet(saved_at: str, run_day: date, public: bool) -> None:
    assert is_public_yet(saved_at, run_day, DEFAULT) is public


def test_is_public_yet_other_delays() -> None:
    now = PublicationPolicy(delay_days=0)
    assert is_public_yet("2026-11-20T23:59:59+08:00", date(2026, 11, 20), now)
    assert not is_public_yet("2026-11-20T16:30:00+00:00", date(2026, 11, 20), now)
    later = PublicationPolicy(delay_days=3)
    assert not is_public_yet("2026-11-20T10:00:00+08:00", date(2026, 11, 22), later)
    assert is_public_yet("2026-11-20T10:00:00+08:00", date(2026, 11, 23), later)
    with pytest.raises(ValueError):
        is_public_yet("2026-11-20T10:00:00", date(2026, 11, 23), DEFAULT)
