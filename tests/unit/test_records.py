"""worklog.records.datarecord: a dataclass made at its first instance, the same as the stdlib's after."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

import pytest

from worklog.records import datarecord


def _classes() -> tuple[type, type]:
    """The same class as a record and as a plain dataclass, defined afresh."""

    def body(decorator: Any) -> Any:
        @decorator
        class Point:
            """A point."""

            x: int
            y: int = 0
            tags: list[str] = dataclasses.field(default_factory=list)

            def __post_init__(self) -> None:
                if self.x < 0:
                    raise ValueError("x < 0")

        return Point

    return body(datarecord(frozen=True)), body(dataclasses.dataclass(frozen=True))


def test_a_record_is_no_dataclass_until_its_first_instance() -> None:
    record, _ = _classes()
    assert not dataclasses.is_dataclass(record)
    record(1)
    assert dataclasses.is_dataclass(record)


def test_after_its_first_instance_a_record_behaves_as_the_same_dataclass() -> None:
    record, plain = _classes()
    mine, theirs = record(1, 2, ["a"]), plain(1, 2, ["a"])
    assert [f.name for f in dataclasses.fields(mine)] == [f.name for f in dataclasses.fields(theirs)]
    assert repr(mine).replace(record.__qualname__, "P") == repr(theirs).replace(plain.__qualname__, "P")
    assert mine == record(1, 2, ["a"]) and mine != record(1, 3)
    assert dataclasses.asdict(mine) == dataclasses.asdict(theirs) == {"x": 1, "y": 2, "tags": ["a"]}
    assert dataclasses.replace(mine, y=5) == record(1, 5, ["a"])
    assert record(1).tags is not record(1).tags  # the default factory runs per instance
    with pytest.raises(dataclasses.FrozenInstanceError):
        mine.x = 3


def test_the_first_instance_runs_post_init_and_refuses_bad_arguments_as_a_dataclass_does() -> None:
    record, _ = _classes()
    with pytest.raises(ValueError, match="x < 0"):
        record(-1)
    with pytest.raises(TypeError):
        record()
    with pytest.raises(TypeError):
        record(1, z=2)
    assert record(x=4).x == 4


def test_a_frozen_record_hashes_by_its_fields() -> None:
    @datarecord(frozen=True)
    class Key:
        a: int
        b: str

    assert hash(Key(1, "x")) == hash(Key(1, "x")) and len({Key(1, "x"), Key(1, "x"), Key(2, "x")}) == 2


def test_a_mutable_record_is_unhashable_and_assignable_as_a_dataclass_is() -> None:
    @datarecord
    class Counter:
        n: int = 0

    counter = Counter()
    counter.n += 1
    assert counter == Counter(1)
    with pytest.raises(TypeError):
        hash(counter)


def test_threads_building_the_first_instances_together_make_the_dataclass_once() -> None:
    record, _ = _classes()
    made: list[object] = []
    barrier = threading.Barrier(8)

    def build() -> None:
        barrier.wait()
        made.append(record(7))

    threads = [threading.Thread(target=build) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 8 and all(m == record(7) for m in made)


def test_a_record_cannot_bring_its_own_init() -> None:
    with pytest.raises(TypeError):

        @datarecord
        class Own:
            x: int

            def __init__(self) -> None:
                self.x = 1
