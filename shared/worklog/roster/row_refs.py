"""Who and which unit a roster row means, when the file does not say it by id.

A 花名册 as the Organization Department keeps it names units by name (工作单位, 单位名称, 所在单位)
and often has no staff number, only the ID-card number. Before the rows are checked (the importer's
row model wants a cadre id and a unit id), each row is resolved here:

* ``hash_id_cards`` replaces the ID-card number by its keyed hash (worklog.roster.id_cards), or by
  the problem it has; the number leaves the row at once and is never stored, logged or reported.
* ``resolve_rows`` gives a row without a unit code the unit its name names — a stored unit, or one
  that rows of the same file create with its code and name; an unknown or ambiguous name rejects
  the row. A row without a cadre id gets the cadre an earlier import matched to the same keyed hash,
  else the id generated from it; a row with neither an id nor an ID-card number is rejected.
  A row whose id and ID-card number belong to two different cadres is rejected too.

Pure: what the store knows of the keyed hashes is passed in (``IdCardIndex``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from worklog import messages
from worklog.models.roster import ID_PATTERN, Unit
from worklog.roster.id_cards import BadIdCard, IdCardIndex, IdCardKey, generated_cadre_id, normalise_id_card
from worklog.roster.roster_file import ID_CARD
from worklog.roster.roster_row import cell_value

MESSAGES = messages.ROSTER_IMPORT

# Keys a resolved row carries beside its columns (like ROW_KEY, never columns of a file):
HASH_KEY = "_id_card_hash"  # the keyed hash of the row's ID-card number
PROBLEMS_KEY = "_problems"  # (column, reason) found before the row model checks the row
SOURCE_KEY = "_cadre_id_from"  # where the row's cadre id came from, when not from the sheet
RESOLVED_KEY = "_resolved"  # the row has been through resolve_rows
CadreIdSource = Literal["sheet", "id_card", "generated"]
_ID = re.compile(ID_PATTERN)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _with_problem(row: dict[str, Any], column: str, reason: str) -> None:
    row[PROBLEMS_KEY] = [*row.get(PROBLEMS_KEY, ()), (column, reason)]


def problems(row: Mapping[str, Any]) -> list[tuple[str, str]]:
    return list(row.get(PROBLEMS_KEY, ()))


# === ID-card numbers ==================================================================================
def hash_id_cards(rows: Iterable[Mapping[str, Any]], key: Callable[[], IdCardKey]) -> list[dict[str, Any]]:
    """The rows with each ID-card number replaced by its keyed hash (or, when it is not a valid
    number, by the reason). ``key`` is called once, and only if some row holds a number."""
    found: IdCardKey | None = None
    out: list[dict[str, Any]] = []
    for raw in rows:
        row = dict(raw)
        if ID_CARD in row:
            value = row.pop(ID_CARD)
            try:
                number = normalise_id_card(value)
            except BadIdCard as bad:
                _with_problem(row, ID_CARD, MESSAGES[bad.reason])
            else:
                found = found or key()
                row[HASH_KEY] = found.hash(number)
        out.append(row)
    return out


def id_card_hashes(rows: Iterable[Mapping[str, Any]]) -> set[str]:
    return {str(row[HASH_KEY]) for row in rows if row.get(HASH_KEY)}


def sheet_cadre_ids(rows: Iterable[Mapping[str, Any]]) -> set[str]:
    """The cadre ids the file's rows with an ID-card number give (what their hashes are checked against)."""
    return {
        str(row["cadre_id"])
        for row in rows
        if row.get(HASH_KEY) and isinstance(row.get("cadre_id"), str) and _ID.fullmatch(row["cadre_id"])
    }


# === resolution =======================================================================================
def unit_name_key(name: str) -> str:
    """Names compare as a reader sees them: full- and half-width forms alike, blanks ignored."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


def _units_by_name(rows: Iterable[Mapping[str, Any]], units: Mapping[str, Unit]) -> dict[str, set[str]]:
    """Unit ids by name: the stored units, and those the file's rows name with their code."""
    found: dict[str, set[str]] = {}
    for unit in units.values():
        found.setdefault(unit_name_key(unit.name), set()).add(unit.unit_id)
    for row in rows:
        unit_id, name = row.get("unit_id"), row.get("unit_name")
        if isinstance(unit_id, str) and isinstance(name, str) and _ID.fullmatch(unit_id.strip()):
            found.setdefault(unit_name_key(name), set()).add(unit_id.strip())
    return found


def resolve_rows(
    rows: Iterable[Mapping[str, Any]], units: Mapping[str, Unit], index: IdCardIndex | None = None
) -> list[dict[str, Any]]:
    """Each row with its unit id and cadre id filled in where the file gave a name or an ID-card
    number instead, or with the reason it cannot be (PROBLEMS_KEY). Rows must have been through
    ``hash_id_cards``. Resolving a resolved row again changes nothing."""
    listed = [dict(row) for row in rows]
    if any(ID_CARD in row for row in listed):
        raise ValueError("ID-card numbers must be hashed first (hash_id_cards)")
    names = _units_by_name(listed, units)
    for row in listed:
        if not row.get(RESOLVED_KEY):
            _resolve_unit(row, names)
            _resolve_cadre(row, index or IdCardIndex())
            row[RESOLVED_KEY] = True
    return listed


def _resolve_unit(row: dict[str, Any], names: Mapping[str, set[str]]) -> None:
    if not _blank(row.get("unit_id")):
        return  # a code: the name beside it, if any, names (or renames) that unit, as before
    name = row.get("unit_name")
    if _blank(name):
        _with_problem(row, "unit_id", MESSAGES["no_unit"])
        return
    shown = str(name).strip()
    ids = sorted(names.get(unit_name_key(shown), ()))
    if len(ids) == 1:
        # A reference to the unit, not a new name for it: the stored name stays as it is.
        row["unit_id"] = ids[0]
        row.pop("unit_name")
    elif not ids:
        _with_problem(row, "unit_id", MESSAGES["unknown_unit_name"].format(name=shown))
    else:
        reason = MESSAGES["ambiguous_unit_name"].format(count=len(ids), name=shown, unit_ids="、".join(ids))
        _with_problem(row, "unit_id", reason)


def _resolve_cadre(row: dict[str, Any], index: IdCardIndex) -> None:
    hashed = row.get(HASH_KEY)
    cadre_id = row.get("cadre_id")
    if _blank(cadre_id):
        if hashed:
            owner = index.owners.get(hashed)
            row["cadre_id"] = owner or generated_cadre_id(hashed)
            row[SOURCE_KEY] = "id_card" if owner else "generated"
        elif not any(column == ID_CARD for column, _ in problems(row)):
            _with_problem(row, "cadre_id", MESSAGES["no_identity"])
        return
    if not hashed or not isinstance(cadre_id, str):
        return
    shown = cadre_id.strip()
    owner = index.owners.get(hashed)
    if owner is not None and owner != shown:
        _with_problem(row, ID_CARD, MESSAGES["id_card_elsewhere"].format(owner=owner, cadre_id=shown))
    elif index.hashes.get(shown) not in (None, hashed):
        _with_problem(row, ID_CARD, MESSAGES["id_card_differs"].format(cadre_id=shown))


def explained_columns(found: list[tuple[str, str]]) -> set[str]:
    """The columns whose absence a problem found here already explains: the row model's "missing"
    for them is not repeated (a bad ID-card number explains a missing cadre id)."""
    columns = {column for column, _ in found}
    if ID_CARD in columns:
        columns.add("cadre_id")
    return columns


def cadre_id_source(row: Mapping[str, Any]) -> CadreIdSource:
    return row.get(SOURCE_KEY) or "sheet"


def cadres_to_read(rows: list[dict[str, Any]], units: Mapping[str, Unit]) -> set[str]:
    """The stored profiles a plan needs: each row's cadre, and the heads of the units rows name
    (a row claiming a unit's head may take the role from them)."""
    wanted: set[str] = set()
    for row in rows:
        for column in ("cadre_id", "unit_id"):
            value = cell_value(row.get(column))
            if not isinstance(value, str) or not _ID.fullmatch(value):
                continue
            if column == "cadre_id":
                wanted.add(value)
            elif value in units and units[value].head_id:
                wanted.add(str(units[value].head_id))
    return wanted
