"""AuditRepository: audit rounds, inspectors' assignments, findings and evaluations, in the
compliance table.

Key design (docs/access-patterns.md):
  round       pk=AUDIT#<round>          sk=ROUND
              gsi1: AUDITS / <committed_at>#<round>
  assignment  pk=INSPECTOR#<inspector>  sk=AUDIT#<round>#CADRE#<cadre>
              gsi1: AUDIT#<round> / CADRE#<cadre>#<inspector>
  finding     pk=AUDIT#<round>          sk=FINDING#<cadre>#<day>#<inspector>
              gsi2: CADRE#<cadre> / FINDING#<round>#<day>#<inspector>
  evaluation  pk=EVAL#<quarter>         sk=CADRE#<cadre>
              gsi1: EVAL#<quarter>#UNIT#<unit> / CADRE#<cadre>
  spot draws  pk=SPOTDRAWS#<requester>  sk=DAY#<yyyy-mm-dd>   (draws: N, round_ids: [..])
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

from botocore.exceptions import ClientError

from worklog.dynamo import TableRepository, conditional, from_item, key, query_all, to_item
from worklog.models.audits import AuditAssignment, AuditRound, Evaluation, Finding

TRANSACTION_LIMIT = 100


def _round_item(r: AuditRound) -> dict[str, Any]:
    return {
        "pk": f"AUDIT#{r.round_id}",
        "sk": "ROUND",
        "gsi1pk": "AUDITS",
        "gsi1sk": f"{r.committed_at}#{r.round_id}",
        "state": r.state,
        "data": r.model_dump_json(),
    }


def _assignment_item(a: AuditAssignment) -> dict[str, Any]:
    return {
        "pk": f"INSPECTOR#{a.inspector_id}",
        "sk": f"AUDIT#{a.round_id}#CADRE#{a.cadre_id}",
        "gsi1pk": f"AUDIT#{a.round_id}",
        "gsi1sk": f"CADRE#{a.cadre_id}#{a.inspector_id}",
        "data": a.model_dump_json(),
    }


def _finding_item(f: Finding) -> dict[str, Any]:
    day = f.day.isoformat()
    return {
        "pk": f"AUDIT#{f.round_id}",
        "sk": f"FINDING#{f.cadre_id}#{day}#{f.inspector_id}",
        "gsi2pk": f"CADRE#{f.cadre_id}",
        "gsi2sk": f"FINDING#{f.round_id}#{day}#{f.inspector_id}",
        "data": f.model_dump_json(),
    }


def _evaluation_item(e: Evaluation) -> dict[str, Any]:
    return {
        "pk": f"EVAL#{e.quarter}",
        "sk": f"CADRE#{e.cadre_id}",
        "gsi1pk": f"EVAL#{e.quarter}#UNIT#{e.unit_id}",
        "gsi1sk": f"CADRE#{e.cadre_id}",
        "data": e.model_dump_json(),
    }


def _data(item: dict[str, Any]) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(item["data"])
    return value


class AuditRepository(TableRepository):
    table_setting = "compliance_table"

    # --- rounds -------------------------------------------------------------------------------
    def create_round(self, r: AuditRound) -> bool:
        """Store a new round; False if the id is taken."""
        return conditional(
            lambda: self.client.put_item(
                TableName=self.table,
                Item=to_item(_round_item(r)),
                ConditionExpression="attribute_not_exists(pk)",
            )
        )

    def create_spot_round(self, r: AuditRound, day: str, cap: int) -> Literal["created", "cap", "taken"]:
        """Store a spot-check round and count it against its requester's draws of ``day``, in one
        transaction: "cap" (nothing written) when the requester has drawn ``cap`` rounds that day
        already, "taken" when the round id is (another request of the same moment took it)."""
        counter = {
            "TableName": self.table,
            "Key": key(f"SPOTDRAWS#{r.requested_by}", f"DAY#{day}"),
            "UpdateExpression": (
                "ADD draws :one SET round_ids = list_append(if_not_exists(round_ids, :none), :id)"
            ),
            "ConditionExpression": "attribute_not_exists(draws) OR draws < :cap",
            "ExpressionAttributeValues": {
                ":one": {"N": "1"},
                ":cap": {"N": str(cap)},
                ":none": {"L": []},
                ":id": {"L": [{"S": r.round_id}]},
            },
        }
        round_put = {
            "TableName": self.table,
            "Item": to_item(_round_item(r)),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        try:
            self.client.transact_write_items(TransactItems=[{"Update": counter}, {"Put": round_put}])
        except ClientError as err:
            if err.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = err.response.get("CancellationReasons") or [{}, {}]
            if reasons[0].get("Code") == "ConditionalCheckFailed":
                return "cap"
            if reasons[1].get("Code") == "ConditionalCheckFailed":
                return "taken"
            raise
        return "created"

    def get_round(self, round_id: str) -> AuditRound | None:
        item = self.client.get_item(
            TableName=self.table, Key=key(f"AUDIT#{round_id}", "ROUND"), ConsistentRead=True
        ).get("Item")
        return AuditRound.model_validate(_data(from_item(item))) if item else None

    def mark_drawn(self, r: AuditRound) -> bool:
        """committed → drawn, once."""
        return conditional(
            lambda: self.client.put_item(
                TableName=self.table,
                Item=to_item(_round_item(r)),
                ConditionExpression="#s = :c",
                ExpressionAttributeNames={"#s": "state"},
                ExpressionAttributeValues={":c": {"S": "committed"}},
            )
        )

    def rounds(self) -> list[AuditRound]:
        """Every round, newest first."""
        items = query_all(
            self.client,
            TableName=self.table,
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues={":p": {"S": "AUDITS"}},
            ScanIndexForward=False,
        )
        return [AuditRound.model_validate(_data(i)) for i in items]

    # --- assignments --------------------------------------------------------------------------
    def put_assignments(self, assignments: Sequence[AuditAssignment]) -> None:
        """Idempotent: the same round re-drawn from the same inputs writes the same items."""
        items = [
            {"Put": {"TableName": self.table, "Item": to_item(_assignment_item(a))}} for a in assignments
        ]
        for start in range(0, len(items), TRANSACTION_LIMIT):
            self.client.transact_write_items(TransactItems=items[start : start + TRANSACTION_LIMIT])

    def assignments_of(self, inspector_id: str) -> list[AuditAssignment]:
        items = query_all(
            self.client,
            TableName=self.table,
            KeyConditionExpression="pk = :p AND begins_with(sk, :a)",
            ExpressionAttributeValues={":p": {"S": f"INSPECTOR#{inspector_id}"}, ":a": {"S": "AUDIT#"}},
        )
        return [AuditAssignment.model_validate(_data(i)) for i in items]

    def assignment(self, inspector_id: str, round_id: str, cadre_id: str) -> AuditAssignment | None:
        item = self.client.get_item(
            TableName=self.table,
            Key=key(f"INSPECTOR#{inspector_id}", f"AUDIT#{round_id}#CADRE#{cadre_id}"),
            ConsistentRead=True,
        ).get("Item")
        return AuditAssignment.model_validate(_data(from_item(item))) if item else None

    def round_assignments(self, round_id: str) -> list[AuditAssignment]:
        items = query_all(
            self.client,
            TableName=self.table,
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues={":p": {"S": f"AUDIT#{round_id}"}},
        )
        return [AuditAssignment.model_validate(_data(i)) for i in items]

    # --- findings -----------------------------------------------------------------------------
    def put_finding(self, f: Finding) -> bool:
        """One finding per inspector per sampled entry; False if already recorded."""
        return conditional(
            lambda: self.client.put_item(
                TableName=self.table,
                Item=to_item(_finding_item(f)),
                ConditionExpression="attribute_not_exists(pk)",
            )
        )

    def set_case(self, f: Finding) -> None:
        """Record the case a finding opened (the finding itself was stored first)."""
        self.client.put_item(TableName=self.table, Item=to_item(_finding_item(f)))

    def findings_of_round(self, round_id: str, cadre_id: str | None = None) -> list[Finding]:
        prefix = f"FINDING#{cadre_id}#" if cadre_id else "FINDING#"
        items = query_all(
            self.client,
            TableName=self.table,
            KeyConditionExpression="pk = :p AND begins_with(sk, :f)",
            ExpressionAttributeValues={":p": {"S": f"AUDIT#{round_id}"}, ":f": {"S": prefix}},
        )
        return [Finding.model_validate(_data(i)) for i in items]

    def findings_of_cadre(self, cadre_id: str) -> list[Finding]:
        items = query_all(
            self.client,
            TableName=self.table,
            IndexName="gsi2",
            KeyConditionExpression="gsi2pk = :p AND begins_with(gsi2sk, :f)",
            ExpressionAttributeValues={":p": {"S": f"CADRE#{cadre_id}"}, ":f": {"S": "FINDING#"}},
        )
        return [Finding.model_validate(_data(i)) for i in items]

    # --- evaluations --------------------------------------------------------------------------
    def put_evaluation(self, e: Evaluation) -> None:
        self.client.put_item(TableName=self.table, Item=to_item(_evaluation_item(e)))

    def evaluations_of_unit(self, quarter: str, unit_id: str) -> list[Evaluation]:
        items = query_all(
            self.client,
            TableName=self.table,
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues={":p": {"S": f"EVAL#{quarter}#UNIT#{unit_id}"}},
        )
        return [Evaluation.model_validate(_data(i)) for i in items]
