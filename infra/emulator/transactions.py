"""TransactWriteItems without moto's copy of every table it touches.

moto deep-copies each table of a transaction so that it can roll back; with the demo district's
26,000 journal items that copy takes seconds per save. DynamoDB checks every condition first and
then applies every write, all or nothing; since the embedded AWS serves one request at a time, the
same two phases give the same atomicity here without any copy.
"""

from __future__ import annotations

from typing import Any

Failure = tuple[str | None, str | None, Any]


def patch_transactions() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    """moto's ``DynamoDBBackend.transact_write_items``: every condition checked, then every write."""
    from moto.dynamodb.exceptions import (
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )

    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    seen: set[tuple[str, str]] = set()
    plan: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    failures: list[Failure] = []
    for item in transact_items:
        if len(item) > 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(item.items()))
        key = _key(self.get_table(op["TableName"]), op_type, op)
        marker = (op["TableName"], str(dict(sorted(key.items()))))
        if marker in seen:
            raise MultipleTransactionsException()
        seen.add(marker)
        failure = _failed_condition(self, op, key)
        failures.append(failure or (None, None, None))
        if failure is None:
            plan.append((op_type, op, key))
    if any(code is not None for code, _, _ in failures):
        raise TransactionCanceledException(failures)
    for op_type, op, key in plan:
        _write(self, op_type, op, key)


def _key(table: Any, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return op["Key"]
    attrs = op["Item"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def _failed_condition(backend: Any, op: dict[str, Any], key: dict[str, Any]) -> Failure | None:
    """The cancellation reason of an operation whose condition does not hold, else None."""
    from moto.dynamodb.comparisons import get_filter_expression

    current = backend.get_item(op["TableName"], key)  # also refuses a key that does not fit the table
    condition = op.get("ConditionExpression")
    if condition is None:
        return None
    check = get_filter_expression(
        condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
    )
    if check.expr(current):
        return None
    old = None
    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
        old = current.to_json()["Attributes"]
    return ("ConditionalCheckFailed", "The conditional request failed", old)


def _write(backend: Any, op_type: str, op: dict[str, Any], key: dict[str, Any]) -> None:
    names = op.get("ExpressionAttributeNames") or {}
    values = op.get("ExpressionAttributeValues") or {}
    table = op["TableName"]
    if op_type == "Put":
        backend.put_item(
            table, op["Item"], expression_attribute_names=names, expression_attribute_values=values
        )
    elif op_type == "Delete":
        backend.delete_item(table, key, expression_attribute_names=names, expression_attribute_values=values)
    elif op_type == "Update":
        backend.update_item(
            table,
            key,
            update_expression=op["UpdateExpression"],
            expression_attribute_names=names,
            expression_attribute_values=values,
        )
