"""What the roster import's unit tests share (test_roster_import.py and
test_roster_import_heads_and_roles.py): the same three-row roster in its spellings, file builders,
and an in-memory roster."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import openpyxl

from worklog.models.roster import Cadre, RoleChange, RoleState, Unit
from worklog.roster.roster_file import ROW_KEY
from worklog.roster.row_refs import IdCardIndex

# The same three-row roster, as a spreadsheet with Chinese headers would hold it.
ROSTER_ZH: list[dict[str, str]] = [
    {
        "工号": "c0001",
        "姓名": "张晓明",
        "单位编码": "fgj",
        "单位名称": "区发展和改革局",
        "单位类别": "区政府工作部门",
        "职务": "党组书记、局长",
        "职级": "正处级",
        "角色": "一把手",
        "任职日期": "2015-03-01",
        "离任日期": "",
    },
    {
        "工号": "c0002",
        "姓名": "李秀兰",
        "单位编码": "fgj",
        "职务": "副局长",
        "职级": "副处级",
        "角色": "干部",
        "任职日期": "2016-01-15",
    },
    {
        "工号": "c0003",
        "姓名": "王建国",
        "单位编码": "zzb",
        "单位名称": "区委组织部",
        "单位类别": "区委工作机关",
        "职务": "副部长",
        "职级": "副处级",
        "角色": "组织部；管理员",
        "任职日期": "2014-07-01",
    },
]
HEADER_ZH = list(ROSTER_ZH[0])
ROWS_ZH: list[list[Any]] = [[r.get(h, "") for h in HEADER_ZH] for r in ROSTER_ZH]
EXPECTED_ROWS: list[dict[str, Any]] = [
    {
        "cadre_id": "c0001",
        "name": "张晓明",
        "unit_id": "fgj",
        "unit_name": "区发展和改革局",
        "unit_category": "区政府工作部门",
        "title": "党组书记、局长",
        "rank": "正处级",
        "roles": "一把手",
        "joined_on": "2015-03-01",
    },
    {
        "cadre_id": "c0002",
        "name": "李秀兰",
        "unit_id": "fgj",
        "title": "副局长",
        "rank": "副处级",
        "roles": "干部",
        "joined_on": "2016-01-15",
    },
    {
        "cadre_id": "c0003",
        "name": "王建国",
        "unit_id": "zzb",
        "unit_name": "区委组织部",
        "unit_category": "区委工作机关",
        "title": "副部长",
        "rank": "副处级",
        "roles": "组织部；管理员",
        "joined_on": "2014-07-01",
    },
]


# --- helpers ---------------------------------------------------------------------------------------
def csv_text(header: list[str], rows: list[list[Any]]) -> str:
    lines = [",".join(header)] + [",".join(f'"{v}"' if "," in str(v) else str(v) for v in r) for r in rows]
    return "\r\n".join(lines) + "\r\n"


def xlsx_bytes(header: list[Any], rows: list[list[Any]], *, title_row: str | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    if title_row:
        sheet.append([title_row])
    sheet.append(header)
    for row in rows:
        sheet.append([None if v == "" else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def without_row_numbers(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k != ROW_KEY} for row in rows]


def row(cadre_id: str, unit_id: str = "fgj", **fields: Any) -> dict[str, Any]:
    return {
        "cadre_id": cadre_id,
        "name": fields.pop("name", "测试干部" + cadre_id[-2:]),
        "unit_id": unit_id,
        **fields,
    }


FGJ = Unit(unit_id="fgj", name="区发展和改革局", category="区政府工作部门", head_id="c0900")
ADMIN = "a0001"  # the importing admin, on no row of these files
EXISTING = {"fgj": FGJ}


class FakeRoster:
    """In-memory roster with the calls the importer makes, conditions included."""

    def __init__(self, units: Iterable[Unit] = ()) -> None:
        self.units = {u.unit_id: u for u in units}
        self.cadres: dict[str, Cadre] = {}
        self.transactions: list[tuple[Cadre, Unit | None]] = []
        self.changes: list[RoleChange] = []
        self.before_write: Callable[[], None] = lambda: None  # another writer, between plan and write
        self.id_cards: dict[str, str] = {}  # cadre id → keyed hash
        self.owners: dict[str, str] = {}  # keyed hash → cadre id

    def list_units(self) -> list[Unit]:
        return list(self.units.values())

    def get_cadres(self, cadre_ids: Iterable[str]) -> dict[str, Cadre]:
        return {c: self.cadres[c] for c in cadre_ids if c in self.cadres}

    def id_card_index(self, cadre_ids: Iterable[str], hashes: Iterable[str]) -> IdCardIndex:
        return IdCardIndex(
            owners={h: self.owners[h] for h in hashes if h in self.owners},
            hashes={c: self.id_cards[c] for c in cadre_ids if c in self.id_cards},
        )

    def put_row(
        self,
        cadre: Cadre,
        unit: Unit | None = None,
        others: Iterable[Cadre] = (),
        *,
        seen: Mapping[str, Cadre | None] | None = None,
        changes: Sequence[RoleChange] = (),
        id_card_hash: str | None = None,
    ) -> bool:
        self.before_write()
        if id_card_hash is not None and (
            self.id_cards.get(cadre.cadre_id, id_card_hash) != id_card_hash
            or self.owners.get(id_card_hash, cadre.cadre_id) != cadre.cadre_id
        ):
            return False
        others = list(others)
        if seen is not None:
            for c in (cadre, *others):
                stored, expected = self.cadres.get(c.cadre_id), seen.get(c.cadre_id)
                if (stored is None) != (expected is None) or (
                    stored and expected and RoleState.of(stored) != RoleState.of(expected)
                ):
                    return False
        keys = {(c.cadre_id, c.at, c.import_id) for c in self.changes}
        if any((c.cadre_id, c.at, c.import_id) in keys for c in changes):  # append-only
            return False
        self.transactions.append((cadre, unit))
        for c in (cadre, *others):
            self.cadres[c.cadre_id] = c
        if unit is not None:
            self.units[unit.unit_id] = unit
        self.changes.extend(changes)
        if id_card_hash is not None:
            self.id_cards[cadre.cadre_id] = id_card_hash
            self.owners[id_card_hash] = cadre.cadre_id
        return True

    def put_unit(self, unit: Unit) -> None:
        self.units[unit.unit_id] = unit


def roster_csv() -> bytes:
    return csv_text(
        ["工号", "姓名", "单位编码", "单位名称", "角色"],
        [
            ["c1", "张三", "jyj", "区教育局", "一把手"],
            ["c2", "李四", "jyj", "", ""],
            ["c3", "王五", "fgj", "", "局长"],
            ["c1", "赵六", "fgj", "", ""],
        ],
    ).encode()
