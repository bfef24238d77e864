"""A 花名册 as the Organization Department keeps it (units by name, ID-card numbers, no staff number)
imported through the admin route and the command line: dry run, import, and a re-import that
matches the same cadres and changes nothing. The ID-card numbers are nowhere in what is stored,
answered or printed."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import boto3
import openpyxl
import pytest

from infra.inprocess import InProcessStack
from worklog import cli, messages
from worklog.models.roster import Unit
from worklog.roster.id_cards import check_character
from worklog.roster.repository import RosterRepository

ADMIN = "c0003"
MESSAGES = messages.ROSTER_IMPORT


def id_number(first17: str) -> str:
    return first17 + check_character(first17)


ZHANG = id_number("51010419800101001")
LIU = id_number("51010519851231002")
CHEN = id_number("11010519491231003")
TYPO = ZHANG[:16] + ZHANG[17] + ZHANG[16]  # two digits swapped


def huamingce() -> bytes:
    """Title row 1, header row 2: the data rows are sheet rows 3 to 7."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["锦江区区管干部花名册"])
    sheet.append(["序号", "姓名", "性别", "身份证号码", "工作单位", "现任职务", "职级"])
    sheet.append([1, "张伟", "男", ZHANG, "区教育局", "副局长", "副处级"])
    sheet.append([2, "刘芳", "女", LIU, "区委组织部", "干部科副科长", "四级调研员"])
    sheet.append([3, "陈刚", "男", TYPO, "区教育局", "科员", ""])
    sheet.append([4, "吴敏", "女", CHEN, "区卫生健康局", "科员", ""])
    sheet.append([5, "钱进", "男", None, "区教育局", "科员", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def import_(stack: InProcessStack, dry_run: bool) -> dict[str, Any]:
    payload = {"format": "xlsx", "content": base64.b64encode(huamingce()).decode(), "dry_run": dry_run}
    response = stack.call("admin", "POST", "/admin/roster/imports", payload, as_=ADMIN)
    assert response.status == 200, response.body
    assert not any(n in response.body.decode() for n in (ZHANG, LIU, CHEN, TYPO))
    return dict(json.loads(response.body))


def roster_items(stack: InProcessStack) -> list[dict[str, Any]]:
    table = stack.stack.names["RosterTable"]
    items = boto3.client("dynamodb").scan(TableName=table, ConsistentRead=True)["Items"]
    return sorted(items, key=lambda i: (i["pk"]["S"], i["sk"]["S"]))


def test_a_huamingce_with_unit_names_and_no_id_column_is_checked_imported_and_matched_again(
    stack: InProcessStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the district's roster, and a 花名册 with names, ID-card numbers and no staff number
    stored = roster_items(stack)
    # When the admin checks it first (dry run)
    dry = import_(stack, dry_run=True)
    # Then every row is judged under the sheet's own numbering, and nothing is written
    assert (dry["received"], dry["imported"]) == (5, 2)
    assert [(r["row"], r["errors"]) for r in dry["rejected"]] == [
        (5, [MESSAGES["id_card_check"]]),
        (6, ["没有名为“区卫生健康局”的单位：请核对单位名称，或填写单位编码"]),
        (7, ["缺少工号（或干部编号、人员编号）和身份证号码，无法确定是哪位干部"]),
    ]
    new = {(c["row"], c["after"]["unit_id"]): c["cadre_id"] for c in dry["role_changes"]}
    assert set(new) == {(3, "jyj"), (4, "zzb")}
    assert roster_items(stack) == stored
    # When it is imported
    done = import_(stack, dry_run=False)
    # Then the two good rows are new cadres under the ids the dry run showed, in the named units
    assert {(c["row"], c["after"]["unit_id"]): c["cadre_id"] for c in done["role_changes"]} == new
    repo = RosterRepository()
    zhang, liu = repo.get_cadre(new[(3, "jyj")]), repo.get_cadre(new[(4, "zzb")])
    assert zhang is not None and (zhang.name, zhang.title, zhang.rank) == ("张伟", "副局长", "副处级")
    assert liu is not None and liu.unit_id == "zzb"
    # And the stored units keep their names
    assert repo.get_unit("jyj") == Unit(
        unit_id="jyj", name="区教育局", category="政府工作部门", head_id="c0002"
    )
    after_import = roster_items(stack)
    # When the same sheet is imported again, from the command line
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(huamingce())
    assert cli.main(["import-roster", str(path)]) == 1  # rows are still rejected: exit 1
    printed = capsys.readouterr().out
    again = json.loads(printed)
    # Then it matches the same cadres and changes nothing at all
    assert again["imported"] == 2 and again["role_changes"] == []
    assert roster_items(stack) == after_import
    # And no ID-card number is in any stored item, answer or printout
    kept = json.dumps(after_import, ensure_ascii=False) + printed
    for number in (ZHANG, LIU, CHEN, TYPO):
        assert number not in kept


def test_a_cadre_imported_with_a_staff_number_is_found_by_id_card_number_in_a_sheet_without_one(
    stack: InProcessStack,
) -> None:
    # Given c0001 registered with an ID-card number by a roster with staff numbers and unit codes
    first = f"工号,姓名,身份证号码,单位编码\nc0001,李明,{ZHANG},jyj\n"
    response = stack.call(
        "admin", "POST", "/admin/roster/imports", {"format": "csv", "content": first}, as_=ADMIN
    )
    assert json.loads(response.body)["rejected"] == []
    # When a 花名册 without staff numbers names the same person
    sheet = f"姓名,身份证号,所在单位,职务\n李明,{ZHANG},区教育局,局长助理\n"
    response = stack.call(
        "admin", "POST", "/admin/roster/imports", {"format": "csv", "content": sheet}, as_=ADMIN
    )
    # Then it is c0001 who is updated, and no new cadre appears
    report = json.loads(response.body)
    assert report["rejected"] == [] and report["imported"] == 1
    cadre = RosterRepository().get_cadre("c0001")
    assert cadre is not None and cadre.title == "局长助理"
    assert {c.cadre_id for c in RosterRepository().list_cadres()} == {
        "c0001",
        "c0002",
        "c0003",
        "c0004",
        "c0010",
    }


def test_a_unit_name_two_units_share_is_refused_with_their_codes(stack: InProcessStack) -> None:
    RosterRepository().put_unit(Unit(unit_id="jyj2", name="区教育局"))
    sheet = f"姓名,身份证号码,工作单位\n张伟,{ZHANG},区教育局\n"
    response = stack.call(
        "admin", "POST", "/admin/roster/imports", {"format": "csv", "content": sheet}, as_=ADMIN
    )
    report = json.loads(response.body)
    assert report["rejected"][0]["errors"] == [
        "有 2 个单位名为“区教育局”（单位编码 jyj、jyj2）：请填写单位编码以区分"
    ]


def test_without_the_key_a_sheet_with_id_card_numbers_is_refused_whole_and_nothing_is_written(
    stack: InProcessStack,
) -> None:
    name = stack.functions["admin"].environment["ID_CARD_KEY_PARAMETER"]
    boto3.client("ssm").delete_parameter(Name=name)
    stored = roster_items(stack)
    sheet = f"姓名,身份证号码,工作单位\n张伟,{ZHANG},区教育局\n"
    response = stack.call(
        "admin", "POST", "/admin/roster/imports", {"format": "csv", "content": sheet}, as_=ADMIN
    )
    assert response.status == 503
    assert json.loads(response.body)["message"] == MESSAGES["id_card_key_missing"]
    assert roster_items(stack) == stored


def test_a_keyed_hash_never_moves_to_another_cadre_nor_a_cadre_to_another_hash(stack: InProcessStack) -> None:
    # Given c0001 registered with a keyed hash (as a row's transaction registers it)
    repo = RosterRepository()
    c0001, c0002 = repo.get_cadre("c0001"), repo.get_cadre("c0002")
    assert c0001 is not None and c0002 is not None
    assert repo.put_row(c0001, id_card_hash="a" * 64)
    stored = roster_items(stack)
    # When another cadre's row would take that hash, or c0001's row bring another one
    taken = repo.put_row(c0002, id_card_hash="a" * 64)
    changed = repo.put_row(c0001, id_card_hash="b" * 64)
    # Then neither transaction writes anything, and the index still says what it said
    assert (taken, changed) == (False, False)
    assert roster_items(stack) == stored
    index = repo.id_card_index(["c0001", "c0002"], ["a" * 64, "b" * 64])
    assert (dict(index.owners), dict(index.hashes)) == ({"a" * 64: "c0001"}, {"c0001": "a" * 64})
