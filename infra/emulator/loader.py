"""Plain items put straight into this process's emulated tables (the demo's bulk loading)."""

from __future__ import annotations

import os
from typing import Any

from infra.emulator.base import ITEM_SIZE_LIMIT, lock, mark_changed


def _attribute(value: Any) -> dict[str, Any]:
    """A plain value as a DynamoDB attribute value (the types the project stores)."""
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if value is None:
        return {"NULL": True}
    if isinstance(value, dict):
        return {"M": {k: _attribute(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [_attribute(v) for v in value]}
    raise TypeError(f"cannot store {type(value).__name__} in the demo loader")


def load_items(
    table_name: str, items: list[dict[str, Any]], *, unless: tuple[str, str] | None = None
) -> bool:
    """Put plain items (top-level None values left out, as ``worklog.dynamo.to_item`` does) straight
    into this process's emulated table, all under one hold of ``lock`` so that no request sees a
    part of them; with ``unless`` (a key), nothing is written if that item already exists.
    Returns whether the items were written. For loading the demo: no conditions, no streams."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

    account = os.environ.get("MOTO_ACCOUNT_ID", "123456789012")
    region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
    built = [_item(values, DynamoType, Item, LimitedSizeDict) for values in items]  # outside the lock
    with lock:
        table = dynamodb_backends[account][region].get_table(table_name)
        hash_name, range_name = table.hash_key_attr, table.range_key_attr
        if unless is not None:
            hash_key, range_key = DynamoType({"S": unless[0]}), DynamoType({"S": unless[1]})
            if range_key in table.items.get(hash_key, {}):
                return False
        for item in built:
            item.hash_key = item.attrs[hash_name]
            item.range_key = item.attrs[range_name] if range_name else None
            if item.range_key is None:
                table.items[item.hash_key] = item
            else:
                table.items[item.hash_key][item.range_key] = item
        mark_changed(table)
    return True


def _item(values: dict[str, Any], dynamo_type: Any, item_type: Any, attrs_type: Any) -> Any:
    """A moto Item from plain values, built the short way for strings, numbers and booleans."""
    attrs = attrs_type()
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, str | bool | int):
            typed = dynamo_type.__new__(dynamo_type)
            if isinstance(value, bool):
                typed.type, typed.value = "BOOL", value
            elif isinstance(value, str):
                typed.type, typed.value = "S", value
            else:
                typed.type, typed.value = "N", str(value)
        else:
            typed = dynamo_type(_attribute(value))
        dict.__setitem__(attrs, name, typed)
    item = item_type.__new__(item_type)
    item.attrs = attrs
    if item.size() > ITEM_SIZE_LIMIT:
        from moto.dynamodb.exceptions import ItemSizeTooLarge

        raise ItemSizeTooLarge
    return item
