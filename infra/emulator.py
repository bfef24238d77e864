"""Adjustments that make moto behave like DynamoDB at the demo's size, for the local runtime,
the in-process tests and the benchmark. Nothing here is deployed.

moto implements TransactWriteItems by deep-copying every table the transaction touches so that it
can roll back; with the demo district's 26,000 journal items that copy takes seconds per save.
DynamoDB itself checks every condition first and then applies every write, all or nothing. Since
the embedded AWS serves one request at a time, the same two phases give the same atomicity here
without any copy.

moto also answers every Query by listing and sorting the whole table, even a Query of one
partition of the base table; the publisher reads each cadre's partition, 800 of them in a table of
26,000 items. DynamoDB reads just the partition: so does the patched Query here (index Queries are
left as moto does them).
"""

from __future__ import annotations

from typing import Any

_patched = False


def install() -> None:
    """Replace moto's TransactWriteItems with check-then-apply (idempotent)."""
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
    _patch_partition_query()
    _patched = True


def _patch_partition_query() -> None:
    from moto.dynamodb.models.table import Table

    original = Table.query

    def query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        if index_name is not None or hash_key is None or not self.range_key_attr:
            return original(self, hash_key, *args, **kwargs)
        partition = list(self.items.get(hash_key, {}).values())
        # Requests are served one at a time (see above): the override cannot leak to another.
        self.__dict__["all_items"] = lambda: partition
        try:
            return original(self, hash_key, *args, **kwargs)
        finally:
            del self.__dict__["all_items"]

    Table.query = query  # type: ignore[method-assign]
