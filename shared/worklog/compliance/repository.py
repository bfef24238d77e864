"""ComplianceRepository: missing records (their reads and withdrawal in ``missing``) and cases.

Key design (docs/access-patterns.md):
  missing record  pk=CADRE#<id>  sk=MISS#<due>#<kind>#<period>
                  gsi1: MISSDAY#<due> / UNIT#<unit>#CADRE#<id>#<kind>
  case            pk=CASE#<id>   sk=CASE
                  gsi1: CASEOWNER#<role>#<unit|*> / <opened_on>#<id>
                  gsi2: CADRE#<id> / CASE#<opened_on>#<id>
Keys are deterministic, so a sweep that runs twice for one date finds what the first run wrote.
"""

import json
from collections.abc import Iterable, Iterator
from typing import Any

from botocore.exceptions import ClientError

from worklog.compliance.missing import MissingRecord, MissingRecords, missing_item
from worklog.dynamo import (
    conditional,
    from_item,
    is_empty,
    key,
    put_raw,
    query_all,
    scan_raw,
    to_item,
)
from worklog.errors import Conflict
from worklog.messages import MSG
from worklog.models.cases import Case


def case_item(case: Case) -> dict[str, Any]:
    unit = case.owner_unit_id or "*"
    return {
        "pk": f"CASE#{case.case_id}",
        "sk": "CASE",
        "gsi1pk": f"CASEOWNER#{case.owner_role}#{unit}",
        "gsi1sk": f"{case.opened_on.isoformat()}#{case.case_id}",
        "gsi2pk": f"CADRE#{case.cadre_id}",
        "gsi2sk": f"CASE#{case.opened_on.isoformat()}#{case.case_id}",
        "state": str(case.state),
        "kind": str(case.kind),
        "version": len(case.history),
        "data": case.model_dump_json(),
    }


def _case(item: dict[str, Any]) -> Case:
    return Case.model_validate(json.loads(item["data"]))


class ComplianceRepository(MissingRecords):
    """Missing records (``MissingRecords``: reads, withdrawals) and their nightly writes; cases."""

    # --- the nightly check's writes (the reads and withdrawals: MissingRecords) ---------------
    def write_sweep(self, groups: Iterable[list[dict[str, Any]]]) -> set[str]:
        """The nightly check's writes, in transactions of at most 100 actions, each cadre's group
        (its new missing records, late-submitted marks and standing update) kept whole.

        Missing records are Puts on condition they are new, marks are conditional on the record
        still being missing: a condition that fails means an earlier run did it, so that action is
        dropped and the rest retried. Returns the sort keys (``CADRE#id|MISS#...``) of the missing
        records written by this call."""
        written: set[str] = set()
        batch: list[dict[str, Any]] = []
        for group in groups:
            if len(batch) + len(group) > 100:
                written |= self._transact(batch)
                batch = []
            batch.extend(group)
        if batch:
            written |= self._transact(batch)
        return written

    def _transact(self, actions: list[dict[str, Any]]) -> set[str]:
        while actions:
            try:
                self.client.transact_write_items(TransactItems=actions)
            except ClientError as err:
                reasons = err.response.get("CancellationReasons") or []
                failed = {i for i, r in enumerate(reasons) if r.get("Code") == "ConditionalCheckFailed"}
                if err.response["Error"]["Code"] != "TransactionCanceledException" or not failed:
                    raise
                if any(r.get("Code") not in (None, "None", "ConditionalCheckFailed") for r in reasons):
                    raise
                actions = [a for i, a in enumerate(actions) if i not in failed]
                continue
            break
        return {
            f"{a['Put']['Item']['pk']['S']}|{a['Put']['Item']['sk']['S']}"
            for a in actions
            if "Put" in a and a["Put"]["TableName"] == self.table
        }

    def new_missing_action(self, record: MissingRecord) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self.table,
                "Item": to_item(missing_item(record)),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def late_action(self, cadre_id: str, sort_key: str, at: str) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self.table,
                "Key": key(f"CADRE#{cadre_id}", sort_key),
                "UpdateExpression": "SET #s = :late, submitted_at = :at",
                "ConditionExpression": "#s = :missing",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {
                    ":late": {"S": "late_submitted"},
                    ":missing": {"S": "missing"},
                    ":at": {"S": at},
                },
            }
        }

    # --- cases --------------------------------------------------------------------------------
    def open_case(self, case: Case) -> bool:
        """Store a new case; False if a case with that (deterministic) id already exists."""
        return conditional(
            lambda: self.client.put_item(
                TableName=self.table,
                Item=to_item(case_item(case)),
                ConditionExpression="attribute_not_exists(pk)",
            )
        )

    def get_case(self, case_id: str) -> Case | None:
        item = self.client.get_item(
            TableName=self.table, Key=key(f"CASE#{case_id}", "CASE"), ConsistentRead=True
        ).get("Item")
        return _case(from_item(item)) if item else None

    def save_case(self, case: Case, *, previous_version: int) -> None:
        """Replace a case after a transition; refused if someone else moved it in between."""
        try:
            self.client.put_item(
                TableName=self.table,
                Item=to_item(case_item(case)),
                ConditionExpression="version = :v",
                ExpressionAttributeValues={":v": {"N": str(previous_version)}},
            )
        except ClientError as err:
            if err.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise Conflict(MSG["case_changed_meanwhile"], code="concurrent_update") from err
            raise

    def cases_owned_by(self, role: str, unit_id: str | None = None) -> list[Case]:
        items = query_all(
            self.client,
            TableName=self.table,
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues={":p": {"S": f"CASEOWNER#{role}#{unit_id or '*'}"}},
        )
        return [_case(i) for i in items]

    def cases_of(self, cadre_id: str) -> list[Case]:
        items = query_all(
            self.client,
            TableName=self.table,
            IndexName="gsi2",
            KeyConditionExpression="gsi2pk = :p AND begins_with(gsi2sk, :c)",
            ExpressionAttributeValues={":p": {"S": f"CADRE#{cadre_id}"}, ":c": {"S": "CASE#"}},
        )
        return [_case(i) for i in items]

    # --- the archive (worklog.archive) ----------------------------------------------------------
    def stored_items(self) -> Iterator[dict[str, Any]]:
        """Every item of the table as stored (attribute values): the archive keeps them whole."""
        return scan_raw(self.client, self.table)

    def is_empty(self) -> bool:
        return is_empty(self.client, self.table)

    def put_stored_items(self, items: list[dict[str, Any]]) -> int:
        """Items as stored (a restore from the archive), 25 a request. Returns the requests made."""
        return put_raw(self.client, self.table, items)
