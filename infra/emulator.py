"""Adjustments that make moto behave like DynamoDB at the demo's size, for the local runtime,
the in-process tests and the benchmark. Nothing here is deployed.

moto implements TransactWriteItems by deep-copying every table the transaction touches so that it
can roll back; with the demo district's 26,000 journal items that copy takes seconds per save.
DynamoDB itself checks every condition first and then applies every write, all or nothing. Since
the embedded AWS serves one request at a time, the same two phases give the same atomicity here
without any copy.

moto also answers every Query by listing and sorting the whole table, even a Query of one
partition; the publisher reads each cadre's partition, 800 of them in a table of 135,000 items,
and the nightly check and the unit figures read one day of the by_day index at a time. DynamoDB
reads just the partition: so does the patched Query here, for the base table (its partition) and
for an index (the items whose index hash key matches, looked up in a map of the table that is
rebuilt after the table changes).

And moto serialises every response by walking the operation's output shape value by value, which
for a Query of a cadre's chain costs far more than the query itself; item reads (GetItem, Query,
BatchGetItem, Scan) already hold DynamoDB's wire format, so they are written out as JSON directly.

The embedded AWS serves one request at a time (``lock``): the local runtime's server and the
in-process tests take it around each request, and code that writes into the backend directly (the
demo loader) takes it too.
"""

from __future__ import annotations

import json
import re
import threading
from collections import defaultdict
from decimal import Decimal
from typing import Any

_patched = False
# One request at a time, across every way into the embedded AWS (moto's backends are not thread-safe).
lock = threading.RLock()


def install() -> None:
    """Patch moto as described above (idempotent)."""
    global _patched
    if _patched:
        return
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )
    from moto.dynamodb.models import DynamoDBBackend

    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        if len(transact_items) > 100:
            raise TooManyTransactionsException()
        seen: set[tuple[str, str]] = set()
        plan: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        errors: list[tuple[str | None, str | None, Any]] = []
        for item in transact_items:
            if len(item) > 1:
                raise TransactWriteSingleOpException
            op_type, op = next(iter(item.items()))
            table = self.get_table(op["TableName"])
            if op_type == "Put":
                attrs = op["Item"]
                key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = attrs[table.range_key_attr]
            else:
                key = op["Key"]
            marker = (op["TableName"], str(dict(sorted(key.items()))))
            if marker in seen:
                raise MultipleTransactionsException()
            seen.add(marker)
            current = self.get_item(op["TableName"], key)
            condition = op.get("ConditionExpression")
            if condition is not None:
                check = get_filter_expression(
                    condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
                )
                if not check.expr(current):
                    old = None
                    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                        old = current.to_json()["Attributes"]
                    errors.append(("ConditionalCheckFailed", "The conditional request failed", old))
                    continue
            errors.append((None, None, None))
            plan.append((op_type, op, key))
        if any(code is not None for code, _, _ in errors):
            raise TransactionCanceledException(errors)
        for op_type, op, key in plan:
            names, values = (
                op.get("ExpressionAttributeNames") or {},
                op.get("ExpressionAttributeValues") or {},
            )
            if op_type == "Put":
                self.put_item(
                    op["TableName"],
                    op["Item"],
                    expression_attribute_names=names,
                    expression_attribute_values=values,
                )
            elif op_type == "Delete":
                self.delete_item(
                    op["TableName"], key, expression_attribute_names=names, expression_attribute_values=values
                )
            elif op_type == "Update":
                self.update_item(
                    op["TableName"],
                    key,
                    update_expression=op["UpdateExpression"],
                    expression_attribute_names=names,
                    expression_attribute_values=values,
                )

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    _patch_plain_updates()
    _patch_queries()  # after the update's patch: it marks the table changed around it
    _patch_item_results()
    _patch_item_size_check()
    _patch_scalar_shortcuts()
    _patch_query_copies()
    _patch_update_parsing()
    _patch_plain_conditions()
    _patched = True


_GENERATION = "_worklog_generation"
_LOOKUP = "_worklog_lookup"
_SIZE = "_worklog_size"


def _marker(value: Any) -> tuple[str, Any] | None:
    """A hashable stand-in for a key value that compares as DynamoDB does (numbers by value)."""
    if value.type == "S":
        return ("S", value.value)
    if value.type == "N":
        return ("N", Decimal(value.value))
    return None


def _changed(table: Any) -> None:
    table.__dict__[_GENERATION] = table.__dict__.get(_GENERATION, 0) + 1


def _by_attribute(table: Any, name: str) -> dict[tuple[str, Any], list[Any]]:
    """The table's items by the value of one attribute; rebuilt only after the table changed."""
    generation = table.__dict__.get(_GENERATION, 0)
    lookups = table.__dict__.setdefault(_LOOKUP, {})
    cached = lookups.get(name)
    if cached is not None and cached[0] == generation:
        return cached[1]
    mapping: dict[tuple[str, Any], list[Any]] = defaultdict(list)
    for hash_set in table.items.values():
        for item in hash_set.values() if table.range_key_attr else (hash_set,):
            value = item.attrs.get(name)
            marker = _marker(value) if value is not None else None
            if marker is not None:
                mapping[marker].append(item)
    lookups[name] = (generation, mapping)
    return mapping


def _patch_queries() -> None:
    """Queries consider only the items that can match: the partition of the base table, or the
    items whose index hash key has the value asked for. moto's own query then filters, sorts and
    pages those exactly as it would have the whole table."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    original = Table.query

    def query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        conditions = kwargs.get("hash_key_conditions") or []
        if index_name is None and hash_key is not None and self.range_key_attr:
            candidates = list(self.items.get(hash_key, {}).values())
        elif index_name is not None and conditions and _marker(conditions[0][1]) is not None:
            name, value = conditions[0]
            candidates = list(_by_attribute(self, name).get(_marker(value), ()))  # type: ignore[arg-type]
        else:
            return original(self, hash_key, *args, **kwargs)
        # Requests are served one at a time (``lock``): the override cannot leak to another.
        self.__dict__["all_items"] = lambda: candidates
        try:
            return original(self, hash_key, *args, **kwargs)
        finally:
            del self.__dict__["all_items"]

    Table.query = query  # type: ignore[method-assign]

    # Every write marks its table changed (an update changes an item in place).
    put_item, delete_item, update_item = Table.put_item, Table.delete_item, DynamoDBBackend.update_item

    def put(self: Table, *args: Any, **kwargs: Any) -> Any:
        result = put_item(self, *args, **kwargs)
        _changed(self)
        return result

    def delete(self: Table, *args: Any, **kwargs: Any) -> Any:
        result = delete_item(self, *args, **kwargs)
        _changed(self)
        return result

    def update(self: DynamoDBBackend, table_name: str, *args: Any, **kwargs: Any) -> Any:
        result = update_item(self, table_name, *args, **kwargs)
        _changed(self.get_table(table_name))
        result.__dict__.pop(_SIZE, None)
        return result

    Table.put_item = put  # type: ignore[method-assign]
    Table.delete_item = delete  # type: ignore[method-assign]
    DynamoDBBackend.update_item = update  # type: ignore[method-assign]
    _patch_index_projection()


_SCALARS = frozenset({"S", "N", "BOOL", "NULL"})
ITEM_SIZE_LIMIT = 405_000  # moto's figure for DynamoDB's 400 KB


def _patch_item_size_check() -> None:
    """A new item's size is checked once, when it is built (moto re-adds the sizes of every
    attribute before adding each next one); an attribute set later is still checked by moto."""
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

    def init(self: Item, hash_key: DynamoType, range_key: DynamoType | None, attrs: dict[str, Any]) -> None:
        self.hash_key = hash_key
        self.range_key = range_key
        self.attrs = LimitedSizeDict()
        for name, value in attrs.items():
            dict.__setitem__(self.attrs, name, DynamoType(value))
        if self.size() > ITEM_SIZE_LIMIT:
            raise ItemSizeTooLarge

    Item.__init__ = init  # type: ignore[method-assign]


def _patch_scalar_shortcuts() -> None:
    """Strings, numbers and booleans — nearly every attribute — take a short way through moto's
    per-value helpers (sizes, copies of query results, the response's plain dicts); the results
    are the same, and other types still take moto's way."""
    import moto.dynamodb.responses as responses
    from moto.dynamodb.models import utilities
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

    value_size = DynamoType.size

    def size(self: Item) -> int:
        known = self.__dict__.get(_SIZE)
        if known is not None:
            return int(known)
        total = 0
        for name, value in self.attrs.items():
            total += len(name) if name.isascii() else len(name.encode())
            kind = value.type
            if kind == "S":
                text = value.value
                total += len(text) if text.isascii() else len(text.encode())
            elif kind == "N":
                total += len(str(value.value))
            else:
                total += value_size(value)
        self.__dict__[_SIZE] = total  # forgotten when an update changes the item in place
        return total

    Item.size = size  # type: ignore[method-assign]

    def scalar_copy(value: DynamoType) -> DynamoType:
        result = DynamoType.__new__(DynamoType)
        result.type, result.value = value.type, value.value  # immutable: the copy may share it
        return result

    deepcopy_value, deepcopy_item = DynamoType.__deepcopy__, Item.__deepcopy__

    def copy_value(self: DynamoType, memo: dict[int, Any]) -> DynamoType:
        return scalar_copy(self) if self.type in _SCALARS else deepcopy_value(self, memo)

    def copy_item(self: Item, memo: dict[int, Any]) -> Item:
        values = self.attrs
        if not all(type(v) is DynamoType and v.type in _SCALARS for v in values.values()):
            return deepcopy_item(self, memo)
        result: Any = Item.__new__(Item)
        result.hash_key = scalar_copy(self.hash_key)
        result.range_key = scalar_copy(self.range_key) if self.range_key is not None else None
        attrs = LimitedSizeDict()
        for name, value in values.items():
            dict.__setitem__(attrs, name, scalar_copy(value))
        result.attrs = attrs
        return result

    DynamoType.__deepcopy__ = copy_value  # type: ignore[method-assign]
    Item.__deepcopy__ = copy_item  # type: ignore[method-assign]

    less, equal = DynamoType.__lt__, DynamoType.__eq__

    def lt(self: DynamoType, other: DynamoType) -> bool:
        if self.type == "S" and other.type == "S":
            return bool(self.value < other.value)
        return less(self, other)

    def eq(self: DynamoType, other: DynamoType) -> bool:
        if self.type == "S" and getattr(other, "type", None) == "S":
            return bool(self.value == other.value)
        return equal(self, other)

    DynamoType.__lt__ = lt  # type: ignore[method-assign]
    DynamoType.__eq__ = eq  # type: ignore[method-assign]

    to_dict = utilities.dynamo_to_dict

    def plain(obj: Any) -> Any:
        if type(obj) is DynamoType and obj.type in _SCALARS:
            return {obj.type: obj.value}
        if type(obj) is dict:
            return {k: plain(v) for k, v in obj.items()}
        if type(obj) is list:
            return [plain(v) for v in obj]
        return to_dict(obj)  # which comes back here for what it holds

    utilities.dynamo_to_dict = plain
    responses.dynamo_to_dict = plain


def _patch_index_projection() -> None:
    """An index that projects some attributes keeps them by name (moto re-encodes the whole item
    once per projected attribute), sharing the values: a query's results are only read (see
    ``_patch_query_copies``). Items with nested values there go the original way."""
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
            if all(v.type in _SCALARS for v in kept.values()):
                projected: Any = Item.__new__(Item)
                projected.hash_key, projected.range_key = item.hash_key, item.range_key
                projected.attrs = LimitedSizeDict()
                for name, value in kept.items():
                    dict.__setitem__(projected.attrs, name, value)
                return projected
        return original(self, item)

    SecondaryIndex.project = project  # type: ignore[method-assign]


_ITEM_READS = frozenset({"GetItem", "Query", "BatchGetItem", "Scan"})


def _patch_item_results() -> None:
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


_NAME = r"(?:#\w+|[A-Za-z_][A-Za-z0-9_]*)"
_PLAIN_UPDATE = re.compile(
    rf"^\s*SET\s+(?P<sets>{_NAME}\s*=\s*:\w+(?:\s*,\s*{_NAME}\s*=\s*:\w+)*)"
    rf"(?:\s+REMOVE\s+(?P<removes>{_NAME}(?:\s*,\s*{_NAME})*))?\s*$"
)


def _patch_query_copies() -> None:
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


def _patch_update_parsing() -> None:
    """Each update expression is parsed once: moto parses it on every request, twice (to check the
    names and values it uses, then to apply it); the tree is only read or copied before use."""
    import functools

    from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]

    make = UpdateExpressionParser.make.__func__
    cached = functools.lru_cache(maxsize=1024)(lambda expression: make(UpdateExpressionParser, expression))
    UpdateExpressionParser.make = classmethod(lambda cls, expression: cached(expression))


_PLAIN_CONDITION = re.compile(
    rf"^\s*(?:attribute_(?P<function>not_exists|exists)\(\s*(?P<argument>{_NAME})\s*\)"
    rf"|(?P<name>{_NAME})\s*(?:=\s*(?P<value>:\w+)|IN\s*\(\s*(?P<values>:\w+(?:\s*,\s*:\w+)*)\s*\)))\s*$"
)


def _reserved_words() -> frozenset[str]:
    from moto.dynamodb.parsing.reserved_keywords import ReservedKeywords

    return frozenset(ReservedKeywords.get_reserved_keywords())


class _PlainCondition:
    """``attribute_(not_)exists(a)``, ``a = :v`` or ``a IN (:v, …)`` on a top-level attribute."""

    def __init__(self, name: str, kind: str, values: list[Any]) -> None:
        self.name, self.kind, self.values = name, kind, values

    def expr(self, item: Any) -> bool:
        value = item.attrs.get(self.name) if item is not None else None
        if self.kind == "not_exists":
            return value is None
        if self.kind == "exists":
            return value is not None
        return value is not None and any(value == v for v in self.values)


def _patch_plain_conditions() -> None:
    """The conditions the project writes with (see ``_PLAIN_CONDITION``) are evaluated directly;
    moto lexes and parses each one into a tree on every request. Any other goes to moto."""
    from moto.dynamodb.comparisons import ConditionExpressionParser
    from moto.dynamodb.models.dynamo_type import DynamoType

    original = ConditionExpressionParser.parse
    reserved = _reserved_words()

    def parse(self: ConditionExpressionParser) -> Any:
        match = _PLAIN_CONDITION.match(self.condition_expression or "")
        if match is None:
            return original(self)
        names = self.expression_attribute_names or {}
        values = self.expression_attribute_values or {}
        target = match["argument"] or match["name"]
        if not target.startswith("#") and target.upper() in reserved:
            return original(self)  # and its error: a reserved word must be a #name
        name = names.get(target) if target.startswith("#") else target
        placeholders = (
            [match["value"]]
            if match["value"]
            else [v.strip() for v in (match["values"] or "").split(",") if v]
        )
        if name is None or any(v not in values for v in placeholders):
            return original(self)  # and its error
        if target.startswith("#"):
            self.expr_attr_names_found.append(target)
        self.expr_attr_values_found.extend(placeholders)
        kind = match["function"] or "equals"
        return _PlainCondition(name, kind, [DynamoType(values[v]) for v in placeholders])

    ConditionExpressionParser.parse = parse  # type: ignore[method-assign]


def _patch_plain_updates() -> None:
    """``SET a = :v, … [REMOVE b, …]`` of top-level attributes — every update the project makes —
    applied directly; moto parses, copies and walks an expression tree ten times for each. Any
    other update (paths, functions, arithmetic, key attributes, empty strings in index keys, a
    missing name or value) goes to moto, which also raises its errors."""
    from moto.dynamodb.comparisons import create_condition_expression_parser
    from moto.dynamodb.exceptions import ConditionalCheckFailed, ItemSizeToUpdateTooLarge
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType

    original = DynamoDBBackend.update_item
    reserved = _reserved_words()

    def plain(
        table: Any, update_expression: str | None, names: dict[str, str], values: dict[str, Any]
    ) -> tuple[dict[str, Any], list[str]] | None:
        match = _PLAIN_UPDATE.match(update_expression or "")
        if match is None or table.stream_shard is not None:
            return None
        targets = [c.partition("=")[0].strip() for c in match["sets"].split(",")]
        targets += [t.strip() for t in (match["removes"] or "").split(",") if t.strip()]
        if any(not t.startswith("#") and t.upper() in reserved for t in targets):
            return None  # moto refuses a reserved word that is not a #name, as DynamoDB does
        sets: dict[str, Any] = {}
        for clause in match["sets"].split(","):
            target, _, value = (part.strip() for part in clause.partition("="))
            name = names.get(target) if target.startswith("#") else target
            if name is None or value not in values or name in sets:
                return None
            sets[name] = values[value]
        removes = []
        for target in (match["removes"] or "").split(",") if match["removes"] else []:
            target = target.strip()
            name = names.get(target) if target.startswith("#") else target
            if name is None or name in sets or name in removes:
                return None
            removes.append(name)
        keys = set(table.attribute_keys)
        if (set(sets) | set(removes)) & set(table.table_key_attrs):
            return None
        if any(name in keys and value in ({"S": ""}, {"B": ""}) for name, value in sets.items()):
            return None
        return sets, removes

    def update_item(
        self: DynamoDBBackend,
        table_name: str,
        key: dict[str, dict[str, Any]],
        update_expression: str,
        expression_attribute_names: dict[str, Any],
        expression_attribute_values: dict[str, Any],
        attribute_updates: dict[str, Any] | None = None,
        expected: dict[str, Any] | None = None,
        condition_expression: str | None = None,
        return_values_on_condition_check_failure: str | None = None,
    ) -> Any:
        table = self.get_table(table_name)
        names, values = expression_attribute_names or {}, expression_attribute_values or {}
        parsed = None if attribute_updates or expected else plain(table, update_expression, names, values)
        if parsed is None or set(key) != set(table.table_key_attrs):
            return original(
                self,
                table_name,
                key,
                update_expression,
                expression_attribute_names,
                expression_attribute_values,
                attribute_updates,
                expected,
                condition_expression,
                return_values_on_condition_check_failure,
            )
        sets, removes = parsed
        hash_value = DynamoType(key[table.hash_key_attr])
        range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
        item = table.get_item(hash_value, range_value)
        condition = create_condition_expression_parser(condition_expression, names, values).parse()
        if not condition.expr(item):
            if return_values_on_condition_check_failure == "ALL_OLD" and item is not None:
                raise ConditionalCheckFailed(item=item.to_json()["Attributes"])
            raise ConditionalCheckFailed
        if item is None:  # an update creates the item it does not find
            data = {table.hash_key_attr: key[table.hash_key_attr]}
            if table.range_key_attr:
                data[table.range_key_attr] = key[table.range_key_attr]
            item = table.put_item(data)
        for name in removes:
            dict.pop(item.attrs, name, None)
        for name, value in sets.items():
            dict.__setitem__(item.attrs, name, DynamoType(value))
        item.__dict__.pop(_SIZE, None)
        if item.size() > ITEM_SIZE_LIMIT:
            raise ItemSizeToUpdateTooLarge()
        return item

    DynamoDBBackend.update_item = update_item  # type: ignore[method-assign]


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
    import os

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
        _changed(table)
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
