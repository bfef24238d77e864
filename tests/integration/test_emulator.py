"""The embedded AWS keeps DynamoDB's all-or-nothing transactions (infra.emulator)."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from infra.inprocess import InProcessStack


def test_a_failed_condition_cancels_every_write_of_the_transaction(stack: InProcessStack) -> None:
    client = boto3.client("dynamodb")
    table = stack.stack.names["JournalTable"]
    client.put_item(TableName=table, Item={"pk": {"S": "T"}, "sk": {"S": "existing"}})
    with pytest.raises(ClientError) as err:
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {"pk": {"S": "T"}, "sk": {"S": "new"}}}},
                {
                    "Put": {
                        "TableName": table,
                        "Item": {"pk": {"S": "T"}, "sk": {"S": "existing"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )
    assert err.value.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = [r["Code"] for r in err.value.response["CancellationReasons"]]
    assert reasons == ["None", "ConditionalCheckFailed"]
    assert "Item" not in client.get_item(TableName=table, Key={"pk": {"S": "T"}, "sk": {"S": "new"}})


def test_a_transaction_whose_conditions_hold_writes_everything(stack: InProcessStack) -> None:
    client = boto3.client("dynamodb")
    table = stack.stack.names["JournalTable"]
    client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": {"S": "T"}, "sk": {"S": f"k{i}"}}}} for i in range(3)
        ]
    )
    keys = [{"pk": {"S": "T"}, "sk": {"S": f"k{i}"}} for i in range(3)]
    assert all("Item" in client.get_item(TableName=table, Key=k) for k in keys)
