"""Queries that read only what can match, and item reads written out as JSON directly.

moto answers every Query by listing and sorting the whole table, even a Query of one partition;
the publisher reads each cadre's partition, 800 of them in a table of 135,000 items, and the
nightly check and the unit figures read one day of the by_day index at a time. DynamoDB reads just
the partition: so does the patched Query here, for the base table (its partition) and for an index
(the items whose index hash key matches, looked up in a map of the table that is rebuilt after the
table changes).

moto also serialises every response by walking the operation's output shape value by value, which
for a Query of a cadre's chain costs far more than the query itself; item reads (GetItem, Query,
BatchGetItem, Scan) already hold DynamoDB's wire format, so they are written out as JSON directly.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from infra.emulator.base import GENERATION, LOOKUP, SCALARS, SIZE, mark_changed, marker


def _by_attribute(table: Any, name: str) -> dict[tuple[str, Any], list[Any]]:
    """The table's items by the value of one attribute; rebuilt only after the table changed."""
    generation = table.__dict__.get(GENERATION, 0)
    lookups = table.__dict__.setdefault(LOOKUP, {})
    cached = lookups.get(name)
    if cached is not None and cached[0] == generation:
        return cached[1]
    mapping: dict[tuple[str, Any], list[Any]] = defaultdict(list)
    for hash_set in table.items.values():
        for item in hash_set.values() if table.range_key_attr else (hash_set,):
            value = item.attrs.get(name)
            key = marker(value) if value is not None else None
            if key is not None:
                mapping[key].append(item)
    lookups[name] = (generation, mapping)
    return mapping


def patch_queries() -> None:
    """Queries consider only the items that can match: the partition of the base table, or the
    items whose index hash key has the value asked for. moto's own query then filters, sorts and
    pages those exactly as it would have the whole table."""
    from moto.dynamodb.models.table import Table

    original = Table.query

    def query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        conditions = kwargs.get("hash_key_conditions") or []
        if index_name is None and hash_key is not None and self.range_key_attr:
            candidates = list(self.items.get(hash_key, {}).values())
        elif index_name is not None and conditions and marker(conditions[0][1]) is not None:
            name, value = conditions[0]
            candidates = list(_by_attribute(self, name).get(marker(value), ()))  # type: ignore[arg-type]
        else:
            return original(self, hash_key, *args, **kwargs)
        # Requests are served one at a time (``lock``): the override cannot leak to another.
        self.__dict__["all_items"] = lambda: candidates
        try:
            return original(self, hash_key, *args, **kwargs)
        finally:
            del self.__dict__["all_items"]

    Table.query = query  # type: ignore[method-assign]
    _patch_write_marks()
    _patch_index_projection()


def _patch_write_marks() -> None:
    """Every write marks its table changed (an update changes an item in place)."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    put_item, delete_item, update_item = Table.put_item, Table.delete_item, DynamoDBBackend.update_item

    def put(self: Table, *args: Any, **kwargs: Any) -> Any:
        result = put_item(self, *args, **kwargs)
        mark_changed(self)
        return result

    def delete(self: Table, *args: Any, **kwargs: Any) -> Any:
        result = delete_item(self, *args, **kwargs)
        mark_changed(self)
        return result

    def update(self: DynamoDBBackend, table_name: str, *args: Any, **kwargs: Any) -> Any:
        result = update_item(self, table_name, *args, **kwargs)
        mark_changed(self.get_table(table_name))
        result.__dict__.pop(SIZE, None)
        return result

    Table.put_item = put  # type: ignore[method-assign]
    Table.delete_item = delete  # type: ignore[method-assign]
    DynamoDBBackend.update_item = update  # type: ignore[method-assign]


def _patch_index_projection() -> None:
    """An index that projects some attributes keeps them by name (moto re-encodes the whole item
    once per projected attribute), sharing the values: a query's results are only read (see
    ``patch_query_copies``). Items with nested values there go the original way."""
    from moto.dynamodb.models.dynamo_type import Item, LimitedSizeDict
    from moto.dynamodb.models.table import SecondaryIndex

    original = SecondaryIndex.project

    def project(self: SecondaryIndex, item: Item) -> Item:
        kind = (self.projection or {}).get("ProjectionType")
        if kind in ("KEYS_ONLY", "INCLUDE"):
            names = [*self.table_key_attrs, *(k["AttributeName"] for k in self.schema)]
            if kind == "INCLUDE":
                names += self.projection.get("NonKeyAttributes", [])
            kept = {n: item.attrs[n] for n in dict.fromkeys(names) if n in item.attrs}
            if all(v.type in SCALARS for v in kept.values()):
                projected: Any = Item.__new__(Item)
                projected.hash_key, projected.range_key = item.hash_key, item.range_key
                projected.attrs = LimitedSizeDict()
                for name, value in kept.items():
                    dict.__setitem__(projected.attrs, name, value)
                return projected
        return original(self, item)

    SecondaryIndex.project = project  # type: ignore[method-assign]


def patch_query_copies() -> None:
    """A Query's results are not deep-copied: moto only reads them (to project, filter and write
    the response, all under ``lock``), and the copy costs as much as the rest of the query."""
    import copy as real_copy
    import types

    from moto.dynamodb.models import table as table_module
    from moto.dynamodb.models.dynamo_type import Item

    def deepcopy(value: Any, memo: Any = None) -> Any:
        if type(value) is list and all(type(i) is Item for i in value):
            return list(value)
        return real_copy.deepcopy(value, memo)

    shim = types.SimpleNamespace(deepcopy=deepcopy, copy=real_copy.copy)
    table_module.copy = shim  # type: ignore[assignment]


_ITEM_READS = frozenset({"GetItem", "Query", "BatchGetItem", "Scan"})


def patch_item_results() -> None:
    """Item reads answered as plain JSON (their results are DynamoDB's wire format already); any
    other operation, and any result JSON cannot hold as it is (binary values), goes through moto's
    serialiser."""
    from moto.dynamodb.responses import DynamoResult

    original = DynamoResult.execute_result

    def execute_result(self: DynamoResult, context: Any) -> Any:
        operation = context.operation_model
        if operation.name in _ITEM_READS:
            try:
                body = json.dumps(self.result)
            except TypeError:
                pass
            else:
                version = operation.service_model.metadata.get("jsonVersion", "1.0")
                return 200, {"Content-Type": f"application/x-amz-json-{version}"}, body
        return original(self, context)

    DynamoResult.execute_result = execute_result  # type: ignore[method-assign,assignment]
