"""Roster import: the optional columns that say how to reach a cadre (mobile, e-mail, WeCom and
DingTalk ids, the preferred channel), under the headers a district's spreadsheet uses, as Excel
stores them, and refused row by row with a Chinese reason when they are wrong."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.unit.roster_import_support import (
    ADMIN,
    EXISTING,
    FGJ,
    FakeRoster,
    csv_text,
    row,
    without_row_numbers,
    xlsx_bytes,
)
from worklog.roster.importer import import_roster, parse_roster, plan_import

BASE_HEADER = ["工号", "姓名", "单位编码"]
BASE_CELLS = ["c1", "张三", "fgj"]


def parsed_column(header: str, value: Any = "x") -> dict[str, Any]:
    """The one row of a CSV with the base columns and ``header``, as parsed (row number dropped)."""
    content = csv_text([*BASE_HEADER, header], [[*BASE_CELLS, value]]).encode()
    return without_row_numbers(parse_roster(content, "csv"))[0]


def accepted(**fields: Any) -> Any:
    """The cadre a single row with ``fields`` plans to write (the row must be accepted)."""
    plan = plan_import([row("c1", **fields)], EXISTING)
    assert not plan.rejected, plan.rejected
    return plan.rows[0][0]


def reasons(**fields: Any) -> list[str]:
    plan = plan_import([row("c1", **fields)], EXISTING)
    assert not plan.rows
    return plan.rejected[0].errors


# --- headers -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("手机", "mobile"),
        ("手机号", "mobile"),
        ("手机号码", "mobile"),
        ("移动电话", "mobile"),
        ("Mobile", "mobile"),
        ("电子邮箱", "email"),
        ("邮箱", "email"),
        ("电子邮件", "email"),
        ("E-mail", "email"),
        ("企业微信", "wecom_user_id"),
        ("企业微信ID", "wecom_user_id"),
        ("企业微信账号", "wecom_user_id"),
        ("钉钉", "dingtalk_user_id"),
        ("钉钉ID", "dingtalk_user_id"),
        ("钉钉账号", "dingtalk_user_id"),
        ("首选渠道", "preferred_channel"),
        ("提醒方式", "preferred_channel"),
        ("Preferred Channel", "preferred_channel"),
    ],
)
def test_the_contact_columns_are_read_under_their_chinese_and_english_headers(
    header: str, column: str
) -> None:
    assert parsed_column(header) == {"cadre_id": "c1", "name": "张三", "unit_id": "fgj", column: "x"}


def test_a_full_row_of_contact_details_reaches_the_cadre() -> None:
    # Given a spreadsheet with every contact column under its Chinese header
    header = [*BASE_HEADER, "单位名称", "手机号码", "电子邮箱", "企业微信ID", "钉钉ID", "提醒方式"]
    cells = [
        *BASE_CELLS,
        "区发展和改革局",
        "13800138000",
        "zhangsan@example.gov.cn",
        "ZhangSan",
        "ding_001",
        "钉钉",
    ]
    roster = FakeRoster([FGJ])
    # When it is imported
    report = import_roster(xlsx_bytes(header, [cells]), "xlsx", roster, author=ADMIN)
    # Then the cadre holds every detail
    assert report.imported == 1 and not report.rejected
    cadre = roster.cadres["c1"]
    assert (cadre.mobile, cadre.email, cadre.wecom_user_id, cadre.dingtalk_user_id) == (
        "13800138000",
        "zhangsan@example.gov.cn",
        "ZhangSan",
        "ding_001",
    )
    assert cadre.preferred_channel == "dingtalk"


def test_a_row_without_contact_details_is_accepted_with_none() -> None:
    cadre = accepted()
    assert (cadre.mobile, cadre.email, cadre.wecom_user_id, cadre.dingtalk_user_id) == (None,) * 4
    assert cadre.preferred_channel is None


# --- mobile numbers ------------------------------------------------------------------------------------
def test_a_mobile_stored_by_excel_as_a_number_is_read_as_its_eleven_digits() -> None:
    # Given a workbook whose mobile cells are numbers (an integer, and a float Excel shows as 1.38E+10)
    content = xlsx_bytes(
        [*BASE_HEADER, "手机号"], [[*BASE_CELLS, 13800138000], ["c2", "李四", "fgj", 1.38001380e10]]
    )
    # When it is parsed and planned
    plan = plan_import(parse_roster(content, "xlsx"), EXISTING)
    # Then both rows carry the number as its eleven digits
    assert [cadre.mobile for cadre, _ in plan.rows] == ["13800138000", "13800138000"]


def test_a_mobile_written_as_a_json_number_is_read_as_its_digits() -> None:
    body = json.dumps([{"工号": "c1", "姓名": "张三", "单位编码": "fgj", "手机": 1.38001380e10}]).encode()
    plan = plan_import(parse_roster(body, "json"), EXISTING)
    assert plan.rows[0][0].mobile == "13800138000"


@pytest.mark.parametrize(
    "written", ["138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "+8613800138000", "86-13800138000"]
)
def test_a_mobile_with_the_usual_separators_or_country_code_is_stored_as_eleven_digits(written: str) -> None:
    assert accepted(mobile=written).mobile == "13800138000"


@pytest.mark.parametrize(
    "written", ["1380013800", "138001380001", "23800138000", "12800138000", "138OO138000"]
)
def test_a_mobile_that_is_not_a_mainland_mobile_number_rejects_the_row(written: str) -> None:
    assert reasons(mobile=written) == ["手机号码应为11位大陆手机号（如 13800138000）"]


@pytest.mark.parametrize("written", ["1.38001E+10", "1.38001380E10"])
def test_a_mobile_exported_as_scientific_notation_text_is_refused_as_possibly_truncated(written: str) -> None:
    # Given a CSV exported from a sheet that showed the number in scientific notation: the text may
    # have lost digits, so no number is guessed from it
    errors = reasons(mobile=written)
    assert len(errors) == 1
    assert errors[0].startswith("手机号码被显示为科学计数法") and "文本" in errors[0]


# --- e-mail and messenger ids ---------------------------------------------------------------------------
@pytest.mark.parametrize("written", ["zhangsan", "zhang san@example.gov.cn", "a@b", "a@@example.cn"])
def test_a_malformed_email_rejects_the_row(written: str) -> None:
    assert reasons(email=written) == ["电子邮箱格式不正确（应形如 name@example.gov.cn）"]


@pytest.mark.parametrize(
    ("column", "label"), [("wecom_user_id", "企业微信账号"), ("dingtalk_user_id", "钉钉账号")]
)
def test_a_malformed_messenger_id_rejects_the_row_naming_the_column(column: str, label: str) -> None:
    assert reasons(**{column: "张 三"}) == [f"{label}格式不正确（应为 1–64 位字母、数字或 _ . @ - 符号）"]


def test_a_messenger_id_stored_as_a_number_is_read_as_text() -> None:
    content = xlsx_bytes([*BASE_HEADER, "钉钉ID"], [[*BASE_CELLS, 20160001]])
    assert plan_import(parse_roster(content, "xlsx"), EXISTING).rows[0][0].dingtalk_user_id == "20160001"


# --- the preferred channel ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("written", "channel"),
    [
        ("短信", "sms"),
        ("邮件", "email"),
        ("电子邮件", "email"),
        ("企业微信", "wecom"),
        ("钉钉", "dingtalk"),
        ("sms", "sms"),
        ("Email", "email"),
        ("wecom", "wecom"),
        ("DingTalk", "dingtalk"),
    ],
)
def test_the_preferred_channel_is_read_in_chinese_or_english(written: str, channel: str) -> None:
    details = {
        "mobile": "13800138000",
        "email": "a@example.gov.cn",
        "wecom_user_id": "a",
        "dingtalk_user_id": "a",
    }
    assert accepted(preferred_channel=written, **details).preferred_channel == channel


@pytest.mark.parametrize("written", ["", "  ", "默认"])
def test_a_blank_or_default_preferred_channel_means_the_district_default(written: str) -> None:
    assert accepted(preferred_channel=written, mobile="13800138000").preferred_channel is None


def test_an_unknown_preferred_channel_rejects_the_row_naming_it() -> None:
    assert reasons(preferred_channel="微信", mobile="13800138000") == [
        "未知的首选渠道：微信（可填短信、邮件、企业微信、钉钉，留空为全区默认方式）"
    ]


@pytest.mark.parametrize(
    ("written", "missing"),
    [("短信", "手机号码"), ("邮件", "电子邮箱"), ("企业微信", "企业微信账号"), ("钉钉", "钉钉账号")],
)
def test_a_preferred_channel_the_row_gives_no_details_for_rejects_the_row(written: str, missing: str) -> None:
    assert reasons(preferred_channel=written) == [f"首选渠道为{written}，但本行没有填写{missing}"]


def test_every_bad_contact_cell_of_a_row_is_reported_in_column_order() -> None:
    errors = reasons(preferred_channel="传真", email="nobody", mobile="123")
    assert errors == [
        "手机号码应为11位大陆手机号（如 13800138000）",
        "电子邮箱格式不正确（应形如 name@example.gov.cn）",
        "未知的首选渠道：传真（可填短信、邮件、企业微信、钉钉，留空为全区默认方式）",
    ]


def test_a_control_character_in_a_contact_cell_is_refused_naming_it() -> None:
    errors = reasons(mobile="13800138000\u200b")
    assert len(errors) == 1 and errors[0].startswith("手机号码含有不允许的字符 U+200B")
