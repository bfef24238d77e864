"""Items and values the short way: strings, numbers and booleans — nearly every attribute — take a
short way through moto's per-value helpers (sizes, copies of query results, comparisons, the
response's plain dicts); the results are the same, and other types still take moto's way."""

from __future__ import annotations

from typing import Any

from infra.emulator.base import ITEM_SIZE_LIMIT, SCALARS, SIZE


def patch_item_size_check() -> None:
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


def patch_scalar_shortcuts() -> None:
    _patch_sizes()
    _patch_copies()
    _patch_string_comparisons()
    _patch_plain_dicts()


def _patch_sizes() -> None:
    """An item's size counted once (and forgotten when an update changes the item in place)."""
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    value_size = DynamoType.size

    def size(self: Item) -> int:
        known = self.__dict__.get(SIZE)
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
        self.__dict__[SIZE] = total
        return total

    Item.size = size  # type: ignore[method-assign]


def _patch_copies() -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

    def scalar_copy(value: DynamoType) -> DynamoType:
        result = DynamoType.__new__(DynamoType)
        result.type, result.value = value.type, value.value  # immutable: the copy may share it
        return result

    deepcopy_value, deepcopy_item = DynamoType.__deepcopy__, Item.__deepcopy__

    def copy_value(self: DynamoType, memo: dict[int, Any]) -> DynamoType:
        return scalar_copy(self) if self.type in SCALARS else deepcopy_value(self, memo)

    def copy_item(self: Item, memo: dict[int, Any]) -> Item:
        values = self.attrs
        if not all(type(v) is DynamoType and v.type in SCALARS for v in values.values()):
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


def _patch_string_comparisons() -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType

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


def _patch_plain_dicts() -> None:
    import moto.dynamodb.responses as responses
    from moto.dynamodb.models import utilities
    from moto.dynamodb.models.dynamo_type import DynamoType

    to_dict = utilities.dynamo_to_dict

    def plain(obj: Any) -> Any:
        if type(obj) is DynamoType and obj.type in SCALARS:
            return {obj.type: obj.value}
        if type(obj) is dict:
            return {k: plain(v) for k, v in obj.items()}
        if type(obj) is list:
            return [plain(v) for v in obj]
        return to_dict(obj)  # which comes back here for what it holds

    utilities.dynamo_to_dict = plain
    responses.dynamo_to_dict = plain
