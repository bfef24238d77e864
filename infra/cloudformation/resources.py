"""Tables, buckets, queues and event buses: their API arguments from resolved properties, and their
creation (under moto, or wherever ``AWS_ENDPOINT_URL`` points).

The shapes are the API's (``create_table``, ``put_bucket_website``, ``create_queue``...), not
CloudFormation's; the few renamings between the two are spelled out here. Creation is idempotent: a
resource that already exists is left as it is. boto3 (a second to import) is imported only when
resources are created.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from botocore.exceptions import ClientError

from infra.cloudformation.intrinsics import text
from infra.cloudformation.source import TemplateError

__all__ = [
    "ResourceViews",
    "bucket_arguments",
    "create_resources",
    "queue_arguments",
    "table_arguments",
]

_QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
    "KmsMasterKeyId",
    "SqsManagedSseEnabled",
)


class ResourceViews(Protocol):
    """What ``create_resources`` reads of a stack (infra.template.Stack)."""

    region: str

    def tables(self) -> dict[str, dict[str, Any]]: ...
    def ttl(self) -> dict[str, str]: ...
    def buckets(self) -> dict[str, dict[str, Any]]: ...
    def queues(self) -> dict[str, str]: ...
    def queue_attributes(self, logical_id: str) -> dict[str, str]: ...
    def event_buses(self) -> dict[str, str]: ...


# --------------------------------------------------------------------------- API arguments


def table_arguments(name: str, props: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of ``dynamodb.create_table`` for a table's resolved properties."""
    kwargs: dict[str, Any] = {
        "TableName": name,
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "BillingMode": props.get("BillingMode", "PROVISIONED"),
    }
    provisioned = kwargs["BillingMode"] == "PROVISIONED"
    if provisioned:
        kwargs["ProvisionedThroughput"] = _throughput(props.get("ProvisionedThroughput"))
    gsis = [_index(index, provisioned=provisioned) for index in props.get("GlobalSecondaryIndexes", [])]
    if gsis:
        kwargs["GlobalSecondaryIndexes"] = gsis
    lsis = [_index(index, provisioned=False) for index in props.get("LocalSecondaryIndexes", [])]
    if lsis:
        kwargs["LocalSecondaryIndexes"] = lsis
    stream = props.get("StreamSpecification")
    if stream:
        kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    if "TableClass" in props:
        kwargs["TableClass"] = props["TableClass"]
    return kwargs


def bucket_arguments(name: str, props: dict[str, Any]) -> dict[str, Any]:
    """{Bucket, ObjectLockEnabledForBucket, Versioning, Website, ObjectLockConfiguration} of a bucket.

    ``Website`` and ``ObjectLockConfiguration`` are in the shape of the S3 API
    (``put_bucket_website`` / ``put_object_lock_configuration``), or None.
    """
    lock = text(props.get("ObjectLockEnabled", False)) == "true"
    versioning = (props.get("VersioningConfiguration") or {}).get("Status") == "Enabled"
    return {
        "Bucket": name,
        "ObjectLockEnabledForBucket": lock,
        "Versioning": versioning or lock,
        "Website": _website(props.get("WebsiteConfiguration")),
        "ObjectLockConfiguration": _object_lock(props.get("ObjectLockConfiguration")) if lock else None,
    }


def queue_arguments(props: dict[str, Any]) -> dict[str, str]:
    """The ``create_queue`` attributes of a queue's resolved properties (all values as strings)."""
    attributes = {key: text(props[key]) for key in _QUEUE_ATTRIBUTES if key in props}
    if "RedrivePolicy" in props:
        attributes["RedrivePolicy"] = json.dumps(props["RedrivePolicy"])
    return attributes


def _throughput(value: Any) -> dict[str, int]:
    if not isinstance(value, dict):
        raise TemplateError("a PROVISIONED table or index needs ProvisionedThroughput")
    return {key: int(text(value[key])) for key in ("ReadCapacityUnits", "WriteCapacityUnits")}


def _index(index: dict[str, Any], *, provisioned: bool) -> dict[str, Any]:
    shaped: dict[str, Any] = {
        "IndexName": index["IndexName"],
        "KeySchema": index["KeySchema"],
        "Projection": index["Projection"],
    }
    if provisioned:
        shaped["ProvisionedThroughput"] = _throughput(index.get("ProvisionedThroughput"))
    return shaped


def _website(config: Any) -> dict[str, Any] | None:
    if not isinstance(config, dict):
        return None
    website: dict[str, Any] = {}
    if "IndexDocument" in config:
        website["IndexDocument"] = {"Suffix": config["IndexDocument"]}
    if "ErrorDocument" in config:
        website["ErrorDocument"] = {"Key": config["ErrorDocument"]}
    if "RedirectAllRequestsTo" in config:
        website["RedirectAllRequestsTo"] = config["RedirectAllRequestsTo"]
    return website


def _object_lock(config: Any) -> dict[str, Any] | None:
    if not isinstance(config, dict):
        return None
    shaped: dict[str, Any] = {"ObjectLockEnabled": config.get("ObjectLockEnabled", "Enabled")}
    retention = (config.get("Rule") or {}).get("DefaultRetention")
    if retention:
        default = {"Mode": retention["Mode"]}
        default.update({unit: int(text(retention[unit])) for unit in ("Days", "Years") if unit in retention})
        shaped["Rule"] = {"DefaultRetention": default}
    return shaped


# --------------------------------------------------------------------------- creating


def create_resources(
    stack: ResourceViews,
    *,
    dynamodb: Any = None,
    s3: Any = None,
    sqs: Any = None,
    events: Any = None,
) -> None:
    """Create the template's tables (then TTL), buckets, queues and event buses.

    Clients that are not given are made with boto3 for ``stack.region`` (they honour
    ``AWS_ENDPOINT_URL``). Idempotent: a resource that already exists is left as it is.
    """
    import boto3

    def client(given: Any, service: str) -> Any:
        return given if given is not None else boto3.client(service, region_name=stack.region)  # type: ignore[call-overload]

    tables, buckets, queues, buses = stack.tables(), stack.buckets(), stack.queues(), stack.event_buses()
    if tables:
        _create_tables(client(dynamodb, "dynamodb"), tables, stack.ttl())
    if buckets:
        _create_buckets(client(s3, "s3"), buckets, stack.region)
    if queues:
        attributes = {logical_id: stack.queue_attributes(logical_id) for logical_id in queues}
        _create_queues(client(sqs, "sqs"), queues, attributes)
    if buses:
        _create_event_buses(client(events, "events"), list(buses.values()))


def _create_tables(dynamodb: Any, tables: dict[str, dict[str, Any]], ttl: dict[str, str]) -> None:
    existing = {
        name for page in dynamodb.get_paginator("list_tables").paginate() for name in page["TableNames"]
    }
    for kwargs in tables.values():
        if kwargs["TableName"] not in existing:
            dynamodb.create_table(**kwargs)
            dynamodb.get_waiter("table_exists").wait(
                TableName=kwargs["TableName"], WaiterConfig={"Delay": 1, "MaxAttempts": 60}
            )
    for logical_id, attribute in ttl.items():
        name = tables[logical_id]["TableName"]
        status = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        if status.get("TimeToLiveStatus") not in {"ENABLED", "ENABLING"}:
            dynamodb.update_time_to_live(
                TableName=name, TimeToLiveSpecification={"AttributeName": attribute, "Enabled": True}
            )


def _create_buckets(s3: Any, buckets: dict[str, dict[str, Any]], region: str) -> None:
    existing = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
    for spec in buckets.values():
        name = spec["Bucket"]
        if name in existing:
            continue
        create: dict[str, Any] = {"Bucket": name}
        if region != "us-east-1":
            create["CreateBucketConfiguration"] = {"LocationConstraint": region}
        if spec["ObjectLockEnabledForBucket"]:
            create["ObjectLockEnabledForBucket"] = True
        s3.create_bucket(**create)
        if spec["Versioning"]:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        if spec["ObjectLockConfiguration"] and "Rule" in spec["ObjectLockConfiguration"]:
            s3.put_object_lock_configuration(
                Bucket=name, ObjectLockConfiguration=spec["ObjectLockConfiguration"]
            )
        if spec["Website"]:
            s3.put_bucket_website(Bucket=name, WebsiteConfiguration=spec["Website"])


def _create_queues(sqs: Any, queues: dict[str, str], attributes: dict[str, dict[str, str]]) -> None:
    # Dead-letter targets first: a redrive policy must point at an existing queue.
    for logical_id in sorted(queues, key=lambda logical_id: "RedrivePolicy" in attributes[logical_id]):
        try:
            sqs.get_queue_url(QueueName=queues[logical_id])
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if not code.endswith(("NonExistentQueue", "QueueDoesNotExist")):
                raise
            sqs.create_queue(QueueName=queues[logical_id], Attributes=attributes[logical_id])


def _create_event_buses(events: Any, names: list[str]) -> None:
    for name in names:
        try:
            events.describe_event_bus(Name=name)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                raise
            events.create_event_bus(Name=name)
