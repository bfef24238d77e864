"""Update and condition expressions the short way: moto lexes and parses each expression into a
tree on every request (an update ten times over); the plain ones the project writes are applied
or evaluated directly, the parse of any other is kept, and anything unusual goes to moto, which
also raises its errors."""

from __future__ import annotations

import functools
import re
from typing import Any

from infra.emulator.base import ITEM_SIZE_LIMIT, SIZE

_NAME = r"(?:#\w+|[A-Za-z_][A-Za-z0-9_]*)"
_PLAIN_UPDATE = re.compile(
    rf"^\s*SET\s+(?P<sets>{_NAME}\s*=\s*:\w+(?:\s*,\s*{_NAME}\s*=\s*:\w+)*)"
    rf"(?:\s+REMOVE\s+(?P<removes>{_NAME}(?:\s*,\s*{_NAME})*))?\s*$"
)
_PLAIN_CONDITION = re.compile(
    rf"^\s*(?:attribute_(?P<function>not_exists|exists)\(\s*(?P<argument>{_NAME})\s*\)"
    rf"|(?P<name>{_NAME})\s*(?:=\s*(?P<value>:\w+)|IN\s*\(\s*(?P<values>:\w+(?:\s*,\s*:\w+)*)\s*\)))\s*$"
)


@functools.cache
def _reserved_words() -> frozenset[str]:
    from moto.dynamodb.parsing.reserved_keywords import ReservedKeywords

    return frozenset(ReservedKeywords.get_reserved_keywords())


def _is_reserved(target: str) -> bool:
    """A reserved word written as it is rather than as a #name (moto refuses it, as DynamoDB does)."""
    return not target.startswith("#") and target.upper() in _reserved_words()


def _name(target: str, names: dict[str, str]) -> str | None:
    return names.get(target) if target.startswith("#") else target


def patch_update_parsing() -> None:
    """Each update expression is parsed once: moto parses it on every request, twice (to check the
    names and values it uses, then to apply it); the tree is only read or copied before use."""
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]

    make = UpdateExpressionParser.make.__func__
    cached = functools.lru_cache(maxsize=1024)(lambda expression: make(UpdateExpressionParser, expression))
    UpdateExpressionParser.make = classmethod(lambda cls, expression: cached(expression))


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


def patch_plain_conditions() -> None:
    """The conditions the project writes with (see ``_PLAIN_CONDITION``) are evaluated directly;
    moto lexes and parses each one into a tree on every request. Any other goes to moto."""
    from moto.dynamodb.comparisons import ConditionExpressionParser
    from moto.dynamodb.models.dynamo_type import DynamoType

    original = ConditionExpressionParser.parse

    def parse(self: ConditionExpressionParser) -> Any:
        match = _PLAIN_CONDITION.match(self.condition_expression or "")
        if match is None:
            return original(self)
        names = self.expression_attribute_names or {}
        values = self.expression_attribute_values or {}
        target = match["argument"] or match["name"]
        if _is_reserved(target):
            return original(self)  # and its error: a reserved word must be a #name
        name = _name(target, names)
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


def _plain_update(
    table: Any, update_expression: str | None, names: dict[str, str], values: dict[str, Any]
) -> tuple[dict[str, Any], list[str]] | None:
    """The attributes a plain update sets (to their values) and removes, or None to leave it to moto."""
    match = _PLAIN_UPDATE.match(update_expression or "")
    if match is None or table.stream_shard is not None:
        return None
    set_clauses = [tuple(part.strip() for part in c.partition("=")[::2]) for c in match["sets"].split(",")]
    remove_targets = [t.strip() for t in (match["removes"] or "").split(",") if t.strip()]
    if any(_is_reserved(t) for t in [*(target for target, _ in set_clauses), *remove_targets]):
        return None
    sets: dict[str, Any] = {}
    for target, value in set_clauses:
        name = _name(target, names)
        if name is None or value not in values or name in sets:
            return None
        sets[name] = values[value]
    removes: list[str] = []
    for target in remove_targets:
        name = _name(target, names)
        if name is None or name in sets or name in removes:
            return None
        removes.append(name)
    if (set(sets) | set(removes)) & set(table.table_key_attrs):
        return None
    keys = set(table.attribute_keys)
    if any(name in keys and value in ({"S": ""}, {"B": ""}) for name, value in sets.items()):
        return None  # moto refuses an empty string in an index key
    return sets, removes


def patch_plain_updates() -> None:
    """``SET a = :v, … [REMOVE b, …]`` of top-level attributes — every update the project makes —
    applied directly; moto parses, copies and walks an expression tree ten times for each. Any
    other update (paths, functions, arithmetic, key attributes, empty strings in index keys, a
    missing name or value) goes to moto, which also raises its errors."""
    from moto.dynamodb.models import DynamoDBBackend

    original = DynamoDBBackend.update_item

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
        parsed = (
            None if attribute_updates or expected else _plain_update(table, update_expression, names, values)
        )
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
        return _apply_plain_update(
            table, key, parsed, condition_expression, names, values, return_values_on_condition_check_failure
        )


def _apply_plain_update(
    table: Any,
    key: dict[str, dict[str, Any]],
    parsed: tuple[dict[str, Any], list[str]],
    condition_expression: str | None,
    names: dict[str, str],
    values: dict[str, Any],
    return_values_on_condition_check_failure: str | None,
) -> Any:
    """The item after a plain update, once its condition held (what moto's update_item returns)."""
    from moto.dynamodb.comparisons import create_condition_expression_parser
    from moto.dynamodb.exceptions import ConditionalCheckFailed, ItemSizeToUpdateTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType

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
    item.__dict__.pop(SIZE, None)
    if item.size() > ITEM_SIZE_LIMIT:
        raise ItemSizeToUpdateTooLarge()
    return item
