"""The demo loader's direct clients (infra.direct) answer as boto3 does against the same embedded AWS:
same items, same errors with the same codes, same objects in the site bucket."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from infra.direct import DirectDynamoDB, DirectSiteBucket
from infra.inprocess import InProcessStack


def without_metadata(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k not in ("ResponseMetadata", "ConsumedCapacity")}


@pytest.fixture
def clients(stack: InProcessStack) -> tuple[Any, DirectDynamoDB, str]:
    boto = boto3.client("dynamodb")
    return boto, DirectDynamoDB(boto), stack.stack.names["ComplianceTable"]


def test_reads_and_writes_answer_as_boto3_does(clients: tuple[Any, DirectDynamoDB, str]) -> None:
    boto, direct, table = clients
    for n in range(3):
        direct.put_item(
            TableName=table,
            Item={
                "pk": {"S": "P"},
                "sk": {"S": f"s{n}"},
                "gsi1pk": {"S": "G"},
                "gsi1sk": {"S": f"{n}"},
                "n": {"N": str(n)},
            },
        )
    key = {"pk": {"S": "P"}, "sk": {"S": "s1"}}
    queries = [
        {
            "TableName": table,
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "P"}},
        },
        {
            "TableName": table,
            "IndexName": "gsi1",
            "KeyConditionExpression": "gsi1pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "G"}},
            "ScanIndexForward": False,
            "Limit": 2,
        },
    ]

    for query in queries:
        assert without_metadata(direct.query(**query)) == without_metadata(boto.query(**query))
    assert without_metadata(direct.get_item(TableName=table, Key=key)) == without_metadata(
        boto.get_item(TableName=table, Key=key)
    )
    batch = {table: {"Keys": [key, {"pk": {"S": "P"}, "sk": {"S": "s2"}}]}}
    assert sorted(direct.batch_get_item(RequestItems=batch)["Responses"][table], key=str) == sorted(
        boto.batch_get_item(RequestItems=batch)["Responses"][table], key=str
    )
    updated = direct.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET #n = :n",
        ExpressionAttributeNames={"#n": "n"},
        ExpressionAttributeValues={":n": {"N": "7"}},
        ReturnValues="ALL_NEW",
    )
    assert updated["Attributes"] == boto.get_item(TableName=table, Key=key)["Item"]


def test_a_failed_condition_raises_the_modelled_error(clients: tuple[Any, DirectDynamoDB, str]) -> None:
    boto, direct, table = clients
    item = {"pk": {"S": "P"}, "sk": {"S": "once"}}
    direct.put_item(TableName=table, Item=item, ConditionExpression="attribute_not_exists(pk)")

    with pytest.raises(boto.exceptions.ConditionalCheckFailedException) as err:
        direct.put_item(TableName=table, Item=item, ConditionExpression="attribute_not_exists(pk)")

    assert err.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert err.value.operation_name == "PutItem"


def test_a_cancelled_transaction_gives_its_reasons_and_writes_nothing(
    clients: tuple[Any, DirectDynamoDB, str],
) -> None:
    boto, direct, table = clients
    boto.put_item(TableName=table, Item={"pk": {"S": "P"}, "sk": {"S": "taken"}})

    with pytest.raises(ClientError) as err:
        direct.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {"pk": {"S": "P"}, "sk": {"S": "free"}}}},
                {
                    "Put": {
                        "TableName": table,
                        "Item": {"pk": {"S": "P"}, "sk": {"S": "taken"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )

    assert err.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert [r["Code"] for r in err.value.response["CancellationReasons"]] == [
        "None",
        "ConditionalCheckFailed",
    ]
    assert "Item" not in boto.get_item(TableName=table, Key={"pk": {"S": "P"}, "sk": {"S": "free"}})


@pytest.mark.parametrize(
    "request_",
    [
        {
            "IndexName": "nope",
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "P"}},
        },
        {"KeyConditionExpression": "pk = :p"},
        {"KeyConditionExpression": "status = :p", "ExpressionAttributeValues": {":p": {"S": "P"}}},
    ],
)
def test_a_bad_request_fails_as_with_boto3(clients: tuple[Any, DirectDynamoDB, str], request_: dict) -> None:
    boto, direct, table = clients
    errors = []
    for client in (boto, direct):
        with pytest.raises(ClientError) as err:
            client.query(TableName=table, **request_)
        errors.append((type(err.value), err.value.response["Error"]))

    assert errors[0] == errors[1]


def test_other_operations_go_to_boto3(clients: tuple[Any, DirectDynamoDB, str]) -> None:
    _, direct, table = clients

    assert direct.describe_table(TableName=table)["Table"]["TableName"] == table


def test_site_objects_put_directly_read_back_through_boto3_with_their_headers(stack: InProcessStack) -> None:
    s3 = boto3.client("s3")
    bucket = stack.stack.buckets()["SiteBucket"]["Bucket"]
    site = DirectSiteBucket(s3, bucket)

    site.put_object(
        Bucket=bucket,
        Key="units/x/index.html",
        Body="<p>单位</p>".encode(),
        ContentType="text/html; charset=utf-8",
        CacheControl="no-cache",
        Metadata={"sha256": "abc"},
    )

    got = s3.get_object(Bucket=bucket, Key="units/x/index.html")
    assert got["Body"].read().decode() == "<p>单位</p>"
    assert got["ContentType"] == "text/html; charset=utf-8"
    assert got["CacheControl"] == "no-cache" and got["Metadata"] == {"sha256": "abc"}
    mine = site.get_object(Bucket=bucket, Key="units/x/index.html")
    assert mine["Body"].read().decode() == "<p>单位</p>" and mine["Metadata"] == {"sha256": "abc"}
    with pytest.raises(s3.exceptions.NoSuchKey):
        site.get_object(Bucket=bucket, Key="nothing-here.html")
