"""Roster import: parsing JSON/CSV/XLSX, row-by-row checks, writing one transaction per row, and the
characters no cell may hold. One head per unit and the role changes an import records:
test_roster_import_heads_and_roles.py."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date, datetime
from typing import Any

import pytest

from tests.unit.roster_import_support import (
    ADMIN,
    EXISTING,
    EXPECTED_ROWS,
    FGJ,
    HEADER_ZH,
    ROSTER_ZH,
    ROWS_ZH,
    FakeRoster,
    csv_text,
    roster_csv,
    row,
    without_row_numbers,
    xlsx_bytes,
)
from worklog.errors import ValidationFailed
from worklog.models.roster import Unit
from worklog.roster.importer import import_roster, parse_roster, plan_import
from worklog.roster.roster_file import ROW_KEY


# --- parsing ---------------------------------------------------------------------------------------
def test_json_csv_and_xlsx_with_chinese_headers_parse_to_the_same_rows() -> None:
    # Given the same roster as JSON, CSV and XLSX (dates as real date cells in the workbook)
    as_json = json.dumps(ROSTER_ZH, ensure_ascii=False).encode()
    as_csv = csv_text(HEADER_ZH, ROWS_ZH).encode()
    xlsx_rows = [[date.fromisoformat(v) if i == 8 else v for i, v in enumerate(r)] for r in ROWS_ZH]
    as_xlsx = xlsx_bytes(HEADER_ZH, xlsx_rows)

    # When each is parsed
    parsed = [parse_roster(as_json, "json"), parse_roster(as_csv, "csv"), parse_roster(as_xlsx, "xlsx")]

    # Then all three give the same rows, with canonical column names
    for rows in parsed:
        assert without_row_numbers(rows) == EXPECTED_ROWS


def test_json_roster_may_be_wrapped_in_an_object_with_rows() -> None:
    body = json.dumps({"rows": [{"cadre_id": "c1", "name": "张三", "unit_id": "fgj"}]}).encode()
    assert without_row_numbers(parse_roster(body, "json")) == [
        {"cadre_id": "c1", "name": "张三", "unit_id": "fgj"}
    ]


def test_csv_with_a_utf8_bom_parses_like_plain_utf8() -> None:
    text = csv_text(HEADER_ZH, ROWS_ZH)
    assert parse_roster(b"\xef\xbb\xbf" + text.encode("utf-8"), "csv") == parse_roster(
        text.encode("utf-8"), "csv"
    )


def test_csv_exported_in_gb18030_is_decoded() -> None:
    # Given a CSV saved by a Chinese-locale office PC (not valid UTF-8)
    content = csv_text(HEADER_ZH, ROWS_ZH).encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    # Then it parses to the same rows as the UTF-8 file
    assert without_row_numbers(parse_roster(content, "csv")) == EXPECTED_ROWS


def test_csv_saved_by_excel_as_unicode_text_is_read() -> None:
    # Given Excel's "Unicode text" export: UTF-16 with a byte-order mark, tab-separated
    text = csv_text(HEADER_ZH, ROWS_ZH).replace(",", "\t")
    assert without_row_numbers(parse_roster(text.encode("utf-16"), "csv")) == EXPECTED_ROWS


def test_english_headers_are_accepted_in_any_case() -> None:
    content = b"Cadre ID,Name,Unit ID,Unit Name,Roles\nc1,Zhang San,fgj,District DRC,unit_head\n"
    assert without_row_numbers(parse_roster(content, "csv")) == [
        {
            "cadre_id": "c1",
            "name": "Zhang San",
            "unit_id": "fgj",
            "unit_name": "District DRC",
            "roles": "unit_head",
        }
    ]


def test_csv_row_numbers_count_the_header_as_row_one_and_blank_lines_are_skipped() -> None:
    content = "工号,姓名,单位编码\nc1,张三,fgj\n,,\nc2,李四,fgj\n".encode()
    assert [r[ROW_KEY] for r in parse_roster(content, "csv")] == [2, 4]


def test_xlsx_title_row_above_the_header_is_skipped() -> None:
    content = xlsx_bytes(HEADER_ZH, ROWS_ZH, title_row="锦江区区管干部名册")
    rows = parse_roster(content, "xlsx")
    assert without_row_numbers(rows) == EXPECTED_ROWS
    assert rows[0][ROW_KEY] == 3


def with_sheet_dimension(content: bytes, ref: str) -> bytes:
    """The same workbook with the size its first sheet declares rewritten (some exporters write a
    stale or placeholder size such as "A1")."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, replaced = re.subn(
                    rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), data
                )
                assert replaced == 1
            target.writestr(item, data)
    return out.getvalue()


@pytest.mark.parametrize("declared", ["A1", "A1:C2"])
def test_xlsx_rows_beyond_the_size_the_sheet_declares_are_read_with_their_sheet_row_numbers(
    declared: str,
) -> None:
    # Given a sheet whose declared size is smaller than its data (a title row, the header, two rows)
    content = xlsx_bytes(HEADER_ZH, ROWS_ZH[:2], title_row="锦江区区管干部名册")
    # When it is parsed
    rows = parse_roster(with_sheet_dimension(content, declared), "xlsx")
    # Then every row is there, numbered as a spreadsheet shows it
    assert without_row_numbers(rows) == EXPECTED_ROWS[:2]
    assert [r[ROW_KEY] for r in rows] == [3, 4]


def test_xlsx_numbers_and_datetimes_become_text_ids_and_iso_dates() -> None:
    content = xlsx_bytes(
        ["工号", "姓名", "单位编码", "任职日期"], [[10086, "张三", "fgj", datetime(2016, 3, 1)]]
    )
    assert without_row_numbers(parse_roster(content, "xlsx")) == [
        {"cadre_id": "10086", "name": "张三", "unit_id": "fgj", "joined_on": "2016-03-01"}
    ]


@pytest.mark.parametrize(
    ("content", "fmt", "message"),
    [
        (b"PK\x03\x04 not really a workbook", "xlsx", "无法读取上传的 XLSX 文件"),
        (b"{not json", "json", "无法读取上传的 JSON 文件"),
        (b"\xff\xfe\x00\x00\x00", "csv", "无法读取上传的 CSV 文件"),
        (b"", "csv", "文件为空"),
        (b'{"people": []}', "json", "JSON 文件应为"),
    ],
)
def test_an_unreadable_file_is_refused_as_a_whole_with_a_chinese_message(
    content: bytes, fmt: Any, message: str
) -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_roster(content, fmt)
    assert message in err.value.message
    assert err.value.status == 422


def test_a_table_without_the_required_columns_is_refused_naming_them() -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_roster("姓名,职务\n张三,局长\n".encode(), "csv")
    assert "工号" in err.value.message and "单位编码" in err.value.message
    assert [d["field"] for d in err.value.details or []] == ["cadre_id", "unit_id"]


# --- roles -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("written", "role"),
    [
        ("干部", "cadre"),
        ("一把手", "unit_head"),
        ("单位主要负责人", "unit_head"),
        ("区领导", "district_leader"),
        ("组织部检查员", "org_inspector"),
        ("组织部", "org_inspector"),
        ("纪委检查员", "discipline_inspector"),
        ("纪委监委", "discipline_inspector"),
        ("人社评价员", "hr_evaluator"),
        ("人社局", "hr_evaluator"),
        ("管理员", "admin"),
        ("Admin", "admin"),
    ],
)
def test_chinese_and_english_role_names_map_to_roles(written: str, role: str) -> None:
    plan = plan_import([row("c1", roles=written)], EXISTING)
    assert not plan.rejected
    assert role in plan.rows[0][0].roles


@pytest.mark.parametrize(
    "written", ["组织部;管理员", "组织部,管理员", "组织部，管理员", "组织部、管理员", "组织部 管理员"]
)
def test_roles_may_be_separated_by_any_usual_separator(written: str) -> None:
    plan = plan_import([row("c1", roles=written)], EXISTING)
    assert plan.rows[0][0].roles == ["cadre", "org_inspector", "admin"]


def test_the_cadre_role_is_always_added() -> None:
    plan = plan_import([row("c1", roles=["纪委监委"]), row("c2")], EXISTING)
    assert [c.roles for c, _ in plan.rows] == [["cadre", "discipline_inspector"], ["cadre"]]


# --- rejection rules (a bad row is rejected whole; the others go on) -----------------------------
def test_a_row_missing_fields_is_rejected_listing_every_problem() -> None:
    plan = plan_import([{ROW_KEY: 2, "cadre_id": "c1"}, {ROW_KEY: 3, **row("c2")}], EXISTING)
    assert [c.cadre_id for c, _ in plan.rows] == ["c2"]
    [rejected] = plan.rejected
    assert rejected.row == 2 and rejected.cadre_id == "c1"
    assert rejected.errors == ["缺少姓名", "缺少单位：请填写单位编码或单位名称（工作单位）"]


def test_a_malformed_cadre_id_is_rejected() -> None:
    plan = plan_import([row("c 1/x"), row("c2")], EXISTING)
    assert [c.cadre_id for c, _ in plan.rows] == ["c2"]
    assert plan.rejected[0].errors[0].startswith("工号格式不正确")


def test_an_unknown_role_is_rejected_and_named() -> None:
    plan = plan_import([row("c1", roles="干部;局长")], EXISTING)
    assert plan.rows == []
    assert plan.rejected[0].errors == ["未知角色：局长"]


def test_an_invalid_date_is_rejected() -> None:
    plan = plan_import([row("c1", joined_on="2016-02-30")], EXISTING)
    assert plan.rejected[0].errors == ["任职日期格式不正确（应为 YYYY-MM-DD）"]


@pytest.mark.parametrize(
    "written", ["2016-03-01", "2016/3/1", "2016.03.01", "2016年3月1日", "20160301", "42430"]
)
def test_usual_date_spellings_are_accepted(written: str) -> None:
    plan = plan_import([row("c1", joined_on=written)], EXISTING)
    assert plan.rows[0][0].joined_on == date(2016, 3, 1)


LIMITS = [
    ("name", "姓名", 30),
    ("unit_name", "单位名称", 60),
    ("unit_category", "单位类别", 30),
    ("title", "职务", 60),
]


@pytest.mark.parametrize(("column", "label", "limit"), [*LIMITS, ("rank", "职级", 30)])
def test_a_text_longer_than_the_roster_keeps_is_rejected_naming_the_limit(
    column: str, label: str, limit: int
) -> None:
    # Given one row whose text is exactly at the limit and one a character beyond it
    rows = [row("c1", **{column: "长" * limit}), row("c2", **{column: "长" * (limit + 1)})]
    # When planned
    plan = plan_import(rows, EXISTING)
    # Then the first is accepted and the second refused with the column and its limit named
    assert [c.cadre_id for c, _ in plan.rows] == ["c1"]
    assert plan.rejected[0].errors == [f"{label}过长（最多 {limit} 个字符）"]


@pytest.mark.parametrize("value", [True, ["张三"], {"姓": "张"}])
def test_a_cell_that_is_not_text_is_rejected_as_such(value: Any) -> None:
    plan = plan_import([row("c1", name=value, title=value), row("c2")], EXISTING)
    assert [c.cadre_id for c, _ in plan.rows] == ["c2"]
    assert plan.rejected[0].errors == ["姓名应为文本", "职务应为文本"]


def test_left_on_before_joined_on_is_rejected() -> None:
    plan = plan_import([row("c1", joined_on="2016-03-01", left_on="2016-02-01")], EXISTING)
    assert plan.rejected[0].errors == ["离任日期早于任职日期"]


def test_a_unit_neither_existing_nor_named_in_the_file_is_rejected() -> None:
    plan = plan_import([row("c1", unit_id="nowhere"), row("c2")], EXISTING)
    assert [c.cadre_id for c, _ in plan.rows] == ["c2"]
    assert plan.rejected[0].errors == ["单位编码 nowhere 不存在，文件中也没有可导入的行给出该单位的名称"]


def test_a_duplicate_cadre_id_rejects_the_later_row_only() -> None:
    rows = [{ROW_KEY: 2, **row("c1", name="张三")}, {ROW_KEY: 3, **row("c1", name="李四")}]
    plan = plan_import(rows, EXISTING)
    assert [c.name for c, _ in plan.rows] == ["张三"]
    assert plan.rejected[0].row == 3
    assert plan.rejected[0].errors == ["工号 c1 与第 2 行重复"]


def test_two_rows_claiming_the_head_of_one_unit_reject_the_later_one() -> None:
    rows = [{ROW_KEY: 2, **row("c1", roles="一把手")}, {ROW_KEY: 3, **row("c2", roles="一把手")}]
    plan = plan_import(rows, EXISTING)
    assert [c.cadre_id for c, _ in plan.rows] == ["c1"]
    assert plan.rejected[0].cadre_id == "c2"
    assert "第 2 行" in plan.rejected[0].errors[0]


def test_conflicting_names_for_one_unit_reject_the_later_row() -> None:
    rows = [row("c1", unit_id="jyj", unit_name="区教育局"), row("c2", unit_id="jyj", unit_name="区教委")]
    plan = plan_import(rows, {})
    assert [c.cadre_id for c, _ in plan.rows] == ["c1"]
    assert plan.rejected[0].errors == ["单位 jyj 的名称与第 1 行不一致"]


def test_a_unit_named_only_by_a_rejected_row_is_unknown_to_the_other_rows() -> None:
    rows = [row("c1", unit_id="jyj", unit_name="区教育局", roles="局长"), row("c2", unit_id="jyj")]
    plan = plan_import(rows, {})
    assert plan.rows == []
    assert [r.errors for r in plan.rejected] == [
        ["未知角色：局长"],
        ["单位编码 jyj 不存在，文件中也没有可导入的行给出该单位的名称"],
    ]


def test_a_row_with_several_problems_lists_all_of_them() -> None:
    plan = plan_import([row("c1", unit_id="nowhere", roles="局长", joined_on="soon")], EXISTING)
    assert plan.rejected[0].errors == [
        "未知角色：局长",
        "任职日期格式不正确（应为 YYYY-MM-DD）",
        "单位编码 nowhere 不存在，文件中也没有可导入的行给出该单位的名称",
    ]


# --- units -----------------------------------------------------------------------------------------
def test_a_head_row_makes_the_cadre_head_of_the_existing_unit() -> None:
    plan = plan_import([row("c1", roles="一把手")], EXISTING)
    [(cadre, unit)] = plan.rows
    assert cadre.roles == ["cadre", "unit_head"]
    assert unit == FGJ.model_copy(update={"head_id": "c1"})


def test_a_plain_row_of_an_existing_unit_writes_no_unit() -> None:
    plan = plan_import([row("c1")], EXISTING)
    assert plan.rows[0][1] is None


def test_every_row_writing_a_unit_writes_its_final_state() -> None:
    # Given a new unit whose name row comes before its head row
    rows = [
        row("c1", unit_id="jyj", unit_name="区教育局", unit_category="区政府工作部门"),
        row("c2", unit_id="jyj", roles="一把手"),
        row("c3", unit_id="jyj"),
    ]
    # When planned
    plan = plan_import(rows, {})
    # Then both unit-writing rows carry the named unit with its head, and the plain row none
    final = Unit(unit_id="jyj", name="区教育局", category="区政府工作部门", head_id="c2")
    assert [u for _, u in plan.rows] == [final, final, None]
    assert plan.units == [final]


# --- import ----------------------------------------------------------------------------------------
def test_import_writes_each_valid_row_in_its_own_transaction_and_creates_new_units() -> None:
    # Given a store that knows only fgj
    store = FakeRoster([FGJ])
    # When a roster with two good rows and two bad ones is imported
    report = import_roster(roster_csv(), "csv", store, author=ADMIN)
    # Then the good rows are written one per transaction and the new unit is created with its head
    assert [c.cadre_id for c, _ in store.transactions] == ["c1", "c2"]
    assert store.units["jyj"] == Unit(unit_id="jyj", name="区教育局", head_id="c1")
    assert store.cadres["c1"].name == "张三"
    assert report.dry_run is False
    assert (report.received, report.imported, report.units) == (4, 2, 1)
    assert [(r.row, r.cadre_id) for r in report.rejected] == [(4, "c3"), (5, "c1")]


def test_a_dry_run_reports_the_same_but_writes_nothing() -> None:
    store = FakeRoster([FGJ])
    report = import_roster(roster_csv(), "csv", store, author=ADMIN, dry_run=True)
    assert store.transactions == []
    assert report.dry_run is True
    assert (report.received, report.imported, report.units, len(report.rejected)) == (4, 2, 1, 2)


def test_importing_an_xlsx_roster_end_to_end() -> None:
    store = FakeRoster()
    report = import_roster(xlsx_bytes(HEADER_ZH, ROWS_ZH), "xlsx", store, author=ADMIN)
    assert report.rejected == []
    assert set(store.cadres) == {"c0001", "c0002", "c0003"}
    assert store.units["fgj"].head_id == "c0001"
    assert store.cadres["c0003"].roles == ["cadre", "org_inspector", "admin"]


# --- control, bidirectional and invisible characters (worklog.text) -------------------------------
TEXT_COLUMNS = [
    ("姓名", "name"),
    ("单位名称", "unit_name"),
    ("单位类别", "unit_category"),
    ("职务", "title"),
    ("职级", "rank"),
]
SNEAKY = ["\u202e", "\u200b", "\u2066", "\ufeff", "\x1f", "\x85", "\u061c"]


def _roster_with(column: str, value: str) -> list[dict[str, str]]:
    good = {
        "工号": "c1",
        "姓名": "张三",
        "单位编码": "jyj",
        "单位名称": "区教育局",
        "职务": "局长",
        "角色": "一把手",
    }
    return [good, {"工号": "c2", "姓名": "李四", "单位编码": "jyj", "职务": "副局长", column: value}]


def _as(fmt: str, rows: list[dict[str, str]]) -> bytes:
    header = ["工号", "姓名", "单位编码", "单位名称", "单位类别", "职务", "职级", "角色"]
    table = [[r.get(h, "") for h in header] for r in rows]
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False).encode()
    if fmt == "csv":
        return csv_text(header, table).encode()
    return xlsx_bytes(header, table)


@pytest.mark.parametrize(("column", "field"), TEXT_COLUMNS)
@pytest.mark.parametrize(
    ("fmt", "bad"),
    # (openpyxl refuses to write C0 controls into a workbook, so the XLSX cases use the others)
    [(fmt, bad) for fmt in ("json", "csv", "xlsx") for bad in SNEAKY if fmt != "xlsx" or ord(bad) >= 0x20],
)
def test_a_row_with_an_invisible_or_control_character_is_rejected_naming_it(
    fmt: str, column: str, field: str, bad: str
) -> None:
    # Given a roster whose second row carries the character inside one of its text cells
    store = FakeRoster()
    content = _as(fmt, _roster_with(column, f"区教{bad}育局" if field == "unit_name" else f"副{bad}处级"))
    # When it is imported
    report = import_roster(content, fmt, store, author="c0003")  # type: ignore[arg-type]
    # Then that row is rejected with a Chinese reason naming the column and the code point, the
    # other row is imported, and nothing of the bad row is stored
    [rejected] = report.rejected
    code = f"U+{ord(bad):04X}"
    assert rejected.cadre_id == "c2" and len(rejected.errors) == 1
    assert rejected.errors[0].startswith(f"{column}含有不允许的字符 {code}")
    assert set(store.cadres) == {"c1"} and store.units["jyj"].name == "区教育局"


@pytest.mark.parametrize("bad", ["\u202e", "\u200b", "\x1f", "\x0b"])
def test_an_invisible_character_at_the_end_of_a_cell_is_refused_not_trimmed_away(bad: str) -> None:
    plan = plan_import([row("c1", name="张三" + bad), row(bad + "c2")], EXISTING)
    assert plan.rows == []
    assert [r.errors[0][:2] for r in plan.rejected] == ["姓名", "工号"]


def test_ordinary_blanks_around_a_cell_are_still_trimmed() -> None:
    plan = plan_import([row(" c1\t", name="\u3000张三 \r\n", title="\xa0局长 ")], EXISTING)
    [(cadre, _)] = plan.rows
    assert (cadre.cadre_id, cadre.name, cadre.title) == ("c1", "张三", "局长")
