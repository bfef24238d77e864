"""Dataclasses whose methods are written at their first instance, not when their module is imported.

``dataclasses.dataclass`` writes each class's ``__init__``, ``__repr__`` and ``__eq__`` (frozen, also
``__hash__``, ``__setattr__`` and ``__delattr__``) as source text and compiles it when the class is
defined: about a millisecond a class, and a function's cold start defines 30–40 of ours, most of
which its requests never build (docs/benchmarks.md, "Cold import, fourth pass").

``@datarecord`` (``@datarecord(frozen=True)``) leaves the class as it is written, with a stand-in
``__init__``. The class's first instance applies ``dataclasses.dataclass``, with the same options,
to the class itself, then builds the instance with the ``__init__`` it wrote. From then on the class
is exactly the dataclass the standard library makes (its fields, ``replace``, ``asdict``, equality,
hashing, frozenness), and instances cost what a dataclass's cost. Before its first instance the
class is not a dataclass yet (``dataclasses.fields`` refuses it); nothing asks that of a class
without an instance. Type checkers see a dataclass throughout (``dataclass_transform``).
"""

import dataclasses
import threading
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform, overload

_T = TypeVar("_T", bound=type)
_lock = threading.Lock()


@overload
def datarecord(cls: _T, /) -> _T: ...


@overload
def datarecord(*, frozen: bool = False) -> Callable[[_T], _T]: ...


@dataclass_transform(field_specifiers=(dataclasses.field, dataclasses.Field))
def datarecord(cls: Any = None, /, *, frozen: bool = False) -> Any:
    """A dataclass (``frozen`` as ``dataclasses.dataclass`` has it) made at its first instance."""

    def wrap(target: _T) -> _T:
        return _deferred(target, frozen=frozen)

    return wrap if cls is None else wrap(cls)


def _deferred(cls: _T, *, frozen: bool) -> _T:
    if "__init__" in cls.__dict__:
        raise TypeError(f"{cls.__qualname__}: a record's __init__ is the dataclass's")

    def stand_in(self: Any, *args: Any, **kwargs: Any) -> None:
        with _lock:  # two threads building the first instances at once make the dataclass once
            if cls.__dict__.get("__init__") is stand_in:
                del cls.__init__  # type: ignore[misc]
                dataclasses.dataclass(cls, frozen=frozen)
        cls.__init__(self, *args, **kwargs)  # type: ignore[misc]

    stand_in.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = stand_in  # type: ignore[misc]
    return cls
