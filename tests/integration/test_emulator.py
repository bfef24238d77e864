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


# --- queries, updates and conditions at demo scale (see infra/emulator/) -----------------------
def compliance_table(stack: InProcessStack) -> str:
    return stack.stack.names["ComplianceTable"]


def index_keys(client, table: str, value: str) -> list[str]:
    resp = client.query(
        TableName=table,
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :p",
        ExpressionAttributeValues={":p": {"S": value}},
    )
    return [i["sk"]["S"] for i in resp["Items"]]


def test_an_index_query_sees_every_write_made_since_the_last_one(stack: InProcessStack) -> None:
    client, table = boto3.client("dynamodb"), compliance_table(stack)
    for n in range(3):
        item = {"pk": {"S": "T"}, "sk": {"S": f"k{n}"}, "gsi1pk": {"S": "A"}, "gsi1sk": {"S": f"{n}"}}
        client.put_item(TableName=table, Item=item)
    assert index_keys(client, table, "A") == ["k0", "k1", "k2"]

    client.update_item(
        TableName=table,
        Key={"pk": {"S": "T"}, "sk": {"S": "k1"}},
        UpdateExpression="SET gsi1pk = :b",
        ExpressionAttributeValues={":b": {"S": "B"}},
    )
    client.delete_item(TableName=table, Key={"pk": {"S": "T"}, "sk": {"S": "k2"}})
    client.put_item(
        TableName=table,
        Item={"pk": {"S": "T"}, "sk": {"S": "k3"}, "gsi1pk": {"S": "A"}, "gsi1sk": {"S": "3"}},
    )

    assert index_keys(client, table, "A") == ["k0", "k3"]
    assert index_keys(client, table, "B") == ["k1"]


def test_an_update_sets_and_removes_attributes_and_returns_the_new_item(stack: InProcessStack) -> None:
    client, table = boto3.client("dynamodb"), compliance_table(stack)
    key = {"pk": {"S": "T"}, "sk": {"S": "u"}}
    client.put_item(TableName=table, Item={**key, "status": {"S": "open"}, "stale": {"N": "1"}})

    resp = client.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET #s = :done, note = :n REMOVE stale",
        ConditionExpression="#s IN (:open, :overdue)",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={
            ":done": {"S": "done"},
            ":n": {"S": "好"},
            ":open": {"S": "open"},
            ":overdue": {"S": "overdue"},
        },
        ReturnValues="ALL_NEW",
    )

    assert resp["Attributes"] == {**key, "status": {"S": "done"}, "note": {"S": "好"}}
    with pytest.raises(ClientError) as err:
        client.update_item(
            TableName=table,
            Key=key,
            UpdateExpression="SET #s = :open",
            ConditionExpression="#s = :open",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":open": {"S": "open"}},
        )
    assert err.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert client.get_item(TableName=table, Key=key)["Item"]["status"] == {"S": "done"}


def test_an_update_creates_the_item_it_does_not_find_unless_its_condition_says_otherwise(
    stack: InProcessStack,
) -> None:
    client, table = boto3.client("dynamodb"), compliance_table(stack)
    key = {"pk": {"S": "T"}, "sk": {"S": "new"}}

    with pytest.raises(ClientError):
        client.update_item(
            TableName=table,
            Key=key,
            UpdateExpression="SET a = :a",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":a": {"S": "x"}},
        )
    assert "Item" not in client.get_item(TableName=table, Key=key)
    client.update_item(
        TableName=table, Key=key, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": {"S": "x"}}
    )
    assert client.get_item(TableName=table, Key=key)["Item"] == {**key, "a": {"S": "x"}}


def test_an_update_of_a_key_attribute_or_with_a_missing_value_is_refused(stack: InProcessStack) -> None:
    client, table = boto3.client("dynamodb"), compliance_table(stack)
    key = {"pk": {"S": "T"}, "sk": {"S": "k"}}
    client.put_item(TableName=table, Item=key)

    for expression, values in (
        ("SET pk = :v", {":v": {"S": "other"}}),
        ("SET a = :missing", {":v": {"S": "x"}}),
    ):
        with pytest.raises(ClientError) as err:
            client.update_item(
                TableName=table, Key=key, UpdateExpression=expression, ExpressionAttributeValues=values
            )
        assert err.value.response["Error"]["Code"] == "ValidationException"


def test_a_condition_naming_a_reserved_word_is_refused(stack: InProcessStack) -> None:
    client, table = boto3.client("dynamodb"), compliance_table(stack)

    with pytest.raises(ClientError) as err:
        client.put_item(
            TableName=table,
            Item={"pk": {"S": "T"}, "sk": {"S": "r"}},
            ConditionExpression="status = :s",
            ExpressionAttributeValues={":s": {"S": "open"}},
        )

    assert err.value.response["Error"]["Code"] == "ValidationException"


def test_a_put_on_condition_it_is_new_fails_the_second_time(stack: InProcessStack) -> None:
    client, table = boto3.client("dynamodb"), compliance_table(stack)
    item = {"pk": {"S": "T"}, "sk": {"S": "once"}, "v": {"N": "1"}}
    client.put_item(TableName=table, Item=item, ConditionExpression="attribute_not_exists(pk)")

    with pytest.raises(ClientError) as err:
        client.put_item(
            TableName=table, Item={**item, "v": {"N": "2"}}, ConditionExpression="attribute_not_exists(pk)"
        )

    assert err.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert client.get_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]})["Item"]["v"] == {
        "N": "1"
    }


def test_an_item_over_400_kb_is_refused_whole_or_by_update(stack: InProcessStack) -> None:
    client, table = boto3.client("dynamodb"), compliance_table(stack)
    key = {"pk": {"S": "T"}, "sk": {"S": "big"}}

    with pytest.raises(ClientError) as err:
        client.put_item(TableName=table, Item={**key, "body": {"S": "x" * 410_000}})
    assert err.value.response["Error"]["Code"] == "ValidationException"
    client.put_item(TableName=table, Item={**key, "body": {"S": "x" * 300_000}})
    with pytest.raises(ClientError):
        client.update_item(
            TableName=table,
            Key=key,
            UpdateExpression="SET more = :m",
            ExpressionAttributeValues={":m": {"S": "y" * 200_000}},
        )


def test_loaded_items_read_back_as_written_and_an_existing_key_stops_a_load(stack: InProcessStack) -> None:
    from infra.emulator import load_items
    from worklog.dynamo import from_item

    client, table = boto3.client("dynamodb"), stack.stack.names["JournalTable"]
    item = {
        "pk": "CADRE#x",
        "sk": "HEAD",
        "head_seq": 3,
        "ok": True,
        "periods": {"a": {"rev": 1, "items": ["p1"]}},
    }

    assert load_items(table, [item, {"pk": "CADRE#x", "sk": "REV#1", "n": None}], unless=("CADRE#x", "HEAD"))
    assert not load_items(table, [{"pk": "CADRE#x", "sk": "REV#2"}], unless=("CADRE#x", "HEAD"))

    stored = client.get_item(TableName=table, Key={"pk": {"S": "CADRE#x"}, "sk": {"S": "HEAD"}})["Item"]
    assert from_item(stored) == item
    assert from_item(
        client.get_item(TableName=table, Key={"pk": {"S": "CADRE#x"}, "sk": {"S": "REV#1"}})["Item"]
    ) == {
        "pk": "CADRE#x",
        "sk": "REV#1",
    }
    assert "Item" not in client.get_item(TableName=table, Key={"pk": {"S": "CADRE#x"}, "sk": {"S": "REV#2"}})
