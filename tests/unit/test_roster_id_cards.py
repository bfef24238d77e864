"""A 花名册 as the Organization Department keeps it: its headers, ID-card numbers checked and kept only
as a keyed hash, units named by name, and cadre ids generated when the sheet has none."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.unit.roster_import_support import ADMIN, FGJ, FakeRoster, csv_text, xlsx_bytes
from worklog import messages
from worklog.errors import ServiceUnavailable, ValidationFailed
from worklog.models.roster import ID_PATTERN, Cadre, Unit
from worklog.roster.id_cards import (
    BadIdCard,
    IdCardKey,
    check_character,
    generated_cadre_id,
    load_id_card_key,
    normalise_id_card,
)
from worklog.roster.importer import import_roster, parse_roster, plan_import
from worklog.roster.roster_file import ROW_KEY
from worklog.roster.row_refs import IdCardIndex, hash_id_cards

MESSAGES = messages.ROSTER_IMPORT
KEY = IdCardKey("k" * 32)
OTHER_KEY = IdCardKey("o" * 32)


def id_number(first17: str) -> str:
    """A valid number: seventeen digits and their check character."""
    return first17 + check_character(first17)


ZHANG = id_number("51010419800101001")
LIU = id_number("51010519851231002")
CHEN = id_number("11010519491231003")


def key() -> IdCardKey:
    return KEY


def no_key() -> IdCardKey:
    raise AssertionError("the key was asked for although no row holds an ID-card number")


# --- headers ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("header", ["工作单位", "单位名称", "所在单位", "单位"])
def test_a_unit_named_by_any_usual_header_is_read_as_its_name(header: str) -> None:
    [row] = parse_roster(f"姓名,身份证号码,{header}\n张伟,{ZHANG},区发展和改革局\n".encode(), "csv")
    assert row["unit_name"] == "区发展和改革局"


@pytest.mark.parametrize("header", ["工号", "干部编号", "人员编号"])
def test_a_staff_number_under_any_usual_header_is_the_cadre_id(header: str) -> None:
    [row] = parse_roster(f"{header},姓名,单位编码\nc1,张伟,fgj\n".encode(), "csv")
    assert row["cadre_id"] == "c1"


@pytest.mark.parametrize("header", ["身份证号", "身份证号码", "公民身份号码", "身份证件号码"])
def test_the_id_card_number_under_any_usual_header_is_read_as_the_matching_key(header: str) -> None:
    [row] = parse_roster(f"姓名,{header},工作单位\n张伟,{ZHANG},区发展和改革局\n".encode(), "csv")
    assert row["id_card"] == ZHANG


def test_a_sheet_without_an_id_column_is_read_below_its_title_row() -> None:
    # Given a 花名册 with a title row, a serial number and columns the roster does not keep
    content = xlsx_bytes(
        ["序号", "姓名", "性别", "身份证号码", "工作单位", "现任职务"],
        [[1, "张伟", "男", ZHANG, "区发展和改革局", "副局长"]],
        title_row="锦江区区管干部花名册",
    )
    # When it is read, then its row is numbered as the sheet shows it (title 1, header 2)
    [row] = parse_roster(content, "xlsx")
    assert row == {
        ROW_KEY: 3,
        "name": "张伟",
        "id_card": ZHANG,
        "unit_name": "区发展和改革局",
        "title": "副局长",
        "序号": "1",
        "性别": "男",
    }


def test_a_header_with_neither_a_staff_number_nor_an_id_card_number_is_refused_naming_both() -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_roster("姓名,工作单位\n张伟,区发展和改革局\n".encode(), "csv")
    assert err.value.message == "文件缺少必需的列：工号或身份证号码"
    assert [d["field"] for d in err.value.details or []] == ["cadre_id"]


def test_a_header_without_any_unit_column_is_refused_naming_the_code_and_the_name() -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_roster("工号,姓名\nc1,张伟\n".encode(), "csv")
    assert err.value.message == "文件缺少必需的列：单位编码或单位名称"


# --- ID-card numbers -------------------------------------------------------------------------------
def test_a_valid_number_is_normalised_from_the_spellings_of_office_spreadsheets() -> None:
    assert normalise_id_card(f" {ZHANG[:6]} {ZHANG[6:14]} {ZHANG[14:]} ") == ZHANG
    assert normalise_id_card(f"{ZHANG[:6]}-{ZHANG[6:14]}-{ZHANG[14:]}") == ZHANG
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in ZHANG)
    assert normalise_id_card(full_width) == ZHANG
    # (the check character of these seventeen digits is X, written lower case here)
    assert normalise_id_card("11010519491231002x") == "11010519491231002X"


def test_the_check_character_is_that_of_the_standards_own_example() -> None:
    # GB 11643-1999's example number is 11010519491231002X (ISO 7064 MOD 11-2)
    assert check_character("11010519491231002") == "X"
    assert normalise_id_card("11010519491231002X") == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (
            ZHANG[:17] + str((int(ZHANG[17]) + 1) % 10) if ZHANG[17] != "X" else ZHANG[:17] + "0",
            "id_card_check",
        ),
        (ZHANG[:16] + ZHANG[17] + ZHANG[16], "id_card_check"),  # two digits swapped
        ("510104800101001", "id_card_old"),
        (id_number("51010419800230001"), "id_card_birth"),  # 30 February
        (id_number("99010419800101001"), "id_card_region"),
        ("51010419800101", "id_card_form"),
        ("5101041980010100１A", "id_card_form"),
        ("5.10104E+17", "id_card_scientific"),
        (510104198001010016.0, "id_card_number_cell"),
        (510104198001010016, "id_card_number_cell"),
    ],
)
def test_an_invalid_number_is_refused_with_its_reason(value: Any, reason: str) -> None:
    with pytest.raises(BadIdCard) as err:
        normalise_id_card(value)
    assert err.value.reason == reason
    assert str(value) not in str(err.value)


def test_the_keyed_hash_is_the_same_for_one_key_and_differs_with_another() -> None:
    assert KEY.hash(ZHANG) == IdCardKey("k" * 32).hash(ZHANG)
    assert KEY.hash(ZHANG) != OTHER_KEY.hash(ZHANG)
    assert KEY.hash(ZHANG) != KEY.hash(LIU)
    assert len(KEY.hash(ZHANG)) == 64 and ZHANG not in KEY.hash(ZHANG)


def test_a_key_shorter_than_32_characters_is_refused_and_no_key_shows_in_a_repr() -> None:
    with pytest.raises(ValueError):
        IdCardKey("short")
    assert "k" * 32 not in repr(KEY)


def test_a_generated_cadre_id_is_stable_valid_and_reveals_nothing_of_the_number() -> None:
    first = generated_cadre_id(KEY.hash(ZHANG))
    assert first == generated_cadre_id(KEY.hash(ZHANG))
    assert first != generated_cadre_id(KEY.hash(LIU))
    assert first != generated_cadre_id(OTHER_KEY.hash(ZHANG))
    assert re.fullmatch(ID_PATTERN, first) and first.startswith("g") and len(first) == 16
    assert not any(part in first for part in (ZHANG[:6], ZHANG[6:14], ZHANG[14:]))


def test_the_key_comes_from_its_secure_string_parameter() -> None:
    class Ssm:
        def get_parameter(self, **request: Any) -> dict[str, Any]:
            assert request == {"Name": "/worklog/s/roster/id-card-key", "WithDecryption": True}
            return {"Parameter": {"Value": "k" * 32}}

    loaded = load_id_card_key("/worklog/s/roster/id-card-key", client=Ssm())
    assert loaded.hash(ZHANG) == KEY.hash(ZHANG)


@pytest.mark.parametrize("parameter", ["", "/worklog/s/roster/id-card-key"])
def test_without_a_readable_key_an_import_with_id_card_numbers_is_unavailable(parameter: str) -> None:
    class Ssm:
        def get_parameter(self, **request: Any) -> dict[str, Any]:
            raise ClientError({"Error": {"Code": "ParameterNotFound"}}, "GetParameter")

    with pytest.raises(ServiceUnavailable) as err:
        load_id_card_key(parameter, client=Ssm())
    assert err.value.status == 503 and err.value.message == MESSAGES["id_card_key_missing"]


def test_the_key_is_asked_for_only_when_a_row_holds_an_id_card_number() -> None:
    rows = hash_id_cards([{ROW_KEY: 2, "cadre_id": "c1", "name": "张伟", "unit_id": "fgj"}], no_key)
    assert rows[0]["cadre_id"] == "c1"


# --- units by name ---------------------------------------------------------------------------------
def plan_named(rows: list[dict[str, Any]], units: dict[str, Unit], **kwargs: Any) -> Any:
    numbered = [{ROW_KEY: n, **r} for n, r in enumerate(rows, start=2)]
    return plan_import(hash_id_cards(numbered, key), units, author=ADMIN, **kwargs)


def test_a_unit_name_resolves_to_the_stored_unit_whatever_its_width_or_blanks() -> None:
    units = {"bgs": Unit(unit_id="bgs", name="区委办公室（区委机要局）")}
    plan = plan_named([{"cadre_id": "c1", "name": "张伟", "unit_name": "区委办公室 (区委机要局)"}], units)
    [(cadre, unit)] = plan.rows
    # Then the cadre is in that unit, and the stored unit's name is not rewritten
    assert cadre.unit_id == "bgs" and unit is None and not plan.rejected


def test_an_unknown_unit_name_rejects_the_row_naming_it() -> None:
    plan = plan_named([{"cadre_id": "c1", "name": "张伟", "unit_name": "区卫生健康局"}], {"fgj": FGJ})
    assert plan.rows == []
    assert plan.rejected[0].errors == ["没有名为“区卫生健康局”的单位：请核对单位名称，或填写单位编码"]


def test_a_name_two_units_share_rejects_the_row_listing_their_codes() -> None:
    units = {
        "czj": Unit(unit_id="czj", name="区财政局"),
        "czj2": Unit(unit_id="czj2", name="区财政局"),
    }
    plan = plan_named([{"cadre_id": "c1", "name": "张伟", "unit_name": "区财政局"}], units)
    assert plan.rejected[0].errors == [
        "有 2 个单位名为“区财政局”（单位编码 czj、czj2）：请填写单位编码以区分"
    ]


def test_a_unit_name_resolves_to_a_unit_another_row_of_the_file_creates() -> None:
    rows = [
        {"cadre_id": "c1", "name": "张伟", "unit_id": "tyj", "unit_name": "区文化体育和旅游局"},
        {"cadre_id": "c2", "name": "刘芳", "unit_name": "区文化体育和旅游局"},
    ]
    plan = plan_named(rows, {})
    assert [(c.cadre_id, c.unit_id) for c, _ in plan.rows] == [("c1", "tyj"), ("c2", "tyj")]


def test_a_row_with_neither_a_unit_code_nor_a_unit_name_is_rejected_saying_so() -> None:
    plan = plan_named([{"cadre_id": "c1", "name": "张伟", "title": "科员"}], {"fgj": FGJ})
    assert plan.rejected[0].errors == [MESSAGES["no_unit"]]


# --- cadres by ID-card number ----------------------------------------------------------------------
def test_a_row_with_neither_an_id_nor_an_id_card_number_is_rejected_with_one_clear_reason() -> None:
    plan = plan_named([{"name": "张伟", "unit_name": "区发展和改革局"}], {"fgj": FGJ})
    assert plan.rejected[0].errors == ["缺少工号（或干部编号、人员编号）和身份证号码，无法确定是哪位干部"]


def test_a_bad_id_card_number_rejects_the_row_without_repeating_the_number() -> None:
    bad = ZHANG[:16] + ZHANG[17] + ZHANG[16]
    plan = plan_named([{"name": "张伟", "id_card": bad, "unit_name": "区发展和改革局"}], {"fgj": FGJ})
    [rejected] = plan.rejected
    assert rejected.errors == [MESSAGES["id_card_check"]]
    assert bad not in rejected.model_dump_json()


def test_a_row_known_only_by_its_id_card_number_gets_the_id_generated_from_its_keyed_hash() -> None:
    plan = plan_named([{"name": "张伟", "id_card": ZHANG, "unit_name": "区发展和改革局"}], {"fgj": FGJ})
    [(cadre, _)] = plan.rows
    assert cadre.cadre_id == generated_cadre_id(KEY.hash(ZHANG))
    assert plan.planned[0].id_card_hash == KEY.hash(ZHANG)


def test_a_row_known_only_by_its_id_card_number_matches_the_cadre_registered_with_it() -> None:
    index = IdCardIndex(owners={KEY.hash(ZHANG): "c0007"}, hashes={"c0007": KEY.hash(ZHANG)})
    plan = plan_named([{"name": "张伟", "id_card": ZHANG, "unit_id": "fgj"}], {"fgj": FGJ}, id_cards=index)
    assert plan.rows[0][0].cadre_id == "c0007"


def test_an_id_card_number_registered_with_another_cadre_rejects_the_row() -> None:
    index = IdCardIndex(owners={KEY.hash(ZHANG): "c0007"})
    plan = plan_named(
        [{"cadre_id": "c1", "name": "张伟", "id_card": ZHANG, "unit_id": "fgj"}], {"fgj": FGJ}, id_cards=index
    )
    assert plan.rejected[0].errors == ["该身份证号码已登记在干部 c0007 名下，与本行的工号 c1 不符"]


def test_a_staff_number_registered_with_another_id_card_number_rejects_the_row() -> None:
    index = IdCardIndex(hashes={"c1": KEY.hash(LIU)})
    plan = plan_named(
        [{"cadre_id": "c1", "name": "张伟", "id_card": ZHANG, "unit_id": "fgj"}], {"fgj": FGJ}, id_cards=index
    )
    assert plan.rejected[0].errors == [MESSAGES["id_card_differs"].format(cadre_id="c1")]


def test_one_id_card_number_on_two_rows_rejects_the_later_row_once() -> None:
    rows = [
        {"name": "张伟", "id_card": ZHANG, "unit_id": "fgj"},
        {"cadre_id": "c2", "name": "张伟", "id_card": ZHANG, "unit_id": "fgj"},
    ]
    plan = plan_named(rows, {"fgj": FGJ})
    assert [(r.row, r.errors) for r in plan.rejected] == [(3, ["身份证号码与第 2 行相同"])]


def test_a_generated_id_a_stored_cadre_already_has_rejects_the_row() -> None:
    taken = generated_cadre_id(KEY.hash(ZHANG))
    stored = {taken: Cadre(cadre_id=taken, name="另一人", unit_id="fgj")}
    rows = [{ROW_KEY: 2, "name": "张伟", "id_card": ZHANG, "unit_id": "fgj"}]
    plan = plan_import(hash_id_cards(rows, key), {"fgj": FGJ}, stored, author=ADMIN)
    assert plan.rejected[0].errors == [MESSAGES["generated_id_taken"].format(cadre_id=taken)]


# --- an import, and the next one -------------------------------------------------------------------
HUAMINGCE = csv_text(
    ["序号", "姓名", "身份证号码", "工作单位", "现任职务"],
    [
        ["1", "张伟", ZHANG, "区发展和改革局", "副局长"],
        ["2", "刘芳", LIU, "区发展和改革局", "科员"],
        ["3", "陈某", CHEN, "区卫生健康局", "科员"],
        ["4", "钱某", "", "区发展和改革局", "科员"],
    ],
).encode()


def test_a_huamingce_imports_and_its_next_import_matches_the_same_cadres_changing_nothing() -> None:
    # Given a roster that knows the unit by code only, and a 花名册 with names and ID-card numbers
    store = FakeRoster([FGJ])
    # When it is imported
    first = import_roster(HUAMINGCE, "csv", store, author=ADMIN, id_card_key=key)
    # Then the two good rows are cadres with generated ids, and the others are rejected by row
    ids = {generated_cadre_id(KEY.hash(ZHANG)), generated_cadre_id(KEY.hash(LIU))}
    assert set(store.cadres) == ids and first.imported == 2
    assert [(r.row, r.errors) for r in first.rejected] == [
        (4, [MESSAGES["unknown_unit_name"].format(name="区卫生健康局")]),
        (5, [MESSAGES["no_identity"]]),
    ]
    assert {store.owners[KEY.hash(ZHANG)], store.owners[KEY.hash(LIU)]} == ids
    before = (dict(store.cadres), dict(store.owners), dict(store.id_cards))
    # When the same sheet is imported again
    again = import_roster(HUAMINGCE, "csv", store, author=ADMIN, id_card_key=key)
    # Then it matches the same cadres and changes nothing
    assert again.role_changes == [] and again.imported == 2
    assert (dict(store.cadres), dict(store.owners), dict(store.id_cards)) == before
    # And no number shows in the reports or in what the store keeps
    kept = json.dumps([first.model_dump(mode="json"), again.model_dump(mode="json"), before], default=str)
    for number in (ZHANG, LIU, CHEN):
        assert number not in kept


def test_a_cadre_first_imported_by_staff_number_is_matched_later_by_id_card_number_alone() -> None:
    store = FakeRoster([FGJ])
    with_ids = f"工号,姓名,身份证号码,单位编码\nc0007,张伟,{ZHANG},fgj\n".encode()
    import_roster(with_ids, "csv", store, author=ADMIN, id_card_key=key)
    report = import_roster(
        f"姓名,身份证号码,工作单位,职务\n张伟,{ZHANG},区发展和改革局,局长助理\n".encode(),
        "csv",
        store,
        author=ADMIN,
        id_card_key=key,
    )
    assert report.rejected == [] and set(store.cadres) == {"c0007"}
    assert store.cadres["c0007"].title == "局长助理"


def test_a_roster_with_staff_numbers_and_unit_codes_imports_as_before_without_the_key() -> None:
    store = FakeRoster([FGJ])
    report = import_roster(
        "工号,姓名,单位编码\nc1,张伟,fgj\n".encode(), "csv", store, author=ADMIN, id_card_key=no_key
    )
    assert report.imported == 1 and store.id_cards == {}


def test_an_id_card_number_a_workbook_holds_as_a_number_is_refused_as_one() -> None:
    # Given a workbook whose ID-card column was typed as numbers (Excel keeps 15 significant digits)
    content = xlsx_bytes(["姓名", "身份证号码", "单位编码"], [["张伟", int(ZHANG[:17] + "0"), "fgj"]])
    # When it is imported, then the row is refused for that, not hashed from the digits left
    report = import_roster(content, "xlsx", FakeRoster([FGJ]), author=ADMIN, id_card_key=no_key)
    assert [(r.row, r.errors) for r in report.rejected] == [(2, [MESSAGES["id_card_number_cell"]])]
