"""Missing records in the compliance table: the record, its item, the reads by day and by cadre,
and the withdrawal of a provisional one (worklog.compliance.withdrawal). Kept apart from the cases
so that what only reads or withdraws misses (the admin function, after a schedule's load) does
not build the case models at import.

  missing record  pk=CADRE#<id>  sk=MISS#<due>#<kind>#<period>
                  gsi1: MISSDAY#<due> / UNIT#<unit>#CADRE#<id>#<kind>
"""

from datetime import date
from typing import Any, Literal

from worklog.dynamo import TableRepository, conditional, key, query_all
from worklog.models.common import Model


class MissingRecord(Model):
    """Something a cadre owed and had not saved when the nightly check ran."""

    cadre_id: str
    unit_id: str
    kind: Literal["entry", "plan", "summary"]
    period: str
    due: date
    provisional: bool
    # withdrawn: found on a provisional day that the official schedule, loaded later, made a day
    # off (docs/decisions.md): it was never owed, and nothing counts it.
    status: Literal["missing", "late_submitted", "withdrawn"] = "missing"
    detected_at: str
    submitted_at: str | None = None
    withdrawn_at: str | None = None

    @property
    def sort_key(self) -> str:
        return f"MISS#{self.due.isoformat()}#{self.kind}#{self.period}"

    @property
    def record_id(self) -> str:
        return f"{self.cadre_id}/{self.kind}/{self.period}"

    def event_fields(self) -> dict[str, Any]:
        """What every event about this record tells (a reminder, a withdrawal)."""
        return {
            "reminder_id": self.record_id,
            "cadre_id": self.cadre_id,
            "unit_id": self.unit_id,
            "kind": self.kind,
            "period": self.period,
            "due": self.due.isoformat(),
        }


def missing_item(record: MissingRecord) -> dict[str, Any]:
    return {
        "pk": f"CADRE#{record.cadre_id}",
        "sk": record.sort_key,
        "gsi1pk": f"MISSDAY#{record.due.isoformat()}",
        "gsi1sk": f"UNIT#{record.unit_id}#CADRE#{record.cadre_id}#{record.kind}",
        **record.model_dump(mode="json", exclude_none=True),
    }


def _missing(item: dict[str, Any]) -> MissingRecord:
    return MissingRecord.model_validate({k: v for k, v in item.items() if k in MissingRecord.model_fields})


class MissingRecords(TableRepository):
    table_setting = "compliance_table"

    def missing_due_on(self, day: date, unit_id: str | None = None) -> list[MissingRecord]:
        condition, values = "gsi1pk = :p", {":p": {"S": f"MISSDAY#{day.isoformat()}"}}
        if unit_id:
            condition += " AND begins_with(gsi1sk, :u)"
            values[":u"] = {"S": f"UNIT#{unit_id}#"}
        items = query_all(
            self.client,
            TableName=self.table,
            IndexName="gsi1",
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
        )
        return [_missing(i) for i in items]

    def missing_of(self, cadre_id: str, kind: str | None = None) -> list[MissingRecord]:
        """A cadre's missing records, oldest first (optionally of one kind)."""
        items = query_all(
            self.client,
            TableName=self.table,
            KeyConditionExpression="pk = :p AND begins_with(sk, :m)",
            ExpressionAttributeValues={":p": {"S": f"CADRE#{cadre_id}"}, ":m": {"S": "MISS#"}},
        )
        records = [_missing(i) for i in items]
        return [r for r in records if kind is None or r.kind == kind]

    def withdraw(self, record: MissingRecord, at: str) -> bool:
        """Withdraw a provisional record still missing; False when it no longer is (withdrawn
        before, or saved late meanwhile): the condition then changes nothing."""
        return conditional(
            lambda: self.client.update_item(
                TableName=self.table,
                Key=key(f"CADRE#{record.cadre_id}", record.sort_key),
                UpdateExpression="SET #s = :withdrawn, withdrawn_at = :at",
                ConditionExpression="#s = :missing AND provisional = :yes",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":withdrawn": {"S": "withdrawn"},
                    ":missing": {"S": "missing"},
                    ":yes": {"BOOL": True},
                    ":at": {"S": at},
                },
            )
        )
