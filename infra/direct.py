"""Clients of the embedded AWS in this very process that skip HTTP and (de)serialisation.

The local runtime's handlers talk to the embedded AWS the way they talk to AWS: boto3 over HTTP to
the emulator's server. Loading the demo's history that way — months of nightly checks and weekly
reviews, then a site of 800 cadres — spends most of its time encoding, signing, parsing and
decoding requests. These clients hand the same requests to the same moto actions in-process, under
the emulator's lock (``infra.emulator.lock``), and return what botocore would have parsed:

* ``DirectDynamoDB`` — the item operations (GetItem, PutItem, UpdateItem, DeleteItem, Query,
  BatchGetItem, BatchWriteItem, TransactWriteItems) through moto's own DynamoDB handler, errors
  raised as the client's modelled ``ClientError`` subclasses with the same codes and cancellation
  reasons; anything else goes to a real client.
* ``DirectSiteBucket`` — put and get of plain objects in the public site bucket (no Object Lock, no
  checksums), as the publisher's ``SiteStore`` uses them; anything else goes to a real client.

Only the demo loader uses them (``infra.demo.loader``); nothing deployed does.
"""

from __future__ import annotations

import io
import json
import os
import re
from typing import Any

from botocore.response import StreamingBody

from infra.emulator import lock

ACCOUNT = os.environ.get("MOTO_ACCOUNT_ID", "123456789012")
_ITEM_OPERATIONS = {
    "get_item": "GetItem",
    "put_item": "PutItem",
    "update_item": "UpdateItem",
    "delete_item": "DeleteItem",
    "query": "Query",
    "batch_get_item": "BatchGetItem",
    "batch_write_item": "BatchWriteItem",
    "transact_write_items": "TransactWriteItems",
}


def _region() -> str:
    return os.environ.get("AWS_DEFAULT_REGION", "us-east-1")


class DirectDynamoDB:
    """A low-level DynamoDB client for the item operations, served by moto in this process."""

    def __init__(self, fallback: Any) -> None:
        self._fallback = fallback
        self.exceptions = fallback.exceptions
        self.meta = fallback.meta

    def __getattr__(self, name: str) -> Any:
        operation = _ITEM_OPERATIONS.get(name)
        if operation is None:
            return getattr(self._fallback, name)
        return lambda **params: self._call(name, operation, params)

    def _call(self, action: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        from moto.core.exceptions import JsonRESTError
        from moto.dynamodb.responses import DynamoHandler

        if action == "update_item" and _plain_update(params):
            try:
                updated = self._update(params)
            except JsonRESTError as err:
                raise self._error(err, operation) from None
            if updated is not None:
                return updated
        handler = DynamoHandler()
        handler.current_account = ACCOUNT
        handler.region = _region()
        # moto's actions read their parameters from ``body`` (and may keep references to them).
        handler.body = handler.params = json.loads(json.dumps(params))
        handler.headers = {}
        with lock:
            try:
                result = getattr(handler, action)()
            except JsonRESTError as err:
                raise self._error(err, operation) from None
        parsed = dict(result.result or {})
        parsed["ResponseMetadata"] = {"HTTPStatusCode": 200}
        return parsed

    @staticmethod
    def _backend() -> Any:
        from moto.dynamodb.models import dynamodb_backends

        return dynamodb_backends[ACCOUNT][_region()]

    def _update(self, params: dict[str, Any]) -> dict[str, Any] | None:
        """UpdateItem with an update expression straight to the backend (what moto's handler does
        besides is checking the request's shape, which ``_plain_update`` has done); None if the
        handler should take it after all."""
        params = json.loads(json.dumps(params))
        with lock:
            backend = self._backend()
            if params["TableName"] not in backend.tables:
                return None
            table = backend.get_table(params["TableName"])
            if set(params["Key"]) != set(table.table_key_attrs):
                return None
            item = backend.update_item(
                params["TableName"],
                params["Key"],
                update_expression=params["UpdateExpression"],
                expression_attribute_names=params.get("ExpressionAttributeNames") or {},
                expression_attribute_values=params.get("ExpressionAttributeValues") or {},
                condition_expression=params.get("ConditionExpression"),
                return_values_on_condition_check_failure=params.get("ReturnValuesOnConditionCheckFailure"),
            )
            attributes = item.to_json()["Attributes"] if params.get("ReturnValues") == "ALL_NEW" else None
        parsed: dict[str, Any] = {"ResponseMetadata": {"HTTPStatusCode": 200}}
        if attributes is not None:
            parsed["Attributes"] = json.loads(json.dumps(attributes))
        return parsed

    def _error(self, err: Any, operation: str) -> Exception:
        """The exception botocore would raise for this error response."""
        body = json.loads(err.description)
        code = str(body.pop("__type", err.error_type)).rsplit("#", 1)[-1]
        message = body.pop("message", None) or body.pop("Message", None) or err.message
        response = {
            **body,
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": err.code},
        }
        error: Exception = self.exceptions.from_code(code)(response, operation)
        return error


def _plain_update(params: dict[str, Any]) -> bool:
    """An UpdateItem the backend can take as it is: an update expression, no legacy parameters,
    nothing asked back but the new item."""
    return (
        bool(params.get("UpdateExpression"))
        and not ({"AttributeUpdates", "Expected", "ConditionalOperator"} & set(params))
        and params.get("ReturnValues", "NONE") in ("NONE", "ALL_NEW")
        and params.get("ReturnConsumedCapacity", "NONE") == "NONE"
        and params.get("ReturnItemCollectionMetrics", "NONE") == "NONE"
    )


_META = re.compile(r"[A-Za-z0-9\-_.]+")


class DirectSiteBucket:
    """``put_object`` and ``get_object`` of plain objects in one bucket, served by moto in this process."""

    def __init__(self, fallback: Any, bucket: str) -> None:
        self._fallback = fallback
        self.bucket = bucket
        self.exceptions = fallback.exceptions
        self.meta = fallback.meta

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fallback, name)

    @staticmethod
    def _backend() -> Any:
        from moto.s3.models import s3_backends

        return s3_backends[ACCOUNT]["global"]

    def put_object(
        self,
        *,
        Bucket: str,
        Key: str,
        Body: bytes,
        ContentType: str | None = None,
        CacheControl: str | None = None,
        Metadata: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        if Bucket != self.bucket:
            return self._fallback.put_object(
                Bucket=Bucket,
                Key=Key,
                Body=Body,
                **({"ContentType": ContentType} if ContentType else {}),
                **({"CacheControl": CacheControl} if CacheControl else {}),
                **({"Metadata": Metadata} if Metadata else {}),
            )
        from moto.s3.utils import CaseInsensitiveDict

        headers: dict[str, str] = {}
        if ContentType:
            headers["Content-Type"] = ContentType
        if CacheControl:
            headers["Cache-Control"] = CacheControl
        for name, value in (Metadata or {}).items():
            if not _META.fullmatch(name):
                raise ValueError(f"metadata name {name!r} is not a header name")
            headers[f"x-amz-meta-{name.lower()}"] = value
        with lock:
            backend = self._backend()
            key = backend.put_object(Bucket, Key, bytes(Body))
            key.set_metadata(CaseInsensitiveDict(headers))
            key.set_acl(backend.get_bucket(Bucket).acl)
            etag = key.etag
        return {"ETag": etag, "ResponseMetadata": {"HTTPStatusCode": 200}}

    def get_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:
        if Bucket != self.bucket:
            return self._fallback.get_object(Bucket=Bucket, Key=Key)
        with lock:
            key = self._backend().get_object(Bucket, Key)
            if key is None:
                response = {
                    "Error": {"Code": "NoSuchKey", "Message": "The specified key does not exist."},
                    "ResponseMetadata": {"HTTPStatusCode": 404},
                }
                raise self.exceptions.NoSuchKey(response, "GetObject")
            body, metadata, etag = key.value, dict(key.metadata), key.etag
        return {
            "Body": StreamingBody(io.BytesIO(body), len(body)),
            "ContentLength": len(body),
            "ContentType": metadata.get("Content-Type", "binary/octet-stream"),
            "CacheControl": metadata.get("Cache-Control"),
            "ETag": etag,
            "Metadata": {
                k[len("x-amz-meta-") :]: v for k, v in metadata.items() if k.startswith("x-amz-meta-")
            },
            "ResponseMetadata": {"HTTPStatusCode": 200},
        }


def direct_publisher(dynamodb: Any, calendar: Any = None) -> Any:
    """The disclosure publisher on direct clients (``dynamodb``, a ``DirectDynamoDB``, and the site
    bucket's): the same code and objects as through the emulator, without the requests' encoding
    and parsing. The ledger bucket (checkpoints) still goes through a client."""
    from worklog import aws
    from worklog.audit.repository import AuditRepository
    from worklog.compliance.repository import ComplianceRepository
    from worklog.compliance.review_repository import ReviewRepository
    from worklog.journal.repository import JournalRepository
    from worklog.publish.publisher import Publisher, Records
    from worklog.publish.runs import PublishRuns
    from worklog.publish.site import SiteStore
    from worklog.roster.repository import RosterRepository
    from worklog.settings import get_settings
    from worklog.vetting.repository import NoticeRepository

    records = Records(
        roster=RosterRepository(client=dynamodb),
        journal=JournalRepository(client=dynamodb),
        compliance=ComplianceRepository(client=dynamodb),
        reviews=ReviewRepository(client=dynamodb),
        audits=AuditRepository(client=dynamodb),
        notices=NoticeRepository(client=dynamodb),
        calendar=calendar,
    )
    site = SiteStore(client=DirectSiteBucket(aws.client("s3"), get_settings().site_bucket))
    return Publisher(records=records, site=site, runs=PublishRuns(client=dynamodb))
