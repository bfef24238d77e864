"""RosterRepository: the only code that reads and writes the roster table's people and units (the
official schedules stored in the same table are ``worklog.schedules.ScheduleRepository``'s).

Key design (docs/access-patterns.md):
  cadre     pk=CADRE#<id>  sk=PROFILE      by_unit: UNIT#<unit>/CADRE#<id>   by_roster: ROSTER/CADRE#<id>
  unit      pk=UNIT#<id>   sk=PROFILE      by_roster: UNITS/UNIT#<id>
  standing  pk=CADRE#<id>  sk=STANDING                                   by_roster: ROSTER/CADRE#<id>#STANDING
  role change  pk=CADRE#<id>  sk=ROLECHANGE#<at>#<import id>
               by_roster: ROLECHANGES/<at>#<import id>#<id>  (append-only)
  id card    pk=CADRE#<id>  sk=IDCARD        the keyed hash of the cadre's ID-card number
  id lookup pk=IDCARD#<keyed hash>  sk=CADRE  which cadre the hash belongs to (never the number)
  calendar  pk=CALENDAR    sk=YEAR#<yyyy>
  calendar change (append-only)  pk=CALENDAR  sk=CHANGE#<yyyy>#<loaded_at>
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import field
from datetime import date
from typing import Any

from botocore.exceptions import ClientError

from worklog.dynamo import TableRepository, from_item, key, put_raw, query_all, to_item
from worklog.models.roster import Cadre, RoleChange, Unit
from worklog.records import datarecord
from worklog.roster.id_cards import IdCardIndex
from worklog.roster.standing import STANDING_SK, Standing

ROSTER_PK = "ROSTER"
UNITS_PK = "UNITS"
ROLE_CHANGES_PK = "ROLECHANGES"
ROLE_CHANGE_SK = "ROLECHANGE#"
ID_CARD_SK = "IDCARD"
ID_CARD_PK = "IDCARD#"
# A page cursor names the last role change returned: "<at>#<import id>#<cadre id>", base64url.
_CURSOR = re.compile(
    r"^(\d{4}-\d{2}-\d{2}T[0-9:.+-]+)#([A-Za-z0-9-]{1,40})#([A-Za-z0-9][A-Za-z0-9_-]{0,39})$"
)


class BadCursor(ValueError):
    """A page cursor this listing did not hand out."""


def cadre_item(cadre: Cadre) -> dict[str, Any]:
    return {
        "pk": f"CADRE#{cadre.cadre_id}",
        "sk": "PROFILE",
        "unit_pk": f"UNIT#{cadre.unit_id}",
        "unit_sk": f"CADRE#{cadre.cadre_id}",
        "roster_pk": ROSTER_PK,
        "roster_sk": f"CADRE#{cadre.cadre_id}",
        **cadre.model_dump(mode="json", exclude_none=True),
    }


def profile_guard(table: str, cadre_id: str, unit_id: str, on: date) -> dict[str, Any]:
    """A ConditionCheck for a write's transaction: the cadre is still on the roster, has not left
    before ``on`` and is still in ``unit_id`` (the unit the write was computed for). Dates are
    stored as ISO text, so they compare as strings."""
    return {
        "TableName": table,
        "Key": key(f"CADRE#{cadre_id}", "PROFILE"),
        "ConditionExpression": (
            "attribute_exists(pk) AND #unit = :unit AND (attribute_not_exists(#left) OR #left >= :on)"
        ),
        "ExpressionAttributeNames": {"#unit": "unit_id", "#left": "left_on"},
        "ExpressionAttributeValues": {":unit": {"S": unit_id}, ":on": {"S": on.isoformat()}},
    }


def role_change_item(change: RoleChange) -> dict[str, Any]:
    """A role change, under the cadre (their own history) and in the ROLECHANGES partition of
    by_roster (the district's, newest first), both sorted by time."""
    return {
        "pk": f"CADRE#{change.cadre_id}",
        "sk": f"{ROLE_CHANGE_SK}{change.at}#{change.import_id}",
        "roster_pk": ROLE_CHANGES_PK,
        "roster_sk": f"{change.at}#{change.import_id}#{change.cadre_id}",
        **change.model_dump(mode="json", exclude_none=True),
    }


def role_change_cursor(change: RoleChange) -> str:
    raw = f"{change.at}#{change.import_id}#{change.cadre_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _start_key(cursor: str, cadre_id: str | None) -> dict[str, Any]:
    """The ExclusiveStartKey a cursor stands for (the index's keys too when listing the district)."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, ValueError) as err:
        raise BadCursor(cursor) from err
    match = _CURSOR.fullmatch(text)
    if match is None or (cadre_id is not None and match[3] != cadre_id):
        raise BadCursor(cursor)
    at, import_id, owner = match.groups()
    start = key(f"CADRE#{owner}", f"{ROLE_CHANGE_SK}{at}#{import_id}")
    if cadre_id is None:
        start |= {"roster_pk": {"S": ROLE_CHANGES_PK}, "roster_sk": {"S": text}}
    return start


def _unchanged_since(seen: Cadre | None) -> dict[str, Any]:
    """The condition under which a profile is still the one an import planned from: absent, or
    with the same roles, unit and last day (what a role change records as its ``before``)."""
    if seen is None:
        return {"ConditionExpression": "attribute_not_exists(pk)"}
    left = "#left = :left" if seen.left_on else "attribute_not_exists(#left)"
    values: dict[str, Any] = {
        ":roles": {"L": [{"S": r} for r in seen.roles]},
        ":unit": {"S": seen.unit_id},
    }
    if seen.left_on:
        values[":left"] = {"S": seen.left_on.isoformat()}
    return {
        "ConditionExpression": f"#roles = :roles AND #unit = :unit AND {left}",
        "ExpressionAttributeNames": {"#roles": "roles", "#unit": "unit_id", "#left": "left_on"},
        "ExpressionAttributeValues": values,
    }


def id_card_puts(table: str, cadre_id: str, id_card_hash: str) -> list[dict[str, Any]]:
    """The two items that register a keyed hash with a cadre, for a row's transaction: under the
    cadre (which hash is theirs) and under the hash (whose it is). Each is put only if absent or
    already saying the same: a hash never moves to another cadre, nor a cadre to another hash."""
    return [
        {
            "Put": {
                "TableName": table,
                "Item": to_item({"pk": f"CADRE#{cadre_id}", "sk": ID_CARD_SK, "id_card_hash": id_card_hash}),
                "ConditionExpression": "attribute_not_exists(pk) OR id_card_hash = :h",
                "ExpressionAttributeValues": {":h": {"S": id_card_hash}},
            }
        },
        {
            "Put": {
                "TableName": table,
                "Item": to_item({"pk": f"{ID_CARD_PK}{id_card_hash}", "sk": "CADRE", "cadre_id": cadre_id}),
                "ConditionExpression": "attribute_not_exists(pk) OR cadre_id = :c",
                "ExpressionAttributeValues": {":c": {"S": cadre_id}},
            }
        },
    ]


def unit_item(unit: Unit) -> dict[str, Any]:
    return {
        "pk": f"UNIT#{unit.unit_id}",
        "sk": "PROFILE",
        "roster_pk": UNITS_PK,
        "roster_sk": f"UNIT#{unit.unit_id}",
        **unit.model_dump(mode="json", exclude_none=True),
    }


@datarecord
class RosterSlice:
    """Cadres of one id range of the roster with their standings, in id order; ``next_from`` is
    where the next slice starts (None: this slice reached the end), ``pages`` what it read."""

    cadres: list[Cadre] = field(default_factory=list)
    standings: dict[str, Standing] = field(default_factory=dict)
    next_from: str | None = None
    pages: int = 0

    @property
    def first_id(self) -> str | None:
        return self.cadres[0].cadre_id if self.cadres else None

    @property
    def last_id(self) -> str | None:
        return self.cadres[-1].cadre_id if self.cadres else None


def _strip_keys(values: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in values.items()
        if k not in {"pk", "sk", "unit_pk", "unit_sk", "roster_pk", "roster_sk"}
    }


class RosterRepository(TableRepository):
    table_setting = "roster_table"

    # --- cadres -------------------------------------------------------------------------------
    def get_cadre(self, cadre_id: str, *, consistent: bool = False) -> Cadre | None:
        """A cadre's profile; ``consistent`` reads the latest write (authorising a write on it)."""
        item = self.client.get_item(
            TableName=self.table, Key=key(f"CADRE#{cadre_id}", "PROFILE"), ConsistentRead=consistent
        ).get("Item")
        return Cadre.model_validate(_strip_keys(from_item(item))) if item else None

    def list_cadres(self) -> Iterator[Cadre]:
        for item in query_all(
            self.client,
            TableName=self.table,
            IndexName="by_roster",
            KeyConditionExpression="roster_pk = :p",
            ExpressionAttributeValues={":p": {"S": ROSTER_PK}},
        ):
            if item["sk"] == "PROFILE":
                yield Cadre.model_validate(_strip_keys(item))

    def roster_slice(
        self, start: str | None = None, *, max_pages: int | None = None, page_items: int | None = None
    ) -> RosterSlice:
        """Cadres from id ``start`` on, with their standings, reading at most ``max_pages`` pages of
        the by_roster index (None: to the end). A slice that stops early leaves out the last cadre
        it saw (its standing may be on the next page): the next slice starts at that cadre."""
        condition, values = "roster_pk = :p", {":p": {"S": ROSTER_PK}}
        if start is not None:
            condition += " AND roster_sk >= :s"
            values[":s"] = {"S": f"CADRE#{start}"}
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": "by_roster",
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
        }
        if page_items:
            request["Limit"] = page_items
        result, items = RosterSlice(), list[dict[str, Any]]()
        while True:
            page = self.client.query(**request)
            result.pages += 1
            items.extend(from_item(i) for i in page.get("Items", []))
            last = page.get("LastEvaluatedKey")
            if not last:
                break
            request["ExclusiveStartKey"] = last
            ids = {i["pk"] for i in items}
            if max_pages is not None and result.pages >= max_pages and len(ids) > 1:
                result.next_from = items[-1]["pk"].removeprefix("CADRE#")
                items = [i for i in items if i["pk"] != items[-1]["pk"]]
                break
        for item in items:
            cadre_id = item["pk"].removeprefix("CADRE#")
            if item["sk"] == STANDING_SK:
                result.standings[cadre_id] = Standing.from_item(cadre_id, item)
            else:
                result.cadres.append(Cadre.model_validate(_strip_keys(item)))
        return result

    def list_unit_members(self, unit_id: str) -> Iterator[Cadre]:
        for item in query_all(
            self.client,
            TableName=self.table,
            IndexName="by_unit",
            KeyConditionExpression="unit_pk = :p",
            ExpressionAttributeValues={":p": {"S": f"UNIT#{unit_id}"}},
        ):
            yield Cadre.model_validate(_strip_keys(item))

    # --- units --------------------------------------------------------------------------------
    def get_unit(self, unit_id: str) -> Unit | None:
        item = self.client.get_item(TableName=self.table, Key=key(f"UNIT#{unit_id}", "PROFILE")).get("Item")
        return Unit.model_validate(_strip_keys(from_item(item))) if item else None

    def list_units(self) -> Iterator[Unit]:
        for item in query_all(
            self.client,
            TableName=self.table,
            IndexName="by_roster",
            KeyConditionExpression="roster_pk = :p",
            ExpressionAttributeValues={":p": {"S": UNITS_PK}},
        ):
            yield Unit.model_validate(_strip_keys(item))

    def get_cadres(self, cadre_ids: Iterable[str]) -> dict[str, Cadre]:
        """The profiles of these cadres that exist, read consistently: BatchGetItem, 100 a request."""
        keys = [key(f"CADRE#{c}", "PROFILE") for c in sorted(set(cadre_ids))]
        found: dict[str, Cadre] = {}
        for start in range(0, len(keys), 100):
            request: dict[str, Any] = {
                self.table: {"Keys": keys[start : start + 100], "ConsistentRead": True}
            }
            while request:
                resp = self.client.batch_get_item(RequestItems=request)
                for item in resp.get("Responses", {}).get(self.table, []):
                    cadre = Cadre.model_validate(_strip_keys(from_item(item)))
                    found[cadre.cadre_id] = cadre
                request = resp.get("UnprocessedKeys") or {}
        return found

    def id_card_index(self, cadre_ids: Iterable[str], hashes: Iterable[str]) -> IdCardIndex:
        """Whose each keyed hash is, and which hash each cadre is registered with: BatchGetItem of
        the lookup and id-card items, read consistently, 100 keys a request."""
        keys = [key(f"CADRE#{c}", ID_CARD_SK) for c in sorted(set(cadre_ids))]
        keys += [key(f"{ID_CARD_PK}{h}", "CADRE") for h in sorted(set(hashes))]
        owners: dict[str, str] = {}
        registered: dict[str, str] = {}
        for start in range(0, len(keys), 100):
            request: dict[str, Any] = {
                self.table: {"Keys": keys[start : start + 100], "ConsistentRead": True}
            }
            while request:
                resp = self.client.batch_get_item(RequestItems=request)
                for item in map(from_item, resp.get("Responses", {}).get(self.table, [])):
                    if item["sk"] == ID_CARD_SK:
                        registered[item["pk"].removeprefix("CADRE#")] = item["id_card_hash"]
                    else:
                        owners[item["pk"].removeprefix(ID_CARD_PK)] = item["cadre_id"]
                request = resp.get("UnprocessedKeys") or {}
        return IdCardIndex(owners=owners, hashes=registered)

    # --- role changes -------------------------------------------------------------------------
    def role_changes(
        self,
        cadre_id: str | None = None,
        first: date | None = None,
        last: date | None = None,
        *,
        limit: int = 100,
        cursor: str | None = None,
    ) -> tuple[list[RoleChange], str | None]:
        """Role changes newest first, of one cadre (their partition) or of the district (the
        ROLECHANGES partition of by_roster), made on days first..last; one page of at most
        ``limit`` and the cursor of the next (None: no more). A bad cursor raises BadCursor."""
        low, high = (first.isoformat() if first else ""), f"{last.isoformat() if last else '9999-12-31'}~"
        request: dict[str, Any] = {"TableName": self.table, "ScanIndexForward": False, "Limit": limit}
        if cadre_id is not None:
            request["KeyConditionExpression"] = "pk = :p AND sk BETWEEN :a AND :b"
            request["ExpressionAttributeValues"] = {
                ":p": {"S": f"CADRE#{cadre_id}"},
                ":a": {"S": f"{ROLE_CHANGE_SK}{low}"},
                ":b": {"S": f"{ROLE_CHANGE_SK}{high}"},
            }
        else:
            request["IndexName"] = "by_roster"
            request["KeyConditionExpression"] = "roster_pk = :p AND roster_sk BETWEEN :a AND :b"
            request["ExpressionAttributeValues"] = {
                ":p": {"S": ROLE_CHANGES_PK},
                ":a": {"S": low or "0"},
                ":b": {"S": high},
            }
        if cursor:
            request["ExclusiveStartKey"] = _start_key(cursor, cadre_id)
        page = self.client.query(**request)
        changes = [RoleChange.model_validate(_strip_keys(from_item(i))) for i in page.get("Items", [])]
        more = bool(page.get("LastEvaluatedKey")) and bool(changes)
        return changes, role_change_cursor(changes[-1]) if more else None

    def role_changes_after(self, marker: str) -> Iterator[dict[str, Any]]:
        """The district's role changes as stored, oldest first, after ``marker`` (a ``roster_sk`` of
        the ROLECHANGES partition; "" for all): the archive's increment."""
        return query_all(
            self.client,
            TableName=self.table,
            IndexName="by_roster",
            KeyConditionExpression="roster_pk = :p AND roster_sk > :m",
            ExpressionAttributeValues={":p": {"S": ROLE_CHANGES_PK}, ":m": {"S": marker or "0"}},
        )

    # --- writes -------------------------------------------------------------------------------
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
        """One roster row, atomically: the cadre, (when the row defines it) its unit, ``others``
        (a replaced head losing the unit_head role) and the role changes they make (append-only:
        each put only if new). With ``seen`` (cadre id → the profile the import planned from, None
        for a new one) each profile is written only if it is still that one; False if one was
        changed meanwhile, and then nothing is written. ``id_card_hash`` registers the keyed hash
        of the row's ID-card number with the cadre (id_card_puts)."""
        puts: list[dict[str, Any]] = []
        for c in (cadre, *others):
            put: dict[str, Any] = {"TableName": self.table, "Item": to_item(cadre_item(c))}
            if seen is not None:
                put |= _unchanged_since(seen.get(c.cadre_id))
            puts.append({"Put": put})
        if unit is not None:
            puts.append({"Put": {"TableName": self.table, "Item": to_item(unit_item(unit))}})
        if id_card_hash is not None:
            puts.extend(id_card_puts(self.table, cadre.cadre_id, id_card_hash))
        for change in changes:
            item = to_item(role_change_item(change))
            puts.append(
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": item,
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            )
        try:
            self.client.transact_write_items(TransactItems=puts)
        except ClientError as err:
            reasons = err.response.get("CancellationReasons") or []
            if any(r.get("Code") == "ConditionalCheckFailed" for r in reasons):
                return False
            raise
        return True

    def put_unit(self, unit: Unit) -> None:
        self.client.put_item(TableName=self.table, Item=to_item(unit_item(unit)))

    def bulk_put(self, units: Iterable[Unit], cadres: Iterable[Cadre]) -> int:
        """Batch-load a whole synthetic roster (demo data, benchmark) without role-change records:
        not an administration path (imports go through ``put_row``). Returns the requests made."""
        items = [unit_item(u) for u in units] + [cadre_item(c) for c in cadres]
        return batch_write(self.client, self.table, items)


def batch_write(client: Any, table: str, items: list[dict[str, Any]]) -> int:
    """BatchWriteItem in chunks of 25, re-sending unprocessed items; returns requests made."""
    return put_raw(client, table, [to_item(i) for i in items])
