"""RosterRepository: the only code that reads and writes the roster table.

Key design (docs/access-patterns.md):
  cadre     pk=CADRE#<id>  sk=PROFILE      by_unit: UNIT#<unit>/CADRE#<id>   by_roster: ROSTER/CADRE#<id>
  unit      pk=UNIT#<id>   sk=PROFILE      by_roster: UNITS/UNIT#<id>
  calendar  pk=CALENDAR    sk=YEAR#<yyyy>
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from worklog.dynamo import TableRepository, from_item, key, query_all, to_item
from worklog.models.calendar import OfficialSchedule
from worklog.models.roster import Cadre, Unit

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
            yield Cadre.model_validate(_strip_keys(item))

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
    def put_row(self, cadre: Cadre, unit: Unit | None = None) -> None:
        """One roster row, atomically: the cadre and (when the row defines it) its unit."""
        puts = [{"Put": {"TableName": self.table, "Item": to_item(cadre_item(cadre))}}]
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
    def put_schedule(self, schedule: OfficialSchedule) -> bool:
        """Store a year's official schedule; returns True if the year had none before."""
        item = {"pk": "CALENDAR", "sk": f"YEAR#{schedule.year}", **schedule.model_dump(mode="json")}
        resp = self.client.put_item(TableName=self.table, Item=to_item(item), ReturnValues="ALL_OLD")
        return "Attributes" not in resp

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
