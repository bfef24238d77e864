"""Roster import: read an uploaded roster (JSON, CSV or XLSX), check it row by row, write it.

Three steps, each usable on its own:

* ``parse_roster`` turns the file into raw rows whose column names are normalised (English or
  Chinese headers both work). Only an unreadable file fails as a whole.
* ``plan_import`` checks every row (after resolving units given by name and cadres given by
  ID-card number: worklog.roster.row_refs) and decides what to write. A bad row is rejected whole, with
  every problem it has listed, and the other rows go on: an admin fixes the rejected rows and
  uploads them again instead of hunting one error per upload.
* ``import_roster`` writes the plan, one transaction per row (cadre plus, when the row defines it,
  its unit, a head it replaces, and the role changes it makes), so a half-written row cannot exist.

Every change of what a cadre may do — roles, unit, last day in post — leaves a role change record
(who, when, before, after, which import) in the same transaction as the row, append-only. Nobody
changes their own: a row that would change the importing admin's own roles, unit or last day, or
take their unit's head from them, is rejected (another admin imports it).

Pure: no boto3 here; the repository is passed in (and the ID-card hash key's source).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import field
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from worklog import messages
from worklog.clock import Clock, iso_now, system_clock
from worklog.errors import ValidationFailed
from worklog.models.roster import ID_PATTERN, Cadre, ImportReport, RejectedRow, RoleChange, RoleState, Unit
from worklog.records import datarecord
from worklog.roster.id_cards import IdCardKey, load_id_card_key
from worklog.roster.import_plan import ImportPlan, PlannedRow, RosterStore
from worklog.roster.roster_file import ROW_KEY, RosterFormat, UnreadableRoster, read_rows
from worklog.roster.roster_row import RosterRow, RowKeys
from worklog.roster.row_refs import (
    HASH_KEY,
    IdCardIndex,
    cadre_id_source,
    cadres_to_read,
    explained_columns,
    hash_id_cards,
    id_card_hashes,
    problems,
    resolve_rows,
    sheet_cadre_ids,
)

MESSAGES = messages.ROSTER_IMPORT

FIELD_LABELS: dict[str, str] = {
    "cadre_id": "工号",
    "id_card": "身份证号码",
    "name": "姓名",
    "unit_id": "单位编码",
    "unit_name": "单位名称",
    "unit_category": "单位类别",
    "title": "职务",
    "rank": "职级",
    "roles": "角色",
    "joined_on": "任职日期",
    "left_on": "离任日期",
    "mobile": "手机号码",
    "email": "电子邮箱",
    "wecom_user_id": "企业微信账号",
    "dingtalk_user_id": "钉钉账号",
    "preferred_channel": "首选渠道",
}


# The importer's reason (a MESSAGES key) for each error type of the row model (RosterRow); its
# custom types are named for their reason. Any other type (a rule added to the model later) is
# reported as an invalid value of its column.
_REASONS: dict[str, str] = {
    "missing": "required",
    "string_too_short": "required",
    "string_type": "not_text",
    "forbidden_character": "forbidden_char",
    "string_too_long": "too_long",
    "string_pattern_mismatch": "bad_id",
    "literal_error": "unknown_role",
    "bad_date": "bad_date",
    "left_before_joined": "left_before_joined",
    "bad_mobile": "bad_mobile",
    "mobile_scientific": "mobile_scientific",
    "channel_unreachable": "channel_unreachable",
}
# A pattern or literal that is not an id or a role: the column's own reason.
_COLUMN_REASONS: dict[tuple[str, str], str] = {
    ("mobile", "string_pattern_mismatch"): "bad_mobile",
    ("email", "string_pattern_mismatch"): "bad_email",
    ("wecom_user_id", "string_pattern_mismatch"): "bad_messenger_id",
    ("dingtalk_user_id", "string_pattern_mismatch"): "bad_messenger_id",
    ("preferred_channel", "literal_error"): "bad_channel",
}
_ID = re.compile(ID_PATTERN)


# === parse ===========================================================================================
def parse_roster(content: bytes, fmt: RosterFormat) -> list[dict[str, Any]]:
    """Raw rows with canonical column names, blank rows dropped, each with its file row in ROW_KEY
    (worklog.roster.roster_file). A file that cannot be read fails as a whole (400)."""
    try:
        return read_rows(content, fmt)
    except UnreadableRoster as exc:
        raise _unreadable(exc) from exc


def _unreadable(exc: UnreadableRoster) -> ValidationFailed:
    if exc.reason != "missing_columns":
        message = MESSAGES[exc.reason]  # json_shape shows braces: format only what has values
        return ValidationFailed(message.format(**exc.values) if exc.values else message)
    # Each missing group of columns (one of which a header needs), named by its first column.
    missing: list[tuple[str, ...]] = exc.values["columns"]
    labels = ["或".join(FIELD_LABELS[c] for c in group) for group in missing]
    return ValidationFailed(
        MESSAGES["missing_columns"].format(columns="、".join(labels)),
        details=[
            {"field": group[0], "message": MESSAGES["required"].format(label=label)}
            for group, label in zip(missing, labels, strict=True)
        ],
    )


# === plan ============================================================================================
@datarecord
class _RowCheck:
    """One row while it is being checked; ``errors`` collects every problem before the verdict.
    ``keys`` are what the checks across rows read: the whole row when the model accepted it."""

    row: int
    raw_id: str | None
    keys: RowKeys
    errors: list[str] = field(default_factory=list)
    cadre: Cadre | None = None
    id_card_hash: str | None = None  # the keyed hash of the row's ID-card number, if it has one
    generated: bool = False  # the cadre id was generated from that hash

    @property
    def cadre_id(self) -> str | None:
        return self.keys.cadre_id

    @property
    def unit_id(self) -> str | None:
        return self.keys.unit_id


def plan_import(
    rows: list[dict[str, Any]],
    existing_units: Mapping[str, Unit],
    existing_cadres: Mapping[str, Cadre] | None = None,
    *,
    author: str | None = None,
    id_cards: IdCardIndex | None = None,
) -> ImportPlan:
    """Check every row; return the rows to write and the rejected ones.

    Rules across rows (file order decides who was first): a cadre id or a unit's head claimed twice
    rejects the later rows, as do conflicting names or categories for one unit. A unit must exist
    already or be named (单位名称) by an accepted row of the file.

    ``existing_cadres`` holds the stored profiles of the file's cadres and of the heads of the
    units it names: what each row changes is computed against them. ``author`` (the importing
    admin's cadre id) may not change their own roles, unit or last day, nor lose their unit's head.

    Rows that name their unit by name only, or their cadre by ID-card number only (already hashed:
    worklog.roster.row_refs), are resolved first against the stored units and ``id_cards``.
    """
    cadres = existing_cadres or {}
    resolved = resolve_rows(rows, existing_units, id_cards)
    checks = [_check_row(row, row.get(ROW_KEY, number)) for number, row in enumerate(resolved, start=1)]
    _check_generated_ids(checks, cadres)
    _check_across_rows(checks)
    if author is not None:
        _check_own_changes(checks, author, existing_units, cadres)
    _check_units_known(checks, existing_units)
    accepted = [c for c in checks if not c.errors]
    units = _final_units(accepted, existing_units)
    replaced = _replaced_heads(accepted, units, existing_units)
    return ImportPlan(
        planned=_planned_rows(accepted, units, replaced, cadres),
        rejected=[RejectedRow(row=c.row, cadre_id=c.raw_id, errors=c.errors) for c in checks if c.errors],
        replaced_heads=replaced,
        headless=_headless_units(accepted, units, existing_units),
    )


def _check_row(raw: Mapping[str, Any], number: int) -> _RowCheck:
    """The row through the row model: its cadre, or every problem it has in the importer's words
    (with those its resolution found: an unknown unit name, a bad ID-card number, ...)."""
    raw_id, found = raw.get("cadre_id"), problems(raw)
    check = _RowCheck(
        number, None if raw_id is None else str(raw_id), RowKeys(), id_card_hash=raw.get(HASH_KEY)
    )
    check.generated = cadre_id_source(raw) == "generated"
    try:
        row = RosterRow.model_validate(raw)
    except ValidationError as exc:
        explained = explained_columns(found)
        errors = [
            e for e in exc.errors() if not (e["type"] == "missing" and e["loc"] and e["loc"][0] in explained)
        ]
        # The checks across rows still see the fields this row got right, and the roles it named
        # that exist (RowKeys leaves unknown ones out).
        failed = {problem["loc"][0] for problem in exc.errors() if problem["loc"]} - {"roles"}
        check.keys = RowKeys.model_validate({k: v for k, v in raw.items() if k not in failed})
        check.errors = _reasons(errors, found)
        return check
    check.keys, check.errors = row, _reasons([], found)
    check.cadre = None if found else row.cadre()
    return check


def _reasons(problems: list[ErrorDetails], found: Sequence[tuple[str, str]] = ()) -> list[str]:
    """One reason per problem, in the order of the columns (FIELD_LABELS)."""
    order = list(FIELD_LABELS)

    def position(column: Any) -> int:
        return order.index(column) if column in order else len(order)

    worded = [(position(p["loc"][0] if p["loc"] else ""), _reason(p)) for p in problems]
    worded += [(position(column), reason) for column, reason in found]
    return [reason for _, reason in sorted(worded, key=lambda pair: pair[0])]


def _reason(problem: ErrorDetails) -> str:
    column = str(problem["loc"][0]) if problem["loc"] else ""
    context = problem.get("ctx") or {}
    kind = problem["type"]
    reason = _COLUMN_REASONS.get((column, kind)) or _REASONS.get(kind, "invalid_value")
    return MESSAGES[reason].format(
        label=FIELD_LABELS.get(column, column),
        max=context.get("max_length"),
        code=context.get("character"),
        position=context.get("position"),
        role=problem["input"],
        value=problem["input"],
        shown=context.get("shown"),
        channel=context.get("channel"),
        need=FIELD_LABELS.get(str(context.get("need")), ""),
    )


def _check_units_known(checks: list[_RowCheck], existing_units: Mapping[str, Unit]) -> None:
    """A row that names its unit never refers to an unknown one, even when it is rejected itself;
    any other row's unit must exist already or be named by an accepted row."""
    named = {c.unit_id for c in checks if not c.errors and c.keys.unit_name}
    for check in checks:
        unit_id = check.unit_id
        if unit_id and not check.keys.unit_name and unit_id not in existing_units and unit_id not in named:
            check.errors.append(MESSAGES["unknown_unit"].format(unit_id=unit_id))


def _replaced_heads(
    accepted: list[_RowCheck], units: Mapping[str, Unit], existing_units: Mapping[str, Unit]
) -> dict[str, str]:
    """Units whose stored head a row of the file replaces while the old head has no row in it."""
    in_file = {c.cadre_id for c in accepted}
    return {
        unit_id: before.head_id
        for unit_id, before in existing_units.items()
        if before.head_id
        and unit_id in units
        and units[unit_id].head_id not in (None, before.head_id)
        and before.head_id not in in_file
    }


def _headless_units(
    accepted: list[_RowCheck], units: Mapping[str, Unit], existing_units: Mapping[str, Unit]
) -> list[Unit]:
    """A stored head whose own row moves them or drops the role leaves the unit without a head
    (unless another row of the file claims it)."""
    in_file = {c.cadre_id for c in accepted}
    return [
        before.model_copy(update={"head_id": None})
        for unit_id, before in existing_units.items()
        if before.head_id in in_file
        and unit_id not in units
        and not any(
            c.cadre_id == before.head_id and c.keys.claims_head and c.unit_id == unit_id for c in accepted
        )
    ]


def _planned_rows(
    accepted: list[_RowCheck],
    units: Mapping[str, Unit],
    replaced: Mapping[str, str],
    cadres: Mapping[str, Cadre],
) -> list[PlannedRow]:
    planned: list[PlannedRow] = []
    demoting: set[str] = set()
    for check in accepted:
        cadre = check.cadre
        if cadre is None:  # cannot happen: a row without errors always has its cadre
            continue
        unit = units.get(cadre.unit_id) if check.keys.defines_unit else None
        demoted: list[tuple[Cadre, Cadre]] = []
        # The first row writing a unit whose head it replaces takes the role from the old head.
        old_head = cadres.get(replaced.get(unit.unit_id, "")) if unit is not None else None
        if old_head is not None and "unit_head" in old_head.roles and old_head.cadre_id not in demoting:
            demoting.add(old_head.cadre_id)
            roles = [r for r in old_head.roles if r != "unit_head"]
            demoted.append((old_head, old_head.model_copy(update={"roles": roles})))
        before = cadres.get(cadre.cadre_id)
        planned.append(PlannedRow(check.row, cadre, unit, before, tuple(demoted), check.id_card_hash))
    return planned


def _check_own_changes(
    checks: list[_RowCheck], author: str, existing_units: Mapping[str, Unit], cadres: Mapping[str, Cadre]
) -> None:
    """Nobody changes what they themselves may do: the author's own row may not change their
    roles, unit or last day, and no row may take the author's unit's head from them."""
    for check in checks:
        if check.errors or check.cadre is None:
            continue
        if check.cadre_id == author:
            before = cadres.get(author)
            if before is None or RoleState.of(before) != RoleState.of(check.cadre):
                check.errors.append(MESSAGES["own_change"])
        elif check.keys.claims_head and check.unit_id is not None:
            unit = existing_units.get(check.unit_id)
            if unit is not None and unit.head_id == author:
                check.errors.append(MESSAGES["own_head_taken"].format(unit_id=check.unit_id))


def _check_generated_ids(checks: list[_RowCheck], cadres: Mapping[str, Cadre]) -> None:
    """A generated id is new (no import registered its hash): a stored cadre with it is someone else."""
    for check in checks:
        if check.generated and check.cadre_id in cadres:
            check.errors.append(MESSAGES["generated_id_taken"].format(cadre_id=check.cadre_id))


def _check_across_rows(checks: list[_RowCheck]) -> None:
    first_id: dict[str, int] = {}
    first_card: dict[str, int] = {}
    first_head: dict[str, int] = {}
    unit_names: dict[str, tuple[str, int]] = {}
    unit_categories: dict[str, tuple[str, int]] = {}
    for check in checks:
        if check.id_card_hash is not None:
            if check.id_card_hash in first_card:
                check.errors.append(
                    MESSAGES["duplicate_id_card"].format(first=first_card[check.id_card_hash])
                )
                continue  # one person twice: that is the reason, not what else the copy repeats
            first_card[check.id_card_hash] = check.row
        if check.cadre_id is not None:
            if check.cadre_id in first_id:
                check.errors.append(
                    MESSAGES["duplicate_cadre"].format(
                        cadre_id=check.cadre_id, first=first_id[check.cadre_id]
                    )
                )
            else:
                first_id[check.cadre_id] = check.row
        unit_id = check.unit_id
        if unit_id is None:
            continue
        if check.keys.claims_head:
            if unit_id in first_head:
                check.errors.append(
                    MESSAGES["duplicate_head"].format(unit_id=unit_id, first=first_head[unit_id])
                )
            else:
                first_head[unit_id] = check.row
        for value, seen, key in (
            (check.keys.unit_name, unit_names, "unit_name_conflict"),
            (check.keys.unit_category, unit_categories, "unit_category_conflict"),
        ):
            if not value:
                continue
            if unit_id not in seen:
                seen[unit_id] = (value, check.row)
            elif seen[unit_id][0] != value:
                check.errors.append(MESSAGES[key].format(unit_id=unit_id, first=seen[unit_id][1]))


def _final_units(accepted: list[_RowCheck], existing: Mapping[str, Unit]) -> dict[str, Unit]:
    """Each touched unit's state after the import: one object shared by all rows that write it,
    so writing the rows in any order leaves the same unit (a later row never drops the head)."""
    names: dict[str, str] = {}
    categories: dict[str, str] = {}
    heads: dict[str, str] = {}
    touched: list[str] = []
    for check in accepted:
        if not check.keys.defines_unit or check.unit_id is None:
            continue
        unit_id = check.unit_id
        if unit_id not in touched:
            touched.append(unit_id)
        if check.keys.unit_name:
            names.setdefault(unit_id, check.keys.unit_name)
        if check.keys.unit_category:
            categories.setdefault(unit_id, check.keys.unit_category)
        if check.keys.claims_head and check.cadre_id:
            heads.setdefault(unit_id, check.cadre_id)
    units: dict[str, Unit] = {}
    for unit_id in touched:
        before = existing.get(unit_id)
        units[unit_id] = Unit(
            unit_id=unit_id,
            name=names.get(unit_id) or (before.name if before else unit_id),
            category=categories.get(unit_id, before.category if before else ""),
            head_id=heads.get(unit_id, before.head_id if before else None),
        )
    return units


# === import ==========================================================================================
def _plan(
    content: bytes, fmt: RosterFormat, repo: RosterStore, *, author: str, id_card_key: Callable[[], IdCardKey]
) -> tuple[list[dict[str, Any]], dict[str, Unit], ImportPlan]:
    """The file's rows, ID-card numbers hashed and references resolved, the stored units, the plan."""
    rows = hash_id_cards(parse_roster(content, fmt), id_card_key)
    units = {unit.unit_id: unit for unit in repo.list_units()}
    hashes = id_card_hashes(rows)
    index = repo.id_card_index(sheet_cadre_ids(rows), hashes) if hashes else IdCardIndex()
    rows = resolve_rows(rows, units, index)
    cadres = repo.get_cadres(cadres_to_read(rows, units))
    return rows, units, plan_import(rows, units, cadres, author=author, id_cards=index)


def import_roster(
    content: bytes,
    fmt: RosterFormat,
    repo: RosterStore,
    *,
    author: str,
    dry_run: bool = False,
    clock: Clock = system_clock,
    id_card_key: Callable[[], IdCardKey] = load_id_card_key,
) -> ImportReport:
    """Parse, plan against the units and profiles already stored, and (unless ``dry_run``) write
    row by row, each row with the role changes it makes. ``author`` is who imports: the admin's
    cadre id, or ``cli:<os user>``. ``id_card_key`` gives the key of the ID-card numbers' keyed
    hashes; it is asked for only when the file holds such numbers.

    ``imported`` counts the rows that are (or, in a dry run, would be) written; ``units`` the
    distinct units created or updated. A row whose stored profile changed between the plan and its
    write (another import at the same time) is not written and is reported rejected.
    """
    rows, units, plan = _plan(content, fmt, repo, author=author, id_card_key=id_card_key)
    at = iso_now(clock)
    import_id = new_import_id(clock)
    rejected = list(plan.rejected)
    recorded: list[RoleChange] = []
    failed: set[str] = set()
    for step in plan.planned:
        changes = [d.stamped(at=at, by=author, import_id=import_id) for d in step.deltas]
        if not dry_run:
            others = [written for _, written in step.demoted]
            written = repo.put_row(
                step.cadre, step.unit, others, seen=step.seen, changes=changes, id_card_hash=step.id_card_hash
            )
            if not written:
                failed.add(step.cadre.cadre_id)
                rejected.append(
                    RejectedRow(
                        row=step.row, cadre_id=step.cadre.cadre_id, errors=[MESSAGES["changed_meanwhile"]]
                    )
                )
                continue
        recorded.extend(changes)
    if not dry_run:
        for unit in plan.headless:
            # Headless because its head's own row moved them or dropped the role: not if that row failed.
            if units[unit.unit_id].head_id not in failed:
                repo.put_unit(unit)
    return ImportReport(
        dry_run=dry_run,
        received=len(rows),
        imported=len(plan.planned) - len(failed),
        units=len(plan.units),
        rejected=sorted(rejected, key=lambda r: r.row),
        import_id=import_id,
        role_changes=recorded,
    )


def new_import_id(clock: Clock = system_clock) -> str:
    """Sortable by time and unique: the import's second in Shanghai time and random hex."""
    stamp = iso_now(clock)[:19].replace("-", "").replace(":", "")
    return f"{stamp}-{secrets.token_hex(4)}"
