"""RosterRepository: the only code that reads and writes the roster table.

Key design (docs/access-patterns.md):
  cadre     pk=CADRE#<id>  sk=PROFILE      by_unit: UNIT#<unit>/CADRE#<id>   by_roster: ROSTER/CADRE#<id>
  unit      pk=UNIT#<id>   sk=PROFILE      by_roster: UNITS/UNIT#<id>
  standing  pk=CADRE#<id>  sk=STANDING                                   by_roster: ROSTER/CADRE#<id>#STANDING
  calendar  pk=CALENDAR    sk=YEAR#<yyyy>
  calendar change (append-only)  pk=CALENDAR  sk=CHANGE#<yyyy>#<loaded_at>
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from worklog.dynamo import TableRepository, from_item, key, query_all, to_item
from worklog.models.calendar import CalendarChange, OfficialSchedule
from worklog.models.roster import Cadre, Unit
from worklog.roster.standing import STANDING_SK, Standing

ROSTER_PK = "ROSTER"
UNITS_PK = "UNITS"


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


def unit_item(unit: Unit) -> dict[str, Any]:
    return {
        "pk": f"UNIT#{unit.unit_id}",
        "sk": "PROFILE",
        "roster_pk": UNITS_PK,
        "roster_sk": f"UNIT#{unit.unit_id}",
        **unit.model_dump(mode="json", exclude_none=True),
    }


@dataclass
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
    def get_cadre(self, cadre_id: str) -> Cadre | None:
        item = self.client.get_item(TableName=self.table, Key=key(f"CADRE#{cadre_id}", "PROFILE")).get("Item")
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

    # --- writes -------------------------------------------------------------------------------
    def put_row(self, cadre: Cadre, unit: Unit | None = None, others: Iterable[Cadre] = ()) -> None:
        """One roster row, atomically: the cadre, (when the row defines it) its unit, and
        ``others`` (a replaced head losing the unit_head role)."""
        puts = [{"Put": {"TableName": self.table, "Item": to_item(cadre_item(c))}} for c in (cadre, *others)]
        if unit is not None:
            puts.append({"Put": {"TableName": self.table, "Item": to_item(unit_item(unit))}})
        self.client.transact_write_items(TransactItems=puts)

    def put_unit(self, unit: Unit) -> None:
        self.client.put_item(TableName=self.table, Item=to_item(unit_item(unit)))

    def bulk_put(self, units: Iterable[Unit], cadres: Iterable[Cadre]) -> int:
        """Batch-load a whole roster (demo data, CLI); returns the number of requests made."""
        items = [unit_item(u) for u in units] + [cadre_item(c) for c in cadres]
        return batch_write(self.client, self.table, items)

    # --- calendar -----------------------------------------------------------------------------
    def replace_schedule(
        self, schedule: OfficialSchedule, previous: OfficialSchedule | None, change: CalendarChange
    ) -> bool:
        """Store a year's schedule and its change record in one transaction; False (nothing
        written) when the stored schedule is no longer ``previous`` (another load came between)."""
        seen: dict[str, Any] = (
            {"ConditionExpression": "attribute_not_exists(pk)"}
            if previous is None
            else {
                "ConditionExpression": "loaded_at = :seen",
                "ExpressionAttributeValues": {":seen": {"S": previous.loaded_at}},
            }
        )
        item = {"pk": "CALENDAR", "sk": f"YEAR#{schedule.year}", **schedule.model_dump(mode="json")}
        record = {
            "pk": "CALENDAR",
            "sk": f"CHANGE#{change.year}#{change.at}",
            **change.model_dump(mode="json"),
        }
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": self.table, "Item": to_item(item), **seen}},
                    {
                        "Put": {
                            "TableName": self.table,
                            "Item": to_item(record),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ]
            )
        except ClientError as err:
            if err.response["Error"]["Code"] == "TransactionCanceledException":
                return False
            raise
        return True

    def list_schedule_changes(self, year: int) -> Iterator[CalendarChange]:
        """Every recorded load of a year, oldest first."""
        for item in query_all(
            self.client,
            TableName=self.table,
            KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
            ExpressionAttributeValues={":p": {"S": "CALENDAR"}, ":s": {"S": f"CHANGE#{year}#"}},
        ):
            yield CalendarChange.model_validate(_strip_keys(item))

    def list_schedules(self) -> dict[int, OfficialSchedule]:
        items = query_all(
            self.client,
            TableName=self.table,
            KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
            ExpressionAttributeValues={":p": {"S": "CALENDAR"}, ":s": {"S": "YEAR#"}},
        )
        schedules = [OfficialSchedule.model_validate(_strip_keys(i)) for i in items]
        return {s.year: s for s in schedules}


def batch_write(client: Any, table: str, items: list[dict[str, Any]]) -> int:
    """BatchWriteItem in chunks of 25, re-sending unprocessed items; returns requests made."""
    requests = 0
    pending = [{"PutRequest": {"Item": to_item(i)}} for i in items]
    while pending:
        chunk, pending = pending[:25], pending[25:]
        while chunk:
            resp = client.batch_write_item(RequestItems={table: chunk})
            requests += 1
            chunk = resp.get("UnprocessedItems", {}).get(table, [])
    return requests
