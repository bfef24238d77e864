"""Stored values round-trip exactly through worklog.dynamo (numbers come back as int)."""

from __future__ import annotations

import pytest

from worklog.dynamo import from_item, to_item


@pytest.mark.parametrize(
    "value",
    ["文字", "", 0, 7, -12, 10**20, True, False, {"a": [1, "b", {"c": None}]}, [], ["x", 2]],
)
def test_a_value_comes_back_as_it_was_stored(value: object) -> None:
    assert from_item(to_item({"v": value})) == {"v": value}


def test_numbers_in_other_spellings_come_back_as_integers() -> None:
    assert from_item({"a": {"N": "007"}, "b": {"N": "1E3"}, "c": {"N": "-0"}}) == {"a": 7, "b": 1000, "c": 0}


def test_sets_and_nulls_come_back_as_boto3_reads_them() -> None:
    assert from_item({"s": {"SS": ["a", "b"]}, "n": {"NULL": True}}) == {"s": {"a", "b"}, "n": None}
