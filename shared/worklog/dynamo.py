"""Marshalling between Python values and DynamoDB attribute values (low-level client).

Numbers come back as ``int`` (this system stores no floats: the canonical encoding of the chain
forbids them), so stored records round-trip exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any, ClassVar

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from worklog import aws
from worklog.settings import get_settings

_ser = TypeSerializer()
_de = TypeDeserializer()


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, set):
        return {_plain(v) for v in value}
    return value


def to_item(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _ser.serialize(v) for k, v in values.items() if v is not None}


def _value(attribute: Mapping[str, Any]) -> Any:
    """One attribute value: strings, integers and booleans (nearly all) directly, the rest through
    boto3's deserializer."""
    if len(attribute) == 1:
        ((kind, raw),) = attribute.items()
        if kind == "S" or kind == "BOOL":
            return raw
        if kind == "N" and raw.lstrip("-").isdigit():
            return int(raw)
    return _plain(_de.deserialize(dict(attribute)))  # type: ignore[arg-type]


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _value(v) for k, v in item.items()}


def key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def query_all(client: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Every item of a Query, page by page (one request per page)."""
    while True:
        page = client.query(**kwargs)
        for item in page.get("Items", []):
            yield from_item(item)
        last = page.get("LastEvaluatedKey")
        if not last:
            return
        kwargs["ExclusiveStartKey"] = last


def scan_raw(client: Any, table: str) -> Iterator[dict[str, Any]]:
    """Every item of a table as DynamoDB stores it (attribute values, types kept), page by page."""
    kwargs: dict[str, Any] = {"TableName": table}
    while True:
        page = client.scan(**kwargs)
        yield from page.get("Items", [])
        last = page.get("LastEvaluatedKey")
        if not last:
            return
        kwargs["ExclusiveStartKey"] = last


def put_raw(client: Any, table: str, items: list[dict[str, Any]]) -> int:
    """Items as DynamoDB stores them (attribute values), BatchWriteItem 25 a request, unprocessed
    ones sent again. Returns the requests made."""
    requests = 0
    pending = [{"PutRequest": {"Item": i}} for i in items]
    while pending:
        chunk, pending = pending[:25], pending[25:]
        while chunk:
            resp = client.batch_write_item(RequestItems={table: chunk})
            requests += 1
            chunk = resp.get("UnprocessedItems", {}).get(table, [])
    return requests


def is_empty(client: Any, table: str) -> bool:
    """Whether a table holds no item at all."""
    return not client.scan(TableName=table, Limit=1).get("Items")


class TableRepository:
    """Base of the repositories: the one table each owns (named by a setting unless given) and
    the DynamoDB client it talks through, created lazily on first use."""

    table_setting: ClassVar[str]

    def __init__(self, table: str | None = None, client: Any = None) -> None:
        self.table: str = table or getattr(get_settings(), self.table_setting)
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or aws.client("dynamodb")


def conditional(write: Callable[[], Any]) -> bool:
    """Run a conditional write; False when its condition failed (the item already exists, or
    was moved by someone else), any other error raised as it is."""
    try:
        write()
    except ClientError as err:
        if err.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True
