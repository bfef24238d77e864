"""create_resources makes, under moto, exactly the tables, buckets, queues and event buses that
template.yaml declares (through the Stack view of it, infra/template.py).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.template import Stack, create_resources

# --------------------------------------------------------------------------- creating resources


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        yield


def _keys(schema: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(key["AttributeName"], key["KeyType"]) for key in schema]


def _index_shapes(indexes: list[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    return {
        index["IndexName"]: (
            _keys(index["KeySchema"]),
            index["Projection"]["ProjectionType"],
            sorted(index["Projection"].get("NonKeyAttributes", [])),
        )
        for index in indexes
    }


@pytest.mark.usefixtures("aws")
def test_create_resources_makes_every_table_as_the_template_says(stack: Stack) -> None:
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")

    create_resources(stack, dynamodb=dynamodb, s3=boto3.client("s3"), sqs=boto3.client("sqs"))

    for logical_id, expected in stack.tables().items():
        table = dynamodb.describe_table(TableName=expected["TableName"])["Table"]
        assert _keys(table["KeySchema"]) == _keys(expected["KeySchema"]), logical_id
        assert sorted(table["AttributeDefinitions"], key=lambda d: d["AttributeName"]) == sorted(
            expected["AttributeDefinitions"], key=lambda d: d["AttributeName"]
        ), logical_id
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST", logical_id
        for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            assert _index_shapes(table.get(kind, [])) == _index_shapes(expected.get(kind, [])), (
                logical_id,
                kind,
            )
    ttl = dynamodb.describe_time_to_live(TableName=stack.names["IdempotencyTable"])["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expiration")


@pytest.mark.usefixtures("aws")
def test_create_resources_makes_the_buckets_and_locks_the_ledger(stack: Stack) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")

    create_resources(stack, s3=s3)

    site, ledger, app = stack.names["SiteBucket"], stack.names["LedgerBucket"], stack.names["AppBucket"]
    assert {b["Name"] for b in s3.list_buckets()["Buckets"]} >= {site, ledger, app}
    lock = s3.get_object_lock_configuration(Bucket=ledger)["ObjectLockConfiguration"]
    assert lock["ObjectLockEnabled"] == "Enabled"
    retention = lock["Rule"]["DefaultRetention"]
    assert (retention["Mode"], retention["Days"]) == ("GOVERNANCE", 3650)
    for bucket in (site, ledger):
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    for bucket in (site, app):  # served by the distribution, never as S3 websites
        with pytest.raises(s3.exceptions.ClientError, match="NoSuchWebsiteConfiguration"):
            s3.get_bucket_website(Bucket=bucket)
    version = s3.put_object(Bucket=ledger, Key="checkpoints/2026-01-05.json", Body=b"{}")["VersionId"]
    with pytest.raises(s3.exceptions.ClientError):
        s3.delete_object(Bucket=ledger, Key="checkpoints/2026-01-05.json", VersionId=version)


@pytest.mark.usefixtures("aws")
def test_create_resources_makes_the_failure_queue(stack: Stack) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")

    create_resources(stack, sqs=sqs)

    url = sqs.get_queue_url(QueueName=stack.names["AsyncFailureQueue"])["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["MessageRetentionPeriod"])[
        "Attributes"
    ]
    assert attributes["MessageRetentionPeriod"] == "1209600"


@pytest.mark.usefixtures("aws")
def test_create_resources_twice_leaves_existing_resources_alone(stack: Stack) -> None:
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    create_resources(stack)
    dynamodb.put_item(
        TableName=stack.names["RosterTable"], Item={"pk": {"S": "CADRE#1"}, "sk": {"S": "PROFILE"}}
    )

    create_resources(stack)

    assert dynamodb.scan(TableName=stack.names["RosterTable"])["Count"] == 1


@pytest.mark.usefixtures("aws")
def test_create_resources_outside_us_east_1(template: dict[str, Any]) -> None:
    stack = Stack(template, region="ap-southeast-1")

    create_resources(stack)

    s3 = boto3.client("s3", region_name="ap-southeast-1")
    location = s3.get_bucket_location(Bucket=stack.names["LedgerBucket"])["LocationConstraint"]
    assert location == "ap-southeast-1"
    assert boto3.client("dynamodb", region_name="ap-southeast-1").list_tables()["TableNames"]


@pytest.mark.usefixtures("aws")
def test_create_resources_makes_event_buses_and_redrive_targets_first(template: dict[str, Any]) -> None:
    changed = copy.deepcopy(template)
    changed["Resources"]["WorkQueue"] = {
        "Type": "AWS::SQS::Queue",
        "Properties": {
            "VisibilityTimeout": 900,
            "RedrivePolicy": {
                "deadLetterTargetArn": {"Fn::GetAtt": ["AsyncFailureQueue", "Arn"]},
                "maxReceiveCount": 3,
            },
        },
    }
    changed["Resources"]["DomainEvents"] = {
        "Type": "AWS::Events::EventBus",
        "Properties": {"Name": "worklog-events"},
    }
    stack = Stack(changed)

    create_resources(stack)

    assert stack.event_buses()["DomainEvents"] == "worklog-events"
    assert boto3.client("events").describe_event_bus(Name="worklog-events")["Name"] == "worklog-events"
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=stack.names["WorkQueue"])["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["VisibilityTimeout"] == "900"
    assert stack.names["AsyncFailureQueue"] in attributes["RedrivePolicy"]
